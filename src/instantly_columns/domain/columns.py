"""Column subtypes, their configs, and the host-agnostic table model.

A host application stores an ``instantly`` column's configuration as one flat JSON object,
``integration_config``, whose keys are those of the original product's interface, all
optional and side by side::

    {"instantly_subtype": "campaign_config", "campaign_id": "...", "campaign_name": "...",
     "sequence_mode": "map_variables", "field_mapping": {"email": "col_email", ...}}

[`parse_integration_config`][instantly_columns.domain.columns.parse_integration_config] turns that
into one of four typed configs (a union discriminated on ``instantly_subtype``) and
``config.to_integration_config()`` gives back exactly the JSON it was parsed from: keys this
version does not know are kept, so a newer host's data survives an older library.

Field mappings refer to columns by **column id**.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal, TypeAlias, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from instantly_columns.domain.engagement import ENGAGEMENT_FIELD_BY_SUBTYPE, EngagementSubtype
from instantly_columns.domain.mapping import LEAD_FIELDS
from instantly_columns.domain.problems import problems_from_validation
from instantly_columns.errors import InvalidColumnConfig, Problem

__all__ = [
    "AUTO_CREATED_SUBTYPES",
    "CORE_LEAD_FIELDS",
    "EDITABLE_SUBTYPES",
    "ENGAGEMENT_SUBTYPES",
    "INSTANTLY_COLUMN_TYPE",
    "SUBTYPES",
    "CampaignConfig",
    "CellValue",
    "Column",
    "EngagementConfig",
    "FieldMappingConfig",
    "InstantlyColumnConfig",
    "InstantlySubtype",
    "PushActionConfig",
    "PushConfig",
    "Row",
    "SequenceMode",
    "SequenceStepConfig",
    "StepConfig",
    "column_key",
    "ensure_valid_table",
    "is_editable",
    "parse_integration_config",
    "validate_table",
]

#: The host column type that every Instantly column has.
INSTANTLY_COLUMN_TYPE = "instantly"

InstantlySubtype: TypeAlias = Literal[
    "campaign_config",
    "push_action",
    "engagement_status",
    "email_status",
    "last_contacted",
    "reply_count",
    "open_count",
    "sequence_step",
]
SequenceMode: TypeAlias = Literal["use_existing", "map_variables", "author_steps"]

#: All eight subtypes, in the order a host shows them.
SUBTYPES: tuple[InstantlySubtype, ...] = get_args(InstantlySubtype)
#: The five engagement subtypes, filled by sync.
ENGAGEMENT_SUBTYPES: tuple[EngagementSubtype, ...] = tuple(ENGAGEMENT_FIELD_BY_SUBTYPE)
#: Subtypes whose cells the user may edit (the per-row step copy).
EDITABLE_SUBTYPES: frozenset[InstantlySubtype] = frozenset({"sequence_step"})
#: Subtypes that a sync creates when they are missing.
AUTO_CREATED_SUBTYPES: frozenset[InstantlySubtype] = frozenset(ENGAGEMENT_SUBTYPES)

CellValue: TypeAlias = JsonValue
"""A cell holds any JSON value: text, number, boolean, null, or (push results) an object."""


def is_editable(subtype: InstantlySubtype) -> bool:
    """Whether users may edit cells of this subtype (only ``sequence_step``)."""
    return subtype in EDITABLE_SUBTYPES


def column_key(
    integration_id: str,
    subtype: InstantlySubtype,
    *,
    step_number: int | None = None,
    field: Literal["subject", "body"] | None = None,
) -> str:
    """The deterministic key of a column that belongs to one campaign link.

    Creating a missing column is then an upsert by key, which two racing syncs cannot
    duplicate. ``integration_id`` is the id of the link's ``campaign_config`` column.

    >>> column_key("col_7", "reply_count")
    'instantly:col_7:reply_count'
    >>> column_key("col_7", "sequence_step", step_number=2, field="body")
    'instantly:col_7:sequence_step:2:body'
    """
    key = f"{INSTANTLY_COLUMN_TYPE}:{integration_id}:{subtype}"
    if subtype == "sequence_step":
        if step_number is None or field is None:
            raise InvalidColumnConfig("a sequence_step key needs step_number and field")
        key += f":{step_number}:{field}"
    return key


# --- configs -------------------------------------------------------------------------------

_OPEN = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=False, defer_build=True)


class FieldMappingConfig(BaseModel):
    """Which column feeds each lead field (values are column ids).

    ``custom_variables`` maps an Instantly custom variable name to a column id.
    """

    model_config = _OPEN

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    job_title: str | None = None
    phone: str | None = None
    website: str | None = None
    personalization: str | None = None
    custom_variables: dict[str, str] = Field(default_factory=dict)

    def columns(self) -> dict[str, str]:
        """Every mapped ``{lead field or custom variable path: column id}``."""
        out = {
            name: value
            for name in CORE_LEAD_FIELDS
            if isinstance(value := getattr(self, name), str) and value
        }
        out.update({f"custom_variables.{k}": v for k, v in self.custom_variables.items()})
        return out


#: The lead fields a mapping can feed besides custom variables, in Instantly's names.
CORE_LEAD_FIELDS: tuple[str, ...] = LEAD_FIELDS


class PushConfig(BaseModel):
    """Where a ``push_action`` column pushes, and whether it reuses the campaign's mapping."""

    model_config = _OPEN

    campaign_id: str = Field(min_length=1)
    auto_field_mapping: bool = True


