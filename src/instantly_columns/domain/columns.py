"""Column subtypes, their configs, and the host-agnostic table model.

A host application stores an ``instantly`` column's configuration as one flat JSON object,
``integration_config``, whose keys are those of the original product's interface: every key
but ``instantly_subtype`` is optional, and they sit side by side::

    {"instantly_subtype": "campaign_config", "campaign_id": "...", "campaign_name": "...",
     "sequence_mode": "map_variables", "field_mapping": {"email": "col_email", ...}}

[`parse_integration_config`][instantly_columns.domain.columns.parse_integration_config] turns that
into one of four typed configs (a union discriminated on ``instantly_subtype``). It checks the
JSON's *shape* only (each key it knows has the interface's type), so any JSON that fits the
interface parses. ``config.to_integration_config()`` gives back exactly the JSON it was parsed
from: what the host left out stays out (defaults apply where a value is used, and are never
written back), and keys this version does not know are kept at every level, so a newer host's
data survives an older library.

Whether a config is complete enough to use (a link names its campaign, a step column its step)
is a separate question: ``config.problems()`` answers it for one config and
[`validate_table`][instantly_columns.domain.columns.validate_table] for a whole table.

Field mappings refer to columns by **column id**.
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from instantly_columns.domain.engagement import ENGAGEMENT_FIELD_BY_SUBTYPE, EngagementSubtype
from instantly_columns.domain.mapping import LEAD_FIELDS
from instantly_columns.domain.problems import join_path, nest_problems, problems_from_validation
from instantly_columns.errors import InvalidColumnConfig, Problem

__all__ = [
    "AUTO_CREATED_SUBTYPES",
    "CORE_LEAD_FIELDS",
    "DEFAULT_SEQUENCE_MODE",
    "EDITABLE_SUBTYPES",
    "ENGAGEMENT_FIELD_NAMES",
    "ENGAGEMENT_SUBTYPES",
    "HOST_ENGAGEMENT_FIELD_BY_SUBTYPE",
    "INSTANTLY_COLUMN_TYPE",
    "MAX_STEP_NUMBER",
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
    link_id: str,
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
    key = f"{INSTANTLY_COLUMN_TYPE}:{link_id}:{subtype}"
    if subtype == "sequence_step":
        if step_number is None or field is None:
            raise InvalidColumnConfig("a sequence_step key needs step_number and field")
        key += f":{step_number}:{field}"
    return key


# --- configs -------------------------------------------------------------------------------

# The host's JSON is open (unknown keys are kept) and strict (a value of the wrong JSON type is
# an error, never silently converted: "true" stays a string and is rejected as a boolean), so
# what parses dumps back unchanged.
_OPEN = ConfigDict(
    extra="allow", frozen=True, strict=True, str_strip_whitespace=False, defer_build=True
)

#: The sequence mode a ``campaign_config`` that leaves ``sequence_mode`` out is used with.
DEFAULT_SEQUENCE_MODE: SequenceMode = "use_existing"

#: The ``engagement_field`` each engagement subtype gets in columns this library creates: the
#: names of the host's interface (a host's UI may switch on them). They are labels; a sync
#: reads the API lead field of the subtype (``ENGAGEMENT_FIELD_BY_SUBTYPE``) whatever they say.
HOST_ENGAGEMENT_FIELD_BY_SUBTYPE: Mapping[EngagementSubtype, str] = MappingProxyType(
    {
        "engagement_status": "interest_status_label",
        "email_status": "lead_status",
        "last_contacted": "timestamp_last_email_sent",
        "reply_count": "reply_count",
        "open_count": "open_count",
    }
)

#: Every ``engagement_field`` value this library understands, and the subtype it means: the
#: host interface's names and the API's lead fields. Other values are kept and ignored.
ENGAGEMENT_FIELD_NAMES: Mapping[str, EngagementSubtype] = MappingProxyType(
    {
        **{field: subtype for subtype, field in HOST_ENGAGEMENT_FIELD_BY_SUBTYPE.items()},
        **{field: subtype for subtype, field in ENGAGEMENT_FIELD_BY_SUBTYPE.items()},
    }
)

#: Step numbers a ``sequence_step`` column may carry.
MAX_STEP_NUMBER = 100


def _json_number(value: object) -> int | float:
    # One check for "a JSON number", kept as given (2 stays 2, 2.0 stays 2.0).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    return value


JsonNumber: TypeAlias = Annotated[
    int | float, PlainValidator(_json_number), WithJsonSchema({"type": "number"})
]


class FieldMappingConfig(BaseModel):
    """Which column feeds each lead field (values are column ids).

    ``custom_variables`` maps an Instantly custom variable name to a column id. Keys this
    version does not know are kept (``model_extra``) and ignored.
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
    """Where a ``push_action`` column pushes, and whether it reuses the campaign's mapping.

    Both keys are optional: without ``campaign_id`` the column pushes to the campaign of the
    link it belongs to; ``auto_field_mapping`` defaults to true."""

    model_config = _OPEN

    campaign_id: str | None = None
    auto_field_mapping: bool = True


