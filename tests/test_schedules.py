"""Campaign schedules: built from friendly arguments, and read back from the API's JSON."""

from __future__ import annotations

import json
import re
from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.domain.schedules import Schedule, build_schedule
from instantly_columns.domain.timezones import ACCEPTED_TIMEZONES
from instantly_columns.errors import SequenceError


def paths(exc: pytest.ExceptionInfo[SequenceError]) -> list[str]:
    return [p.path for p in exc.value.problems]


# --- schedules ---------------------------------------------------------------------------------


def test_build_schedule_to_api() -> None:
    schedule = build_schedule(
        name="Weekdays", days="weekdays", start="9:00", end=time(17, 30), timezone="America/Chicago"
    )
    assert schedule.to_api() == {
        "start_date": None,
        "end_date": None,
        "schedules": [
            {
                "name": "Weekdays",
                "timing": {"from": "09:00", "to": "17:30"},
                "days": {"1": True, "2": True, "3": True, "4": True, "5": True},
                "timezone": "America/Chicago",
            }
        ],
    }
    assert schedule.note == ""
    assert repr(schedule) == "Schedule('Weekdays', Mon,Tue,Wed,Thu,Fri 09:00-17:30 America/Chicago)"


def test_build_schedule_days_and_zone_mapping() -> None:
    schedule = build_schedule(
        days=["SUN", "saturday", 3, "3"],
        timezone="Europe/London",
        start_date="2026-03-02",
        end_date=date(2026, 4, 1),
    )
    assert schedule.days == (0, 3, 6)
    assert schedule.day_names == ("Sunday", "Wednesday", "Saturday")
    assert schedule.timezone == "Europe/Isle_of_Man"
    assert "Europe/London" in schedule.note
    api = schedule.to_api()
    assert api["start_date"] == "2026-03-02"
    assert api["end_date"] == "2026-04-01"
    assert build_schedule(days="everyday", timezone="UTC").days == tuple(range(7))
    assert build_schedule(days=["weekend"], timezone="UTC").days == (0, 6)


def test_build_schedule_reports_every_problem() -> None:
    with pytest.raises(SequenceError) as exc:
        build_schedule(
            name=" ",
            days=[7, "someday", False],
            start="9am",
            end="24:00",
            timezone="Mars/Olympus",
            start_date="2026-13-01",
            end_date="tomorrow",
        )
    assert paths(exc) == [
        "timezone",
        "name",
        "days[0]",
        "days[1]",
        "days[2]",
        "start",
        "end",
        "start_date",
        "end_date",
    ]
    with pytest.raises(SequenceError) as exc:
        build_schedule(start="17:00", end="09:00", days=[], timezone="Asia/Dubai")
    assert paths(exc) == ["days", "end"]
    with pytest.raises(SequenceError) as exc:
        build_schedule(start_date="2026-02-02", end_date="2026-02-01", timezone="Asia/Dubai")
    assert paths(exc) == ["end_date"]
    with pytest.raises(SequenceError):
        build_schedule(start=time(9, 0, 30), timezone="Asia/Dubai")


TIMES = st.integers(0, 23 * 60 + 58).flatmap(
    lambda a: st.tuples(st.just(a), st.integers(a + 1, 23 * 60 + 59))
)
DAY_INPUT = st.lists(
    st.integers(0, 6) | st.sampled_from(["mon", "Tuesday", "SAT", "sunday", "weekdays", "4"]),
    min_size=1,
    max_size=5,
)
DATES = st.none() | st.dates(date(2025, 1, 1), date(2030, 12, 31))


@given(DAY_INPUT, TIMES, st.sampled_from(ACCEPTED_TIMEZONES), DATES, st.text(min_size=1))
def test_schedule_round_trips(
    days: list[int | str],
    window: tuple[int, int],
    zone: str,
    first: date | None,
    name: str,
) -> None:
    if not name.strip():
        name = "n"
    start, end = (f"{m // 60:02d}:{m % 60:02d}" for m in window)
    schedule = build_schedule(
        name=name, days=days, start=start, end=end, timezone=zone, start_date=first
    )
    api = schedule.to_api()
    entry = api["schedules"][0]
    assert set(entry["days"]) <= {str(i) for i in range(7)}
    assert entry["days"]
    for value in entry["timing"].values():
        assert re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value)
    again = Schedule.from_api(json.loads(json.dumps(api)))
    assert again == schedule
    assert again.to_api() == api


def test_schedule_from_api_is_tolerant_but_checked() -> None:
    read = Schedule.from_api(
        {
            "start_date": "",
            "end_date": None,
            "schedules": [
                {
                    "name": "Live",
                    "timing": {"from": "08:00", "to": "12:00"},
                    "days": {"0": False, "1": True, "6": True},
                    "timezone": "Asia/Kolkata",
                    "id": "extra",
                }
            ],
        }
    )
    assert (read.days, read.start_date, read.timezone) == ((1, 6), None, "Asia/Kolkata")
    with pytest.raises(SequenceError) as exc:
        Schedule.from_api(
            {
                "schedules": [
                    {
                        "name": "x",
                        "timing": {"from": "9:00", "to": "08:00"},
                        "days": {"1": True, "7": True},
                        "timezone": "America/New_York",
                    }
                ]
            }
        )
    assert paths(exc) == [
        "campaign_schedule.schedules[0].days.7",
        "campaign_schedule.schedules[0].timezone",
        "campaign_schedule.schedules[0].timing.from",
    ]
    with pytest.raises(SequenceError) as exc:
        Schedule.from_api({"schedules": []})
    assert paths(exc) == ["campaign_schedule.schedules"]
    with pytest.raises(SequenceError) as exc:
        Schedule.from_api({"schedules": [{"timing": {"from": "09:00"}, "days": {}}]})
    assert paths(exc) == [
        "campaign_schedule.schedules[0].timing.to",
        "campaign_schedule.schedules[0].timezone",
    ]