class StepConfig(BaseModel):
    """Which step of the sequence, and which half of it, a ``sequence_step`` column holds."""

    model_config = _OPEN

    step_number: int = Field(ge=1, le=100)
    field: Literal["subject", "body"]


class _BaseConfig(BaseModel):
    model_config = _OPEN

    def to_integration_config(self) -> dict[str, Any]:
        """The flat JSON a host stores: exactly the keys that were given, unknown ones too."""
        return self.model_dump(mode="json", exclude_unset=True)

    @property
    def unknown_keys(self) -> dict[str, Any]:
        """Top-level keys this version of the library does not know (kept on round-trip)."""
        return dict(self.model_extra or {})


class CampaignConfig(_BaseConfig):
    """The ``campaign_config`` column: the link between a table and one campaign."""

    instantly_subtype: Literal["campaign_config"]
    campaign_id: str = Field(min_length=1)
    campaign_name: str
    sequence_mode: SequenceMode
    field_mapping: FieldMappingConfig


class PushActionConfig(_BaseConfig):
    """The ``push_action`` column: pushes rows as leads; its cells hold per-row results."""

    instantly_subtype: Literal["push_action"]
    push_config: PushConfig
    campaign_id: str | None = None
    field_mapping: FieldMappingConfig | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PushActionConfig:
        if self.campaign_id is not None and self.campaign_id != self.push_config.campaign_id:
            raise ValueError("campaign_id and push_config.campaign_id name different campaigns")
        if not self.push_config.auto_field_mapping and self.field_mapping is None:
            raise ValueError(
                "push_config.auto_field_mapping is false, so a field_mapping is required"
            )
        return self

    @property
    def target_campaign_id(self) -> str:
        return self.push_config.campaign_id


class EngagementConfig(_BaseConfig):
    """One of the five engagement columns, filled by sync (read-only for users)."""

    instantly_subtype: EngagementSubtype
    engagement_field: str | None = None
    campaign_id: str | None = None

    @model_validator(mode="after")
    def _field_matches(self) -> EngagementConfig:
        expected = ENGAGEMENT_FIELD_BY_SUBTYPE[self.instantly_subtype]
        if self.engagement_field is not None and self.engagement_field != expected:
            raise ValueError(
                f"engagement_field {self.engagement_field!r} does not match subtype "
                f"{self.instantly_subtype!r} (expected {expected!r})"
            )
        return self

    @property
    def lead_field(self) -> str:
        """The API lead field this column shows."""
        return ENGAGEMENT_FIELD_BY_SUBTYPE[self.instantly_subtype]


class SequenceStepConfig(_BaseConfig):
    """A ``sequence_step`` column: the per-row subject or body of step N (editable)."""

    instantly_subtype: Literal["sequence_step"]
    step_config: StepConfig
    campaign_id: str | None = None


