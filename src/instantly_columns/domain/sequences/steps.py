"""A campaign's email steps: read from the API's ``sequences`` JSON, and checked before use."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Literal, TypeAlias, get_args

import attrs
import pydantic

from instantly_columns.domain.problems import problems_from_validation
from instantly_columns.domain.sequences.templates import (
    CORE_VARIABLE_FIELDS,
    CORE_VARIABLES,
    SENDER_VARIABLES,
    classify_variable,
    extract_variables,
)
from instantly_columns.errors import Problem, SequenceError

__all__ = [
    "DelayUnit",
    "Step",
    "StepField",
    "Variant",
    "campaign_variables",
    "parse_steps",
    "used_variables",
    "validate_steps",
]

StepField: TypeAlias = Literal["subject", "body"]
"""Which half of a step a column or a custom variable holds."""
DelayUnit: TypeAlias = Literal["minutes", "hours", "days"]
"""The unit of a step's ``delay`` (Instantly's default is days)."""

_STEP_FIELDS: Final[tuple[StepField, ...]] = get_args(StepField)
_DELAY_UNITS: Final[tuple[DelayUnit, ...]] = get_args(DelayUnit)


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
    model_config = pydantic.ConfigDict(extra="ignore", defer_build=True)

    subject: str | None = None
    body: str | None = None
    v_disabled: bool | None = None


class _WireStep(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore", defer_build=True)

    delay: int | None = None
    delay_unit: DelayUnit | None = None
    variants: list[_WireVariant] | None = None


class _WireSequence(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore", defer_build=True)

    steps: list[_WireStep] | None = None


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
        raise SequenceError(problems_from_validation(exc, "sequences[0]")) from None
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
