"""Time zones: the closed list of zones Instantly accepts in a campaign schedule, and
[`resolve_timezone`][instantly_columns.domain.timezones.resolve_timezone], which maps another
IANA zone onto an accepted one only when the two have the same UTC offsets.

The list is kept once in the library, here. The fake server
(``instantly_columns.testing``) keeps its own copy on purpose, so that it does not depend on
the library it is used to test; a test pins the two equal.

Pure: zone rules are read through ``zoneinfo``, and there is no clock (the reference date is
passed in).
"""

from __future__ import annotations

import difflib
import functools
import itertools
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from datetime import timezone as _timezone
from types import MappingProxyType
from typing import Final, TypeAlias

import attrs

from instantly_columns.errors import SequenceError

__all__ = [
    "ACCEPTED_TIMEZONES",
    "COMMON_TIMEZONES",
    "TIMEZONE_REFERENCE_DATE",
    "TIMEZONE_SPAN_DAYS",
    "TimezoneChoice",
    "resolve_timezone",
    "timezone_mappings",
]

#: The time zones Instantly accepts in a schedule (a closed list of 102, in its order).
ACCEPTED_TIMEZONES: Final[tuple[str, ...]] = (
    "Etc/GMT+12",
    "Etc/GMT+11",
    "Etc/GMT+10",
    "America/Anchorage",
    "America/Dawson",
    "America/Creston",
    "America/Chihuahua",
    "America/Boise",
    "America/Belize",
    "America/Chicago",
    "America/Bahia_Banderas",
    "America/Regina",
    "America/Bogota",
    "America/Detroit",
    "America/Indiana/Marengo",
    "America/Caracas",
    "America/Asuncion",
    "America/Glace_Bay",
    "America/Campo_Grande",
    "America/Anguilla",
    "America/Santiago",
    "America/St_Johns",
    "America/Sao_Paulo",
    "America/Argentina/La_Rioja",
    "America/Araguaina",
    "America/Godthab",
    "America/Montevideo",
    "America/Bahia",
    "America/Noronha",
    "America/Scoresbysund",
    "Atlantic/Cape_Verde",
    "Africa/Casablanca",
    "America/Danmarkshavn",
    "Europe/Isle_of_Man",
    "Atlantic/Canary",
    "Africa/Abidjan",
    "Arctic/Longyearbyen",
    "Europe/Belgrade",
    "Africa/Ceuta",
    "Europe/Sarajevo",
    "Africa/Algiers",
    "Africa/Windhoek",
    "Asia/Nicosia",
    "Asia/Beirut",
    "Africa/Cairo",
    "Asia/Damascus",
    "Europe/Bucharest",
    "Africa/Blantyre",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Asia/Jerusalem",
    "Africa/Tripoli",
    "Asia/Amman",
    "Asia/Baghdad",
    "Europe/Kaliningrad",
    "Asia/Aden",
    "Africa/Addis_Ababa",
    "Europe/Kirov",
    "Europe/Astrakhan",
    "Asia/Tehran",
    "Asia/Dubai",
    "Asia/Baku",
    "Indian/Mahe",
    "Asia/Tbilisi",
    "Asia/Yerevan",
    "Asia/Kabul",
    "Antarctica/Mawson",
    "Asia/Yekaterinburg",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Colombo",
    "Asia/Kathmandu",
    "Antarctica/Vostok",
    "Asia/Dhaka",
    "Asia/Rangoon",
    "Antarctica/Davis",
    "Asia/Novokuznetsk",
    "Asia/Hong_Kong",
    "Asia/Krasnoyarsk",
    "Asia/Brunei",
    "Australia/Perth",
    "Asia/Taipei",
    "Asia/Choibalsan",
    "Asia/Irkutsk",
    "Asia/Dili",
    "Asia/Pyongyang",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Brisbane",
    "Australia/Melbourne",
    "Antarctica/DumontDUrville",
    "Australia/Currie",
    "Asia/Chita",
    "Antarctica/Macquarie",
    "Asia/Sakhalin",
    "Pacific/Auckland",
    "Etc/GMT-12",
    "Pacific/Fiji",
    "Asia/Anadyr",
    "Asia/Kamchatka",
    "Etc/GMT-13",
    "Pacific/Apia",
)
_ACCEPTED_INDEX: Final[Mapping[str, int]] = MappingProxyType(
    {name: i for i, name in enumerate(ACCEPTED_TIMEZONES)}
)

