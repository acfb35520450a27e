"""Header normalization and matching: a header's words, scored against each field's aliases.

The lookup tables are built once, at import, from the literal tables in ``_aliases``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, Literal

import attrs

from instantly_columns.domain.mapping import _aliases as data
from instantly_columns.domain.mapping._text import _base_tokens, _strip_accents

# --- word tables -------------------------------------------------------------------------------


def _norm(word: str) -> str:
    """A word of the tables as header words are spelled (``Ответственный`` -> ``ответственныи``)."""
    return _strip_accents(word.casefold())


def _words(*texts: str) -> frozenset[str]:
    return frozenset(_norm(word) for text in texts for word in text.split())


_FILLER: Final = _words(data.FILLER)
_NEUTRAL: Final = _words(data.NEUTRAL)
_CLEANED: Final = _words(data.CLEANED)
_PERSONAL: Final = _words(data.PERSONAL)
_WORK: Final = _words(data.WORK)
_SECONDARY: Final = _words(data.SECONDARY)
_COMPANY_WORDS: Final = _words(data.COMPANY_WORDS)
_VETO: Final = _words(data.VETO)
_GLOBAL_NEGATIVE: Final = _words(data.GLOBAL_NEGATIVE)
_ORG_ATTRIBUTE: Final = _words(data.ORG_ATTRIBUTE)


@attrs.frozen
class _Alias:
    field: str
    tokens: tuple[str, ...]
    score: float
    lang: str
    partial: bool
    bare: bool
    text: str


@attrs.frozen
class _Spec:
    field: str
    kind: Literal["email", "phone", "url", "text"]
    qualifiers: Mapping[str, float]
    negative: frozenset[str]
    secondary: float


def _spec(field: str, table: data.FieldWords) -> _Spec:
    qualifiers: dict[str, float] = {}
    for text, delta in table["qualifiers"]:
        for word in text.split():
            qualifiers[_norm(word)] = delta
    negative = _words(*table["negative"])
    return _Spec(field, table["kind"], qualifiers, negative, table["secondary"])


_SPECS: Final[dict[str, _Spec]] = {
    field: _spec(field, table) for field, table in data.FIELD_WORDS.items()
}


# --- normalization -----------------------------------------------------------------------------


def _alias_tokens(text: str) -> tuple[str, ...]:
    return tuple(t for t in _base_tokens(text) if t not in _FILLER)


def _build_aliases() -> tuple[_Alias, ...]:
    """One alias per header of the table, in table order (on equal scores the first wins)."""
    table = []
    for field, lang, score, headers, flags in data.ALIASES:
        partial = "exact" not in flags.split()
        bare = "bare" in flags.split()
        for text in headers.split("|"):
            tokens = _alias_tokens(text)
            table.append(_Alias(field, tokens, score, lang, partial, bare, text.strip()))
    return tuple(table)


def _build_vocabulary(aliases: Iterable[_Alias]) -> frozenset[str]:
    words: set[str] = set(_NEUTRAL | _CLEANED | _PERSONAL | _WORK | _SECONDARY | _VETO)
    words |= _GLOBAL_NEGATIVE | _COMPANY_WORDS
    for alias in aliases:
        words.update(alias.tokens)
    for spec in _SPECS.values():
        words.update(spec.qualifiers)
        words.update(spec.negative)
    return frozenset(words)


_RAW_ALIASES: Final = _build_aliases()
_VOCABULARY: Final[frozenset[str]] = _build_vocabulary(_RAW_ALIASES)
_SEGMENT_WORDS: Final = frozenset(w for w in _VOCABULARY if len(w) >= 3) | {"id", "nr", "hq"}


def _merge_compounds(tokens: list[str]) -> list[str]:
    """Join neighbours that spell a known word: ``web site`` -> ``website``."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if i + 1 < len(tokens):
            nxt = tokens[i + 1]
            joined = token + nxt
            if (
                len(joined) >= 6
                and joined in _VOCABULARY
                and token not in _FILLER
                and nxt not in _FILLER
            ):
                out.append(joined)
                i += 2
                continue
        out.append(token)
        i += 1
    return out


def _segment(token: str) -> list[str]:
    """Split an unknown run-together word into known words: ``firstname`` -> first, name."""
    if token in _VOCABULARY or not 6 <= len(token) <= 40 or not token.isalpha():
        return [token]
    size = len(token)
    best: list[list[str] | None] = [None] * (size + 1)
    best[0] = []
    for end in range(1, size + 1):
        for start in range(end):
            head = best[start]
            if head is None or token[start:end] not in _SEGMENT_WORDS:
                continue
            candidate = [*head, token[start:end]]
            current = best[end]
            if current is None or len(candidate) < len(current):
                best[end] = candidate
    pieces = best[size]
    return pieces if pieces is not None and len(pieces) > 1 else [token]


