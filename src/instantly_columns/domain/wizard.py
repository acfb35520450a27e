"""The add-column wizard as an explicit, serializable state machine.

A host UI, a terminal or a notebook drives it one step at a time::

    connection -> campaign -> sequence -> mapping -> review -> done

The state is a pydantic model that round-trips through JSON (``state.model_dump_json()``),
so a web host keeps it in a session between requests and a restart resumes where the user
was. It never holds the API key: the key goes straight to the credential store.

Each step takes one typed answer; a wrong answer leaves the state on its step with
``problems`` set (field paths and messages). ``back`` returns to the previous step, keeping
the answers already given. The service runs the I/O (``service.wizard_advance``); this module
holds the rules.

Answers are our own input, so they are closed: building one with a key it does not have
(``MappingAnswer(overides=...)``) or an override for a lead field that does not exist
(``{"emial": ...}``) raises [`ConfigError`][instantly_columns.errors.ConfigError] naming the
key and the closest valid names, never pydantic's ``ValidationError``.

Nothing is written until the last step can finish: the wizard reads (the table, the
campaign) at every step, checks what it can locally, and makes its writes (the campaign, if
it creates one, the columns, the link, the sequence template) only at ``review``, after every
check passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

import attrs
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from instantly_columns.domain._html import html_table
from instantly_columns.domain.columns import CORE_LEAD_FIELDS, SequenceMode
from instantly_columns.domain.mapping import FieldMapping
from instantly_columns.domain.problems import input_problems, join_path, unknown_name
from instantly_columns.domain.sequences import PreviewRow, Step
from instantly_columns.errors import ConfigError, Problem

__all__ = [
    "STEPS",
    "CampaignAnswer",
    "CampaignChoice",
    "ConnectAnswer",
    "CreateAnswer",
    "MappingAnswer",
    "NewCampaign",
    "ProblemModel",
    "ScheduleAnswer",
    "SequenceAnswer",
    "WizardAnswer",
    "WizardState",
    "WizardStep",
    "WizardView",
    "back",
]

WizardStep: TypeAlias = Literal["connection", "campaign", "sequence", "mapping", "review", "done"]
#: The steps in order.
STEPS: tuple[WizardStep, ...] = ("connection", "campaign", "sequence", "mapping", "review", "done")

_STRICT = ConfigDict(extra="forbid", defer_build=True)

#: What ``MappingAnswer.overrides`` may name besides ``custom_variables.<name>``.
OVERRIDE_FIELDS: tuple[str, ...] = tuple(CORE_LEAD_FIELDS)


class _Answer(BaseModel):
    """A closed input: unknown keys and bad values raise ``ConfigError`` with paths."""

    model_config = _STRICT

    if not TYPE_CHECKING:  # type checkers keep the generated, typed signatures

        def __init__(self, /, **data: Any) -> None:
            try:
                super().__init__(**data)
            except ValidationError as exc:
                raise ConfigError(input_problems(exc, type(self))) from None

        @classmethod
        def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().model_validate(obj, *args, **kwargs)
            except ValidationError as exc:
                raise ConfigError(input_problems(exc, cls)) from None

        @classmethod
        def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().model_validate_json(json_data, *args, **kwargs)
            except ValidationError as exc:
                raise ConfigError(input_problems(exc, cls)) from None


def override_problems(overrides: Mapping[str, object], prefix: str = "overrides") -> list[Problem]:
    """What is wrong with the keys of ``MappingAnswer.overrides``: each must be a lead field
    (``email``, ``first_name``...) or ``custom_variables.<name>``. A misspelt one names the
    closest valid names."""
    problems = []
    for key in overrides:
        path = join_path(prefix, key)
        if key in OVERRIDE_FIELDS:
            continue
        if key.startswith("custom_variables."):
            if not key.split(".", 1)[1].strip():
                problems.append(Problem(path, "name the variable: custom_variables.<name>"))
            continue
        problems.append(
            unknown_name(path, key, [*OVERRIDE_FIELDS, "custom_variables.<name>"], "lead field")
        )
    return problems


class ProblemModel(BaseModel):
    """A problem shown on a step: where and what."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    path: str
    message: str

    @classmethod
    def of(cls, problem: Problem) -> ProblemModel:
        return cls(path=problem.path, message=problem.message)


