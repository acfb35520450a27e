"""Sequences: template variables, previews, per-row step copy and campaign schedules.

A campaign link feeds Instantly's email steps in one of three modes (``SequenceMode``):

- ``use_existing``: the campaign's steps are sent as written; the table only supplies leads.
- ``map_variables``: each ``{{variable}}`` of the campaign's steps is bound to a table column;
  [`preview`][instantly_columns.domain.sequences.preview] shows the copy a few rows would get.
- ``author_steps``: the table holds the copy itself, in "Step N Subject" / "Step N Body"
  columns; [`author_sequence`][instantly_columns.domain.sequences.author_sequence] writes steps made
  of per-lead custom variables, so each lead receives its own row's text.

[`build_schedule`][instantly_columns.domain.sequences.build_schedule] makes the
``campaign_schedule`` that Instantly requires, and
[`resolve_timezone`][instantly_columns.domain.sequences.resolve_timezone]
maps a common IANA zone onto one of the 102 zones Instantly accepts, only when the two have
the same UTC offsets.

Everything here is pure: no I/O apart from reading time zone rules through ``zoneinfo``, and
no clock (dates are passed in).
"""

from __future__ import annotations

import difflib
import functools
import html
import itertools
import json
import math
import re
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from datetime import timezone as _timezone
from types import MappingProxyType
from typing import Any, Final, Literal, TypeAlias, get_args

import attrs
import pydantic

from instantly_columns.domain.columns import SequenceMode
from instantly_columns.errors import Problem, SequenceError

__all__ = [
    "ACCEPTED_TIMEZONES",
    "COMMON_TIMEZONES",
    "CORE_VARIABLES",
    "CORE_VARIABLE_FIELDS",
    "DEFAULT_STEP_DELAY",
    "MAX_STEPS",
    "SENDER_VARIABLES",
    "SEQUENCE_MODES",
    "TIMEZONE_REFERENCE_DATE",
    "TIMEZONE_SPAN_DAYS",
    "DelayUnit",
    "PreviewRow",
    "PreviewStep",
    "Schedule",
    "SequenceMode",
    "Step",
    "StepColumnSpec",
    "StepField",
    "TimezoneChoice",
    "VariableKind",
    "Variant",
    "author_sequence",
    "build_schedule",
    "campaign_variables",
    "classify_variable",
    "core_bindings",
    "extract_variables",
    "find_step_columns",
    "lead_custom_variables",
    "looks_like_html",
    "parse_steps",
    "preview",
    "resolve_timezone",
    "scaffold_step_columns",
    "step_column_name",
    "step_custom_variables",
    "step_variable",
    "text_to_html",
    "timezone_mappings",
    "used_variables",
    "validate_step_columns",
    "validate_steps",
]

StepField: TypeAlias = Literal["subject", "body"]
"""Which half of a step a column or a custom variable holds."""
DelayUnit: TypeAlias = Literal["minutes", "hours", "days"]
"""The unit of a step's ``delay`` (Instantly's default is days)."""
VariableKind: TypeAlias = Literal["core", "sender", "custom"]
"""Where Instantly takes a variable's value from: the lead's fields, the sending account, or
the lead's custom variables."""

#: The three modes, in the order a host offers them.
SEQUENCE_MODES: Final[tuple[SequenceMode, ...]] = get_args(SequenceMode)

_STEP_FIELDS: Final[tuple[StepField, ...]] = get_args(StepField)
_DELAY_UNITS: Final[tuple[DelayUnit, ...]] = get_args(DelayUnit)

#: Core variables (camelCase, as written in templates) -> the lead field that fills them.
CORE_VARIABLE_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "firstName": "first_name",
        "lastName": "last_name",
        "companyName": "company_name",
        "email": "email",
        "jobTitle": "job_title",
        "website": "website",
        "phone": "phone",
        "personalization": "personalization",
    }
)
#: The built-in lead variables, filled by Instantly from each lead's fields.
CORE_VARIABLES: Final[tuple[str, ...]] = tuple(CORE_VARIABLE_FIELDS)
#: Variables Instantly fills at send time from the sending account (or, for the unsubscribe
#: link, itself). These names are the ones client code uses; Instantly does not list them.
SENDER_VARIABLES: Final[tuple[str, ...]] = (
    "sendingAccountFirstName",
    "sendingAccountLastName",
    "sendingAccountEmail",
    "accountSignature",
    "unsubscribeLink",
)

#: The wait after each authored step when none is given, in ``delay_unit`` (days).
DEFAULT_STEP_DELAY: Final = 3
#: The most steps a sequence may have here (the limit of a ``sequence_step`` column).
MAX_STEPS: Final = 100


# --- template variables ----------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")


@attrs.frozen
class _Placeholder:
    """One ``{{...}}`` in a template. ``name`` is None for spintax and empty braces."""

    start: int
    end: int
    name: str | None
    fallback: str | None


def _placeholders(text: str) -> Iterator[_Placeholder]:
    for match in _PLACEHOLDER.finditer(text):
        head, bar, rest = match.group(1).partition("|")
        name = head.strip()
        if not name or (bar and name.upper() == "RANDOM"):
            yield _Placeholder(match.start(), match.end(), None, None)
        else:
            yield _Placeholder(match.start(), match.end(), name, rest.strip() if bar else None)


def extract_variables(text: str) -> tuple[str, ...]:
    """The variables a subject or body uses, in order of first appearance, without repeats.

    Instantly's syntax: ``{{firstName}}`` and ``{{ firstName }}`` name ``firstName``;
    ``{{firstName|there}}`` names ``firstName`` with the fallback ``there``; a custom
    variable is written with its exact key. Spintax, ``{{RANDOM | Hi | Hello}}``, is not a
    variable, nor are empty braces.

    >>> extract_variables("Hi {{ firstName | there }}, {{RANDOM | see | meet}} {{city}}")
    ('firstName', 'city')
    """
    seen: dict[str, None] = {}
    for item in _placeholders(text):
        if item.name is not None:
            seen.setdefault(item.name, None)
    return tuple(seen)


def classify_variable(name: str) -> VariableKind:
    """Where Instantly takes a variable's value from.

    >>> classify_variable("firstName"), classify_variable("accountSignature")
    ('core', 'sender')
    >>> classify_variable("plan")
    'custom'
    """
    if name in CORE_VARIABLE_FIELDS:
        return "core"
    if name in SENDER_VARIABLES:
        return "sender"
    return "custom"


# --- steps -------------------------------------------------------------------------------------


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@attrs.frozen
class Variant:
    """One A/B variant of a step: its subject and HTML body."""

    subject: str
    body: str
    disabled: bool = False
    """Instantly's ``v_disabled``: the variant exists but is not sent."""


