"""Time zones: the list Instantly accepts, kept once in the library (and pinned equal to the
fake's own copy), and the mapping of other IANA zones onto it."""

from __future__ import annotations

import subprocess
import sys
import zoneinfo
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instantly_columns.domain.timezones import (
    ACCEPTED_TIMEZONES,
    COMMON_TIMEZONES,
    TIMEZONE_REFERENCE_DATE,
    TIMEZONE_SPAN_DAYS,
    TimezoneChoice,
    resolve_timezone,
    timezone_mappings,
)
from instantly_columns.errors import SequenceError
from instantly_columns.testing._fake_schema import TIMEZONES as FAKE_TIMEZONES

DOC = Path(__file__).resolve().parent.parent / "docs" / "sequences.md"


def paths(exc: pytest.ExceptionInfo[SequenceError]) -> list[str]:
    return [p.path for p in exc.value.problems]


# --- the accepted list ----------------------------------------------------------------------------


def test_the_accepted_list() -> None:
    assert len(ACCEPTED_TIMEZONES) == len(set(ACCEPTED_TIMEZONES)) == 102
    for name in ("America/New_York", "America/Los_Angeles", "Europe/London", "UTC"):
        assert name not in ACCEPTED_TIMEZONES
    for name in ACCEPTED_TIMEZONES:
        zoneinfo.ZoneInfo(name)  # every accepted zone is known to tzdata


def test_the_fake_keeps_an_exact_copy_of_the_list() -> None:
    # The fake server spells its own copy so that it does not import the library it tests;
    # it must still accept exactly the zones the library sends, in the same order.
    assert FAKE_TIMEZONES == ACCEPTED_TIMEZONES


def test_every_accepted_zone_resolves_to_itself() -> None:
    for name in ACCEPTED_TIMEZONES:
        assert resolve_timezone(name) == TimezoneChoice(name, name, True, "")


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("America/New_York", "America/Detroit"),
        ("America/Denver", "America/Boise"),
        ("Europe/London", "Europe/Isle_of_Man"),
        ("Europe/Berlin", "Europe/Belgrade"),
        ("Europe/Paris", "Europe/Belgrade"),
        ("Asia/Tokyo", "Asia/Dili"),
        ("Asia/Singapore", "Asia/Hong_Kong"),
        ("Australia/Sydney", "Australia/Melbourne"),
        ("UTC", "America/Danmarkshavn"),
        ("Asia/Calcutta", "Asia/Kolkata"),
    ],
)
def test_common_zones_map_exactly(name: str, accepted: str) -> None:
    choice = resolve_timezone(name)
    assert (choice.requested, choice.accepted, choice.exact) == (name, accepted, True)
    assert name in choice.note
    assert accepted in choice.note


def test_us_pacific_is_never_shifted_silently() -> None:
    with pytest.raises(SequenceError) as exc:
        resolve_timezone("America/Los_Angeles")
    message = str(exc.value)
    assert paths(exc) == ["timezone"]
    assert "America/Dawson" in message
    assert "allow_approximate=True" in message
    choice = resolve_timezone("America/Los_Angeles", allow_approximate=True)
    assert not choice.exact
    assert choice.accepted in ("America/Dawson", "America/Creston")
    assert "1 h" in choice.note
    assert "%" in choice.note


def test_unknown_zones_list_close_matches() -> None:
    with pytest.raises(SequenceError) as exc:
        resolve_timezone("Europe/Lodnon")
    assert "Europe/London" in str(exc.value)
    with pytest.raises(SequenceError) as exc:
        resolve_timezone("europe/berlin")
    assert "Europe/Berlin" in str(exc.value)
    for bad in ("", "  ", "../../etc/passwd", None):
        with pytest.raises(SequenceError) as exc:
            resolve_timezone(bad)  # type: ignore[arg-type]
        assert paths(exc) == ["timezone"]


OTHER_ZONES = sorted(zoneinfo.available_timezones() - set(ACCEPTED_TIMEZONES))
SPAN = TIMEZONE_SPAN_DAYS * 86400


def offset_at(name: str, instant: datetime) -> timedelta | None:
    return instant.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()


@settings(max_examples=40)
@given(st.sampled_from(OTHER_ZONES), st.lists(st.integers(0, SPAN), min_size=1, max_size=30))
def test_a_mapped_zone_has_the_same_offsets(name: str, seconds: list[int]) -> None:
    start = datetime.combine(TIMEZONE_REFERENCE_DATE, time(0), tzinfo=timezone.utc)
    choice = resolve_timezone(name, allow_approximate=True)
    assert choice.accepted in ACCEPTED_TIMEZONES
    if not choice.exact:
        with pytest.raises(SequenceError, match="closest"):
            resolve_timezone(name)
        return
    assert resolve_timezone(name) == choice
    for second in seconds:
        instant = start + timedelta(seconds=second)
        assert offset_at(name, instant) == offset_at(choice.accepted, instant)


@settings(max_examples=4)
@given(st.dates(date(2024, 1, 1), date(2032, 1, 1)))
def test_the_reference_date_is_passed_in(reference: date) -> None:
    assert resolve_timezone("America/New_York", reference=reference).accepted == "America/Detroit"
    assert str(reference) in resolve_timezone("Europe/Berlin", reference=reference).note


def test_nothing_is_computed_at_import() -> None:
    code = (
        "import instantly_columns.domain.sequences\n"
        "import instantly_columns.domain.timezones as s\n"
        "print(s._profile.cache_info().currsize, s._sample_instants.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0"]


# --- the docs' table ---------------------------------------------------------------------------


def table_rows() -> list[str]:
    return [
        f"| `{c.requested}` | `{c.accepted}` | {'yes' if c.exact else '**no**, closest'} |"
        for c in timezone_mappings()
    ]


def test_the_docs_table_matches_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- timezone-table:start -->")[1].split("<!-- timezone-table:end -->")[0]
    lines = [line for line in block.strip().splitlines() if line.startswith("| `")]
    assert lines == table_rows()
    assert len(lines) == len(COMMON_TIMEZONES)
    assert TIMEZONE_REFERENCE_DATE.isoformat() in text