class StepConfig(BaseModel):
    """Which step of the sequence, and which half of it, a ``sequence_step`` column holds."""

    model_config = _OPEN

    step_number: JsonNumber | None = None
    """A whole number from 1 to ``MAX_STEP_NUMBER`` to be used (any JSON number parses)."""
    field: Literal["subject", "body"] | None = None


class _BaseConfig(BaseModel):
    model_config = _OPEN

    def to_integration_config(self) -> dict[str, Any]:
        """The flat JSON a host stores: exactly the keys that were given, unknown ones too."""
        return self.model_dump(mode="json", exclude_unset=True)

    @property
    def unknown_keys(self) -> dict[str, Any]:
        """Top-level keys this version of the library does not know (kept on round-trip)."""
        return dict(self.model_extra or {})

    def problems(self) -> list[Problem]:
        """What keeps this config from being used on its own (paths relative to it); an empty
        list means it is complete. ``validate_table`` adds what only the whole table can
        tell."""
        return []


class CampaignConfig(_BaseConfig):
    """The ``campaign_config`` column: the link between a table and one campaign.

    Everything but the subtype may be left out. ``campaign_id`` is then ``""`` and the config
    has a problem (a link must name its campaign); ``sequence_mode`` is used as
    ``use_existing``; ``field_mapping`` is empty; without ``campaign_name`` the link is shown
    by [`display_name`][instantly_columns.domain.columns.CampaignConfig.display_name]. None of
    these defaults is written back into the host's JSON.
    """

    instantly_subtype: Literal["campaign_config"]
    campaign_id: str = ""
    campaign_name: str | None = None
    sequence_mode: SequenceMode = DEFAULT_SEQUENCE_MODE
    field_mapping: FieldMappingConfig = Field(default_factory=FieldMappingConfig)

    @property
    def display_name(self) -> str:
        """The name to show: ``campaign_name``, else ``"campaign <id>"``."""
        if self.campaign_name:
            return self.campaign_name
        return f"campaign {self.campaign_id}" if self.campaign_id else "unnamed campaign"

    def problems(self) -> list[Problem]:
        if not self.campaign_id:
            return [Problem("campaign_id", "a campaign link must name its campaign")]
        return []