@attrs.frozen(repr=False)
class Step:
    """One email step of a campaign's sequence.

    ``subject`` and ``body`` are the first variant's (A); further A/B variants are in
    ``variants``. ``delay`` is the wait **after** this step before the next one, in
    ``delay_unit``. An empty ``subject`` on a follow-up sends it as a reply in the thread.
    """

    subject: str
    body: str
    delay: int = 0
    delay_unit: DelayUnit = "days"
    variants: tuple[Variant, ...] = ()
    """The variants after the first (B, C, ...), in the API's order."""
    disabled: bool = False
    """Instantly's ``v_disabled`` of the first variant."""

    @property
    def all_variants(self) -> tuple[Variant, ...]:
        """Every variant, the first one (``subject``/``body``) included."""
        return (Variant(self.subject, self.body, self.disabled), *self.variants)

    @property
    def variables(self) -> tuple[str, ...]:
        """The variables this step uses, over all its variants, subjects before bodies."""
        seen: dict[str, None] = {}
        for variant in self.all_variants:
            for text in (variant.subject, variant.body):
                for name in extract_variables(text):
                    seen.setdefault(name, None)
        return tuple(seen)

    def __repr__(self) -> str:
        more = f", variants=+{len(self.variants)}" if self.variants else ""
        return (
            f"Step(subject={_short(self.subject)!r}, body=<{len(self.body)} chars>, "
            f"delay={self.delay!r}, delay_unit={self.delay_unit!r}{more})"
        )


