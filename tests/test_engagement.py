from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.domain import engagement
from instantly_columns.domain.engagement import (
    EMAIL_STATUS_LABELS,
    EMAIL_STATUS_LADDER,
    EMAIL_STATUS_TERMINAL,
    ENGAGEMENT_FIELD_BY_SUBTYPE,
    ENGAGEMENT_STATUS_LABELS,
    POSITIVE_INTEREST_LABELS,
    EngagementCells,
    EngagementSubtype,
    email_status_rank,
    interest_label,
    lead_status_label,
    normalize_timestamp,
    project,
    project_all,
    unknown_label,
)
from instantly_columns.errors import ApiResponseError, ConfigError

SUBTYPES: tuple[EngagementSubtype, ...] = tuple(ENGAGEMENT_FIELD_BY_SUBTYPE)
CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
UNKNOWN_CODE = re.compile(r"Unknown \(-?\d+\)")

SAMPLE_LEAD: dict[str, Any] = {
    "id": "0199a1b2-0000-7000-8000-000000000001",
    "organization": "0198a1b2-0000-7000-8000-000000000009",
    "campaign": "0199a1b2-0000-7000-8000-000000000002",
    "status": 1,
    "email": "ada@acme.com",
    "first_name": "Ada",
    "company_domain": "acme.com",
    "email_open_count": 2,
    "email_reply_count": 1,
    "email_click_count": 0,
    "lt_interest_status": 1,
    "timestamp_last_contact": "2026-03-02T14:05:11.120Z",
    "status_summary": {"lastStep": {"stepID": "0_1_0"}},
    "timestamp_created": "2026-03-01T10:00:00.000Z",
    "timestamp_updated": "2026-03-04T09:12:45.311Z",
}


def test_the_documented_lead_projects_to_its_five_cells() -> None:
    assert project_all(SAMPLE_LEAD) == EngagementCells(
        engagement_status="Interested",
        email_status="Replied",
        last_contacted="2026-03-02T14:05:11.120Z",
        reply_count=1,
        open_count=2,
    )


def test_subtype_names_and_fields_are_stable() -> None:
    assert ENGAGEMENT_FIELD_BY_SUBTYPE == {
        "engagement_status": "lt_interest_status",
        "email_status": "status",
        "last_contacted": "timestamp_last_contact",
        "reply_count": "email_reply_count",
        "open_count": "email_open_count",
    }


def test_empty_lead_gives_blank_cells() -> None:
    assert project_all({}).as_dict() == {
        "engagement_status": "Lead",
        "email_status": "Not sent",
        "last_contacted": None,
        "reply_count": 0,
        "open_count": 0,
    }


@pytest.mark.parametrize(
    ("code", "label"),
    [
        (1, "Interested"),
        (2, "Meeting Booked"),
        (3, "Meeting Completed"),
        (4, "Won"),
        (0, "Out of Office"),
        (-1, "Not Interested"),
        (-2, "Wrong Person"),
        (-3, "Lost"),
        (-4, "No Show"),
        (None, "Lead"),
        (7, "Unknown (7)"),
        (-12, "Unknown (-12)"),
        ("2", "Meeting Booked"),
        (" -4 ", "No Show"),
        (3.0, "Meeting Completed"),
        (Decimal("1"), "Interested"),
        (1.5, "Unknown"),
        (True, "Unknown"),
        ("interested", "Unknown"),
        ([1], "Unknown"),
        ({"code": 1}, "Unknown"),
    ],
)
def test_interest_labels(code: object, label: str) -> None:
    assert interest_label(code) == label
    assert project({"lt_interest_status": code}, "engagement_status") == label


def test_absent_interest_is_lead() -> None:
    assert project({"status": 1}, "engagement_status") == "Lead"


def test_positive_labels_are_the_four_good_outcomes() -> None:
    assert {"Interested", "Meeting Booked", "Meeting Completed", "Won"} == POSITIVE_INTEREST_LABELS
    assert set(ENGAGEMENT_STATUS_LABELS) >= POSITIVE_INTEREST_LABELS