class PushActionConfig(_BaseConfig):
    """The ``push_action`` column: pushes rows as leads; its cells hold per-row results.

    The campaign is ``push_config.campaign_id``, else the top-level ``campaign_id``, else that
    of the link the column belongs to (its key names the link)."""

    instantly_subtype: Literal["push_action"]
    push_config: PushConfig | None = None
    campaign_id: str | None = None
    field_mapping: FieldMappingConfig | None = None

    @property
    def target_campaign_id(self) -> str | None:
        """The campaign this column names, if it names one."""
        if self.push_config is not None and self.push_config.campaign_id:
            return self.push_config.campaign_id
        return self.campaign_id or None

    @property
    def auto_field_mapping(self) -> bool:
        """Whether pushes use the link's mapping (``push_config.auto_field_mapping``,
        default true)."""
        return self.push_config is None or self.push_config.auto_field_mapping

    def problems(self) -> list[Problem]:
        out = []
        inner = self.push_config.campaign_id if self.push_config is not None else None
        if inner == "":
            out.append(Problem("push_config.campaign_id", "must not be empty"))
        if self.campaign_id == "":
            out.append(Problem("campaign_id", "must not be empty"))
        if inner and self.campaign_id and inner != self.campaign_id:
            out.append(
                Problem(
                    "campaign_id",
                    "campaign_id and push_config.campaign_id name different campaigns",
                )
            )
        if not self.auto_field_mapping and self.field_mapping is None:
            out.append(
                Problem(
                    "field_mapping",
                    "push_config.auto_field_mapping is false, so a field_mapping is required",
                )
            )
        return out


class EngagementConfig(_BaseConfig):
    """One of the five engagement columns, filled by sync (read-only for users).

    ``engagement_field`` is a label: the host interface's name (``interest_status_label``,
    ``lead_status``, ``timestamp_last_email_sent``, ``reply_count``, ``open_count``) or the
    API's lead field; either way the subtype decides what a sync writes. A name of another
    subtype is a problem; a value this version does not know is kept and ignored."""

    instantly_subtype: EngagementSubtype
    engagement_field: str | None = None
    campaign_id: str | None = None

    @property
    def lead_field(self) -> str:
        """The API lead field this column shows."""
        return ENGAGEMENT_FIELD_BY_SUBTYPE[self.instantly_subtype]

    @property
    def named_subtype(self) -> EngagementSubtype | None:
        """The subtype ``engagement_field`` names, or ``None`` for a value not known here."""
        if self.engagement_field is None:
            return None
        return ENGAGEMENT_FIELD_NAMES.get(self.engagement_field)

    def problems(self) -> list[Problem]:
        named = self.named_subtype
        if named is not None and named != self.instantly_subtype:
            expected = HOST_ENGAGEMENT_FIELD_BY_SUBTYPE[self.instantly_subtype]
            return [
                Problem(
                    "engagement_field",
                    f"engagement_field {self.engagement_field!r} is the field of {named!r}, so "
                    f"it does not match subtype {self.instantly_subtype!r} (expected "
                    f"{expected!r} or {self.lead_field!r})",
                )
            ]
        return []


class SequenceStepConfig(_BaseConfig):
    """A ``sequence_step`` column: the per-row subject or body of step N (editable)."""

    instantly_subtype: Literal["sequence_step"]
    step_config: StepConfig | None = None
    campaign_id: str | None = None

    @property
    def step(self) -> tuple[int, Literal["subject", "body"]] | None:
        """``(step_number, field)``, or ``None`` while the config does not say both."""
        cfg = self.step_config
        if cfg is None or cfg.field is None or not _step_number_ok(cfg.step_number):
            return None
        assert cfg.step_number is not None
        return int(cfg.step_number), cfg.field

    def problems(self) -> list[Problem]:
        cfg = self.step_config
        if cfg is None:
            return [Problem("step_config", "say which step: {step_number, field}")]
        out = []
        if cfg.step_number is None:
            out.append(Problem("step_config.step_number", "say which step (1 or more)"))
        elif not _step_number_ok(cfg.step_number):
            out.append(
                Problem(
                    "step_config.step_number",
                    f"must be a whole number from 1 to {MAX_STEP_NUMBER}",
                )
            )
        if cfg.field is None:
            out.append(Problem("step_config.field", "say which half: subject or body"))
        return out


