"""Value sniffing: what a column's sample cells look like (emails, phone numbers, web
addresses, salutations, full names), and the email address in a cell."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final, Literal

import attrs

from instantly_columns.domain.mapping import _aliases as data
from instantly_columns.domain.mapping._text import _as_text

__all__ = ["normalize_email"]

_SNIFF_MAX_LENGTH: Final = 320
# Control and format characters, and the line and paragraph separators.
_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Zl", "Zp"})

_DOMAIN: Final = r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+([^\W\d_]{2,})"
_EMAIL_RE: Final = re.compile(r"[^@\s<>()\[\],;:\"]+@(" + _DOMAIN + ")")
_ANGLE_RE: Final = re.compile(r"[^<>]*<([^<>]+)>")
_URL_RE: Final = re.compile(
    r"(?:(https?)://)?(?:www\.)?(" + _DOMAIN + r")(?::\d{1,5})?(?:[/?#]\S*)?", re.IGNORECASE
)
_PHONE_RE: Final = re.compile(r"\+?[\d\s().\-/]+?(?:\s*(?:x|ext\.?|#)\s*\d{1,6})?", re.IGNORECASE)
_DATE_RE: Final = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}.*|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_GROUPED_NUMBER_RE: Final = re.compile(r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d+)?")
_EXTENSION_RE: Final = re.compile(r"\s*(?:x|ext\.?|#)\s*\d{1,6}$", re.IGNORECASE)

_COMMON_TLDS: Final = frozenset(data.COMMON_TLDS.split())
_SOCIAL_DOMAINS: Final = data.SOCIAL_DOMAINS
_FREEMAIL_DOMAINS: Final = frozenset(data.FREEMAIL_DOMAINS.split())
_FREEMAIL_BRANDS: Final = frozenset(data.FREEMAIL_BRANDS.split())
_FREEMAIL_SUFFIXES: Final = frozenset(data.FREEMAIL_SUFFIXES.split())
_SALUTATIONS: Final = frozenset(data.SALUTATIONS.split())


@attrs.frozen
class _Stats:
    n: int = 0
    email: int = 0
    freemail: int = 0
    phone: int = 0
    url: int = 0
    social: int = 0
    salutation: int = 0
    multiword: int = 0
    no_letters: int = 0


def normalize_email(value: object) -> str | None:
    """The email address in a cell, stripped and lower-cased; ``None`` when there is none.

    Accepts ``mailto:`` links and ``Name <address>``; plus-tags and dots are kept (they are
    the sender's business). Used to match rows and leads and to dedupe a push. Surrounding
    whitespace is stripped, but an address that still holds a control or format character
    (NUL, a zero-width space or joiner, a BOM, a bidi mark, a soft hyphen...) or a line or
    paragraph separator is no address: it would reach Instantly as a lead nobody can mail.

    >>> normalize_email("  Ada.Lovelace+crm@Example.COM ")
    'ada.lovelace+crm@example.com'
    >>> normalize_email("Ada <ada@example.com>"), normalize_email("not-an-address")
    ('ada@example.com', None)
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text[:7].casefold() == "mailto:":
        text = text[7:].strip()
    angle = _ANGLE_RE.fullmatch(text)
    if angle:
        text = angle.group(1).strip()
    if _has_invisible(text) or not _EMAIL_RE.fullmatch(text):
        return None
    return text.lower()


def _has_invisible(text: str) -> bool:
    # isprintable() is False for every such character (and for a few others): a fast path.
    return not text.isprintable() and any(
        unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in text
    )


def _email_domain(value: str) -> str | None:
    if value[:7].casefold() == "mailto:":
        value = value[7:]
    angle = _ANGLE_RE.fullmatch(value)
    if angle:
        value = angle.group(1).strip()
    match = _EMAIL_RE.fullmatch(value)
    return match.group(1).casefold() if match else None


def _is_freemail(domain: str) -> bool:
    if domain in _FREEMAIL_DOMAINS:
        return True
    brand, _, suffix = domain.partition(".")
    return brand in _FREEMAIL_BRANDS and suffix in _FREEMAIL_SUFFIXES


def _is_phone(value: str) -> bool:
    if not _PHONE_RE.fullmatch(value) or _DATE_RE.fullmatch(value):
        return False
    if _GROUPED_NUMBER_RE.fullmatch(value):
        return False
    main = _EXTENSION_RE.sub("", value)
    digits = sum(ch.isdigit() for ch in main)
    formatted = main.startswith(("+", "0")) or any(ch in main for ch in " -.()/")
    return 7 <= digits <= 15 and formatted


def _url_kind(value: str) -> Literal["url", "social"] | None:
    if "@" in value or " " in value:
        return None
    match = _URL_RE.fullmatch(value)
    if not match:
        return None
    host = match.group(2).casefold()
    if not (
        match.group(1) or value.casefold().startswith("www.") or match.group(3) in _COMMON_TLDS
    ):
        return None
    if any(host == d or host.endswith("." + d) for d in _SOCIAL_DOMAINS):
        return "social"
    return "url"


def _url_host(value: str) -> str | None:
    """The host of a web address (no ``www.``), lower-cased; None for anything else."""
    if _url_kind(value) != "url":
        return None
    match = _URL_RE.fullmatch(value)
    return match.group(2).casefold() if match else None


def _sniff(values: Iterable[object]) -> _Stats:
    counts = dict.fromkeys(attrs.fields_dict(_Stats), 0)
    for raw in values:
        value = _as_text(raw)
        if not value:
            continue
        counts["n"] += 1
        if not any(ch.isalpha() for ch in value):
            counts["no_letters"] += 1
        if sum(1 for w in value.split() if any(ch.isalpha() for ch in w)) >= 2:
            counts["multiword"] += 1
        if value.casefold().replace(".", "") in _SALUTATIONS:
            counts["salutation"] += 1
        if len(value) > _SNIFF_MAX_LENGTH:
            continue
        domain = _email_domain(value)
        if domain is not None:
            counts["email"] += 1
            counts["freemail"] += _is_freemail(domain)
            continue
        kind = _url_kind(value)
        if kind is not None:
            counts[kind] += 1
        elif _is_phone(value):
            counts["phone"] += 1
    return _Stats(**counts)
