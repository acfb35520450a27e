"""The pure domain: column subtypes and their configs, the field-mapping detector, sequence
templates and schedules, the engagement projection, the summary aggregate, webhook planning
and the wizard's states. Nothing here does I/O; the import-linter contracts in CI hold it to
that."""

__all__: list[str] = []