def _step_number_ok(number: float | None) -> bool:
    return (
        number is not None
        and math.isfinite(number)
        and number == int(number)
        and 1 <= number <= MAX_STEP_NUMBER
    )


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

    Only the shape is checked: every JSON that fits the host's interface parses, however
    incomplete (see ``config.problems()`` and ``validate_table`` for that).

    Raises:
        InvalidColumnConfig: with one problem per invalid field (a missing or unknown
            ``instantly_subtype``, a value of the wrong type), each naming its path.
            Input values are never echoed (a config could hold anything).
    """
    if not isinstance(data, Mapping):
        raise InvalidColumnConfig(
            f"integration_config must be a JSON object, not {type(data).__name__}"
        )
    if "instantly_subtype" not in data:
        raise InvalidColumnConfig(
            f"required: the column's subtype, one of {', '.join(SUBTYPES)}",
            path="instantly_subtype",
        )
    try:
        return _config_adapter().validate_python(dict(data))
    except ValidationError as exc:
        # The union puts the tag first in each error's location; users think in their keys.
        raise InvalidColumnConfig(problems_from_validation(exc, root_tags=SUBTYPES)) from None


# --- table model ---------------------------------------------------------------------------

_FROZEN = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _column_problems(exc: ValidationError, prefix: str = "") -> list[Problem]:
    # A model with its own __init__ is validated by calling it, so model_validate() sees
    # the InvalidColumnConfig raised there wrapped as a value error: take its problems back.
    unwrapped: list[Problem] = []
    for item in exc.errors(include_url=False, include_input=False):
        error = (item.get("ctx") or {}).get("error")
        if not isinstance(error, InvalidColumnConfig):
            unwrapped = []
            break
        unwrapped += nest_problems(join_path(prefix, *item["loc"]), error.problems)
    if unwrapped:
        return unwrapped
    problems = problems_from_validation(exc, prefix)
    # pydantic names the chosen config class in the location ("config.reply_count.x");
    # users wrote {"instantly_subtype": "reply_count", "x": ...} under config.
    config = join_path(prefix, "config")
    tags = tuple(f"{config}.{tag}" for tag in SUBTYPES)
    out = []
    for problem in problems:
        path = problem.path
        for tag in tags:
            if path == tag or path.startswith((f"{tag}.", f"{tag}[")):
                path = config + path[len(tag) :]
                break
        out.append(Problem(path, problem.message))
    return out


class Column(BaseModel):
    """A column of a host table. ``config`` is set exactly when ``type == "instantly"``.

    Building one from bad values (``Column(...)``, ``Column.model_validate(...)``,
    ``Column.model_validate_json(...)``) raises
    [`InvalidColumnConfig`][instantly_columns.errors.InvalidColumnConfig] naming each bad
    field's path (``id``, ``config.campaign_id``...), not pydantic's ``ValidationError``.
    """

    model_config = _FROZEN

    id: str = Field(min_length=1)
    key: str = Field(min_length=1)
    name: str
    type: str = "text"
    config: InstantlyColumnConfig | None = None
    host_fields: dict[str, JsonValue] = Field(default_factory=dict)
    """The host record's other keys (``width``, ``hidden``, ``order``, colours...): kept as
    they came and given back by ``to_host()``; the library never reads them."""

    if not TYPE_CHECKING:  # type checkers keep the generated, typed signatures

        def __init__(self, /, **data: Any) -> None:
            try:
                super().__init__(**data)
            except ValidationError as exc:
                raise InvalidColumnConfig(_column_problems(exc)) from None

        @classmethod
        def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Column:
            try:
                return super().model_validate(obj, *args, **kwargs)
            except ValidationError as exc:
                raise InvalidColumnConfig(_column_problems(exc)) from None

        @classmethod
        def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Column:
            try:
                return super().model_validate_json(json_data, *args, **kwargs)
            except ValidationError as exc:
                raise InvalidColumnConfig(_column_problems(exc)) from None

        @classmethod
        def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Column:
            try:
                return super().model_validate_strings(obj, *args, **kwargs)
            except ValidationError as exc:
                raise InvalidColumnConfig(_column_problems(exc)) from None

    @model_validator(mode="after")
    def _config_iff_instantly(self) -> Column:
        taken = sorted(set(self.host_fields) & _HOST_RECORD_KEYS)
        if taken:
            raise ValueError(f"host_fields cannot hold the record's own keys {taken}")
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
        **host_fields: Any,
    ) -> Column:
        """Build a column from a host's record (flat ``integration_config`` JSON).

        Any other key of the record (``width``, ``hidden``, ``order``, colours...) is kept in
        ``host_fields`` and given back by ``to_host()``, so ``Column.from_host(**record)``
        takes a host's record as it is.

        Raises:
            InvalidColumnConfig: naming ``columns[<id>]....`` paths.
        """
        config = (
            parse_integration_config(integration_config) if integration_config is not None else None
        )
        try:
            return cls(
                id=id,
                key=key or id,
                name=name,
                type=type,
                config=config,
                host_fields=host_fields,
            )
        except InvalidColumnConfig as exc:
            raise InvalidColumnConfig(nest_problems(f"columns[{id}]", exc.problems)) from None

    def to_host(self) -> dict[str, Any]:
        """The host record: id, key, name, type, the flat ``integration_config`` and the
        record's other keys (``host_fields``)."""
        out: dict[str, Any] = {
            **self.host_fields,
            "id": self.id,
            "key": self.key,
            "name": self.name,
            "type": self.type,
        }
        if self.config is not None:
            out["integration_config"] = self.config.to_integration_config()
        return out


