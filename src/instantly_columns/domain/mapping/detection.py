"""Detection: each column scored for each lead field from its header and sample values, then
fields assigned greedily, best score first."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Final

import attrs

from instantly_columns.domain.mapping._evidence import (
    OWN_DOMAIN_BONUS,
    PEOPLE_FACTOR,
    looks_like_people,
    own_domain_columns,
    people_share,
)
from instantly_columns.domain.mapping._headers import (
    _SPECS,
    _VETO,
    _Match,
    _match_field,
    _tokens,
)
from instantly_columns.domain.mapping._text import _WORD, _as_text, _clean, _strip_accents
from instantly_columns.domain.mapping.fields import _ALL_FIELDS, _FIELD_RANK, FULL_NAME
from instantly_columns.domain.mapping.names import sanitize_variable_name
from instantly_columns.domain.mapping.result import (
    Decision,
    FieldMapping,
    _check_headers,
    _make_mapping,
)
from instantly_columns.domain.mapping.values import _sniff, _Stats
from instantly_columns.errors import MappingError, Problem

__all__ = ["MIN_SCORE", "detect_field_mapping"]

MIN_SCORE: Final = 0.5
"""The lowest score at which a column is assigned to a lead field by detection."""

_MAX_SAMPLE_ROWS: Final = 1000
_MIN_SAMPLES: Final = 3

# --- per-column scoring ------------------------------------------------------------------------


@attrs.frozen
class _Scored:
    score: float
    reason: str


_NO_SCORE: Final = _Scored(0.0, "")


@attrs.frozen
class _Column:
    index: int
    header: str
    tokens: tuple[str, ...]
    veto: str | None
    scores: Mapping[str, _Scored]
    bare_full_name: bool


def _of(count: int, stats: _Stats, what: str) -> str:
    return f"{count} of {stats.n} samples {what}"


def _with_values(
    field: str, match: _Match | None, blocked: str | None, stats: _Stats
) -> _Scored | None:
    """Combine the header evidence for one field with what the sample values say."""
    spec = _SPECS[field]
    header = match.score if match else 0.0
    reason = match.reason if match else ""
    n = stats.n
    if spec.kind == "email":
        share = stats.email / n
        note = _of(stats.email, stats, "are emails")
        if share >= 0.5:
            value_score = 0.55 + 0.4 * share
            score = max(header, value_score) + 0.05 if match else value_score
            reason = f"{reason}; {note}" if match else note
            if stats.freemail / stats.email >= 0.6 and not (match and match.personal):
                score -= 0.10
                reason += f"; {stats.freemail} at free-mail domains (personal) -0.10"
            return _Scored(round(score, 4), reason)
        if match:
            return _Scored(round(header * (0.5 + share), 4), f"{reason}, but only {note}")
        return None
    if spec.kind in ("phone", "url"):
        if spec.kind == "url" and stats.social / n >= 0.5:
            if not match:
                return None
            note = _of(stats.social, stats, "are social-profile links")
            return _Scored(round(header * 0.4, 4), f"{reason}, but {note}")
        count = stats.phone if spec.kind == "phone" else stats.url
        what = "are phone numbers" if spec.kind == "phone" else "are web addresses"
        share = count / n
        if share >= 0.6:
            if match:
                score = max(header, 0.45 + 0.35 * share) + 0.05
                return _Scored(round(score, 4), f"{reason}; {_of(count, stats, what)}")
            if blocked:
                return None
            return _Scored(round(0.45 + 0.35 * share, 4), _of(count, stats, what))
        if match and share < 0.3:
            score = header * (0.5 + share)
            return _Scored(round(score, 4), f"{reason}, but only {_of(count, stats, what)}")
        return _Scored(header, reason) if match else None
    # text fields: names, company, job title, personalization
    if not match:
        return None
    contradictions = (
        (stats.email, "are emails"),
        (stats.phone, "are phone numbers"),
        (stats.url + stats.social, "are links"),
        (stats.no_letters, "have no letters"),
    )
    for count, what in contradictions:
        if count / n >= 0.6:
            return _Scored(round(header * 0.5, 4), f"{reason}, but {_of(count, stats, what)}")
    if field == "job_title" and stats.salutation / n >= 0.6:
        note = _of(stats.salutation, stats, "are salutations")
        return _Scored(round(header * 0.5, 4), f"{reason}, but {note}")
    if field == "first_name" and stats.multiword / n >= 0.7:
        note = _of(stats.multiword, stats, "look like full names")
        return _Scored(round(header * 0.5, 4), f"{reason}, but {note}")
    return _Scored(header, reason)


def _full_names_in_first_name_column(
    tokens: tuple[str, ...], stats: _Stats, scores: dict[str, _Scored]
) -> None:
    """A first-name header ("Nome") over values like "João Silva" is a full-name column."""
    first, _ = _match_field(tokens, "first_name")
    if first is None or stats.multiword < 0.7 * stats.n:
        return
    score = round(0.8 * first.score, 4)
    if FULL_NAME not in scores or score > scores[FULL_NAME].score:
        note = _of(stats.multiword, stats, "look like full names")
        scores[FULL_NAME] = _Scored(score, f"{first.reason}; {note}")


def _score_column(index: int, header: str, stats: _Stats | None) -> _Column:
    tokens = _tokens(header)
    veto = next((t for t in tokens if t in _VETO), None)
    scores: dict[str, _Scored] = {}
    bare = False
    if veto is None:
        for field in _ALL_FIELDS:
            match, blocked = _match_field(tokens, field)
            if field == FULL_NAME and match is not None:
                bare = match.alias.bare
            if stats is not None and stats.n >= _MIN_SAMPLES:
                scored = _with_values(field, match, blocked, stats)
            else:
                scored = _Scored(match.score, match.reason) if match else None
            if scored is not None and scored.score > 0:
                scores[field] = scored
        if stats is not None and stats.n >= _MIN_SAMPLES:
            _full_names_in_first_name_column(tokens, stats, scores)
    return _Column(index, header, tokens, veto, scores, bare)


# --- assignment -------------------------------------------------------------------------------


def _collect_samples(samples: object, headers: Collection[str]) -> dict[str, list[object]] | None:
    if samples is None:
        return None
    if isinstance(samples, str | bytes | Mapping) or not isinstance(samples, Iterable):
        raise MappingError("expected a sequence of rows (header -> value)", path="samples")
    columns: dict[str, list[object]] = {h: [] for h in headers}
    problems = []
    for i, row in enumerate(samples):
        if i >= _MAX_SAMPLE_ROWS:
            break
        if not isinstance(row, Mapping):
            problems.append(Problem(f"samples[{i}]", "expected a mapping of header to value"))
            continue
        for header, values in columns.items():
            values.append(row.get(header))
    if problems:
        raise MappingError(problems)
    return columns


def detect_field_mapping(
    headers: Sequence[str],
    samples: Iterable[Mapping[str, object]] | None = None,
    *,
    overrides: Mapping[str, object] | None = None,
) -> FieldMapping:
    """Propose a [`FieldMapping`][instantly_columns.domain.mapping.FieldMapping] for a table.

    - `headers`: the column headers as they appear in the table or CSV (any casing, BOMs,
      NBSP, accents; seven languages, and the core fields in ten more). A header repeated
      verbatim is considered once, at its first position; later copies are reported as
      duplicates and not sent. Headers with no letter or digit are not sent either.
    - `samples`: optional rows (header -> value), e.g. the first 20 to 100; the first 1000 are
      read. Values decide where headers cannot (at least 3 non-empty values per column), and
      where they mislead: addresses at the company's own domain are the work email, a column
      of people's names is never the company.
    - `overrides`: user choices applied on top, exactly as
      [`FieldMapping.with_overrides`][instantly_columns.domain.mapping.FieldMapping.with_overrides].

    Deterministic; one column per field and one field per column; ties go to the field listed
    first in `LEAD_FIELDS`, then to the left-most column. Raises
    [`MappingError`][instantly_columns.errors.MappingError] only on bad arguments.
    """
    header_list = _check_headers(headers)
    sample_columns = _collect_samples(samples, set(header_list))

    decisions: dict[int, Decision] = {}
    columns: list[_Column] = []
    stats_of: dict[int, _Stats] = {}
    first_seen: dict[str, int] = {}
    for index, header in enumerate(header_list):
        if header in first_seen:
            reason = f"duplicate header (first at column {first_seen[header]})"
            decisions[index] = Decision(index, header, None, 1.0, reason)
            continue
        first_seen[header] = index
        if not _WORD.search(_clean(header)):
            decisions[index] = Decision(index, header, None, 1.0, "header has no letters or digits")
            continue
        stats = _sniff(sample_columns[header]) if sample_columns is not None else None
        if stats is not None:
            stats_of[index] = stats
        columns.append(_score_column(index, header, stats))
    if sample_columns is not None:
        columns = _across_columns(columns, sample_columns, stats_of)

    assigned: dict[str, _Column] = {}
    used: set[int] = set()
    candidates = sorted(
        (-scored.score, _FIELD_RANK[field], column.index, field, column)
        for column in columns
        for field, scored in column.scores.items()
        if field != FULL_NAME and scored.score >= MIN_SCORE and not _rather_full_name(column, field)
    )
    for _, _, index, field, column in candidates:
        if field not in assigned and index not in used:
            assigned[field] = column
            used.add(index)
    _assign_full_name(columns, assigned, used, sample_columns)

    field_of_column = {column.index: field for field, column in assigned.items()}
    custom: list[tuple[str, str]] = []
    for column in columns:
        lead_field = field_of_column.get(column.index)
        if lead_field is not None:
            scored = assigned[lead_field].scores[lead_field]
            confidence = round(min(1.0, scored.score), 2)
            decisions[column.index] = Decision(
                column.index, column.header, lead_field, confidence, scored.reason
            )
            continue
        name = sanitize_variable_name(column.header, taken=[n for n, _ in custom])
        custom.append((name, column.header))
        decisions[column.index] = _custom_decision(column, name, assigned)

    scores = tuple(
        (field, column.index, scored.score)
        for column in columns
        for field, scored in column.scores.items()
    )
    mapping = _make_mapping(
        {field: column.header for field, column in assigned.items()},
        custom,
        [decisions[i] for i in sorted(decisions)],
        header_list,
        scores,
    )
    return mapping.with_overrides(overrides) if overrides is not None else mapping


def _across_columns(
    columns: Sequence[_Column], samples: Mapping[str, list[object]], stats: Mapping[int, _Stats]
) -> list[_Column]:
    """Apply the value evidence that needs several columns of the same rows (``_evidence``)."""

    def enough(column: _Column, count: int) -> bool:
        n = stats[column.index].n
        return column.veto is None and n >= _MIN_SAMPLES and count * 2 >= n

    by_index = {column.index: column for column in columns}

    def rescore(column: _Column, field: str, scored: _Scored) -> None:
        by_index[column.index] = attrs.evolve(column, scores={**column.scores, field: scored})

    emails = {
        c.index: samples[c.header]
        for c in columns
        if "email" in c.scores and enough(c, stats[c.index].email)
    }
    sites = {
        c.header: samples[c.header]
        for c in columns
        if c.scores.get("website", _NO_SCORE).score >= MIN_SCORE and enough(c, stats[c.index].url)
    }
    for index, own in own_domain_columns(emails, sites).items():
        column = by_index[index]
        email = column.scores["email"]
        score = round(max(email.score, 1.0) + OWN_DOMAIN_BONUS, 4)
        rescore(column, "email", _Scored(score, f"{email.reason}; {own.note()}"))

    first = _best(columns, "first_name")
    last = _best(columns, "last_name")
    given = [] if first is None else [_as_text(v).split(" ")[0] for v in samples[first.header]]
    full_names: list[str] = []
    if first is not None and last is not None:
        pairs = zip(samples[first.header], samples[last.header], strict=True)
        full_names = [
            _strip_accents(f"{_as_text(a)} {_as_text(b)}".casefold()) if a and b else ""
            for a, b in pairs
        ]
    for column in list(by_index.values()):
        company = column.scores.get("company_name")
        if company is None or column in (first, last):
            continue
        count, n = people_share(samples[column.header], given, full_names)
        if looks_like_people(count, n):
            note = f"{company.reason}, but {count} of {n} samples look like people's names"
            rescore(column, "company_name", _Scored(round(company.score * PEOPLE_FACTOR, 4), note))
    return [by_index[column.index] for column in columns]


def _best(columns: Iterable[_Column], field: str) -> _Column | None:
    """The column with the best header-and-values score for `field`, if any reaches MIN_SCORE."""
    ranked = sorted(
        (-c.scores[field].score, c.index, c)
        for c in columns
        if field in c.scores and c.scores[field].score >= MIN_SCORE
    )
    return ranked[0][2] if ranked else None


def _rather_full_name(column: _Column, field: str) -> bool:
    """``Vor- und Nachname`` reads better as a full name than as a last name."""
    full = column.scores.get(FULL_NAME)
    return (
        field in ("first_name", "last_name")
        and full is not None
        and full.score > column.scores[field].score
    )


def _custom_decision(column: _Column, name: str, assigned: Mapping[str, _Column]) -> Decision:
    field = f"custom_variables.{name}"
    if column.veto is not None:
        reason = f"{column.veto!r} refers to the CRM user or someone else, not the lead"
        return Decision(column.index, column.header, field, 1.0, reason)
    if not column.scores:
        return Decision(column.index, column.header, field, 1.0, "no lead field matched")
    best_field, best = min(
        column.scores.items(), key=lambda item: (-item[1].score, _FIELD_RANK[item[0]])
    )
    confidence = round(max(0.0, 1.0 - min(1.0, best.score)), 2)
    winner = assigned.get(best_field)
    if winner is not None:
        reason = f"{best_field} went to {winner.header!r} (here {best.score:.2f}: {best.reason})"
    elif best.score < MIN_SCORE:
        reason = f"no lead field matched (best {best_field} {best.score:.2f}: {best.reason})"
    else:
        reason = f"{best_field} not needed (here {best.score:.2f}: {best.reason})"
    return Decision(column.index, column.header, field, confidence, reason)


def _assign_full_name(
    columns: Sequence[_Column],
    assigned: dict[str, _Column],
    used: set[int],
    samples: Mapping[str, list[object]] | None,
) -> None:
    """Fill a missing first or last name from a full-name column.

    With a first-name column and no last-name column, a bare ``Name``/``Naam`` column is read
    as the surname (German and Dutch forms put ``Vorname`` beside ``Name``) unless its samples
    start with the first name, which makes them full names. Likewise, with a last-name column
    and no first-name column, a bare name is the first name (MailerLite's ``Name`` beside
    ``Last name``) unless its samples end with the last name.
    """
    if "first_name" in assigned and "last_name" in assigned:
        return
    ranked = sorted(
        (
            (-column.scores[FULL_NAME].score, column.index, column)
            for column in columns
            if column.index not in used
            and FULL_NAME in column.scores
            and column.scores[FULL_NAME].score >= MIN_SCORE
        ),
        key=lambda item: item[:2],
    )
    if not ranked:
        return
    column = ranked[0][2]
    first = assigned.get("first_name")
    last = assigned.get("last_name")
    if last is not None and first is None and column.bare_full_name:
        if not _ends_with_last_name(column, last, samples):
            reason = "bare name beside a last-name column: read as the first name"
            scores = dict(column.scores)
            scores["first_name"] = _Scored(0.6, reason)
            assigned["first_name"] = attrs.evolve(column, scores=scores)
            used.add(column.index)
            return
        scores = dict(column.scores)
        full = scores[FULL_NAME]
        scores[FULL_NAME] = _Scored(full.score, f"{full.reason}; values end with the last name")
        column = attrs.evolve(column, scores=scores)
    if first is not None and "last_name" not in assigned and column.bare_full_name:
        if not _starts_with_first_name(column, first, samples):
            reason = "bare name beside a first-name column: read as the surname"
            scores = dict(column.scores)
            scores["last_name"] = _Scored(0.6, reason)
            column = attrs.evolve(column, scores=scores)
            assigned["last_name"] = column
            used.add(column.index)
            return
        scores = dict(column.scores)
        full = scores[FULL_NAME]
        scores[FULL_NAME] = _Scored(full.score, f"{full.reason}; values start with the first name")
        column = attrs.evolve(column, scores=scores)
    assigned[FULL_NAME] = column
    used.add(column.index)


def _ends_with_last_name(
    column: _Column, last: _Column, samples: Mapping[str, list[object]] | None
) -> bool:
    if samples is None:
        return False
    pairs = [
        (_as_text(full).casefold(), _as_text(family).casefold())
        for full, family in zip(samples[column.header], samples[last.header], strict=True)
    ]
    pairs = [(full, family) for full, family in pairs if full and family]
    if len(pairs) < _MIN_SAMPLES:
        return False
    hits = sum(full.endswith(" " + family) for full, family in pairs)
    return hits / len(pairs) >= 0.5


def _starts_with_first_name(
    column: _Column, first: _Column, samples: Mapping[str, list[object]] | None
) -> bool:
    if samples is None:
        return False
    pairs = [
        (_as_text(full).casefold(), _as_text(given).casefold())
        for full, given in zip(samples[column.header], samples[first.header], strict=True)
    ]
    pairs = [(full, given) for full, given in pairs if full and given]
    if len(pairs) < _MIN_SAMPLES:
        return False
    hits = sum(full.startswith(given + " ") for full, given in pairs)
    return hits / len(pairs) >= 0.5
