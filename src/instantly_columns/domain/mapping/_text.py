"""Text primitives shared by header normalization, value sniffing and name splitting."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Final

from instantly_columns.domain.mapping._aliases import TRANSLITERATE

_TRANSLITERATE: Final = str.maketrans(TRANSLITERATE)
_PLURAL_MARK: Final = re.compile(r"(?<=[^\W\d_])\(s\)")
_WORD: Final = re.compile(r"[^\W_]+")
_WORD_PART: Final = re.compile(r"\d+|[^\W\d_]+")


def _clean(text: str) -> str:
    """NFKC; drop BOMs, zero-width and control characters; every kind of space becomes ' '."""
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co", "Cn"):
            out.append(ch)
    return "".join(out)


def _split_camel(text: str) -> str:
    """``firstName`` -> ``first Name``, ``LinkedInURL`` -> ``Linked In URL`` (``IDs`` stays)."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if i and ch.isupper():
            prev = text[i - 1]
            nxt = text[i + 1] if i + 1 < len(text) else ""
            after = text[i + 2] if i + 2 < len(text) else ""
            plural_acronym = nxt == "s" and not after.isalpha()
            if prev.islower() or (prev.isupper() and nxt.islower() and not plural_acronym):
                out.append(" ")
        out.append(ch)
    return "".join(out)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return kept.translate(_TRANSLITERATE)


def _is_cjk(ch: str) -> bool:
    """Han, kana or hangul: scripts written without spaces between words."""
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0xFF66 <= code <= 0xFF9F  # half-width katakana
        or 0xAC00 <= code <= 0xD7AF  # hangul
    )


def _split_scripts(word: str) -> list[str]:
    """``TEL直通`` -> ``TEL``, ``直通``: a change between CJK and other letters ends a word."""
    parts: list[str] = []
    start = 0
    for i in range(1, len(word)):
        if _is_cjk(word[i]) != _is_cjk(word[i - 1]):
            parts.append(word[start:i])
            start = i
    parts.append(word[start:])
    return parts


def _base_tokens(text: str, *, split_digits: bool = True) -> list[str]:
    """Words of a header before compound handling and filler removal."""
    text = _split_camel(_clean(text)).casefold()
    text = _PLURAL_MARK.sub("s", _strip_accents(text))
    tokens: list[str] = []
    for word in _WORD.findall(text):
        for part in _split_scripts(word):
            tokens.extend(_WORD_PART.findall(part) if split_digits else [part])
    # "E-Mail", "e mail", "E-mailadres", Nordic "E-post", Turkish "E-posta": the lone "e"
    # belongs to the next word.
    merged: list[str] = []
    for token in tokens:
        if merged and merged[-1] == "e" and token.startswith(("mail", "post")):
            merged[-1] = "e" + token
        else:
            merged.append(token)
    return merged


def _as_text(value: object) -> str:
    """A cell as stripped text; None, booleans and NaN (a blank cell in pandas) give ""."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return _clean(value if isinstance(value, str) else str(value)).strip()
