"""Template variables: the ``{{variables}}`` of subjects and bodies, where Instantly takes their
values from, and, for ``map_variables`` mode, the bindings to table columns and a preview of
the copy a few rows would receive."""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

import attrs

from instantly_columns.domain._html import html_table
from instantly_columns.errors import SequenceError

if TYPE_CHECKING:
    from instantly_columns.domain.sequences.steps import Step

__all__ = [
    "CORE_VARIABLES",
    "CORE_VARIABLE_FIELDS",
    "SENDER_VARIABLES",
    "PreviewRow",
    "PreviewStep",
    "VariableKind",
    "classify_variable",
    "core_bindings",
    "extract_variables",
    "lead_custom_variables",
    "preview",
]

VariableKind: TypeAlias = Literal["core", "sender", "custom"]
"""Where Instantly takes a variable's value from: the lead's fields, the sending account, or
the lead's custom variables."""

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
        return head + html_table(
            [(s.step, s.variant, s.subject, s.body) for s in self.steps],
            headers=("Step", "Variant", "Subject", "Body"),
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