#: Widely used IANA zones that Instantly does not accept, as mapped in the docs' table.
COMMON_TIMEZONES: Final[tuple[str, ...]] = (
    "UTC",
    "America/New_York",
    "America/Toronto",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Vancouver",
    "America/Mexico_City",
    "America/Argentina/Buenos_Aires",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Moscow",
    "Africa/Johannesburg",
    "Africa/Lagos",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
)

#: The first day of the window over which zones are compared, unless one is passed in.
TIMEZONE_REFERENCE_DATE: Final = date(2026, 1, 1)
#: How many days from the reference date zones are compared over (four years).
TIMEZONE_SPAN_DAYS: Final = 1461
_SAMPLE_SECONDS: Final = 6 * 3600

# An offset profile: ((seconds since the window start, UTC offset in seconds), ...), one
# entry per constant stretch, the first at 0. Equal profiles mean the same offsets throughout.
_Profile: TypeAlias = tuple[tuple[int, int], ...]


@attrs.frozen
class TimezoneChoice:
    """The zone sent to Instantly for a requested one.

    ``exact`` is true when ``accepted`` has the same UTC offsets as ``requested`` over the
    compared window (always, when the requested zone is accepted itself); ``note`` explains
    any substitution, and says how far an approximate choice is off.
    """

    requested: str
    accepted: str
    exact: bool
    note: str = ""


def _load_zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _window_start(reference: date) -> datetime:
    return datetime(reference.year, reference.month, reference.day, tzinfo=_timezone.utc)


@functools.lru_cache(maxsize=8)
def _sample_instants(reference: date) -> tuple[datetime, ...]:
    start = _window_start(reference)
    step = timedelta(seconds=_SAMPLE_SECONDS)
    return tuple(start + i * step for i in range(TIMEZONE_SPAN_DAYS * 86400 // _SAMPLE_SECONDS + 1))


@functools.lru_cache(maxsize=1024)
def _profile(name: str, reference: date) -> _Profile | None:
    zone = _load_zone(name)
    if zone is None:
        return None
    start = _window_start(reference)

    def offset(second: int) -> timedelta | None:
        return (start + timedelta(seconds=second)).astimezone(zone).utcoffset()

    def seconds(delta: timedelta | None) -> int:
        return int(delta.total_seconds()) if delta is not None else 0

    offsets = [instant.astimezone(zone).utcoffset() for instant in _sample_instants(reference)]
    current = offsets[0]
    changes: list[tuple[int, int]] = [(0, seconds(current))]
    for i in range(1, len(offsets)):
        # Between two samples, find each change to the second (there may be several).
        position = (i - 1) * _SAMPLE_SECONDS
        while offsets[i] != current:
            low, high = position, i * _SAMPLE_SECONDS
            while high - low > 1:
                middle = (low + high) // 2
                if offset(middle) == current:
                    low = middle
                else:
                    high = middle
            current = offset(high)
            changes.append((high, seconds(current)))
            position = high
    return tuple(changes)


@functools.lru_cache(maxsize=1024)
def _coarse_offsets(name: str, reference: date) -> tuple[timedelta | None, ...]:
    """Offsets every 15 days: a cheap filter, as zones with equal profiles agree on these."""
    zone = zoneinfo.ZoneInfo(name)
    return tuple(i.astimezone(zone).utcoffset() for i in _sample_instants(reference)[::60])


def _accepted_profiles(
    reference: date, like: str | None = None
) -> tuple[tuple[str, _Profile], ...]:
    """The profiles of the accepted zones; with ``like``, only of those that may equal it."""
    out = []
    for name in ACCEPTED_TIMEZONES:
        if _load_zone(name) is None:
            continue
        if like is not None and _coarse_offsets(name, reference) != _coarse_offsets(
            like, reference
        ):
            continue
        profile = _profile(name, reference)
        if profile is not None:
            out.append((name, profile))
    return tuple(out)


def _difference(a: _Profile, b: _Profile) -> tuple[int, int]:
    """(seconds during which the offsets differ, largest difference in seconds)."""
    span = TIMEZONE_SPAN_DAYS * 86400
    cuts = sorted({t for t, _ in a} | {t for t, _ in b} | {span})
    differing = largest = 0
    i = j = 0
    for left, right in itertools.pairwise(cuts):
        while i + 1 < len(a) and a[i + 1][0] <= left:
            i += 1
        while j + 1 < len(b) and b[j + 1][0] <= left:
            j += 1
        gap = abs(a[i][1] - b[j][1])
        if gap:
            differing += right - left
            largest = max(largest, gap)
    return differing, largest


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:g} h"


@functools.lru_cache(maxsize=1)
def _known_zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() | set(ACCEPTED_TIMEZONES)))


