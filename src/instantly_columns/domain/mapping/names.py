"""Names: custom variable names made from headers, and a person's full name split in two."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from typing import Final

from instantly_columns.domain.mapping import _aliases as data
from instantly_columns.domain.mapping._headers import _merge_compounds
from instantly_columns.domain.mapping._text import _base_tokens, _clean
from instantly_columns.domain.mapping.fields import _RESERVED_FOLDED
from instantly_columns.domain.mapping.values import _SALUTATIONS

__all__ = ["sanitize_variable_name", "split_full_name"]

_VARIABLE_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_MAX_VARIABLE_LENGTH: Final = 64

# --- custom variable names ---------------------------------------------------------------------


def sanitize_variable_name(header: str, *, taken: Collection[str] = ()) -> str:
    """A custom variable name for `header` that Instantly accepts and templates can use.

    Snake case of the ASCII-folded header (``"Company LinkedIn URL"`` ->
    ``"company_linkedin_url"``, ``"Société"`` -> ``"societe"``), at most 64 characters,
    starting with a letter (``"var"`` when nothing is left, ``"var_"`` before a leading digit).
    A name equal to an Instantly core variable (``email``, ``first_name``... compared ignoring
    case and underscores) or to one in `taken` (ignoring case) gets the first free suffix
    ``_2``, ``_3``...

    >>> sanitize_variable_name("E-Mail-Adresse")
    'email_adresse'
    >>> sanitize_variable_name("Phone"), sanitize_variable_name("plan", taken={"plan"})
    ('phone_2', 'plan_2')
    """
    tokens = _merge_compounds(_base_tokens(header, split_digits=False))
    words = (re.sub(r"[^a-z0-9]+", "", w) for w in tokens)
    base = "_".join(w for w in words if w)
    if not base:
        base = "var"
    elif base[0].isdigit():
        base = f"var_{base}"
    base = base[:_MAX_VARIABLE_LENGTH].rstrip("_")
    folded_taken = {name.casefold() for name in taken}

    def free(name: str) -> bool:
        return name not in folded_taken and name.replace("_", "") not in _RESERVED_FOLDED

    if free(base):
        return base
    suffix = 2
    while True:
        tail = f"_{suffix}"
        name = base[: _MAX_VARIABLE_LENGTH - len(tail)].rstrip("_") + tail
        if free(name):
            return name
        suffix += 1


def _name_problem(name: str) -> str | None:
    if not _VARIABLE_RE.fullmatch(name) or not name.isascii():
        return "a variable name needs ASCII letters, digits and underscores, starting with a letter"
    if len(name) > _MAX_VARIABLE_LENGTH:
        return f"a variable name has at most {_MAX_VARIABLE_LENGTH} characters"
    if name.replace("_", "").casefold() in _RESERVED_FOLDED:
        return f"{name!r} collides with an Instantly core variable"
    return None


# --- person names ------------------------------------------------------------------------------

_HONORIFICS: Final = _SALUTATIONS - {"m"}
_NAME_SUFFIXES: Final = frozenset(data.NAME_SUFFIXES.split())
_NAME_SYMBOLS: Final = frozenset({"So", "Sk", "Sm", "Cs", "Co", "Cn"})
_BRACKETED: Final = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\"[^\"]*\"|“[^”]*”")


def _is_suffix(word: str) -> bool:
    return word.casefold().replace(".", "") in _NAME_SUFFIXES


def split_full_name(value: str) -> tuple[str, str]:
    """Split a full name into ``(first, last)``; missing parts are ``""``.

    The first word is the first name and the rest the last name (``"Ludwig van Beethoven"`` ->
    ``("Ludwig", "van Beethoven")``). Before that: symbols and emoji, bracketed or quoted
    nicknames, leading honorifics (Mr, Dr, Herr, Mme, Sra...) and trailing suffixes (Jr, III,
    PhD, MBA...) are removed (a title before a single word marks it as the surname:
    ``"Mr. Smith"`` -> ``("", "Smith")``); ``"Last, First"`` is swapped; and leading
    all-capital words of three letters or more before a mixed-case word are read as a surname
    written first (``"DUPONT Jean"`` -> ``("Jean", "DUPONT")``). Never raises on a string.

    >>> split_full_name("Dr. Ada Lovelace, PhD")
    ('Ada', 'Lovelace')
    >>> split_full_name("García López, María")
    ('María', 'García López')
    """
    text = "".join(
        " " if ch.isspace() else ch
        for ch in _clean(value)
        if unicodedata.category(ch) not in _NAME_SYMBOLS
    )
    text = _BRACKETED.sub(" ", text)
    parts = [p.strip() for p in text.split(",")]
    parts = [p for p in parts if p and not all(_is_suffix(w) for w in p.split())]
    if len(parts) == 2:
        parts = [parts[1], parts[0]]
    words = " ".join(parts).split()
    honorific = False
    while len(words) > 1 and words[0].casefold().replace(".", "") in _HONORIFICS:
        words.pop(0)
        honorific = True
    while len(words) > 1 and _is_suffix(words[-1]):
        words.pop()
    if not words:
        return "", ""
    if honorific and len(words) == 1:
        return "", words[0]  # "Mr. Smith": a title goes with the surname

    def shouting(word: str) -> bool:
        letters = [ch for ch in word if ch.isalpha()]
        return len(letters) >= 3 and word.isupper()

    lead = 0
    while lead < len(words) and shouting(words[lead]):
        lead += 1
    if 0 < lead < len(words) and not words[lead].isupper():
        words = words[lead:] + words[:lead]
    return words[0], " ".join(words[1:])