class ConnectAnswer(_Answer):
    """Step 1. ``api_key`` is validated against the API, then stored; leave it out to use the
    key already stored for this workspace, else the service's own key (``api_key=`` or
    ``INSTANTLY_API_KEY`` through ``from_env``), which is checked but not stored."""

    model_config = _STRICT
    step: Literal["connection"] = "connection"
    api_key: SecretStr | None = None


class ScheduleAnswer(_Answer):
    """A sending schedule for a new campaign (see ``sequences.build_schedule``)."""

    model_config = _STRICT
    timezone: str
    days: list[int | str] | str = "weekdays"
    start: str = "09:00"
    end: str = "17:00"
    allow_approximate: bool = False


class NewCampaign(_Answer):
    """Create a campaign instead of picking one."""

    model_config = _STRICT
    name: str = Field(min_length=1, max_length=200)
    schedule: ScheduleAnswer | None = None


class CampaignAnswer(_Answer):
    """Step 2: pick an existing campaign by id, or create one."""

    model_config = _STRICT
    step: Literal["campaign"] = "campaign"
    campaign_id: str | None = None
    create: NewCampaign | None = None


class SequenceAnswer(_Answer):
    """Step 3: the sequence mode and its details.

    - ``use_existing``: nothing else.
    - ``map_variables``: ``bindings`` ``{variable: column id}`` for the campaign's custom
      variables (core ones such as ``firstName`` follow the field mapping).

    Both use the campaign's own steps, so on a campaign without steps (a new one, always)
    the answer is a problem, for such a campaign would never send, unless
    ``confirm_no_steps=True`` says the steps will be added in Instantly later.
    - ``author_steps``: ``steps`` (N) and either ``step_columns``
      (``{"1.subject": column id, "1.body": ...}``) or ``scaffold=True`` to create
      "Step N Subject" / "Step N Body" columns; ``delay_days`` between steps.
    """

    model_config = _STRICT
    step: Literal["sequence"] = "sequence"
    mode: SequenceMode
    bindings: dict[str, str] = Field(default_factory=dict)
    steps: int | None = Field(default=None, ge=1, le=20)
    step_columns: dict[str, str] = Field(default_factory=dict)
    scaffold: bool = True
    delay_days: int = Field(default=3, ge=0, le=365)
    confirm_no_steps: bool = False


