"""``author_steps`` mode: the table holds the copy itself, in "Step N Subject" / "Step N Body"
columns, and the campaign's steps are made of per-lead custom variables carrying each row's
text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from instantly_columns.domain.sequences.steps import (
    _DELAY_UNITS,
    _STEP_FIELDS,
    DelayUnit,
    StepField,
    _delay_problems,
)
from instantly_columns.domain.sequences.templates import _cell_text
from instantly_columns.errors import Problem, SequenceError

__all__ = [
    "DEFAULT_STEP_DELAY",
    "MAX_STEPS",
    "StepColumnSpec",
    "author_sequence",
    "find_step_columns",
    "looks_like_html",
    "scaffold_step_columns",
    "step_column_name",
    "step_custom_variables",
    "step_variable",
    "text_to_html",
    "validate_step_columns",
]

#: The wait after each authored step when none is given, in ``delay_unit`` (days).
DEFAULT_STEP_DELAY: Final = 3
#: The most steps a sequence may have here (the limit of a ``sequence_step`` column).
MAX_STEPS: Final = 100


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
