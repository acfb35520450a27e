"""Engagement projection: an Instantly lead object -> the five engagement cells.

A sync reads leads from the API (`POST /leads/list`) and writes five cells per matched row:

| Subtype | Cell | Read from |
|---|---|---|
| `engagement_status` | interest label, e.g. `"Interested"`, `"Lead"` | `lt_interest_status` |
| `email_status` | delivery label, e.g. `"Opened"`, `"Bounced"` | `status`, counts, last contact |
| `last_contacted` | UTC ISO-8601 with milliseconds, or `None` | `timestamp_last_contact` |
| `reply_count` | integer >= 0 | `email_reply_count` |
| `open_count` | integer >= 0 | `email_open_count` |

Every function here is **total**: any JSON object gives five cells. Missing fields, nulls,
numbers sent as strings and codes the API adds later never raise; an unknown code is shown as
`"Unknown (7)"` so that it stays visible instead of being mislabelled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, Literal, TypeAlias

import attrs

from instantly_columns.errors import ApiResponseError, ConfigError

__all__ = [
    "EMAIL_BOUNCED",
    "EMAIL_CLICKED",
    "EMAIL_NOT_SENT",
    "EMAIL_OPENED",
    "EMAIL_REPLIED",
    "EMAIL_SENT",
    "EMAIL_SKIPPED",
    "EMAIL_STATUS_LABELS",
    "EMAIL_STATUS_LADDER",
    "EMAIL_STATUS_TERMINAL",
    "EMAIL_UNSUBSCRIBED",
    "ENGAGEMENT_FIELD_BY_SUBTYPE",
    "ENGAGEMENT_STATUS_LABELS",
    "INTEREST_LABELS",
    "LEAD_LABEL",
    "LEAD_STATUS_LABELS",
    "POSITIVE_INTEREST_LABELS",
    "UNKNOWN_LABEL",
    "EngagementCells",
    "EngagementSubtype",
    "EngagementValue",
    "email_status_rank",
    "interest_label",
    "lead_status_label",
    "normalize_timestamp",
    "project",
    "project_all",
    "unknown_label",
]

EngagementSubtype = Literal[
    "engagement_status", "email_status", "last_contacted", "reply_count", "open_count"
]

#: The lead field of the API each engagement subtype reads (the column's ``engagement_field``).
ENGAGEMENT_FIELD_BY_SUBTYPE: dict[EngagementSubtype, str] = {
    "engagement_status": "lt_interest_status",
    "email_status": "status",
    "last_contacted": "timestamp_last_contact",
    "reply_count": "email_reply_count",
    "open_count": "email_open_count",
}

EngagementValue: TypeAlias = str | int | None
"""What one engagement cell holds: a label, a count, an ISO timestamp, or `None`."""

_SUBTYPES: Final[tuple[EngagementSubtype, ...]] = tuple(ENGAGEMENT_FIELD_BY_SUBTYPE)

# --- labels ----------------------------------------------------------------------------------

#: Label of a lead whose interest status is null or absent (Instantly's default).
LEAD_LABEL: Final = "Lead"
#: Label of a value that is not a number at all (a code that is a number gets `unknown_label`).
UNKNOWN_LABEL: Final = "Unknown"

#: `lt_interest_status` code -> label, as the API documents them.
INTEREST_LABELS: Mapping[int, str] = MappingProxyType(
    {
        1: "Interested",
        2: "Meeting Booked",
        3: "Meeting Completed",
        4: "Won",
        0: "Out of Office",
        -1: "Not Interested",
        -2: "Wrong Person",
        -3: "Lost",
        -4: "No Show",
    }
)

#: Every label `engagement_status` can show besides `"Unknown (n)"` and `"Unknown"`.
ENGAGEMENT_STATUS_LABELS: tuple[str, ...] = (LEAD_LABEL, *INTEREST_LABELS.values())

#: Interest labels that count as a positive outcome ("interested" in the summary row).
POSITIVE_INTEREST_LABELS: frozenset[str] = frozenset(
    {"Interested", "Meeting Booked", "Meeting Completed", "Won"}
)

#: Lead `status` code -> label, as the API documents them.
LEAD_STATUS_LABELS: Mapping[int, str] = MappingProxyType(
    {1: "Active", 2: "Paused", 3: "Completed", -1: "Bounced", -2: "Unsubscribed", -3: "Skipped"}
)

EMAIL_NOT_SENT: Final = "Not sent"
EMAIL_SENT: Final = "Sent"
EMAIL_OPENED: Final = "Opened"
EMAIL_CLICKED: Final = "Clicked"
EMAIL_REPLIED: Final = "Replied"
EMAIL_BOUNCED: Final = "Bounced"
EMAIL_UNSUBSCRIBED: Final = "Unsubscribed"
EMAIL_SKIPPED: Final = "Skipped"

#: The progress ladder of `email_status`, lowest first: a lead shows the highest rung reached.
EMAIL_STATUS_LADDER: tuple[str, ...] = (
    EMAIL_NOT_SENT,
    EMAIL_SENT,
    EMAIL_OPENED,
    EMAIL_CLICKED,
    EMAIL_REPLIED,
)
#: Terminal outcomes, in order of precedence: each beats the whole ladder.
EMAIL_STATUS_TERMINAL: tuple[str, ...] = (EMAIL_BOUNCED, EMAIL_UNSUBSCRIBED, EMAIL_SKIPPED)
#: Every label `email_status` can show: the ladder, then the terminal outcomes.
EMAIL_STATUS_LABELS: tuple[str, ...] = EMAIL_STATUS_LADDER + EMAIL_STATUS_TERMINAL

_TERMINAL_BY_LEAD_STATUS: Mapping[int, str] = MappingProxyType(
    {-1: EMAIL_BOUNCED, -2: EMAIL_UNSUBSCRIBED, -3: EMAIL_SKIPPED}
)
_RANK: Mapping[str, int] = MappingProxyType(
    {
        **{label: i for i, label in enumerate(EMAIL_STATUS_LADDER)},
        **dict.fromkeys(EMAIL_STATUS_TERMINAL, len(EMAIL_STATUS_LADDER)),
    }
)


def unknown_label(code: int) -> str:
    """The label shown for a code no table knows: `unknown_label(7) == "Unknown (7)"`."""
    return f"Unknown ({code})"


def interest_label(code: object) -> str:
    """Label of an `lt_interest_status` value.

    `None` is `"Lead"`; a documented code gets its label (`1` -> `"Interested"`, `-4` ->
    `"No Show"`); another integer (custom labels use their own numbers) gets
    `"Unknown (n)"`; a value that is not an integer at all gets `"Unknown"`. Integral floats
    and numeric strings are read as integers (`"2"` -> `"Meeting Booked"`).
    """
    if code is None:
        return LEAD_LABEL
    number = _int_like(code)
    if number is None:
        return UNKNOWN_LABEL
    return INTEREST_LABELS.get(number) or unknown_label(number)


def lead_status_label(code: object) -> str:
    """Label of a lead's `status` code: `1` Active, `2` Paused, `3` Completed, `-1` Bounced,
    `-2` Unsubscribed, `-3` Skipped; another integer -> `"Unknown (n)"` (`0` has been seen on
    leads outside campaigns), anything else -> `"Unknown"`."""
    number = _int_like(code)
    if number is None:
        return UNKNOWN_LABEL
    return LEAD_STATUS_LABELS.get(number) or unknown_label(number)


def email_status_rank(label: str) -> int:
    """Position of an `email_status` label for "only move forward" updates.

    Ladder labels rank `0` (`"Not sent"`) to `4` (`"Replied"`); the terminal outcomes all rank
    `5`; a label this module never produces ranks `-1`, so anything replaces it.
    """
    return _RANK.get(label, -1)


# --- values ----------------------------------------------------------------------------------

_INT_TEXT = re.compile(r"\s*([+-]?\d{1,18})(?:\.0*)?\s*", re.ASCII)


def _int_like(value: object) -> int | None:
    """An integer read leniently from JSON: ints, integral floats and decimals, and strings of
    up to 18 digits. Booleans and everything else are `None`."""
    if type(value) is int:  # the usual case, first
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else None
    if isinstance(value, str):
        match = _INT_TEXT.fullmatch(value)
        return int(match.group(1)) if match else None
    return None


def _count(value: object) -> int:
    """A count: `_int_like`, with missing, garbage and negative values read as 0."""
    number = _int_like(value)
    return number if number is not None and number > 0 else 0


_TIMESTAMP = re.compile(
    r"""\s*
    (?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})
    (?:[Tt\ ]
       (?P<h>\d{2}):(?P<mi>\d{2})
       (?::(?P<s>\d{2})(?:[.,](?P<frac>\d+))?)?
       \s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?
    )?
    \s*""",
    re.VERBOSE | re.ASCII,
)


_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", re.ASCII)
"""The canonical form `normalize_timestamp` returns."""


def _format_utc(moment: datetime) -> str:
    ms = moment.microsecond // 1000
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{ms:03d}Z"
    )


def normalize_timestamp(value: object) -> str | None:
    """A timestamp as canonical UTC ISO-8601 with milliseconds, e.g.
    `"2026-03-02T14:05:11.120Z"`, or `None`.

    Accepts what Instantly sends (`...11.120Z`) and near variants: `+hh:mm`, `+hhmm` and `+hh`
    offsets (converted to UTC), no seconds, no fraction, any number of fraction digits
    (truncated to milliseconds), a space instead of `T`, a date alone (midnight). Text without
    an offset, and a naive `datetime`, are taken as UTC. Aware `datetime` objects (what a
    database driver returns) are accepted too.

    Anything else (garbage, out-of-range dates, non-strings) is `None`, never an exception, so a
    sync writes an empty cell instead of failing. The canonical form has a fixed width, so
    comparing two results as strings compares the instants, and normalizing is idempotent.
    """
    if type(value) is str and len(value) == 24 and _CANONICAL.fullmatch(value):
        # Already canonical (what Instantly sends): only the date and time need checking.
        try:
            datetime(
                int(value[0:4]),
                int(value[5:7]),
                int(value[8:10]),
                int(value[11:13]),
                int(value[14:16]),
                int(value[17:19]),
            )
        except ValueError:
            return None
        return value
    return _normalize_any(value)


def _normalize_any(value: object) -> str | None:
    """`normalize_timestamp` for every input, parsed and formatted."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        parsed = _parse_timestamp(value)
        if parsed is None:
            return None
        moment = parsed
    else:
        return None
    try:
        if moment.tzinfo is None or moment.utcoffset() is None:
            moment = moment.replace(tzinfo=timezone.utc)
        moment = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    return _format_utc(moment)


