"""The result of detection: a [`FieldMapping`][instantly_columns.domain.mapping.FieldMapping]
and the [`Decision`][instantly_columns.domain.mapping.Decision] behind each column, with the
checks, conversions and overrides a mapping supports."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence

import attrs

from instantly_columns.domain._html import html_table
from instantly_columns.domain.mapping._text import _as_text
from instantly_columns.domain.mapping.fields import _ALL_FIELDS, _FIELD_RANK, FULL_NAME
from instantly_columns.domain.mapping.names import (
    _name_problem,
    sanitize_variable_name,
    split_full_name,
)
from instantly_columns.errors import MappingError, Problem

__all__ = ["Decision", "FieldMapping"]


@attrs.frozen
class Decision:
    """Why one column of the table went where it did.

    - `column`: 0-based position of the column in the headers.
    - `header`: the header exactly as given.
    - `field`: a lead field (`"email"`...), `"full_name"`, `"custom_variables.<name>"`, or
      `None` when the column is not sent (empty or duplicate header, or dropped by override).
    - `confidence`: 0..1; for a custom variable, one minus the best score the column had for a
      lead field (so a runner-up email column shows low confidence: worth a look).
    - `reason`: a short explanation, e.g. ``"alias 'E-Mail-Adresse' (de)"``.
    """

    column: int
    header: str
    field: str | None
    confidence: float
    reason: str


def _to_pairs(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((name, header) for name, header in items)


def _to_decisions(value: Iterable[Decision]) -> tuple[Decision, ...]:
    return tuple(value)


def _to_headers(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _to_scores(value: Iterable[tuple[str, int, float]]) -> tuple[tuple[str, int, float], ...]:
    return tuple(value)


@attrs.frozen(repr=False)
class FieldMapping:
    """Which header feeds each Instantly lead field, plus the custom variables.

    Each lead field holds a header or `None`. `full_name` is a column split with
    [`split_full_name`][instantly_columns.domain.mapping.split_full_name] into whichever of
    `first_name`/`last_name` has no column of its own. `custom_variables` maps a variable name
    (valid and unique, never a reserved core name) to its header. `decisions` explains every
    column, in column order; `headers` keeps the headers the mapping was made from.

    A header appears at most once across all of these; building a `FieldMapping` that breaks
    that, or uses an invalid variable name, raises
    [`MappingError`][instantly_columns.errors.MappingError].
    """

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    job_title: str | None = None
    phone: str | None = None
    website: str | None = None
    personalization: str | None = None
    full_name: str | None = None
    _custom: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=_to_pairs, alias="custom_variables"
    )
    decisions: tuple[Decision, ...] = attrs.field(default=(), converter=_to_decisions)
    headers: tuple[str, ...] = attrs.field(default=(), converter=_to_headers)
    _scores: tuple[tuple[str, int, float], ...] = attrs.field(
        default=(), converter=_to_scores, alias="scores", eq=False
    )
    _labels: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=_to_pairs, alias="labels", eq=False
    )

    def __attrs_post_init__(self) -> None:
        problems = _check_mapping(self._standard_items(), self._custom)
        if problems:
            raise MappingError(problems)

    # -- views -------------------------------------------------------------------------------

    @property
    def custom_variables(self) -> dict[str, str]:
        """Custom variable name -> header, in column order (a fresh dict each time)."""
        return dict(self._custom)

    @property
    def mapped_headers(self) -> tuple[str, ...]:
        """Every header that is sent (lead fields, full name, custom variables), in column
        order; headers not among `headers` come last."""
        used = {h for _, h in self._standard_items() if h is not None}
        used.update(h for _, h in self._custom)
        order = {h: i for i, h in reversed(list(enumerate(self.headers)))}
        return tuple(sorted(used, key=lambda h: (order.get(h, len(order)), h)))

    def field_of(self, header: str) -> str | None:
        """Where `header` goes: a lead field, ``"full_name"``, ``"custom_variables.<name>"``,
        or `None` if it is not sent."""
        for field, value in self._standard_items():
            if value == header:
                return field
        for name, value in self._custom:
            if value == header:
                return f"custom_variables.{name}"
        return None

    def suggestions(self, field: str) -> tuple[tuple[str, float], ...]:
        """Headers ranked for `field` (a lead field or ``"full_name"``), best first, with their
        ranking scores (a plain exact alias scores 1.0; bonuses can lift a score slightly
        above 1). Only mappings made by detection carry suggestions."""
        if field not in _FIELD_RANK:
            raise MappingError(f"unknown lead field {field!r}", path="field")
        ranked = sorted((-score, column) for f, column, score in self._scores if f == field)
        return tuple((self.headers[column], -neg) for neg, column in ranked)

    def label(self, header: str) -> str:
        """What to call `header` when showing it: the name it was detected from, for a
        mapping given back in other names (see
        [`renamed`][instantly_columns.domain.mapping.FieldMapping.renamed]), else the header
        itself."""
        return dict(self._labels).get(header, header)

    def _standard_items(self) -> tuple[tuple[str, str | None], ...]:
        return tuple((field, getattr(self, field)) for field in _ALL_FIELDS)

    # -- conversion --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """The flat JSON shape: every lead field and ``full_name`` (null when unmapped) and
        ``custom_variables`` (name -> header)."""
        out: dict[str, object] = dict(self._standard_items())
        out["custom_variables"] = self.custom_variables
        return out

    @classmethod
    def from_dict(
        cls, data: Mapping[str, object], *, headers: Sequence[str] | None = None
    ) -> FieldMapping:
        """Rebuild a mapping from [`to_dict`][instantly_columns.domain.mapping.FieldMapping.to_dict]
        output. Missing keys mean unmapped. With `headers`, every mapped header must be among
        them. Bad input raises [`MappingError`][instantly_columns.errors.MappingError]."""
        standard, custom, problems = _parse_mapping_dict(data, "", known=None)
        if headers is not None:
            header_list = _check_headers(headers)
            known = set(header_list)
            for field, header in standard.items():
                if header is not None and header not in known:
                    problems.append(Problem(field, f"header {header!r} is not a column"))
            for name, header in custom.items():
                if header is not None and header not in known:
                    problems.append(
                        Problem(f"custom_variables.{name}", f"header {header!r} is not a column")
                    )
        if problems:
            raise MappingError(problems)
        values = {field: standard.get(field) for field in _ALL_FIELDS}
        custom_pairs = [(name, h) for name, h in custom.items() if h is not None]
        problems = _check_mapping(tuple(values.items()), tuple(custom_pairs))
        if problems:
            raise MappingError(problems)
        if headers is None:
            header_list = [h for h in values.values() if h is not None]
            header_list += [h for _, h in custom_pairs]
        placed = {h: f for f, h in values.items() if h is not None}
        placed.update((h, f"custom_variables.{n}") for n, h in custom_pairs)
        decisions = []
        seen: set[str] = set()
        for column, header in enumerate(header_list):
            if header in seen:
                decisions.append(Decision(column, header, None, 1.0, "duplicate header"))
                continue
            seen.add(header)
            target = placed.get(header)
            reason = "saved mapping" if target else "not in the saved mapping"
            decisions.append(Decision(column, header, target, 1.0, reason))
        return _make_mapping(values, custom_pairs, decisions, header_list, ())

    def with_overrides(self, overrides: Mapping[str, object]) -> FieldMapping:
        """A copy with the user's choices applied on top.

        `overrides` has the shape of
        [`to_dict`][instantly_columns.domain.mapping.FieldMapping.to_dict] (every key optional):
        ``{"email": "Work Email", "phone": None, "custom_variables":
        {"plan": "Plan", "old_var": None}}``. A header given to a field leaves wherever it was;
        a field set to `None` is unmapped and its column becomes a custom variable (nothing is
        dropped silently); a custom variable set to `None` is dropped. Existing variable names
        never change. Unknown fields, headers not among `headers`, a header given twice or an
        invalid variable name raise [`MappingError`][instantly_columns.errors.MappingError]
        with ``overrides.<field>`` paths.
        """
        return _apply_overrides(self, overrides)

    def renamed(self, names: Mapping[str, str]) -> FieldMapping:
        """The same mapping over other names for its headers: ``names`` maps a header to its
        new name (headers it leaves out keep theirs). Fields, custom variables, decisions,
        `headers` and suggestions all follow; reasons keep quoting the original header.

        The service detects over a table's column names, then gives the mapping back in
        column ids this way. Two headers renamed to one name raise
        [`MappingError`][instantly_columns.errors.MappingError]."""

        def new(header: str) -> str:
            return names.get(header, header)

        headers = [new(h) for h in self.headers]
        if len(set(headers)) < len(set(self.headers)):
            raise MappingError("two headers would get the same name", path="names")
        values = {field: None if h is None else new(h) for field, h in self._standard_items()}
        decisions = [
            Decision(d.column, new(d.header), d.field, d.confidence, d.reason)
            for d in self.decisions
        ]
        custom = [(name, new(h)) for name, h in self._custom]
        labels = {new(h): self.label(h) for h in self.headers if self.label(h) != new(h)}
        return _make_mapping(values, custom, decisions, headers, self._scores, labels.items())

    # -- rows --------------------------------------------------------------------------------

    def lead_fields(self, row: Mapping[str, object]) -> dict[str, object]:
        """One row as Instantly lead fields: ``{"email": ..., "first_name": ...,
        "custom_variables": {...}}``.

        Strings are stripped; empty values, `None` and NaN (a blank pandas cell) are left out; a
        mapped `full_name` fills whichever of first and last name is missing. Numbers and
        booleans in custom variables are kept, anything else becomes text. No other cleaning
        (email checks belong to the push).
        """
        out: dict[str, object] = {}
        for field, header in self._standard_items():
            text = _as_text(row.get(header)) if header is not None else ""
            if text and field != FULL_NAME:
                out[field] = text
        if self.full_name is not None and ("first_name" not in out or "last_name" not in out):
            first, last = split_full_name(_as_text(row.get(self.full_name)))
            if first and "first_name" not in out:
                out["first_name"] = first
            if last and "last_name" not in out:
                out["last_name"] = last
        custom: dict[str, object] = {}
        for name, header in self._custom:
            value = row.get(header)
            if isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
                custom[name] = value
            else:
                text = _as_text(value)
                if text:
                    custom[name] = text
        out["custom_variables"] = custom
        return out

    # -- display -----------------------------------------------------------------------------

    def __repr__(self) -> str:
        parts = [f"{field}={value!r}" for field, value in self._standard_items() if value]
        if self._custom:
            parts.append(f"+{len(self._custom)} custom")
        return f"FieldMapping({', '.join(parts)})"

    def _shown(self, header: str) -> str:
        label = self.label(header)
        return header if label == header else f"{label} ({header})"

    def _repr_html_(self) -> str:
        return html_table(
            [
                (
                    d.column,
                    self._shown(d.header),
                    d.field or "not sent",
                    f"{d.confidence:.2f}",
                    d.reason,
                )
                for d in self.decisions
            ],
            headers=("#", "Header", "Maps to", "Confidence", "Why"),
        )


# --- validation helpers ------------------------------------------------------------------------


def _check_mapping(
    standard: Iterable[tuple[str, str | None]], custom: Iterable[tuple[str, str]]
) -> list[Problem]:
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for field, header in standard:
        if header is None:
            continue
        if not isinstance(header, str):
            problems.append(Problem(field, "expected a header string or null"))
        elif header in owner:
            problems.append(Problem(field, f"header {header!r} is already used by {owner[header]}"))
        else:
            owner[header] = field
    names: dict[str, str] = {}
    for name, header in custom:
        path = f"custom_variables.{name}"
        if not isinstance(name, str) or not isinstance(header, str):
            problems.append(Problem(path, "expected a variable name and a header string"))
            continue
        problem = _name_problem(name)
        if problem:
            problems.append(Problem(path, problem))
        folded = name.casefold()
        if folded in names:
            problems.append(Problem(path, f"name repeats custom variable {names[folded]!r}"))
        names[folded] = name
        if header in owner:
            problems.append(Problem(path, f"header {header!r} is already used by {owner[header]}"))
        else:
            owner[header] = path
    return problems


def _check_headers(headers: object) -> list[str]:
    if isinstance(headers, str | bytes) or not isinstance(headers, Iterable):
        raise MappingError("expected a sequence of header strings", path="headers")
    header_list = list(headers)
    problems = [
        Problem(f"headers[{i}]", f"expected a string, got {type(h).__name__}")
        for i, h in enumerate(header_list)
        if not isinstance(h, str)
    ]
    if problems:
        raise MappingError(problems)
    return header_list


def _parse_mapping_dict(
    data: object, prefix: str, *, known: Collection[str] | None
) -> tuple[dict[str, str | None], dict[str, str | None], list[Problem]]:
    """Check the ``to_dict`` shape (used by ``from_dict`` and by overrides)."""
    where = prefix.rstrip(".") or "mapping"
    if not isinstance(data, Mapping):
        return {}, {}, [Problem(where, "expected a mapping of lead field to header")]
    standard: dict[str, str | None] = {}
    custom: dict[str, str | None] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key == "custom_variables":
            if value is None:
                continue
            if not isinstance(value, Mapping):
                problems.append(Problem(path, "expected a mapping of variable name to header"))
                continue
            for name, header in value.items():
                sub = f"{path}.{name}"
                if not isinstance(name, str):
                    problems.append(Problem(sub, "a variable name must be a string"))
                elif header is not None and not isinstance(header, str):
                    problems.append(Problem(sub, "expected a header string or null"))
                elif header is not None and known is not None and header not in known:
                    problems.append(Problem(sub, f"header {header!r} is not a column"))
                else:
                    custom[name] = header
        elif key not in _FIELD_RANK:
            expected = ", ".join(_ALL_FIELDS)
            problems.append(
                Problem(path, f"unknown lead field {key!r}; expected one of {expected}")
            )
        elif value is not None and not isinstance(value, str):
            problems.append(Problem(path, "expected a header string or null"))
        elif value is not None and known is not None and value not in known:
            problems.append(Problem(path, f"header {value!r} is not a column"))
        else:
            standard[key] = value
    return standard, custom, problems


def _apply_overrides(mapping: FieldMapping, overrides: Mapping[str, object]) -> FieldMapping:
    known = set(mapping.headers) | set(mapping.mapped_headers)
    standard, custom_in, problems = _parse_mapping_dict(overrides, "overrides.", known=known)
    given: dict[str, str] = {}
    for field, header in standard.items():
        if header is None:
            continue
        if header in given:
            problems.append(
                Problem(f"overrides.{field}", f"header {header!r} is also given to {given[header]}")
            )
        given[header] = field
    for name, header in custom_in.items():
        path = f"overrides.custom_variables.{name}"
        if header is None:
            if name not in mapping.custom_variables:
                problems.append(Problem(path, f"there is no custom variable {name!r} to drop"))
            continue
        problem = _name_problem(name)
        if problem:
            problems.append(Problem(path, problem))
        if header in given:
            problems.append(Problem(path, f"header {header!r} is also given to {given[header]}"))
        given[header] = f"custom_variables.{name}"
    if problems:
        raise MappingError(problems)

    values = dict(mapping._standard_items())
    custom = dict(mapping.custom_variables)
    freed: list[tuple[str, str]] = []
    dropped: set[str] = set()

    def release(header: str) -> None:
        for field, value in values.items():
            if value == header:
                values[field] = None
        for name in [n for n, h in custom.items() if h == header]:
            del custom[name]

    for field, header in standard.items():
        old = values[field]
        if header is not None:
            release(header)
        values[field] = header
        if old is not None and old != header:
            freed.append((old, field))
    for name, header in custom_in.items():
        if header is None:
            gone = custom.pop(name, None)
            if gone is not None and gone not in given:
                dropped.add(gone)
            continue
        release(header)
        clash = next((n for n in custom if n.casefold() == name.casefold()), None)
        if clash is not None:
            raise MappingError(
                f"name is already used by header {custom[clash]!r}",
                path=f"overrides.custom_variables.{name}",
            )
        custom[name] = header
    used = {h for h in values.values() if h is not None} | set(custom.values())
    freed_names: dict[str, str] = {}
    for header, field in freed:
        if header in used or header in dropped:
            continue
        name = sanitize_variable_name(mapping.label(header), taken=custom)
        custom[name] = header
        freed_names[header] = field
        used.add(header)

    order = {h: i for i, h in reversed(list(enumerate(mapping.headers)))}
    custom_pairs = sorted(custom.items(), key=lambda item: (order.get(item[1], len(order)), item))
    placed = {h: f for f, h in values.items() if h is not None}
    placed.update((h, f"custom_variables.{n}") for n, h in custom_pairs)
    decisions = []
    for d in mapping.decisions:
        first_column = order.get(d.header, d.column) == d.column
        target = placed.get(d.header) if first_column else d.field
        if not first_column or target == d.field:
            decisions.append(d)
        elif d.header in given:
            decisions.append(Decision(d.column, d.header, target, 1.0, "set by override"))
        elif d.header in freed_names:
            reason = f"freed by the override of {freed_names[d.header]}"
            decisions.append(Decision(d.column, d.header, target, 1.0, reason))
        elif d.header in dropped:
            decisions.append(Decision(d.column, d.header, None, 1.0, "dropped by override"))
        else:
            decisions.append(Decision(d.column, d.header, target, d.confidence, d.reason))
    return _make_mapping(
        values, custom_pairs, decisions, mapping.headers, mapping._scores, mapping._labels
    )


def _make_mapping(
    values: Mapping[str, str | None],
    custom: Iterable[tuple[str, str]],
    decisions: Iterable[Decision],
    headers: Iterable[str],
    scores: Iterable[tuple[str, int, float]],
    labels: Iterable[tuple[str, str]] = (),
) -> FieldMapping:
    return FieldMapping(
        email=values.get("email"),
        first_name=values.get("first_name"),
        last_name=values.get("last_name"),
        company_name=values.get("company_name"),
        job_title=values.get("job_title"),
        phone=values.get("phone"),
        website=values.get("website"),
        personalization=values.get("personalization"),
        full_name=values.get(FULL_NAME),
        custom_variables=tuple(custom),
        decisions=decisions,
        headers=headers,
        scores=scores,
        labels=labels,
    )