def _unknown_zone(name: str) -> SequenceError:
    candidates = _known_zone_names()
    folded = [c for c in candidates if c.lower() == name.strip().lower()]
    close = folded or difflib.get_close_matches(name, candidates, n=5, cutoff=0.6)
    hint = f"; close matches: {', '.join(close)}" if close else ""
    return SequenceError(f"unknown time zone {name!r}{hint}", path="timezone")


def _shared_parts(a: str, b: str) -> int:
    """How many leading path parts two zone names share (``Europe/...`` -> 1)."""
    count = 0
    for left, right in zip(a.split("/")[:-1], b.split("/")[:-1], strict=False):
        if left != right:
            break
        count += 1
    return count


def resolve_timezone(
    name: str,
    *,
    reference: date = TIMEZONE_REFERENCE_DATE,
    allow_approximate: bool = False,
) -> TimezoneChoice:
    """The zone to send Instantly for an IANA zone name.

    An accepted zone is returned as is. Another IANA zone is replaced by an accepted zone
    with the same UTC offsets at every instant of the window that starts at ``reference``
    (midnight UTC) and lasts ``TIMEZONE_SPAN_DAYS``: offsets are sampled every 6 hours and
    each change located to the second. Among several such zones the one sharing the most of
    the requested name's path (``Europe/``, ``America/Argentina/``) is preferred, then the
    first in Instantly's list.

    When no accepted zone has the same offsets (US Pacific time, for one), sends would shift
    by an hour for part of the year, so this raises, naming the closest zones; with
    ``allow_approximate=True`` it returns the closest one, ``exact=False`` and a ``note``
    saying how far off it is. Pass ``reference`` from your clock (``clock.now().date()``) to
    compare over the coming years; the default is a fixed date, so results are reproducible.

    Raises:
        SequenceError: for an unknown name (listing close matches), or when only an
            approximate zone exists and ``allow_approximate`` is false.
    """
    if not isinstance(name, str) or not name.strip():
        raise SequenceError(f"a time zone name is required, got {name!r}", path="timezone")
    if name in _ACCEPTED_INDEX:
        return TimezoneChoice(name, name, True)
    wanted = _profile(name, reference)
    if wanted is None:
        raise _unknown_zone(name)
    window = f"from {reference.isoformat()} over {TIMEZONE_SPAN_DAYS} days"

    candidates = _accepted_profiles(reference, like=name)
    exact = [zone for zone, profile in candidates if profile == wanted]
    if exact:
        best = min(exact, key=lambda z: (-_shared_parts(z, name), _ACCEPTED_INDEX[z]))
        note = f"Instantly does not accept {name}; {best} has the same UTC offsets ({window})."
        return TimezoneChoice(name, best, True, note)

    span = TIMEZONE_SPAN_DAYS * 86400
    ranked = sorted(
        ((zone, *_difference(wanted, profile)) for zone, profile in _accepted_profiles(reference)),
        key=lambda item: (item[1], item[2], _ACCEPTED_INDEX[item[0]]),
    )
    described = [
        f"{zone} (off by up to {_hours(largest)} for {round(100 * differing / span)}% of the time)"
        for zone, differing, largest in ranked[:3]
    ]
    best = ranked[0][0]
    if not allow_approximate:
        raise SequenceError(
            f"no time zone that Instantly accepts has the same UTC offsets as {name} "
            f"({window}), so sends would shift; closest: {'; '.join(described)}. Choose one "
            f"of them, or pass allow_approximate=True to use {best}",
            path="timezone",
        )
    note = (
        f"Instantly accepts no zone with the same UTC offsets as {name}; using "
        f"{described[0]}, so sends shift in those periods."
    )
    return TimezoneChoice(name, best, False, note)


def timezone_mappings(
    names: Iterable[str] = COMMON_TIMEZONES, *, reference: date = TIMEZONE_REFERENCE_DATE
) -> list[TimezoneChoice]:
    """How each zone of ``names`` is resolved (approximate choices allowed and marked).

    Raises:
        SequenceError: for an unknown name.
    """
    return [resolve_timezone(n, reference=reference, allow_approximate=True) for n in names]