def _parse_timestamp(text: str) -> datetime | None:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    tz = parts["tz"]
    offset = timezone.utc
    if tz is not None and tz not in ("Z", "z"):
        digits = tz[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            return None
        delta = timedelta(hours=hours, minutes=minutes)
        offset = timezone(-delta if tz[0] == "-" else delta)
    micro = int((parts["frac"] or "")[:3].ljust(3, "0")) * 1000
    try:
        return datetime(
            int(parts["y"]),
            int(parts["mo"]),
            int(parts["d"]),
            int(parts["h"] or 0),
            int(parts["mi"] or 0),
            int(parts["s"] or 0),
            micro,
            tzinfo=offset,
        )
    except ValueError:
        return None


# --- projection ------------------------------------------------------------------------------


@attrs.frozen
class EngagementCells:
    """The five engagement cells of one lead, as `project_all` computes them."""

    engagement_status: str
    email_status: str
    last_contacted: str | None
    reply_count: int
    open_count: int

    def as_dict(self) -> dict[EngagementSubtype, EngagementValue]:
        """The cells keyed by subtype, in the order columns are shown."""
        return {
            "engagement_status": self.engagement_status,
            "email_status": self.email_status,
            "last_contacted": self.last_contacted,
            "reply_count": self.reply_count,
            "open_count": self.open_count,
        }


def _email_status(lead: Mapping[str, Any], last_contacted: str | None) -> str:
    status = _int_like(lead.get("status"))
    if status is not None and status in _TERMINAL_BY_LEAD_STATUS:
        return _TERMINAL_BY_LEAD_STATUS[status]
    if _count(lead.get("email_reply_count")) > 0:
        return EMAIL_REPLIED
    if _count(lead.get("email_click_count")) > 0:
        return EMAIL_CLICKED
    if _count(lead.get("email_open_count")) > 0:
        return EMAIL_OPENED
    if last_contacted is not None:
        return EMAIL_SENT
    return EMAIL_NOT_SENT


def _checked(lead: object) -> Mapping[str, Any]:
    if type(lead) is dict:  # what JSON decodes to: no ABC check
        return lead
    if not isinstance(lead, Mapping):
        raise ApiResponseError(f"a lead must be a JSON object, got {type(lead).__name__}")
    return lead


def project(lead: Mapping[str, Any], subtype: EngagementSubtype) -> EngagementValue:
    """One engagement cell of a lead object (the JSON dict exactly as the API returns it).

    - `engagement_status`: `interest_label(lead["lt_interest_status"])`.
    - `email_status`: a terminal outcome from `status` if there is one (`-1` Bounced,
      `-2` Unsubscribed, `-3` Skipped, in that precedence since a lead has one status);
      otherwise the highest rung of the ladder with evidence: Replied (`email_reply_count` >
      0), Clicked (`email_click_count` > 0), Opened (`email_open_count` > 0), Sent
      (`timestamp_last_contact` is a readable timestamp), else Not sent. Any other `status`
      (`1` Active, `2` Paused, `3` Completed, `0`, codes added later, null, garbage) says
      nothing about delivery, so the ladder decides.
    - `last_contacted`: `normalize_timestamp(lead["timestamp_last_contact"])`; `None` when
      absent or unreadable, so a sync clears a stale value.
    - `reply_count` / `open_count`: `email_reply_count` / `email_open_count` as integers;
      missing, null, negative or non-integral values are `0`.

    Raises `ApiResponseError` if `lead` is not a mapping, `ConfigError` for an unknown subtype;
    never on the lead's contents.
    """
    lead = _checked(lead)
    if subtype == "engagement_status":
        return interest_label(lead.get("lt_interest_status"))
    if subtype == "email_status":
        return _email_status(lead, normalize_timestamp(lead.get("timestamp_last_contact")))
    if subtype == "last_contacted":
        return normalize_timestamp(lead.get("timestamp_last_contact"))
    if subtype == "reply_count":
        return _count(lead.get("email_reply_count"))
    if subtype == "open_count":
        return _count(lead.get("email_open_count"))
    raise ConfigError(
        f"unknown engagement subtype {subtype!r}; expected one of {', '.join(_SUBTYPES)}",
        path="subtype",
    )


def project_all(lead: Mapping[str, Any]) -> EngagementCells:
    """All five engagement cells of a lead object; see `project` for each rule.

    Never raises on the lead's contents; raises `ApiResponseError` if `lead` is not a mapping.
    """
    lead = _checked(lead)
    last_contacted = normalize_timestamp(lead.get("timestamp_last_contact"))  # parsed once
    return EngagementCells(
        engagement_status=interest_label(lead.get("lt_interest_status")),
        email_status=_email_status(lead, last_contacted),
        last_contacted=last_contacted,
        reply_count=_count(lead.get("email_reply_count")),
        open_count=_count(lead.get("email_open_count")),
    )