InstantlyColumnConfig: TypeAlias = Annotated[
    CampaignConfig | PushActionConfig | EngagementConfig | SequenceStepConfig,
    Field(discriminator="instantly_subtype"),
]
"""The config of any ``instantly`` column, discriminated on ``instantly_subtype``."""


@functools.cache
def _config_adapter() -> TypeAdapter[InstantlyColumnConfig]:
    """Built when first needed: building it at import would cost every import of the
    package (the models' own schemas are deferred the same way, ``defer_build``)."""
    return TypeAdapter(InstantlyColumnConfig)


def parse_integration_config(data: Mapping[str, Any]) -> InstantlyColumnConfig:
    """Parse a host's flat ``integration_config`` JSON into a typed config.

    Raises:
        InvalidColumnConfig: with one problem per invalid field, each naming its path.
            Input values are never echoed (a config could hold anything).
    """
    if not isinstance(data, Mapping):
        raise InvalidColumnConfig(
            f"integration_config must be a JSON object, not {type(data).__name__}"
        )
    try:
        return _config_adapter().validate_python(dict(data))
    except ValidationError as exc:
        # The union puts the tag first in each error's location; users think in their keys.
        raise InvalidColumnConfig(problems_from_validation(exc, root_tags=SUBTYPES)) from None


# --- table model ---------------------------------------------------------------------------

_FROZEN = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Column(BaseModel):
    """A column of a host table. ``config`` is set exactly when ``type == "instantly"``."""

    model_config = _FROZEN

    id: str = Field(min_length=1)
    key: str = Field(min_length=1)
    name: str
    type: str = "text"
    config: InstantlyColumnConfig | None = None

    @model_validator(mode="after")
    def _config_iff_instantly(self) -> Column:
        if self.type == INSTANTLY_COLUMN_TYPE and self.config is None:
            raise ValueError("an 'instantly' column needs a config")
        if self.type != INSTANTLY_COLUMN_TYPE and self.config is not None:
            raise ValueError(f"a {self.type!r} column cannot carry an instantly config")
        return self

    @property
    def subtype(self) -> InstantlySubtype | None:
        """The ``instantly_subtype``, or ``None`` for a plain host column."""
        return self.config.instantly_subtype if self.config is not None else None

    @property
    def editable(self) -> bool:
        """Whether users may edit its cells (host columns always; instantly: step columns)."""
        return self.subtype is None or is_editable(self.subtype)

    @classmethod
    def from_host(
        cls,
        *,
        id: str,
        name: str,
        type: str = "text",
        key: str | None = None,
        integration_config: Mapping[str, Any] | None = None,
    ) -> Column:
        """Build a column from a host's record (flat ``integration_config`` JSON).

        Raises:
            InvalidColumnConfig: naming ``columns[<id>]....`` paths.
        """
        config = (
            parse_integration_config(integration_config) if integration_config is not None else None
        )
        try:
            return cls(id=id, key=key or id, name=name, type=type, config=config)
        except ValidationError as exc:
            raise InvalidColumnConfig(problems_from_validation(exc, f"columns[{id}]")) from None

    def to_host(self) -> dict[str, Any]:
        """The host record: id, key, name, type and the flat ``integration_config``."""
        out: dict[str, Any] = {"id": self.id, "key": self.key, "name": self.name, "type": self.type}
        if self.config is not None:
            out["integration_config"] = self.config.to_integration_config()
        return out


class Row(BaseModel):
    """A row: its id and its cells keyed by column id."""

    model_config = _FROZEN

    id: str = Field(min_length=1)
    cells: dict[str, CellValue] = Field(default_factory=dict)

    def get(self, column_id: str, default: CellValue = None) -> CellValue:
        return self.cells.get(column_id, default)


# --- table validation ----------------------------------------------------------------------


def _campaign_of(config: InstantlyColumnConfig) -> str | None:
    if isinstance(config, PushActionConfig):
        return config.push_config.campaign_id
    return config.campaign_id