def _index_aliases(raw: Iterable[_Alias]) -> dict[tuple[str, str], tuple[_Alias, ...]]:
    """Aliases keyed by (field, first word), their words compounded like headers' words."""
    index: dict[tuple[str, str], tuple[_Alias, ...]] = {}
    for alias in raw:
        tokens = tuple(_merge_compounds(list(alias.tokens)))
        key = (alias.field, tokens[0])
        index[key] = (*index.get(key, ()), attrs.evolve(alias, tokens=tokens))
    return index


_ALIAS_INDEX: Final = _index_aliases(_RAW_ALIASES)


def _tokens(header: str) -> tuple[str, ...]:
    """The normalized words of a header, as matched against the alias table."""
    tokens = _merge_compounds(_base_tokens(header))
    pieces = [piece for token in tokens for piece in _segment(token)]
    return tuple(t for t in pieces if t not in _FILLER)


# --- header scoring ----------------------------------------------------------------------------


@attrs.frozen
class _Match:
    score: float
    alias: _Alias
    personal: bool
    reason: str


def _match_field(tokens: tuple[str, ...], field: str) -> tuple[_Match | None, str | None]:
    """Best alias match of ``tokens`` for ``field``, or the negative word that rules it out.

    Numbers do not interrupt an alias (``Organization 1 - Name``); they are judged with the
    other words around it.
    """
    spec = _SPECS[field]
    numbers = tuple(t for t in tokens if t.isdecimal())
    words = tuple(t for t in tokens if not t.isdecimal()) if numbers else tokens
    best: _Match | None = None
    for start, first in enumerate(words):
        for alias in _ALIAS_INDEX.get((field, first), ()):
            size = len(alias.tokens)
            if words[start : start + size] != alias.tokens:
                continue
            before, after = words[:start], words[start + size :]
            result = _judge_leftover(
                (*before, *after, *numbers), spec, _modifiers(field, alias, before, after)
            )
            if isinstance(result, str):
                continue
            deltas, unknown, personal = result
            if unknown and not alias.partial:
                continue
            score = alias.score + min([0.0, *deltas]) + max([0.0, *deltas])
            if unknown:
                score = score * 0.6 - 0.1 * (unknown - 1)
            score = round(score, 4)
            if best is None or (score, size) > (best.score, len(best.alias.tokens)):
                leftover = (*before, *after, *numbers)
                best = _Match(score, alias, personal, _alias_reason(alias, leftover, spec, unknown))
    if best is not None:
        return best, None
    negative = spec.negative | _GLOBAL_NEGATIVE
    return None, next((t for t in tokens if t in negative and t not in spec.qualifiers), None)


def _modifiers(
    field: str, alias: _Alias, before: tuple[str, ...], after: tuple[str, ...]
) -> frozenset[str]:
    """Company attributes that modify an English company noun at the end of a header.

    English puts the head noun last: ``Company Address`` is an address, but Shopify's
    ``Default Address Company`` is a company (the one on the default address). Such words
    count as unrecognized instead of ruling the company out. Only for English aliases, since
    Romance languages put the head first (``Adresse de l'entreprise`` is an address).
    """
    if field != "company_name" or after or "en" not in alias.lang.split(", "):
        return frozenset()
    return frozenset(t for t in before if t in _ORG_ATTRIBUTE and t not in _GLOBAL_NEGATIVE)


def _judge_leftover(
    leftover: tuple[str, ...], spec: _Spec, modifiers: frozenset[str] = frozenset()
) -> tuple[list[float], int, bool] | str:
    """Qualifier deltas, count of unknown words and the personal flag, or a blocking word."""
    deltas: list[float] = []
    unknown = 0
    personal = False
    for token in leftover:
        if token in modifiers:
            unknown += 1
        elif token in spec.qualifiers:
            deltas.append(spec.qualifiers[token])
            personal = personal or token in _PERSONAL
        elif token.isdecimal():
            deltas.append(0.0 if token in ("0", "1") else spec.secondary)
        elif token in _SECONDARY:
            deltas.append(spec.secondary)
        elif token in _NEUTRAL:
            continue
        elif token in _CLEANED:
            deltas.append(0.02)
        elif token in spec.negative or token in _GLOBAL_NEGATIVE:
            return token
        else:
            unknown += 1
    return deltas, unknown, personal


def _alias_reason(alias: _Alias, leftover: tuple[str, ...], spec: _Spec, unknown: int) -> str:
    reason = f"alias {alias.text!r} ({alias.lang})"
    notes = []
    for token in leftover:
        delta = spec.qualifiers.get(token)
        if delta is None and token in _SECONDARY:
            delta = spec.secondary
        if delta is None and token.isdecimal() and token not in ("0", "1"):
            delta = spec.secondary
        if delta:
            notes.append(f"{token!r} {delta:+.2f}")
    if notes:
        reason += ", " + ", ".join(notes)
    if unknown:
        reason += f", {unknown} unrecognized word{'s' if unknown > 1 else ''}"
    return reason