@pytest.mark.parametrize(
    ("code", "label"),
    [
        (1, "Active"),
        (2, "Paused"),
        (3, "Completed"),
        (-1, "Bounced"),
        (-2, "Unsubscribed"),
        (-3, "Skipped"),
        (0, "Unknown (0)"),
        ("-2", "Unsubscribed"),
        (None, "Unknown"),
        ("x", "Unknown"),
    ],
)
def test_lead_status_labels(code: object, label: str) -> None:
    assert lead_status_label(code) == label


def test_unknown_label_format() -> None:
    assert unknown_label(7) == "Unknown (7)"
    assert unknown_label(-99) == "Unknown (-99)"


CONTACTED = "2026-03-02T14:05:11.120Z"


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ({}, "Not sent"),
        ({"status": 1}, "Not sent"),
        ({"status": 1, "timestamp_last_contact": CONTACTED}, "Sent"),
        ({"status": 1, "timestamp_last_contact": "not a date"}, "Not sent"),
        ({"status": 1, "email_open_count": 1}, "Opened"),
        ({"status": 2, "email_open_count": 3, "email_click_count": 1}, "Clicked"),
        (
            {"status": 3, "email_open_count": 3, "email_click_count": 1, "email_reply_count": 2},
            "Replied",
        ),
        ({"status": 1, "email_reply_count": 1}, "Replied"),
        ({"status": -1, "email_reply_count": 4, "timestamp_last_contact": CONTACTED}, "Bounced"),
        ({"status": -2, "email_open_count": 9, "email_click_count": 2}, "Unsubscribed"),
        ({"status": -3}, "Skipped"),
        ({"status": "-1"}, "Bounced"),
        # Codes that say nothing about delivery: the ladder decides.
        ({"status": 0, "email_open_count": 1}, "Opened"),
        ({"status": 42, "timestamp_last_contact": CONTACTED}, "Sent"),
        ({"status": -7, "email_click_count": 1}, "Clicked"),
        ({"status": None, "email_reply_count": "2"}, "Replied"),
        ({"status": "paused", "email_open_count": -3}, "Not sent"),
    ],
)
def test_email_status_precedence(lead: dict[str, Any], expected: str) -> None:
    assert project(lead, "email_status") == expected


def test_email_status_label_constants() -> None:
    assert EMAIL_STATUS_LADDER == ("Not sent", "Sent", "Opened", "Clicked", "Replied")
    assert EMAIL_STATUS_TERMINAL == ("Bounced", "Unsubscribed", "Skipped")
    assert EMAIL_STATUS_LABELS == EMAIL_STATUS_LADDER + EMAIL_STATUS_TERMINAL


