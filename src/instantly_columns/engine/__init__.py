"""The effect vocabulary every flow speaks, and the sync and async drivers that run flows."""

__all__: list[str] = []