class _WireVariant(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    subject: str | None = None
    body: str | None = None
    v_disabled: bool | None = None


class _WireStep(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    delay: int | None = None
    delay_unit: DelayUnit | None = None
    variants: list[_WireVariant] | None = None


class _WireSequence(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    steps: list[_WireStep] | None = None


def _path(prefix: str, loc: Iterable[int | str]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _problems_from(error: pydantic.ValidationError, prefix: str) -> list[Problem]:
    return [
        Problem(_path(prefix, item["loc"]), str(item["msg"]))
        for item in error.errors(include_input=False, include_url=False)
    ]


def parse_steps(sequences: object) -> list[Step]:
    """The steps of a campaign, from its ``sequences`` JSON as the API returns it.

    Takes the ``sequences`` array or a whole campaign object. Only
    ``sequences[0]`` is read, as Instantly uses only that element. Missing fields take
    Instantly's defaults (empty text, ``delay`` 0, unit days), unknown keys are ignored, and
    every variant of a step is kept. A campaign without sequences has no steps.

    Raises:
        SequenceError: when a present field has the wrong type, with its path, e.g.
            ``sequences[0].steps[1].delay``.
    """
    if isinstance(sequences, Mapping) and "steps" not in sequences:
        sequences = sequences.get("sequences")  # a campaign object, sequences maybe omitted
    if sequences is None:
        return []
    if not isinstance(sequences, list):
        raise SequenceError(
            f"expected a list of sequences, got {type(sequences).__name__}", path="sequences"
        )
    if not sequences:
        return []
    try:
        wire = _WireSequence.model_validate(sequences[0])
    except pydantic.ValidationError as exc:
        raise SequenceError(_problems_from(exc, "sequences[0]")) from None
    steps: list[Step] = []
    for item in wire.steps or []:
        variants = [
            Variant(v.subject or "", v.body or "", bool(v.v_disabled)) for v in item.variants or []
        ]
        first = variants[0] if variants else Variant("", "")
        steps.append(
            Step(
                subject=first.subject,
                body=first.body,
                delay=item.delay or 0,
                delay_unit=item.delay_unit or "days",
                variants=tuple(variants[1:]),
                disabled=first.disabled,
            )
        )
    return steps


def used_variables(steps: Iterable[Step]) -> tuple[str, ...]:
    """The variables used by any step (every variant), in order of first appearance."""
    seen: dict[str, None] = {}
    for step in steps:
        for name in step.variables:
            seen.setdefault(name, None)
    return tuple(seen)


def campaign_variables(sequences: object) -> tuple[str, ...]:
    """The variables used by all steps of a campaign's ``sequences`` JSON (see
    [`parse_steps`][instantly_columns.domain.sequences.parse_steps] for what is accepted)."""
    return used_variables(parse_steps(sequences))


# --- map_variables: bindings and preview -----------------------------------------------------


def core_bindings(
    field_columns: Mapping[str, str], variables: Iterable[str] | None = None
) -> dict[str, str]:
    """Default bindings for core variables, from a field mapping ``{lead_field: column_key}``.

    ``firstName`` binds to the column mapped to ``first_name``, and so on. With
    ``variables``, only those are bound. Merge the result with the custom bindings:
    ``{**core_bindings(fields), "plan": "col_plan"}``.

    >>> core_bindings({"email": "c1", "first_name": "c2", "city": "c3"})
    {'firstName': 'c2', 'email': 'c1'}
    """
    wanted = None if variables is None else set(variables)
    return {
        variable: field_columns[field]
        for variable, field in CORE_VARIABLE_FIELDS.items()
        if field in field_columns and (wanted is None or variable in wanted)
    }


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _cell_text(value: object) -> str:
    if _is_blank(value):
        return ""
    return value if isinstance(value, str) else str(value)


def lead_custom_variables(
    bindings: Mapping[str, str], row: Mapping[str, object]
) -> dict[str, str | int | float | bool | None]:
    """The ``custom_variables`` a lead needs in ``map_variables`` mode.

    One entry per bound custom variable (core and sender variables are filled by Instantly),
    read from the bound column of ``row``. Strings, numbers, booleans and null pass through
    (the API accepts only those); NaN becomes null, objects and lists their JSON text, anything
    else its ``str()``. A column the row lacks gives null:
    [`preview`][instantly_columns.domain.sequences.preview] flags such rows first.
    """
    out: dict[str, str | int | float | bool | None] = {}
    for variable, column in bindings.items():
        if classify_variable(variable) != "custom":
            continue
        value = row.get(column)
        if isinstance(value, float) and math.isnan(value):
            out[variable] = None
        elif value is None or isinstance(value, str | int | float | bool):
            out[variable] = value
        elif isinstance(value, Mapping | list):
            out[variable] = json.dumps(value, ensure_ascii=False, default=str)
        else:
            out[variable] = str(value)
    return out


@attrs.frozen
class PreviewStep:
    """The copy one row would receive for one variant of one step (1-based numbers)."""

    step: int
    variant: int
    subject: str
    body: str


@attrs.frozen(repr=False)
class PreviewRow:
    """What one row would receive, and what is wrong with it.

    ``missing`` lists variables with no binding and ``blank`` those bound to an empty cell;
    both stay visible in the text as ``{{name}}`` (or show their fallback, when the template
    has one). ``sender`` lists sender variables left for Instantly to fill.
    """

    index: int
    """The row's position in the rows given to ``preview``."""
    steps: tuple[PreviewStep, ...]
    missing: tuple[str, ...] = ()
    blank: tuple[str, ...] = ()
    sender: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """No variable is missing or blank."""
        return not self.missing and not self.blank

    def __repr__(self) -> str:
        flags = []
        if self.missing:
            flags.append(f"missing={list(self.missing)}")
        if self.blank:
            flags.append(f"blank={list(self.blank)}")
        state = ", ".join(flags) if flags else "complete"
        return f"PreviewRow(index={self.index}, {len(self.steps)} emails, {state})"

    def _repr_html_(self) -> str:
        esc = html.escape
        head = f"<p><b>Row {self.index}</b>"
        if self.missing:
            head += f" missing: {esc(', '.join(self.missing))}"
        if self.blank:
            head += f" blank: {esc(', '.join(self.blank))}"
        head += "</p>"
        rows = "".join(
            f"<tr><td>{s.step}</td><td>{s.variant}</td><td>{esc(s.subject)}</td>"
            f"<td>{esc(s.body)}</td></tr>"
            for s in self.steps
        )
        return (
            f"{head}<table><tr><th>Step</th><th>Variant</th><th>Subject</th><th>Body</th>"
            f"</tr>{rows}</table>"
        )


def preview(
    steps: Sequence[Step],
    bindings: Mapping[str, str],
    rows: Iterable[Mapping[str, object]],
    *,
    sender: Mapping[str, str] | None = None,
    limit: int | None = 3,
) -> list[PreviewRow]:
    """Resolve the steps' variables for the first ``limit`` rows (all rows when None).

    ``bindings`` maps each variable to a column key and each row maps column keys to cell
    values. A variable without a binding is *missing*, one bound to an empty cell (None,
    blank text, NaN) is *blank*: the row lists it, and the text keeps ``{{name}}`` visible,
    or shows the template's fallback (``{{firstName|there}}``) when it has one. Nothing is
    silently blanked. Sender variables show ``sender[name]`` when given, else stay as
    written. Spintax stays as written (Instantly picks an option per email). Disabled
    variants are not previewed.

    Raises:
        SequenceError: if ``limit`` is negative.
    """
    if limit is not None and (isinstance(limit, bool) or limit < 0):
        raise SequenceError("must be a non-negative integer or None", path="limit")
    sender = sender or {}
    out: list[PreviewRow] = []
    for index, row in enumerate(rows):
        if limit is not None and index >= limit:
            break
        state = _RowState(row, bindings, sender)
        emails = tuple(
            PreviewStep(
                number, v_number, state.resolve(variant.subject), state.resolve(variant.body)
            )
            for number, step in enumerate(steps, 1)
            for v_number, variant in enumerate(step.all_variants, 1)
            if not variant.disabled
        )
        out.append(
            PreviewRow(
                index, emails, tuple(state.missing), tuple(state.blank), tuple(state.deferred)
            )
        )
    return out


@attrs.define
class _RowState:
    """Resolves templates for one row and remembers what could not be filled."""

    row: Mapping[str, object]
    bindings: Mapping[str, str]
    sender: Mapping[str, str]
    missing: dict[str, None] = attrs.Factory(dict)
    blank: dict[str, None] = attrs.Factory(dict)
    deferred: dict[str, None] = attrs.Factory(dict)

    def value(self, item: _Placeholder, raw: str) -> str:
        name = item.name or ""
        unfilled = raw if item.fallback is None else item.fallback
        if classify_variable(name) == "sender" and name not in self.bindings:
            given = self.sender.get(name)
            if given is None or _is_blank(given):
                self.deferred.setdefault(name, None)
                return raw
            return given
        if name not in self.bindings:
            self.missing.setdefault(name, None)
            return unfilled
        cell = self.row.get(self.bindings[name])
        if _is_blank(cell):
            self.blank.setdefault(name, None)
            return unfilled
        return _cell_text(cell)

    def resolve(self, text: str) -> str:
        parts: list[str] = []
        last = 0
        for item in _placeholders(text):
            if item.name is None:
                continue
            parts.append(text[last : item.start])
            parts.append(self.value(item, text[item.start : item.end]))
            last = item.end
        parts.append(text[last:])
        return "".join(parts)


# --- validation --------------------------------------------------------------------------------


def _suggest(name: str, candidates: Iterable[str]) -> str:
    pool = list(candidates)
    for variable, field in CORE_VARIABLE_FIELDS.items():
        if name.lower() in (field, f"custom_{field}", variable.lower()):
            return f"; did you mean {{{{{variable}}}}}?"
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.75)
    return f"; did you mean {{{{{close[0]}}}}}?" if close else ""


def _delay_problems(delay: object, unit: object, path: str) -> list[Problem]:
    problems = []
    if isinstance(delay, bool) or not isinstance(delay, int):
        problems.append(Problem(f"{path}.delay", f"must be a whole number, got {delay!r}"))
    elif delay < 0:
        problems.append(Problem(f"{path}.delay", f"must not be negative, got {delay}"))
    if unit not in _DELAY_UNITS:
        problems.append(
            Problem(f"{path}.delay_unit", f"must be one of {', '.join(_DELAY_UNITS)}, got {unit!r}")
        )
    return problems


def validate_steps(
    steps: Sequence[Step],
    *,
    bindings: Mapping[str, str] | None = None,
    field_columns: Mapping[str, str] | None = None,
    known_variables: Iterable[str] = (),
) -> None:
    """Check a sequence before it is used, and raise one error listing every problem.

    Problems (with their paths): no steps (``steps``); an empty body
    (``steps[i].body``, ``steps[i].variants[j].body``); no subject on step 1
    (``steps[0].subject``); a delay that is not a whole number >= 0 or an unknown unit
    (``steps[i].delay``); a variable that is not core, not sender, not bound and not in
    ``known_variables`` (for instance the campaign's registered custom variables). With
    ``bindings``: a sender variable bound to a column, or an empty column key
    (``bindings.<name>``); with ``field_columns`` (``{lead_field: column_key}``) too, a core
    variable bound to another column than the one its lead field is pushed from.

    Raises:
        SequenceError: with one problem per finding; ``steps[2].subject`` is step 3's.
    """
    bound = dict(bindings or {})
    known = {*CORE_VARIABLES, *SENDER_VARIABLES, *bound, *known_variables}
    problems: list[Problem] = []
    if not steps:
        problems.append(Problem("steps", "the sequence has no steps; add at least one"))
    for i, step in enumerate(steps):
        base = f"steps[{i}]"
        for j, variant in enumerate(step.all_variants):
            path = base if j == 0 else f"{base}.variants[{j - 1}]"
            label = f"step {i + 1}" if j == 0 else f"step {i + 1} variant {j + 1}"
            if not variant.body.strip():
                problems.append(Problem(f"{path}.body", f"{label} has an empty body"))
            if i == 0 and not variant.subject.strip():
                problems.append(
                    Problem(
                        f"{path}.subject",
                        f"{label} needs a subject (only follow-ups may leave it empty, "
                        "to reply in the same thread)",
                    )
                )
            for part in _STEP_FIELDS:
                text = variant.subject if part == "subject" else variant.body
                for name in extract_variables(text):
                    if name not in known:
                        problems.append(
                            Problem(
                                f"{path}.{part}",
                                f"unknown variable {{{{{name}}}}}: not a core, sender or "
                                f"bound variable{_suggest(name, known)}",
                            )
                        )
        problems.extend(_delay_problems(step.delay, step.delay_unit, base))
    for variable, column in bound.items():
        path = f"bindings.{variable}"
        if not isinstance(column, str) or not column:
            problems.append(Problem(path, "the column key is empty"))
            continue
        kind = classify_variable(variable)
        if kind == "sender":
            problems.append(
                Problem(
                    path,
                    f"{variable} is filled by Instantly from the sending account; "
                    "it cannot come from a column",
                )
            )
        elif kind == "core" and field_columns is not None:
            field = CORE_VARIABLE_FIELDS[variable]
            source = field_columns.get(field)
            if source is None:
                problems.append(
                    Problem(
                        path,
                        f"{variable} is filled from the lead's {field}, which the field "
                        f"mapping does not set; map column {column!r} to {field}",
                    )
                )
            elif source != column:
                problems.append(
                    Problem(
                        path,
                        f"{variable} is filled from the lead's {field}, which comes from "
                        f"column {source!r}, not {column!r}; bind it to {source!r} or use a "
                        "custom variable",
                    )
                )
    if problems:
        raise SequenceError(problems)


# --- author_steps: step columns and per-lead copy ----------------------------------------------


def _check_step_number(step_number: object, path: str) -> int:
    if isinstance(step_number, bool) or not isinstance(step_number, int):
        raise SequenceError(f"a step number must be an integer, got {step_number!r}", path=path)
    if not 1 <= step_number <= MAX_STEPS:
        raise SequenceError(
            f"a step number must be between 1 and {MAX_STEPS}, got {step_number}", path=path
        )
    return step_number


def _check_field(field: object, path: str) -> StepField:
    for known in _STEP_FIELDS:
        if field == known:
            return known
    raise SequenceError(f"must be 'subject' or 'body', got {field!r}", path=path)


def step_variable(step_number: int, field: StepField) -> str:
    """The custom variable that carries a lead's own copy for one half of a step.

    >>> step_variable(2, "body")
    'step_2_body'
    """
    number = _check_step_number(step_number, "step_number")
    return f"step_{number}_{_check_field(field, 'field')}"


def step_column_name(step_number: int, field: StepField) -> str:
    """The name of the table column holding one half of a step.

    >>> step_column_name(1, "subject")
    'Step 1 Subject'
    """
    number = _check_step_number(step_number, "step_number")
    return f"Step {number} {_check_field(field, 'field').capitalize()}"


@attrs.frozen
class StepColumnSpec:
    """A column to create for ``author_steps``: "Step N Subject" or "Step N Body"."""

    name: str
    step_number: int
    field: StepField

    @property
    def variable(self) -> str:
        """The per-lead custom variable this column's cells are sent as."""
        return step_variable(self.step_number, self.field)


def _check_count(n: object, path: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise SequenceError(f"the number of steps must be an integer, got {n!r}", path=path)
    if not 1 <= n <= MAX_STEPS:
        raise SequenceError(f"the number of steps must be 1..{MAX_STEPS}, got {n}", path=path)
    return n


def scaffold_step_columns(n: int) -> list[StepColumnSpec]:
    """The columns for an ``n``-step sequence: Step 1 Subject, Step 1 Body, Step 2 Subject...

    Raises:
        SequenceError: unless ``1 <= n <= MAX_STEPS``.
    """
    count = _check_count(n, "n")
    return [
        StepColumnSpec(step_column_name(number, field), number, field)
        for number in range(1, count + 1)
        for field in _STEP_FIELDS
    ]


def validate_step_columns(columns: Sequence[StepColumnSpec]) -> None:
    """Check that step columns describe steps 1..N in order, each with one Subject and one Body.

    Raises:
        SequenceError: listing, with paths ``columns[i]``, duplicates, steps out of order,
            gaps and halves without a column.
    """
    problems: list[Problem] = []
    if not columns:
        problems.append(Problem("columns", "no step columns; scaffold at least one step"))
    seen: dict[tuple[int, StepField], int] = {}
    highest = 0
    for i, spec in enumerate(columns):
        key = (spec.step_number, spec.field)
        if key in seen:
            problems.append(
                Problem(
                    f"columns[{i}]",
                    f"{spec.name!r} repeats step {spec.step_number} {spec.field} "
                    f"(already in {columns[seen[key]].name!r})",
                )
            )
            continue
        seen[key] = i
        if spec.step_number < highest:
            problems.append(
                Problem(
                    f"columns[{i}]",
                    f"{spec.name!r} is out of order: it comes after step {highest}",
                )
            )
        highest = max(highest, spec.step_number)
    numbers = {number for number, _ in seen}
    for number in range(1, max(numbers, default=0) + 1):
        if number not in numbers:
            problems.append(Problem("columns", f"step {number} has no columns (steps skip it)"))
            continue
        for field in _STEP_FIELDS:
            if (number, field) not in seen:
                problems.append(
                    Problem("columns", f"no {step_column_name(number, field)!r} column")
                )
    if problems:
        raise SequenceError(problems)


_STEP_HEADER = re.compile(r"\s*step\s*(\d+)\s*[-_:]?\s*(subject|body)\s*", re.IGNORECASE)


def find_step_columns(headers: Iterable[str]) -> list[StepColumnSpec]:
    """The step columns among a table's headers, checked.

    A header names a step column when it reads "Step N Subject" or "Step N Body" (any case,
    extra spaces allowed); other headers are ignored. The specs keep the headers' order and
    spelling.

    Raises:
        SequenceError: as
            [`validate_step_columns`][instantly_columns.domain.sequences.validate_step_columns]
            does,
            with paths ``headers[i]`` naming the header's position.
    """
    specs: list[StepColumnSpec] = []
    positions: list[int] = []
    for position, header in enumerate(headers):
        match = _STEP_HEADER.fullmatch(header)
        if match is None:
            continue
        field = _check_field(match.group(2).lower(), f"headers[{position}]")
        specs.append(StepColumnSpec(header, int(match.group(1)), field))
        positions.append(position)
    try:
        validate_step_columns(specs)
    except SequenceError as exc:
        raise SequenceError(
            Problem(
                re.sub(r"^columns\[(\d+)\]", lambda m: f"headers[{positions[int(m[1])]}]", p.path),
                p.message,
            )
            for p in exc.problems
        ) from None
    return specs


def _delays(n: int, delays: int | Sequence[int], unit: object) -> list[int]:
    if unit not in _DELAY_UNITS:
        raise SequenceError(
            f"must be one of {', '.join(_DELAY_UNITS)}, got {unit!r}", path="delay_unit"
        )
    values: list[object]
    if isinstance(delays, int) and not isinstance(delays, bool):
        values = [delays] * n
    elif isinstance(delays, Sequence) and not isinstance(delays, str):
        if len(delays) not in (n - 1, n):
            raise SequenceError(
                f"give one wait per step ({n}) or one between steps ({n - 1}), got {len(delays)}",
                path="delays",
            )
        values = [*delays, 0] if len(delays) == n - 1 else list(delays)
    else:
        raise SequenceError(
            f"must be a whole number or a list of them, got {delays!r}", path="delays"
        )
    out: list[int] = []
    problems: list[Problem] = []
    for i, value in enumerate(values):
        found = _delay_problems(value, unit, f"steps[{i}]")
        if found or not isinstance(value, int):
            problems.extend(found)
        else:
            out.append(value)
    if problems:
        raise SequenceError(problems)
    return out


def author_sequence(
    n: int,
    *,
    delays: int | Sequence[int] = DEFAULT_STEP_DELAY,
    delay_unit: DelayUnit = "days",
    reply_in_thread: bool = False,
) -> list[dict[str, Any]]:
    """The ``sequences`` JSON of an ``n``-step campaign whose copy comes from each lead.

    Step i's subject is ``{{step_<i>_subject}}`` and its body ``{{step_<i>_body}}``: every
    lead carries its own row's copy as custom variables (see
    [`step_custom_variables`][instantly_columns.domain.sequences.step_custom_variables]).

    ``delays`` is the wait after each step: one number for all, or a list of ``n - 1``
    waits between steps (the last step then gets 0), or of ``n``. With
    ``reply_in_thread=True`` follow-ups have an empty subject, which Instantly sends as a
    reply in the first email's thread, and the follow-up subject columns are not used.

    Raises:
        SequenceError: for a bad ``n`` or delay (``steps[i].delay``).
    """
    count = _check_count(n, "n")
    waits = _delays(count, delays, delay_unit)
    steps = []
    for number, wait in enumerate(waits, 1):
        subject = (
            "" if reply_in_thread and number > 1 else f"{{{{{step_variable(number, 'subject')}}}}}"
        )
        body = f"{{{{{step_variable(number, 'body')}}}}}"
        steps.append(
            {
                "type": "email",
                "delay": wait,
                "delay_unit": delay_unit,
                "variants": [{"subject": subject, "body": body}],
            }
        )
    return [{"steps": steps}]


_HTML_TAG = re.compile(
    r"</?(?:a|b|i|u|s|p|br|hr|div|span|font|strong|em|small|sub|sup|strike|center|"
    r"blockquote|pre|code|img|ul|ol|li|table|thead|tbody|tr|td|th|h[1-6])(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_NEWLINE = re.compile(r"\r\n|\r|\n")


def looks_like_html(text: str) -> bool:
    """Whether a cell already holds HTML: it contains a tag of a common email element.

    Opening, closing and self-closing tags of ``a b i u s p br hr div span font strong em
    small sub sup strike center blockquote pre code img ul ol li table thead tbody tr td th
    h1``..``h6`` count, in any case. ``a < b``, ``<3`` or ``<Enter>`` do not.

    >>> looks_like_html("<p>Hi</p>"), looks_like_html("Hi <3, x > y")
    (True, False)
    """
    return _HTML_TAG.search(text) is not None


def text_to_html(text: str) -> str:
    """A body cell as Instantly's HTML body.

    HTML (see [`looks_like_html`][instantly_columns.domain.sequences.looks_like_html]) is kept as
    it is. Plain text has ``&``, ``<`` and ``>`` escaped and each line break (``\\n``,
    ``\\r\\n`` or ``\\r``) turned into ``<br/>``; ``{{variables}}`` are unaffected.

    >>> text_to_html("Hi {{firstName}},\\nFish & chips?")
    'Hi {{firstName}},<br/>Fish &amp; chips?'
    """
    if looks_like_html(text):
        return text
    return _NEWLINE.sub("<br/>", html.escape(text, quote=False))


def _subject_text(text: str) -> str:
    return _NEWLINE.sub(" ", text).strip()


def step_custom_variables(
    values: Mapping[tuple[int, StepField], object], *, steps: int | None = None
) -> dict[str, str]:
    """The per-lead ``custom_variables`` carrying one row's copy for ``author_steps``.

    ``values`` maps ``(step_number, "subject" | "body")`` to the row's cells. The result has
    a ``step_<i>_subject`` and ``step_<i>_body`` key for every step 1..``steps`` (default:
    the highest step given), so no lead ever shows a raw ``{{step_2_body}}``. Bodies go
    through [`text_to_html`][instantly_columns.domain.sequences.text_to_html]; subjects have line
    breaks turned into spaces and are trimmed. Empty follow-up subjects are kept empty
    (Instantly threads them as replies).

    Raises:
        SequenceError: for an empty body (``steps[i].body``), an empty step 1 subject
            (``steps[0].subject``), or a key outside the sequence.
    """
    problems: list[Problem] = []
    for key in values:
        try:
            if not isinstance(key, tuple) or len(key) != 2:
                raise SequenceError(f"keys are (step_number, field), got {key!r}", path="steps")
            _check_step_number(key[0], "steps")
            _check_field(key[1], "steps")
        except SequenceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SequenceError(problems)
    if steps is None and not values:
        raise SequenceError("no step values given", path="steps")
    highest = max(number for number, _ in values) if values else 0
    count = _check_count(highest if steps is None else steps, "steps")
    for number, field in sorted(values):
        if number > count:
            problems.append(
                Problem(
                    f"steps[{number - 1}].{field}",
                    f"step {number} is beyond the sequence's {count} steps",
                )
            )
    out: dict[str, str] = {}
    for number in range(1, count + 1):
        subject = _subject_text(_cell_text(values.get((number, "subject"))))
        body = _cell_text(values.get((number, "body")))
        if number == 1 and not subject:
            problems.append(Problem("steps[0].subject", "step 1 needs a subject"))
        if not body.strip():
            problems.append(Problem(f"steps[{number - 1}].body", f"step {number} has no body"))
        out[step_variable(number, "subject")] = subject
        out[step_variable(number, "body")] = text_to_html(body)
    if problems:
        raise SequenceError(problems)
    return out


# --- time zones --------------------------------------------------------------------------------

#: The time zones Instantly accepts in a schedule (a closed list of 102, in its order).
ACCEPTED_TIMEZONES: Final[tuple[str, ...]] = (
    "Etc/GMT+12",
    "Etc/GMT+11",
    "Etc/GMT+10",
    "America/Anchorage",
    "America/Dawson",
    "America/Creston",
    "America/Chihuahua",
    "America/Boise",
    "America/Belize",
    "America/Chicago",
    "America/Bahia_Banderas",
    "America/Regina",
    "America/Bogota",
    "America/Detroit",
    "America/Indiana/Marengo",
    "America/Caracas",
    "America/Asuncion",
    "America/Glace_Bay",
    "America/Campo_Grande",
    "America/Anguilla",
    "America/Santiago",
    "America/St_Johns",
    "America/Sao_Paulo",
    "America/Argentina/La_Rioja",
    "America/Araguaina",
    "America/Godthab",
    "America/Montevideo",
    "America/Bahia",
    "America/Noronha",
    "America/Scoresbysund",
    "Atlantic/Cape_Verde",
    "Africa/Casablanca",
    "America/Danmarkshavn",
    "Europe/Isle_of_Man",
    "Atlantic/Canary",
    "Africa/Abidjan",
    "Arctic/Longyearbyen",
    "Europe/Belgrade",
    "Africa/Ceuta",
    "Europe/Sarajevo",
    "Africa/Algiers",
    "Africa/Windhoek",
    "Asia/Nicosia",
    "Asia/Beirut",
    "Africa/Cairo",
    "Asia/Damascus",
    "Europe/Bucharest",
    "Africa/Blantyre",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Asia/Jerusalem",
    "Africa/Tripoli",
    "Asia/Amman",
    "Asia/Baghdad",
    "Europe/Kaliningrad",
    "Asia/Aden",
    "Africa/Addis_Ababa",
    "Europe/Kirov",
    "Europe/Astrakhan",
    "Asia/Tehran",
    "Asia/Dubai",
    "Asia/Baku",
    "Indian/Mahe",
    "Asia/Tbilisi",
    "Asia/Yerevan",
    "Asia/Kabul",
    "Antarctica/Mawson",
    "Asia/Yekaterinburg",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Colombo",
    "Asia/Kathmandu",
    "Antarctica/Vostok",
    "Asia/Dhaka",
    "Asia/Rangoon",
    "Antarctica/Davis",
    "Asia/Novokuznetsk",
    "Asia/Hong_Kong",
    "Asia/Krasnoyarsk",
    "Asia/Brunei",
    "Australia/Perth",
    "Asia/Taipei",
    "Asia/Choibalsan",
    "Asia/Irkutsk",
    "Asia/Dili",
    "Asia/Pyongyang",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Brisbane",
    "Australia/Melbourne",
    "Antarctica/DumontDUrville",
    "Australia/Currie",
    "Asia/Chita",
    "Antarctica/Macquarie",
    "Asia/Sakhalin",
    "Pacific/Auckland",
    "Etc/GMT-12",
    "Pacific/Fiji",
    "Asia/Anadyr",
    "Asia/Kamchatka",
    "Etc/GMT-13",
    "Pacific/Apia",
)
_ACCEPTED_INDEX: Final[Mapping[str, int]] = MappingProxyType(
    {name: i for i, name in enumerate(ACCEPTED_TIMEZONES)}
)

#: Widely used IANA zones that Instantly does not accept, as mapped in the docs' table.
COMMON_TIMEZONES: Final[tuple[str, ...]] = (
    "UTC",
    "America/New_York",
    "America/Toronto",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Vancouver",
    "America/Mexico_City",
    "America/Argentina/Buenos_Aires",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Moscow",
    "Africa/Johannesburg",
    "Africa/Lagos",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
)

#: The first day of the window over which zones are compared, unless one is passed in.
TIMEZONE_REFERENCE_DATE: Final = date(2026, 1, 1)
#: How many days from the reference date zones are compared over (four years).
TIMEZONE_SPAN_DAYS: Final = 1461
_SAMPLE_SECONDS: Final = 6 * 3600

# An offset profile: ((seconds since the window start, UTC offset in seconds), ...), one
# entry per constant stretch, the first at 0. Equal profiles mean the same offsets throughout.
_Profile: TypeAlias = tuple[tuple[int, int], ...]


@attrs.frozen
class TimezoneChoice:
    """The zone sent to Instantly for a requested one.

    ``exact`` is true when ``accepted`` has the same UTC offsets as ``requested`` over the
    compared window (always, when the requested zone is accepted itself); ``note`` explains
    any substitution, and says how far an approximate choice is off.
    """

    requested: str
    accepted: str
    exact: bool
    note: str = ""


def _load_zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _window_start(reference: date) -> datetime:
    return datetime(reference.year, reference.month, reference.day, tzinfo=_timezone.utc)


@functools.lru_cache(maxsize=8)
def _sample_instants(reference: date) -> tuple[datetime, ...]:
    start = _window_start(reference)
    step = timedelta(seconds=_SAMPLE_SECONDS)
    return tuple(start + i * step for i in range(TIMEZONE_SPAN_DAYS * 86400 // _SAMPLE_SECONDS + 1))


@functools.lru_cache(maxsize=1024)
def _profile(name: str, reference: date) -> _Profile | None:
    zone = _load_zone(name)
    if zone is None:
        return None
    start = _window_start(reference)

    def offset(second: int) -> timedelta | None:
        return (start + timedelta(seconds=second)).astimezone(zone).utcoffset()

    def seconds(delta: timedelta | None) -> int:
        return int(delta.total_seconds()) if delta is not None else 0

    offsets = [instant.astimezone(zone).utcoffset() for instant in _sample_instants(reference)]
    current = offsets[0]
    changes: list[tuple[int, int]] = [(0, seconds(current))]
    for i in range(1, len(offsets)):
        # Between two samples, find each change to the second (there may be several).
        position = (i - 1) * _SAMPLE_SECONDS
        while offsets[i] != current:
            low, high = position, i * _SAMPLE_SECONDS
            while high - low > 1:
                middle = (low + high) // 2
                if offset(middle) == current:
                    low = middle
                else:
                    high = middle
            current = offset(high)
            changes.append((high, seconds(current)))
            position = high
    return tuple(changes)


@functools.lru_cache(maxsize=1024)
def _coarse_offsets(name: str, reference: date) -> tuple[timedelta | None, ...]:
    """Offsets every 15 days: a cheap filter, as zones with equal profiles agree on these."""
    zone = zoneinfo.ZoneInfo(name)
    return tuple(i.astimezone(zone).utcoffset() for i in _sample_instants(reference)[::60])


def _accepted_profiles(
    reference: date, like: str | None = None
) -> tuple[tuple[str, _Profile], ...]:
    """The profiles of the accepted zones; with ``like``, only of those that may equal it."""
    out = []
    for name in ACCEPTED_TIMEZONES:
        if _load_zone(name) is None:
            continue
        if like is not None and _coarse_offsets(name, reference) != _coarse_offsets(
            like, reference
        ):
            continue
        profile = _profile(name, reference)
        if profile is not None:
            out.append((name, profile))
    return tuple(out)


def _difference(a: _Profile, b: _Profile) -> tuple[int, int]:
    """(seconds during which the offsets differ, largest difference in seconds)."""
    span = TIMEZONE_SPAN_DAYS * 86400
    cuts = sorted({t for t, _ in a} | {t for t, _ in b} | {span})
    differing = largest = 0
    i = j = 0
    for left, right in itertools.pairwise(cuts):
        while i + 1 < len(a) and a[i + 1][0] <= left:
            i += 1
        while j + 1 < len(b) and b[j + 1][0] <= left:
            j += 1
        gap = abs(a[i][1] - b[j][1])
        if gap:
            differing += right - left
            largest = max(largest, gap)
    return differing, largest


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:g} h"


@functools.lru_cache(maxsize=1)
def _known_zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() | set(ACCEPTED_TIMEZONES)))


def _unknown_zone(name: str) -> SequenceError:
    candidates = _known_zone_names()
    folded = [c for c in candidates if c.lower() == name.strip().lower()]
    close = folded or difflib.get_close_matches(name, candidates, n=5, cutoff=0.6)
    hint = f"; close matches: {', '.join(close)}" if close else ""
    return SequenceError(f"unknown time zone {name!r}{hint}", path="timezone")


def _shared_parts(a: str, b: str) -> int:
    """How many leading path parts two zone names share (``Europe/...`` -> 1)."""
    count = 0
    for left, right in zip(a.split("/")[:-1], b.split("/")[:-1], strict=False):
        if left != right:
            break
        count += 1
    return count


def resolve_timezone(
    name: str,
    *,
    reference: date = TIMEZONE_REFERENCE_DATE,
    allow_approximate: bool = False,
) -> TimezoneChoice:
    """The zone to send Instantly for an IANA zone name.

    An accepted zone is returned as is. Another IANA zone is replaced by an accepted zone
    with the same UTC offsets at every instant of the window that starts at ``reference``
    (midnight UTC) and lasts ``TIMEZONE_SPAN_DAYS``: offsets are sampled every 6 hours and
    each change located to the second. Among several such zones the one sharing the most of
    the requested name's path (``Europe/``, ``America/Argentina/``) is preferred, then the
    first in Instantly's list.

    When no accepted zone has the same offsets (US Pacific time, for one), sends would shift
    by an hour for part of the year, so this raises, naming the closest zones; with
    ``allow_approximate=True`` it returns the closest one, ``exact=False`` and a ``note``
    saying how far off it is. Pass ``reference`` from your clock (``clock.now().date()``) to
    compare over the coming years; the default is a fixed date, so results are reproducible.

    Raises:
        SequenceError: for an unknown name (listing close matches), or when only an
            approximate zone exists and ``allow_approximate`` is false.
    """
    if not isinstance(name, str) or not name.strip():
        raise SequenceError(f"a time zone name is required, got {name!r}", path="timezone")
    if name in _ACCEPTED_INDEX:
        return TimezoneChoice(name, name, True)
    wanted = _profile(name, reference)
    if wanted is None:
        raise _unknown_zone(name)
    window = f"from {reference.isoformat()} over {TIMEZONE_SPAN_DAYS} days"

    candidates = _accepted_profiles(reference, like=name)
    exact = [zone for zone, profile in candidates if profile == wanted]
    if exact:
        best = min(exact, key=lambda z: (-_shared_parts(z, name), _ACCEPTED_INDEX[z]))
        note = f"Instantly does not accept {name}; {best} has the same UTC offsets ({window})."
        return TimezoneChoice(name, best, True, note)

    span = TIMEZONE_SPAN_DAYS * 86400
    ranked = sorted(
        ((zone, *_difference(wanted, profile)) for zone, profile in _accepted_profiles(reference)),
        key=lambda item: (item[1], item[2], _ACCEPTED_INDEX[item[0]]),
    )
    described = [
        f"{zone} (off by up to {_hours(largest)} for {round(100 * differing / span)}% of the time)"
        for zone, differing, largest in ranked[:3]
    ]
    best = ranked[0][0]
    if not allow_approximate:
        raise SequenceError(
            f"no time zone that Instantly accepts has the same UTC offsets as {name} "
            f"({window}), so sends would shift; closest: {'; '.join(described)}. Choose one "
            f"of them, or pass allow_approximate=True to use {best}",
            path="timezone",
        )
    note = (
        f"Instantly accepts no zone with the same UTC offsets as {name}; using "
        f"{described[0]}, so sends shift in those periods."
    )
    return TimezoneChoice(name, best, False, note)


def timezone_mappings(
    names: Iterable[str] = COMMON_TIMEZONES, *, reference: date = TIMEZONE_REFERENCE_DATE
) -> list[TimezoneChoice]:
    """How each zone of ``names`` is resolved (approximate choices allowed and marked).

    Raises:
        SequenceError: for an unknown name.
    """
    return [resolve_timezone(n, reference=reference, allow_approximate=True) for n in names]


# --- schedules ---------------------------------------------------------------------------------

_DAY_NAMES: Final = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_DAY_WORDS: Final[Mapping[str, tuple[int, ...]]] = MappingProxyType(
    {
        **{day.lower(): (i,) for i, day in enumerate(_DAY_NAMES)},
        **{day[:3].lower(): (i,) for i, day in enumerate(_DAY_NAMES)},
        **{str(i): (i,) for i in range(7)},
        "weekdays": (1, 2, 3, 4, 5),
        "weekend": (0, 6),
        "everyday": (0, 1, 2, 3, 4, 5, 6),
        "daily": (0, 1, 2, 3, 4, 5, 6),
    }
)
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_API_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


@attrs.frozen(repr=False)
class Schedule:
    """When a campaign sends: days, a daily window and a time zone Instantly accepts.

    ``days`` are Instantly's numbers, 0 = Sunday .. 6 = Saturday. ``note`` repeats the time
    zone substitution made by [`build_schedule`][instantly_columns.domain.sequences.build_schedule],
    if any (it is not compared).
    """

    name: str
    days: tuple[int, ...]
    start: str
    end: str
    timezone: str
    start_date: date | None = None
    end_date: date | None = None
    note: str = attrs.field(default="", eq=False)

    @property
    def day_names(self) -> tuple[str, ...]:
        """The days as English names, Sunday first."""
        return tuple(_DAY_NAMES[d] for d in self.days)

    def to_api(self) -> dict[str, Any]:
        """The ``campaign_schedule`` JSON of a campaign create or PATCH body."""
        return {
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "schedules": [
                {
                    "name": self.name,
                    "timing": {"from": self.start, "to": self.end},
                    "days": {str(d): True for d in self.days},
                    "timezone": self.timezone,
                }
            ],
        }

    @classmethod
    def from_api(cls, data: object) -> Schedule:
        """Read a campaign's ``campaign_schedule`` back (one schedule entry).

        Days set to false are left out, an empty date (``""``) reads as none, unknown keys
        are ignored. The time zone must be one Instantly accepts.

        Raises:
            SequenceError: with the path of each invalid field, or when the campaign has
                several schedule entries.
        """
        try:
            wire = _WireCampaignSchedule.model_validate(data)
        except pydantic.ValidationError as exc:
            raise SequenceError(_problems_from(exc, "campaign_schedule")) from None
        if len(wire.schedules) != 1:
            raise SequenceError(
                f"expected one schedule entry, found {len(wire.schedules)}",
                path="campaign_schedule.schedules",
            )
        entry = wire.schedules[0]
        base = "campaign_schedule.schedules[0]"
        problems: list[Problem] = []
        days: list[int] = []
        for key, on in entry.days.items():
            if key not in {str(i) for i in range(7)}:
                problems.append(Problem(f"{base}.days.{key}", "day keys are '0'..'6'"))
            elif on:
                days.append(int(key))
        if entry.timezone not in _ACCEPTED_INDEX:
            problems.append(
                Problem(f"{base}.timezone", f"{entry.timezone!r} is not a zone Instantly accepts")
            )
        for part, text in (("from", entry.timing.start), ("to", entry.timing.end)):
            if _API_TIME.fullmatch(text) is None:
                problems.append(Problem(f"{base}.timing.{part}", f"{text!r} is not HH:MM"))
        if problems:
            raise SequenceError(problems)
        return _make_schedule(
            name=entry.name,
            days=days,
            start=entry.timing.start,
            end=entry.timing.end,
            choice=TimezoneChoice(entry.timezone, entry.timezone, True),
            start_date=wire.start_date or None,
            end_date=wire.end_date or None,
            paths={
                "name": f"{base}.name",
                "days": f"{base}.days",
                "start": f"{base}.timing.from",
                "end": f"{base}.timing.to",
                "start_date": "campaign_schedule.start_date",
                "end_date": "campaign_schedule.end_date",
            },
        )

    def __repr__(self) -> str:
        days = ",".join(name[:3] for name in self.day_names)
        return f"Schedule({self.name!r}, {days} {self.start}-{self.end} {self.timezone})"


class _WireTiming(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    start: str = pydantic.Field(alias="from")
    end: str = pydantic.Field(alias="to")


class _WireScheduleEntry(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    name: str = ""
    timing: _WireTiming
    days: dict[str, bool]
    timezone: str


class _WireCampaignSchedule(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    start_date: str | None = None
    end_date: str | None = None
    schedules: list[_WireScheduleEntry]


def _parse_days(days: object, path: str) -> tuple[list[int], list[Problem]]:
    entries: list[tuple[str, object]]
    if isinstance(days, str | int):
        entries = [(path, days)]
    elif isinstance(days, Iterable):
        entries = [(f"{path}[{i}]", item) for i, item in enumerate(days)]
    else:
        return [], [Problem(path, f"expected day names or numbers, got {days!r}")]
    out: set[int] = set()
    problems: list[Problem] = []
    for where, item in entries:
        if isinstance(item, bool):
            problems.append(Problem(where, f"expected a day, got {item!r}"))
        elif isinstance(item, int):
            if 0 <= item <= 6:
                out.add(item)
            else:
                problems.append(Problem(where, f"day numbers are 0 (Sunday)..6, got {item}"))
        elif isinstance(item, str) and item.strip().lower() in _DAY_WORDS:
            out.update(_DAY_WORDS[item.strip().lower()])
        else:
            problems.append(
                Problem(
                    where,
                    f"unknown day {item!r}; use 0 (Sunday)..6, a day name such as 'monday' "
                    "or 'mon', 'weekdays', 'weekend' or 'everyday'",
                )
            )
    if not out and not problems:
        problems.append(Problem(path, "choose at least one day"))
    return sorted(out), problems


def _parse_time(value: object, path: str) -> tuple[str | None, list[Problem]]:
    if isinstance(value, time):
        if value.second or value.microsecond or value.tzinfo is not None:
            return None, [Problem(path, "use whole minutes and no time zone")]
        return f"{value.hour:02d}:{value.minute:02d}", []
    if isinstance(value, str) and (match := _TIME.fullmatch(value.strip())):
        return f"{int(match.group(1)):02d}:{match.group(2)}", []
    return None, [Problem(path, f"expected a 24-hour time HH:MM such as '09:00', got {value!r}")]


def _parse_date(value: object, path: str) -> tuple[date | None, list[Problem]]:
    if value is None or value == "":
        return None, []
    if isinstance(value, datetime):
        return None, [Problem(path, "expected a date, not a datetime")]
    if isinstance(value, date):
        return value, []
    if isinstance(value, str):
        try:
            return date.fromisoformat(value), []
        except ValueError:
            pass
    return None, [Problem(path, f"expected a date YYYY-MM-DD, got {value!r}")]


_BUILD_PATHS: Final[Mapping[str, str]] = MappingProxyType(
    {k: k for k in ("name", "days", "start", "end", "start_date", "end_date")}
)


def _make_schedule(
    *,
    name: object,
    days: object,
    start: object,
    end: object,
    choice: TimezoneChoice | None,
    start_date: object,
    end_date: object,
    paths: Mapping[str, str] = _BUILD_PATHS,
    problems: Sequence[Problem] = (),
) -> Schedule:
    found = list(problems)
    if not isinstance(name, str) or not name.strip():
        found.append(Problem(paths["name"], "a schedule needs a name"))
    day_list, day_problems = _parse_days(days, paths["days"])
    begin, begin_problems = _parse_time(start, paths["start"])
    finish, finish_problems = _parse_time(end, paths["end"])
    found.extend([*day_problems, *begin_problems, *finish_problems])
    if begin is not None and finish is not None and begin >= finish:
        found.append(Problem(paths["end"], f"the end {finish} is not after the start {begin}"))
    first, first_problems = _parse_date(start_date, paths["start_date"])
    last, last_problems = _parse_date(end_date, paths["end_date"])
    found.extend([*first_problems, *last_problems])
    if first is not None and last is not None and first > last:
        found.append(Problem(paths["end_date"], f"{last} is before the start date {first}"))
    if found or not isinstance(name, str) or begin is None or finish is None or choice is None:
        raise SequenceError(found)
    return Schedule(
        name=name,
        days=tuple(day_list),
        start=begin,
        end=finish,
        timezone=choice.accepted,
        start_date=first,
        end_date=last,
        note=choice.note,
    )


def build_schedule(
    *,
    timezone: str,
    name: str = "Default",
    days: Iterable[int | str] | str = "weekdays",
    start: str | time = "09:00",
    end: str | time = "17:00",
    start_date: date | str | None = None,
    end_date: date | str | None = None,
    allow_approximate: bool = False,
    reference: date = TIMEZONE_REFERENCE_DATE,
) -> Schedule:
    """A campaign schedule; ``.to_api()`` gives Instantly's ``campaign_schedule`` JSON.

    ``days`` takes Instantly's numbers (0 = Sunday .. 6 = Saturday), English day names or
    three-letter abbreviations in any case, and the words ``weekdays``, ``weekend`` and
    ``everyday``, alone or in a list. ``start`` and ``end`` are 24-hour ``HH:MM`` times
    (``9:00`` is read as ``09:00``) with ``start`` before ``end``. ``timezone`` goes through
    [`resolve_timezone`][instantly_columns.domain.sequences.resolve_timezone] with
    ``allow_approximate`` and ``reference``.

    Raises:
        SequenceError: listing every invalid argument, by name.
    """
    problems: list[Problem] = []
    choice: TimezoneChoice | None = None
    try:
        choice = resolve_timezone(
            timezone, reference=reference, allow_approximate=allow_approximate
        )
    except SequenceError as exc:
        problems.extend(exc.problems)
    return _make_schedule(
        name=name,
        days=days,
        start=start,
        end=end,
        choice=choice,
        start_date=start_date,
        end_date=end_date,
        problems=problems,
    )