def test_email_status_rank_orders_the_ladder_below_terminal_outcomes() -> None:
    ranks = [email_status_rank(label) for label in EMAIL_STATUS_LADDER]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)
    assert all(email_status_rank(t) > max(ranks) for t in EMAIL_STATUS_TERMINAL)
    assert email_status_rank("Delivered") == -1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02T14:05:11.120Z", "2026-03-02T14:05:11.120Z"),
        ("2026-03-02T14:05:11Z", "2026-03-02T14:05:11.000Z"),
        ("2026-03-02T14:05:11.1Z", "2026-03-02T14:05:11.100Z"),
        ("2026-03-02T14:05:11.123456789Z", "2026-03-02T14:05:11.123Z"),
        ("2026-03-02t14:05:11z", "2026-03-02T14:05:11.000Z"),
        ("2026-03-02T14:05:11+00:00", "2026-03-02T14:05:11.000Z"),
        ("2026-03-02T14:05:11.5+05:30", "2026-03-02T08:35:11.500Z"),
        ("2026-03-02T01:05:11-0300", "2026-03-02T04:05:11.000Z"),
        ("2026-03-02T23:30:00-01", "2026-03-03T00:30:00.000Z"),
        ("2026-03-02 14:05", "2026-03-02T14:05:00.000Z"),
        ("2026-03-02T14:05:11", "2026-03-02T14:05:11.000Z"),
        ("2026-03-02", "2026-03-02T00:00:00.000Z"),
        ("  2026-03-02T14:05:11Z\n", "2026-03-02T14:05:11.000Z"),
        ("2025-12-31T23:59:59.999-00:01", "2026-01-01T00:00:59.999Z"),
    ],
)
def test_timestamps_are_normalized_to_utc_milliseconds(text: str, expected: str) -> None:
    assert normalize_timestamp(text) == expected
    assert project({"timestamp_last_contact": text}, "last_contacted") == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "yesterday",
        "2026-02-30T10:00:00Z",
        "2026-03-02T24:00:00Z",
        "2026-03-02T14:05:60Z",
        "2026-03-02T14:05:11+24:00",
        "2026-03-02T14:05:11+05:75",
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "2026-3-2",
        "２０２６-03-02",
        "1772460311",
        1772460311120,
        17.5,
        True,
        ["2026-03-02T14:05:11Z"],
        {"at": "2026-03-02T14:05:11Z"},
    ],
)
def test_unreadable_timestamps_are_none(value: object) -> None:
    assert normalize_timestamp(value) is None
    assert project({"timestamp_last_contact": value}, "last_contacted") is None


def test_datetimes_are_accepted() -> None:
    aware = datetime(2026, 3, 2, 15, 5, 11, 120999, tzinfo=timezone(timedelta(hours=1)))
    assert normalize_timestamp(aware) == "2026-03-02T14:05:11.120Z"
    assert normalize_timestamp(datetime(2026, 3, 2, 14, 5, 11)) == "2026-03-02T14:05:11.000Z"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        (0, 0),
        (None, 0),
        (-2, 0),
        (4.0, 4),
        (4.5, 0),
        (float("nan"), 0),
        (float("inf"), 0),
        ("12", 12),
        (" 7 ", 7),
        ("7.0", 7),
        ("seven", 0),
        ("1" * 40, 0),
        (True, 0),
        ([3], 0),
        ({"n": 3}, 0),
        (Decimal("5"), 5),
    ],
)
def test_counts_are_lenient(value: object, expected: int) -> None:
    lead = {"email_reply_count": value, "email_open_count": value}
    assert project(lead, "reply_count") == expected
    assert project(lead, "open_count") == expected


def test_missing_count_fields_are_zero() -> None:
    assert project({"status": 1}, "reply_count") == 0
    assert project({"status": 1}, "open_count") == 0


def test_unknown_subtype_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        project(SAMPLE_LEAD, "sequence_step")  # type: ignore[arg-type]
    assert caught.value.problems[0].path == "subtype"
    assert "sequence_step" in str(caught.value)


@pytest.mark.parametrize("lead", [None, [], "lead", 3])
def test_a_lead_that_is_not_an_object_is_a_response_error(lead: Any) -> None:
    with pytest.raises(ApiResponseError):
        project_all(lead)
    with pytest.raises(ApiResponseError):
        project(lead, "reply_count")


def test_as_dict_is_keyed_by_subtype_in_column_order() -> None:
    cells = project_all(SAMPLE_LEAD)
    assert tuple(cells.as_dict()) == SUBTYPES