#: The keys of a host record that ``Column`` reads itself.
_HOST_RECORD_KEYS = frozenset({"id", "key", "name", "type", "integration_config", "config"})


class Row(BaseModel):
    """A row: its id and its cells keyed by column id."""

    model_config = _FROZEN

    id: str = Field(min_length=1)
    cells: dict[str, CellValue] = Field(default_factory=dict)

    def get(self, column_id: str, default: CellValue = None) -> CellValue:
        return self.cells.get(column_id, default)


# --- table validation ----------------------------------------------------------------------


def _owner_link(col: Column, links: Mapping[str, Column]) -> Column | None:
    """The ``campaign_config`` column whose id the column's deterministic key names."""
    parts = col.key.split(":")
    if len(parts) >= 3 and parts[0] == INSTANTLY_COLUMN_TYPE:
        return links.get(parts[1])
    return None


def _campaign_of(col: Column, links: Mapping[str, Column]) -> str | None:
    """The campaign a dependent column belongs to: the one its config names, else that of
    the link its key names."""
    config = col.config
    named: str | None
    if isinstance(config, PushActionConfig):
        named = config.target_campaign_id
    elif isinstance(config, EngagementConfig | SequenceStepConfig):
        named = config.campaign_id or None
    else:
        named = None
    if named is not None:
        return named
    owner = _owner_link(col, links)
    if owner is not None and isinstance(owner.config, CampaignConfig):
        return owner.config.campaign_id or None
    return None


def validate_table(columns: Sequence[Column]) -> list[Problem]:
    """Every cross-column problem of a table, all at once (an empty list means valid).

    Checks: each config is complete (``config.problems()``: a link names its campaign, a
    step column its step...); unique column ids and keys; at most one ``campaign_config`` per
    campaign; field mappings point at existing, non-instantly columns and a campaign maps an
    email column;
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

    for col in columns:
        if col.config is not None:
            problems.extend(
                nest_problems(f"columns[{col.id}].integration_config", col.config.problems())
            )

    by_id = {c.id: c for c in columns}
    links = {c.id: c for c in columns if isinstance(c.config, CampaignConfig)}
    linked: dict[str, Column] = {}
    for col in columns:
        if isinstance(col.config, CampaignConfig):
            cid = col.config.campaign_id
            if not cid:
                continue
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
        campaign = _campaign_of(col, links)
        if isinstance(config, PushActionConfig):
            if config.field_mapping is not None:
                check_mapping(col, config.field_mapping, require_email=True)
            if campaign is None:
                problems.append(
                    Problem(
                        f"{path}.push_config.campaign_id",
                        "name the campaign to push to (or give the column its link's key)",
                    )
                )
            elif config.auto_field_mapping and campaign not in linked:
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
        if isinstance(config, SequenceStepConfig) and config.step is not None:
            number, field = config.step
            steps[campaign or ""].append((number, field, col.id))

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