def validate_table(columns: Sequence[Column]) -> list[Problem]:
    """Every cross-column problem of a table, all at once (an empty list means valid).

    Checks: unique column ids and keys; at most one ``campaign_config`` per campaign; field
    mappings point at existing, non-instantly columns and a campaign maps an email column;
    a ``push_action`` with ``auto_field_mapping`` pushes to a linked campaign; engagement and
    step columns belong to a linked campaign; each campaign's step columns are numbered
    1..N without gaps, each step with exactly one subject and one body column.
    """
    problems: list[Problem] = []
    for attr, values in (("id", [c.id for c in columns]), ("key", [c.key for c in columns])):
        problems.extend(
            Problem(f"columns[{value}].{attr}", f"duplicate column {attr}")
            for value, n in sorted(Counter(values).items())
            if n > 1
        )

    by_id = {c.id: c for c in columns}
    linked: dict[str, Column] = {}
    for col in columns:
        if isinstance(col.config, CampaignConfig):
            cid = col.config.campaign_id
            if cid in linked:
                problems.append(
                    Problem(
                        f"columns[{col.id}].integration_config.campaign_id",
                        f"campaign {cid!r} is already linked by column {linked[cid].id!r}",
                    )
                )
            else:
                linked[cid] = col

    def check_mapping(col: Column, mapping: FieldMappingConfig, require_email: bool) -> None:
        base = f"columns[{col.id}].integration_config.field_mapping"
        if require_email and not mapping.email:
            problems.append(Problem(f"{base}.email", "an email column must be mapped"))
        used: dict[str, str] = {}
        for field, target in mapping.columns().items():
            path = f"{base}.{field}"
            target_col = by_id.get(target)
            if target_col is None:
                problems.append(Problem(path, f"no column with id {target!r}"))
            elif target_col.type == INSTANTLY_COLUMN_TYPE:
                problems.append(Problem(path, f"column {target!r} is an instantly column"))
            elif not field.startswith("custom_variables.") and target in used:
                problems.append(
                    Problem(path, f"column {target!r} is already mapped to {used[target]}")
                )
            else:
                used.setdefault(target, field)

    steps: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for col in columns:
        config = col.config
        path = f"columns[{col.id}].integration_config"
        if isinstance(config, CampaignConfig):
            check_mapping(col, config.field_mapping, require_email=True)
            continue
        if config is None:
            continue
        campaign = _campaign_of(config)
        if isinstance(config, PushActionConfig):
            if config.field_mapping is not None:
                check_mapping(col, config.field_mapping, require_email=True)
            if config.push_config.auto_field_mapping and campaign not in linked:
                problems.append(
                    Problem(
                        f"{path}.push_config.campaign_id",
                        f"auto_field_mapping needs a campaign_config column for {campaign!r}",
                    )
                )
            continue
        if campaign is not None and campaign not in linked:
            problems.append(
                Problem(f"{path}.campaign_id", f"no campaign_config column for {campaign!r}")
            )
        if isinstance(config, SequenceStepConfig):
            steps[campaign or ""].append(
                (config.step_config.step_number, config.step_config.field, col.id)
            )

    for campaign, entries in sorted(steps.items()):
        label = campaign or "(no campaign)"
        seen = Counter((n, f) for n, f, _ in entries)
        for (n, f), count in sorted(seen.items()):
            if count > 1:
                problems.append(
                    Problem(f"sequence_steps[{label}].step_{n}.{f}", "more than one column")
                )
        numbers = sorted({n for n, _, _ in entries})
        expected = list(range(1, len(numbers) + 1))
        if numbers != expected:
            missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
            problems.append(
                Problem(
                    f"sequence_steps[{label}]",
                    f"steps must be numbered 1..N without gaps; missing {missing}",
                )
            )
        for n in numbers:
            for f in ("subject", "body"):
                if (n, f) not in seen:
                    problems.append(Problem(f"sequence_steps[{label}].step_{n}.{f}", "no column"))
    return problems


def ensure_valid_table(columns: Iterable[Column]) -> None:
    """Raise [`InvalidColumnConfig`][instantly_columns.errors.InvalidColumnConfig] listing
    every problem that [`validate_table`][instantly_columns.domain.columns.validate_table] finds."""
    problems = validate_table(list(columns))
    if problems:
        raise InvalidColumnConfig(problems)