def test_module_exports_are_sorted_and_present() -> None:
    def group(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert engagement.__all__ == sorted(engagement.__all__, key=group)
    for name in engagement.__all__:
        assert hasattr(engagement, name), name


# --- properties ------------------------------------------------------------------------------

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["2026-03-02T14:05:11.120Z", "2026-03-02T14:05:11+02:00", "-1", "3"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
LEAD_KEYS = [
    "status",
    "lt_interest_status",
    "email_open_count",
    "email_reply_count",
    "email_click_count",
    "timestamp_last_contact",
    "email",
    "status_summary",
    "payload",
]
leads = st.dictionaries(st.sampled_from(LEAD_KEYS), json_values) | st.fixed_dictionaries(
    {},
    optional={
        "status": st.integers(-5, 5) | st.none(),
        "lt_interest_status": st.integers(-6, 6) | st.none(),
        "email_open_count": st.integers(-2, 20) | st.none(),
        "email_reply_count": st.integers(-2, 5) | st.none(),
        "email_click_count": st.integers(-2, 5) | st.none(),
        "timestamp_last_contact": st.datetimes(timezones=st.just(timezone.utc)).map(
            lambda d: d.isoformat().replace("+00:00", "Z")
        )
        | st.none(),
    },
)


@given(leads)
def test_projection_is_total_and_stays_in_its_label_sets(lead: dict[str, Any]) -> None:
    cells = project_all(lead)
    assert (
        cells.engagement_status in ENGAGEMENT_STATUS_LABELS
        or cells.engagement_status == "Unknown"
        or UNKNOWN_CODE.fullmatch(cells.engagement_status)
    )
    assert cells.email_status in EMAIL_STATUS_LABELS
    assert cells.last_contacted is None or CANONICAL.fullmatch(cells.last_contacted)
    for count in (cells.reply_count, cells.open_count):
        assert type(count) is int
        assert count >= 0
    assert cells.as_dict() == {subtype: project(lead, subtype) for subtype in SUBTYPES}


@given(leads)
def test_terminal_statuses_beat_every_count(lead: dict[str, Any]) -> None:
    for code, label in ((-1, "Bounced"), (-2, "Unsubscribed"), (-3, "Skipped")):
        assert project({**lead, "status": code}, "email_status") == label


@given(leads, st.integers(1, 50))
def test_evidence_moves_a_live_lead_up_the_ladder(lead: dict[str, Any], n: int) -> None:
    live = {**lead, "status": 1}
    before = email_status_rank(project_all(live).email_status)
    for field, label in (
        ("email_reply_count", "Replied"),
        ("email_click_count", "Clicked"),
        ("email_open_count", "Opened"),
    ):
        after = project_all({**live, field: n}).email_status
        assert email_status_rank(after) >= max(before, email_status_rank(label))
    assert project({**live, "email_reply_count": n}, "email_status") == "Replied"


@given(st.text(max_size=40) | json_values)
def test_normalization_is_idempotent(value: Any) -> None:
    once = normalize_timestamp(value)
    if once is not None:
        assert CANONICAL.fullmatch(once)
        assert normalize_timestamp(once) == once


offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))


@given(
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1), timezones=offsets),
    st.sampled_from(["T", " "]),
    st.sampled_from(["colon", "compact"]),
)
def test_any_offset_spelling_gives_the_same_instant(
    moment: datetime, sep: str, offset_style: str
) -> None:
    text = moment.isoformat(sep=sep)
    if offset_style == "compact":
        text = text[:-3] + text[-2:]  # +05:30 -> +0530
    expected = moment.astimezone(timezone.utc).replace(
        microsecond=moment.microsecond // 1000 * 1000
    )
    normal = normalize_timestamp(text)
    assert normal is not None
    assert datetime.fromisoformat(normal.replace("Z", "+00:00")) == expected


@given(
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1), timezones=offsets),
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1), timezones=offsets),
)
def test_canonical_text_sorts_like_the_instants(a: datetime, b: datetime) -> None:
    na, nb = normalize_timestamp(a), normalize_timestamp(b)
    assert na is not None
    assert nb is not None
    ta = a.replace(microsecond=a.microsecond // 1000 * 1000)
    tb = b.replace(microsecond=b.microsecond // 1000 * 1000)
    assert (na < nb) == (ta < tb)
    assert (na == nb) == (ta == tb)