class MappingAnswer(_Answer):
    """Step 4: accept the detected mapping, with ``overrides`` on top (lead field or
    ``custom_variables.<name>`` -> column id, or ``None`` to unmap). A key that is neither
    (``"emial"``) raises ``ConfigError`` naming the closest lead fields."""

    model_config = _STRICT
    step: Literal["mapping"] = "mapping"
    overrides: dict[str, str | None] = Field(default_factory=dict)

    @field_validator("overrides")
    @classmethod
    def _known_fields(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        problems = override_problems(value, prefix="")
        if problems:
            raise ConfigError(problems)
        return value


class CreateAnswer(_Answer):
    """Step 5: create the columns."""

    model_config = _STRICT
    step: Literal["review"] = "review"
    push_column: bool = True
    engagement_columns: bool = True


WizardAnswer: TypeAlias = Annotated[
    ConnectAnswer | CampaignAnswer | SequenceAnswer | MappingAnswer | CreateAnswer,
    Field(discriminator="step"),
]


class WizardState(BaseModel):
    """Where the user is and what they answered. JSON-serializable, holds no secret."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    table_id: str
    credential_id: str = "default"
    step: WizardStep = "connection"
    workspace_name: str | None = None
    campaign_id: str | None = None
    campaign_name: str | None = None
    campaign_created: bool = False
    new_campaign: NewCampaign | None = None
    """The campaign to create, when the user asked for a new one: it is created at the
    review step, the wizard's last, after every check passed (``campaign_id`` is set then)."""
    sequence_mode: SequenceMode | None = None
    bindings: dict[str, str] = Field(default_factory=dict)
    step_count: int | None = None
    step_columns: dict[str, str] = Field(default_factory=dict)
    scaffold_steps: bool = False
    delay_days: int = 3
    field_mapping: dict[str, Any] | None = None
    problems: list[ProblemModel] = Field(default_factory=list)
    message: str | None = None
    created_columns: list[str] = Field(default_factory=list)
    link_id: str | None = Field(
        default=None, validation_alias=AliasChoices("link_id", "integration_id")
    )
    """The new link's id once the wizard is done (a state saved before 0.2 calls it
    ``integration_id``; it still loads). A save that failed at the last step sets it too, so
    that answering again reuses it."""
    notes: list[str] = Field(default_factory=list)

    @property
    def integration_id(self) -> str | None:
        """Deprecated: ``link_id``."""
        import warnings

        warnings.warn("integration_id is now link_id", DeprecationWarning, stacklevel=2)
        return self.link_id

    def with_problems(self, problems: list[Problem], message: str | None = None) -> WizardState:
        """The same step, showing these problems."""
        return self.model_copy(
            update={"problems": [ProblemModel.of(p) for p in problems], "message": message}
        )

    def moved(self, step: WizardStep, **changes: Any) -> WizardState:
        """Go to ``step`` with ``changes``, clearing problems."""
        return self.model_copy(update={**changes, "step": step, "problems": [], "message": None})

    def _repr_html_(self) -> str:
        marks = " → ".join(f"<b>{s}</b>" if s == self.step else s for s in STEPS)
        issues = [(p.path, p.message) for p in self.problems]
        table = html_table(issues, headers=["field", "problem"]) if issues else ""
        return f"<p>{marks}</p>{table}"


@attrs.frozen
class CampaignChoice:
    """A campaign offered at the campaign step, with its status badge for the UI."""

    id: str
    name: str
    status: int | None
    label: str
    """"Active", "Paused", "Draft", ... or "Unknown (n)"."""
    tone: str
    """active, paused, draft, completed, error or unknown: a colour for the badge."""


@attrs.frozen
class WizardView:
    """What the current step shows. Computed on demand (``service.wizard_view``), never
    stored in the state, so the state stays small and serializable.

    - ``campaign``: ``campaigns`` (searchable).
    - ``sequence``: the campaign's ``steps`` and their ``variables``; ``preview`` resolves
      the first three rows with the bindings given (missing and blank variables flagged).
    - ``connection``: ``connected`` when ``ConnectAnswer()`` (no key) has a key to use, and
      ``key_source`` says whose: a host shows a "continue" button instead of the key form.
    - ``mapping``: the detected ``mapping`` (in column ids) with a reason per column.
    """

    step: WizardStep
    connected: bool = False
    campaigns: tuple[CampaignChoice, ...] = ()
    steps: tuple[Step, ...] = ()
    variables: tuple[str, ...] = ()
    preview: tuple[PreviewRow, ...] = ()
    mapping: FieldMapping | None = None
    key_source: Literal["stored", "service"] | None = None
    """At ``connection``: where the key that ``ConnectAnswer()`` would use comes from: the
    credential store, or the service's own key (``api_key=``, ``INSTANTLY_API_KEY``)."""


def back(state: WizardState) -> WizardState:
    """The previous step, answers kept (``connection`` and ``done`` stay where they are)."""
    if state.step in ("connection", "done"):
        return state
    return state.moved(STEPS[STEPS.index(state.step) - 1])


def step_key(number: int, field: str) -> str:
    """``"1.subject"``: how ``SequenceAnswer.step_columns`` names a step column."""
    return f"{number}.{field}"


def parse_step_key(key: str) -> tuple[int, Literal["subject", "body"]] | None:
    number, _, field = key.partition(".")
    if not number.isdigit() or field not in ("subject", "body"):
        return None
    return int(number), field  # type: ignore[return-value]


def merge_overrides(
    detected: Mapping[str, Any], overrides: Mapping[str, str | None]
) -> dict[str, Any]:
    """Apply ``MappingAnswer.overrides`` to a flat field mapping (column ids)."""
    out = {k: v for k, v in detected.items() if k != "custom_variables"}
    custom = dict(detected.get("custom_variables") or {})
    for key, column in overrides.items():
        if key.startswith("custom_variables."):
            name = key.split(".", 1)[1]
            if column is None:
                custom.pop(name, None)
            else:
                custom[name] = column
        elif column is None:
            out.pop(key, None)
        else:
            out[key] = column
    # A column now used by a lead field no longer doubles as a custom variable.
    used = {v for k, v in out.items() if isinstance(v, str)}
    custom = {k: v for k, v in custom.items() if v not in used or k in _explicit(overrides)}
    out["custom_variables"] = custom
    return out


def _explicit(overrides: Mapping[str, str | None]) -> set[str]:
    return {k.split(".", 1)[1] for k in overrides if k.startswith("custom_variables.")}
