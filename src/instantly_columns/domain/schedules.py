"""Campaign schedules: the days, daily window and time zone a campaign sends in, as the
``campaign_schedule`` JSON Instantly requires.

Pure: the time zone goes through
[`resolve_timezone`][instantly_columns.domain.timezones.resolve_timezone], and dates are passed
in, never read from a clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from types import MappingProxyType
from typing import Any, Final

import attrs
import pydantic

from instantly_columns.domain.problems import problems_from_validation
from instantly_columns.domain.timezones import (
    ACCEPTED_TIMEZONES,
    TIMEZONE_REFERENCE_DATE,
    TimezoneChoice,
    resolve_timezone,
)
from instantly_columns.errors import Problem, SequenceError

__all__ = ["Schedule", "build_schedule"]

_DAY_NAMES: Final = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_DAY_WORDS: Final[Mapping[str, tuple[int, ...]]] = MappingProxyType(
    {
        **{day.lower(): (i,) for i, day in enumerate(_DAY_NAMES)},
        **{day[:3].lower(): (i,) for i, day in enumerate(_DAY_NAMES)},
        **{str(i): (i,) for i in range(7)},
        "weekdays": (1, 2, 3, 4, 5),
        "weekend": (0, 6),
        "everyday": (0, 1, 2, 3, 4, 5, 6),
        "daily": (0, 1, 2, 3, 4, 5, 6),
    }
)
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_API_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


@attrs.frozen(repr=False)
class Schedule:
    """When a campaign sends: days, a daily window and a time zone Instantly accepts.

    ``days`` are Instantly's numbers, 0 = Sunday .. 6 = Saturday. ``note`` repeats the time
    zone substitution made by [`build_schedule`][instantly_columns.domain.schedules.build_schedule],
    if any (it is not compared).
    """

    name: str
    days: tuple[int, ...]
    start: str
    end: str
    timezone: str
    start_date: date | None = None
    end_date: date | None = None
    note: str = attrs.field(default="", eq=False)

    @property
    def day_names(self) -> tuple[str, ...]:
        """The days as English names, Sunday first."""
        return tuple(_DAY_NAMES[d] for d in self.days)

    def to_api(self) -> dict[str, Any]:
        """The ``campaign_schedule`` JSON of a campaign create or PATCH body."""
        return {
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "schedules": [
                {
                    "name": self.name,
                    "timing": {"from": self.start, "to": self.end},
                    "days": {str(d): True for d in self.days},
                    "timezone": self.timezone,
                }
            ],
        }

    @classmethod
    def from_api(cls, data: object) -> Schedule:
        """Read a campaign's ``campaign_schedule`` back (one schedule entry).

        Days set to false are left out, an empty date (``""``) reads as none, unknown keys
        are ignored. The time zone must be one Instantly accepts.

        Raises:
            SequenceError: with the path of each invalid field, or when the campaign has
                several schedule entries.
        """
        try:
            wire = _WireCampaignSchedule.model_validate(data)
        except pydantic.ValidationError as exc:
            raise SequenceError(problems_from_validation(exc, "campaign_schedule")) from None
        if len(wire.schedules) != 1:
            raise SequenceError(
                f"expected one schedule entry, found {len(wire.schedules)}",
                path="campaign_schedule.schedules",
            )
        entry = wire.schedules[0]
        base = "campaign_schedule.schedules[0]"
        problems: list[Problem] = []
        days: list[int] = []
        for key, on in entry.days.items():
            if key not in {str(i) for i in range(7)}:
                problems.append(Problem(f"{base}.days.{key}", "day keys are '0'..'6'"))
            elif on:
                days.append(int(key))
        if entry.timezone not in ACCEPTED_TIMEZONES:
            problems.append(
                Problem(f"{base}.timezone", f"{entry.timezone!r} is not a zone Instantly accepts")
            )
        for part, text in (("from", entry.timing.start), ("to", entry.timing.end)):
            if _API_TIME.fullmatch(text) is None:
                problems.append(Problem(f"{base}.timing.{part}", f"{text!r} is not HH:MM"))
        if problems:
            raise SequenceError(problems)
        return _make_schedule(
            name=entry.name,
            days=days,
            start=entry.timing.start,
            end=entry.timing.end,
            choice=TimezoneChoice(entry.timezone, entry.timezone, True),
            start_date=wire.start_date or None,
            end_date=wire.end_date or None,
            paths={
                "name": f"{base}.name",
                "days": f"{base}.days",
                "start": f"{base}.timing.from",
                "end": f"{base}.timing.to",
                "start_date": "campaign_schedule.start_date",
                "end_date": "campaign_schedule.end_date",
            },
        )

    def __repr__(self) -> str:
        days = ",".join(name[:3] for name in self.day_names)
        return f"Schedule({self.name!r}, {days} {self.start}-{self.end} {self.timezone})"


class _WireTiming(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore", defer_build=True)

    start: str = pydantic.Field(alias="from")
    end: str = pydantic.Field(alias="to")


class _WireScheduleEntry(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore", defer_build=True)

    name: str = ""
    timing: _WireTiming
    days: dict[str, bool]
    timezone: str


class _WireCampaignSchedule(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore", defer_build=True)

    start_date: str | None = None
    end_date: str | None = None
    schedules: list[_WireScheduleEntry]


def _parse_days(days: object, path: str) -> tuple[list[int], list[Problem]]:
    entries: list[tuple[str, object]]
    if isinstance(days, str | int):
        entries = [(path, days)]
    elif isinstance(days, Iterable):
        entries = [(f"{path}[{i}]", item) for i, item in enumerate(days)]
    else:
        return [], [Problem(path, f"expected day names or numbers, got {days!r}")]
    out: set[int] = set()
    problems: list[Problem] = []
    for where, item in entries:
        if isinstance(item, bool):
            problems.append(Problem(where, f"expected a day, got {item!r}"))
        elif isinstance(item, int):
            if 0 <= item <= 6:
                out.add(item)
            else:
                problems.append(Problem(where, f"day numbers are 0 (Sunday)..6, got {item}"))
        elif isinstance(item, str) and item.strip().lower() in _DAY_WORDS:
            out.update(_DAY_WORDS[item.strip().lower()])
        else:
            problems.append(
                Problem(
                    where,
                    f"unknown day {item!r}; use 0 (Sunday)..6, a day name such as 'monday' "
                    "or 'mon', 'weekdays', 'weekend' or 'everyday'",
                )
            )
    if not out and not problems:
        problems.append(Problem(path, "choose at least one day"))
    return sorted(out), problems


def _parse_time(value: object, path: str) -> tuple[str | None, list[Problem]]:
    if isinstance(value, time):
        if value.second or value.microsecond or value.tzinfo is not None:
            return None, [Problem(path, "use whole minutes and no time zone")]
        return f"{value.hour:02d}:{value.minute:02d}", []
    if isinstance(value, str) and (match := _TIME.fullmatch(value.strip())):
        return f"{int(match.group(1)):02d}:{match.group(2)}", []
    return None, [Problem(path, f"expected a 24-hour time HH:MM such as '09:00', got {value!r}")]


def _parse_date(value: object, path: str) -> tuple[date | None, list[Problem]]:
    if value is None or value == "":
        return None, []
    if isinstance(value, datetime):
        return None, [Problem(path, "expected a date, not a datetime")]
    if isinstance(value, date):
        return value, []
    if isinstance(value, str):
        try:
            return date.fromisoformat(value), []
        except ValueError:
            pass
    return None, [Problem(path, f"expected a date YYYY-MM-DD, got {value!r}")]


_BUILD_PATHS: Final[Mapping[str, str]] = MappingProxyType(
    {k: k for k in ("name", "days", "start", "end", "start_date", "end_date")}
)


def _make_schedule(
    *,
    name: object,
    days: object,
    start: object,
    end: object,
    choice: TimezoneChoice | None,
    start_date: object,
    end_date: object,
    paths: Mapping[str, str] = _BUILD_PATHS,
    problems: Sequence[Problem] = (),
) -> Schedule:
    found = list(problems)
    if not isinstance(name, str) or not name.strip():
        found.append(Problem(paths["name"], "a schedule needs a name"))
    day_list, day_problems = _parse_days(days, paths["days"])
    begin, begin_problems = _parse_time(start, paths["start"])
    finish, finish_problems = _parse_time(end, paths["end"])
    found.extend([*day_problems, *begin_problems, *finish_problems])
    if begin is not None and finish is not None and begin >= finish:
        found.append(Problem(paths["end"], f"the end {finish} is not after the start {begin}"))
    first, first_problems = _parse_date(start_date, paths["start_date"])
    last, last_problems = _parse_date(end_date, paths["end_date"])
    found.extend([*first_problems, *last_problems])
    if first is not None and last is not None and first > last:
        found.append(Problem(paths["end_date"], f"{last} is before the start date {first}"))
    if found or not isinstance(name, str) or begin is None or finish is None or choice is None:
        raise SequenceError(found)
    return Schedule(
        name=name,
        days=tuple(day_list),
        start=begin,
        end=finish,
        timezone=choice.accepted,
        start_date=first,
        end_date=last,
        note=choice.note,
    )


def build_schedule(
    *,
    timezone: str,
    name: str = "Default",
    days: Iterable[int | str] | str = "weekdays",
    start: str | time = "09:00",
    end: str | time = "17:00",
    start_date: date | str | None = None,
    end_date: date | str | None = None,
    allow_approximate: bool = False,
    reference: date = TIMEZONE_REFERENCE_DATE,
) -> Schedule:
    """A campaign schedule; ``.to_api()`` gives Instantly's ``campaign_schedule`` JSON.

    ``days`` takes Instantly's numbers (0 = Sunday .. 6 = Saturday), English day names or
    three-letter abbreviations in any case, and the words ``weekdays``, ``weekend`` and
    ``everyday``, alone or in a list. ``start`` and ``end`` are 24-hour ``HH:MM`` times
    (``9:00`` is read as ``09:00``) with ``start`` before ``end``. ``timezone`` goes through
    [`resolve_timezone`][instantly_columns.domain.timezones.resolve_timezone] with
    ``allow_approximate`` and ``reference``.

    Raises:
        SequenceError: listing every invalid argument, by name.
    """
    problems: list[Problem] = []
    choice: TimezoneChoice | None = None
    try:
        choice = resolve_timezone(
            timezone, reference=reference, allow_approximate=allow_approximate
        )
    except SequenceError as exc:
        problems.extend(exc.problems)
    return _make_schedule(
        name=name,
        days=days,
        start=start,
        end=end,
        choice=choice,
        start_date=start_date,
        end_date=end_date,
        problems=problems,
    )
