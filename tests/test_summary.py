from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from functools import reduce
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.domain import summary
from instantly_columns.domain.columns import SUBTYPES
from instantly_columns.domain.engagement import (
    EMAIL_STATUS_LABELS,
    ENGAGEMENT_STATUS_LABELS,
    EngagementCells,
    normalize_timestamp,
    project_all,
)
from instantly_columns.domain.summary import (
    CAMPAIGN_STATUS_LABELS,
    DASH,
    Aggregate,
    StatusBadge,
    SummaryCell,
    campaign_status_badge,
    percent_half_up,
    render,
    summary_row,
)
from instantly_columns.errors import ApiResponseError, ConfigError, StoreError


def lead(
    *,
    status: int = 1,
    interest: int | None = None,
    opens: int = 0,
    replies: int = 0,
    clicks: int = 0,
    contacted_at: str | None = "2026-03-02T14:05:11.120Z",
) -> dict[str, Any]:
    return {
        "status": status,
        "lt_interest_status": interest,
        "email_open_count": opens,
        "email_reply_count": replies,
        "email_click_count": clicks,
        "timestamp_last_contact": contacted_at,
    }


def cells(
    email_status: str = "Sent",
    engagement_status: str = "Lead",
    last_contacted: str | None = None,
    reply_count: int = 0,
    open_count: int = 0,
) -> EngagementCells:
    return EngagementCells(
        engagement_status=engagement_status,
        email_status=email_status,
        last_contacted=last_contacted,
        reply_count=reply_count,
        open_count=open_count,
    )


# --- the product's wording -------------------------------------------------------------------


def techcorp() -> Aggregate:
    """200 contacted leads: 89 interested (44.5 %), 164 opened (82 %, a tracked open each),
    23 replies, 180 opens."""
    rows = [cells("Opened", "Interested", open_count=1) for _ in range(89)]
    rows += [cells("Opened", "Not Interested", open_count=1) for _ in range(67)]
    rows += [cells("Replied", "Lead", reply_count=2, open_count=3) for _ in range(8)]
    rows += [cells("Sent", "Lead") for _ in range(36)]
    rows += [cells("Not sent", "Lead") for _ in range(40)]
    rows[0] = cells("Opened", "Interested", reply_count=7, open_count=1)
    return sum((Aggregate.from_cells(c) for c in rows), Aggregate.EMPTY)


def test_the_summary_row_reads_like_the_product() -> None:
    agg = techcorp()
    assert (agg.leads, agg.contacted, agg.interested, agg.opened) == (240, 200, 89, 164)
    row = summary_row(agg, campaign_name="TechCorp Outreach", campaign_status=1)
    assert {subtype: cell.label for subtype, cell in row.items()} == {
        "campaign_config": '"TechCorp Outreach" Active',
        "push_action": "—",
        "engagement_status": "45% Interested",
        "email_status": "82% Opened",
        "last_contacted": "—",
        "reply_count": "23 total",
        "open_count": "180 total",
        "sequence_step": "—",
    }
    assert tuple(row) == SUBTYPES
    assert row["engagement_status"] == SummaryCell("45% Interested", 89, 200)
    assert row["email_status"] == SummaryCell("82% Opened", 164, 200)
    assert row["reply_count"] == SummaryCell("23 total", 23, None)
    assert row["open_count"] == SummaryCell("180 total", 180, None)
    assert row["campaign_config"] == SummaryCell('"TechCorp Outreach" Active')
    assert str(row["email_status"]) == "82% Opened"


def test_nobody_contacted_shows_a_dash() -> None:
    agg = Aggregate.from_leads([lead(contacted_at=None, interest=1)] * 3)
    assert agg.contacted == 0
    assert render(agg, "engagement_status") == SummaryCell(DASH, 3, 0)
    assert render(agg, "email_status") == SummaryCell(DASH, 0, 0)
    assert render(Aggregate.EMPTY, "email_status").label == "—"
    assert render(Aggregate.EMPTY, "reply_count").label == "0 total"


@pytest.mark.parametrize(
    ("name", "status", "label"),
    [
        ("TechCorp Outreach", 1, '"TechCorp Outreach" Active'),
        ("Q3", 0, '"Q3" Draft'),
        ("Q3", 2, '"Q3" Paused'),
        ("Q3", 3, '"Q3" Completed'),
        ("Q3", 4, '"Q3" Running Subsequences'),
        ("Q3", -99, '"Q3" Account Suspended'),
        ("Q3", -1, '"Q3" Accounts Unhealthy'),
        ("Q3", -2, '"Q3" Bounce Protect'),
        ("Q3", 9, '"Q3" Unknown (9)'),
        ("  Q3  ", None, '"Q3"'),
        (None, 1, "Active"),
        ("", None, "—"),
        (None, None, "—"),
    ],
)
def test_campaign_config_cell(name: str | None, status: int | None, label: str) -> None:
    cell = render(Aggregate.EMPTY, "campaign_config", campaign_name=name, campaign_status=status)
    assert cell == SummaryCell(label, None, None)


@pytest.mark.parametrize(
    ("code", "badge"),
    [
        (0, ("Draft", "draft")),
        (1, ("Active", "active")),
        (2, ("Paused", "paused")),
        (3, ("Completed", "completed")),
        (4, ("Running Subsequences", "active")),
        (-99, ("Account Suspended", "error")),
        (-1, ("Accounts Unhealthy", "error")),
        (-2, ("Bounce Protect", "error")),
        (5, ("Unknown (5)", "unknown")),
        ("2", ("Paused", "paused")),
        (None, ("Unknown", "unknown")),
        ("active", ("Unknown", "unknown")),
    ],
)
def test_campaign_status_badges(code: object, badge: tuple[str, str]) -> None:
    result = campaign_status_badge(code)
    assert result == badge
    assert isinstance(result, StatusBadge)
    assert result.label == badge[0]


def test_campaign_status_labels_cover_the_documented_codes() -> None:
    assert dict(CAMPAIGN_STATUS_LABELS) == {
        0: "Draft",
        1: "Active",
        2: "Paused",
        3: "Completed",
        4: "Running Subsequences",
        -99: "Account Suspended",
        -1: "Accounts Unhealthy",
        -2: "Bounce Protect",
    }


@pytest.mark.parametrize(
    ("numerator", "denominator", "percent"),
    [
        (89, 200, 45),  # 44.5 -> 45, where round() would give 44
        (1, 8, 13),  # 12.5 -> 13, where round() would give 12
        (5, 11, 45),
        (9, 11, 82),
        (1, 3, 33),
        (2, 3, 67),
        (0, 5, 0),
        (5, 5, 100),
        (7, 5, 100),
        (1, 0, None),
        (0, 0, None),
        (3, -1, None),
    ],
)
def test_percent_is_half_up(numerator: int, denominator: int, percent: int | None) -> None:
    assert percent_half_up(numerator, denominator) == percent


def test_unknown_render_subtype_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        render(Aggregate.EMPTY, "bogus")  # type: ignore[arg-type]
    assert caught.value.problems[0].path == "subtype"


# --- counting rules --------------------------------------------------------------------------


def test_counting_rules_per_email_status() -> None:
    agg = Aggregate.from_leads(
        [
            lead(contacted_at=None),  # not sent
            lead(),  # sent
            lead(opens=2),  # opened
            lead(opens=1, clicks=1),  # clicked
            lead(replies=1),  # replied, no open tracked: contacted, not opened
            lead(status=-1, opens=1),  # bounced with an open
            lead(status=-2),  # unsubscribed
            lead(status=-3, contacted_at=None),  # skipped
            lead(status=-3, opens=1),  # skipped, yet opened: contacted
        ]
    )
    assert agg.leads == 9
    assert agg.contacted == 7
    assert agg.opened == 4  # a tracked open each
    assert (agg.clicked, agg.replied, agg.bounced, agg.unsubscribed) == (1, 1, 1, 1)
    assert agg.email_status_counts() == {
        "Not sent": 1,
        "Sent": 1,
        "Opened": 1,
        "Clicked": 1,
        "Replied": 1,
        "Bounced": 1,
        "Unsubscribed": 1,
        "Skipped": 2,
    }
    assert (agg.open_total, agg.reply_total) == (5, 1)


def test_interest_and_latest_contact() -> None:
    agg = Aggregate.from_leads(
        [
            lead(interest=1, contacted_at="2026-03-02T14:05:11Z"),
            lead(interest=2, contacted_at="2026-03-04T09:00:00+01:00"),
            lead(interest=4, contacted_at=None),
            lead(interest=-1),
            lead(interest=0),
            lead(interest=3),
            lead(interest=17),
            lead(),
        ]
    )
    assert agg.interested == 4
    assert agg.last_contacted == "2026-03-04T08:00:00.000Z"
    assert agg.engagement_status_counts() == {
        "Lead": 1,
        "Interested": 1,
        "Meeting Booked": 1,
        "Meeting Completed": 1,
        "Won": 1,
        "Out of Office": 1,
        "Not Interested": 1,
        "Unknown (17)": 1,
    }


def test_label_counts_are_canonical() -> None:
    a = Aggregate(by_email_status={"Replied": 1, "Zzz": 2, "Sent": 0, "Not sent": 3})
    assert a.by_email_status == (("Not sent", 3), ("Replied", 1), ("Zzz", 2))
    assert a == Aggregate(by_email_status=[("Zzz", 1), ("Not sent", 3), ("Replied", 1), ("Zzz", 1)])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"leads": -1},
        {"opened": 1.5},
        {"replied": True},
        {"reply_total": "3"},
        {"by_email_status": {"Sent": -2}},
        {"by_engagement_status": [(3, 1)]},
        {"by_email_status": {"Sent": "3"}},
        {"by_email_status": ["Sent"]},
        {"by_email_status": 5},
        {"last_contacted": "soon"},
    ],
)
def test_bad_counters_are_config_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as caught:
        Aggregate(**kwargs)
    assert caught.value.problems[0].path


def test_last_contacted_is_normalized_on_construction() -> None:
    assert Aggregate(last_contacted="2026-03-02T15:05:11+01:00").last_contacted == (
        "2026-03-02T14:05:11.000Z"
    )


def test_adding_something_else_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Aggregate.EMPTY + 1  # type: ignore[operator]


def test_repr_is_short_and_html_escapes() -> None:
    assert repr(Aggregate.EMPTY) == "Aggregate()"
    agg = Aggregate(leads=2, opened=1, by_engagement_status={"<b>": 2})
    assert repr(agg) == "Aggregate(leads=2, opened=1)"
    page = agg._repr_html_()
    assert "&lt;b&gt;" in page
    assert "<b>" not in page
    assert "<th>leads</th><td>2</td>" in page


# --- database groups -------------------------------------------------------------------------


def test_from_group_accepts_what_drivers_return() -> None:
    agg = Aggregate.from_group(
        email_status="Opened",
        engagement_status="Interested",
        rows=Decimal(4),
        reply_total=None,
        open_total=Decimal("9"),
        opened_rows="3",
        last_contacted=datetime(2026, 3, 2, 15, 5, 11, tzinfo=timezone(timedelta(hours=1))),
    )
    assert agg == Aggregate(
        leads=4,
        contacted=4,
        opened=3,
        interested=4,
        open_total=9,
        last_contacted="2026-03-02T14:05:11.000Z",
        by_email_status={"Opened": 4},
        by_engagement_status={"Interested": 4},
    )


def test_from_group_with_null_labels_counts_rows_only() -> None:
    agg = Aggregate.from_group(
        email_status=None,
        engagement_status=None,
        rows=2,
        reply_total=0,
        open_total=1,
        opened_rows=1,
        last_contacted=None,
    )
    assert (agg.leads, agg.contacted, agg.opened, agg.by_email_status) == (2, 1, 1, ())


@pytest.mark.parametrize(
    "bad",
    [
        {"rows": -1},
        {"rows": "many"},
        {"open_total": 2.5},
        {"opened_rows": 3},
        {"last_contacted": "never"},
        {"email_status": 7},
    ],
)
def test_from_group_rejects_impossible_groups(bad: dict[str, Any]) -> None:
    args: dict[str, Any] = {
        "email_status": "Sent",
        "engagement_status": "Lead",
        "rows": 2,
        "reply_total": 0,
        "open_total": 0,
        "opened_rows": 0,
        "last_contacted": None,
        **bad,
    }
    with pytest.raises(StoreError):
        Aggregate.from_group(**args)


# --- analytics -------------------------------------------------------------------------------

ANALYTICS_ROW: dict[str, Any] = {
    "campaign_id": "0199a1b2-0000-7000-8000-000000000002",
    "campaign_name": "TechCorp Outreach",
    "campaign_status": 1,
    "campaign_is_evergreen": False,
    "leads_count": 240,
    "contacted_count": 200,
    "emails_sent_count": 410,
    "new_leads_contacted_count": 12,
    "open_count": 164,
    "open_count_unique": 164,
    "open_count_unique_by_step": [120, 44],
    "reply_count": 23,
    "reply_count_unique": 18,
    "reply_count_unique_by_step": 21,
    "reply_count_automatic": 4,
    "reply_count_automatic_unique": 3,
    "link_click_count": 30,
    "link_click_count_unique": 19,
    "bounced_count": 6,
    "unsubscribed_count": 2,
    "completed_count": 150,
    "total_opportunities": 5,
    "total_opportunity_value": 1200.5,
}
OVERVIEW: dict[str, Any] = {"open_count": 156, "total_interested": 82, "total_meeting_booked": 7}


def test_from_analytics_maps_each_field() -> None:
    agg = Aggregate.from_analytics(ANALYTICS_ROW, OVERVIEW)
    assert agg == Aggregate(
        leads=240,
        contacted=200,
        opened=164,
        clicked=19,
        replied=18,
        bounced=6,
        unsubscribed=2,
        interested=89,
        reply_total=23,
        open_total=156,
    )
    row = summary_row(agg, campaign_name="TechCorp Outreach", campaign_status=1)
    assert row["engagement_status"].label == "45% Interested"
    assert row["email_status"].label == "82% Opened"
    assert row["reply_count"].label == "23 total"
    assert row["open_count"].label == "156 total"


def test_from_analytics_without_overview() -> None:
    agg = Aggregate.from_analytics(ANALYTICS_ROW)
    assert agg.interested == 0
    assert agg.open_total == 164  # the row's open_count: leads who opened


def test_from_analytics_falls_back_to_non_unique_fields() -> None:
    agg = Aggregate.from_analytics(
        {"open_count": 12, "open_count_unique": None, "link_click_count": 4}
    )
    assert (agg.opened, agg.clicked) == (12, 4)


@pytest.mark.parametrize(
    "row",
    [
        {},
        {"leads_count": None, "contacted_count": "garbage", "reply_count_unique": -5},
        {"reply_count_unique": -1, "reply_count_automatic_unique": 5, "reply_count": "x"},
        {"open_count_unique_by_step": [1, [2], None], "reply_count_unique_by_step": {"0": 1}},
    ],
)
def test_from_analytics_is_lenient(row: dict[str, Any]) -> None:
    agg = Aggregate.from_analytics(row, {"total_interested": "x"})
    assert agg.replied == 0
    assert agg.reply_total == 0
    assert agg.interested == 0
    assert agg.leads == 0


def test_from_analytics_reads_numbers_sent_as_text_or_floats() -> None:
    agg = Aggregate.from_analytics({"contacted_count": "80", "open_count_unique": 35.0})
    assert (agg.contacted, agg.opened) == (80, 35)


@pytest.mark.parametrize(("row", "overview"), [([], None), (None, None), ({}, []), ({}, "x")])
def test_from_analytics_needs_objects(row: Any, overview: Any) -> None:
    with pytest.raises(ApiResponseError):
        Aggregate.from_analytics(row, overview)


def test_module_exports_are_sorted_and_present() -> None:
    def group(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert summary.__all__ == sorted(summary.__all__, key=group)
    for name in summary.__all__:
        assert hasattr(summary, name), name


# --- properties ------------------------------------------------------------------------------

timestamps = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc)
).map(normalize_timestamp)
engagement_labels = st.sampled_from(ENGAGEMENT_STATUS_LABELS) | st.integers(5, 9).map(
    lambda n: f"Unknown ({n})"
)
any_cells = st.builds(
    EngagementCells,
    engagement_status=engagement_labels,
    email_status=st.sampled_from(EMAIL_STATUS_LABELS),
    last_contacted=st.none() | timestamps,
    reply_count=st.integers(0, 5),
    open_count=st.integers(0, 5),
)
label_counts = st.dictionaries(
    st.sampled_from([*EMAIL_STATUS_LABELS, "Unknown (3)", "zz"]), st.integers(0, 50), max_size=4
)
counters = st.integers(0, 10**6)
aggregates = st.builds(
    Aggregate,
    leads=counters,
    contacted=counters,
    opened=counters,
    clicked=counters,
    replied=counters,
    bounced=counters,
    unsubscribed=counters,
    interested=counters,
    reply_total=counters,
    open_total=counters,
    last_contacted=st.none() | timestamps,
    by_email_status=label_counts,
    by_engagement_status=label_counts,
) | st.lists(any_cells, max_size=6).map(
    lambda cs: sum((Aggregate.from_cells(c) for c in cs), Aggregate.EMPTY)
)


@given(aggregates, aggregates, aggregates)
def test_addition_is_associative(a: Aggregate, b: Aggregate, c: Aggregate) -> None:
    assert (a + b) + c == a + (b + c)


@given(aggregates, aggregates)
def test_addition_is_commutative(a: Aggregate, b: Aggregate) -> None:
    assert a + b == b + a


@given(aggregates)
def test_empty_is_the_identity(a: Aggregate) -> None:
    assert a + Aggregate.EMPTY == a
    assert Aggregate.EMPTY + a == a


def fold(parts: Iterable[Aggregate]) -> Aggregate:
    return reduce(lambda x, y: x + y, parts, Aggregate.EMPTY)


@given(st.lists(any_cells, max_size=40), st.integers(1, 7))
def test_page_wise_folding_equals_one_pass(rows: list[EngagementCells], page: int) -> None:
    one_pass = fold(Aggregate.from_cells(c) for c in rows)
    pages = [rows[i : i + page] for i in range(0, len(rows), page)]
    page_wise = fold(fold(Aggregate.from_cells(c) for c in chunk) for chunk in pages)
    assert page_wise == one_pass
    assert one_pass.leads == len(rows)
    assert one_pass.opened <= one_pass.contacted <= one_pass.leads
    assert one_pass.reply_total == sum(c.reply_count for c in rows)
    assert one_pass.open_total == sum(c.open_count for c in rows)
    stamps = [c.last_contacted for c in rows if c.last_contacted is not None]
    assert one_pass.last_contacted == (max(stamps) if stamps else None)
    assert sum(one_pass.email_status_counts().values()) == len(rows)
    assert sum(one_pass.engagement_status_counts().values()) == len(rows)


@given(st.lists(any_cells, max_size=60), st.randoms(use_true_random=False))
def test_database_groups_equal_folding_cells(rows: list[EngagementCells], rnd: Any) -> None:
    """Group the cells as `GROUP BY email_status, engagement_status` would, aggregate each
    group as SQL would, and check that summing `from_group` equals folding `from_cells`."""
    groups: dict[tuple[str, str], list[EngagementCells]] = {}
    for c in rows:
        groups.setdefault((c.email_status, c.engagement_status), []).append(c)
    results: list[dict[str, Any]] = [
        {
            "email_status": email_status,
            "engagement_status": engagement_status,
            "rows": len(members),  # COUNT(*)
            "reply_total": sum(m.reply_count for m in members),  # SUM(reply_count)
            "open_total": sum(m.open_count for m in members),  # SUM(open_count)
            "opened_rows": sum(1 for m in members if m.open_count > 0),
            "last_contacted": max(  # MAX(last_contacted), NULL when every row is NULL
                (m.last_contacted for m in members if m.last_contacted is not None),
                default=None,
            ),
        }
        for (email_status, engagement_status), members in groups.items()
    ]
    rnd.shuffle(results)  # SQL promises no group order
    from_db = fold(Aggregate.from_group(**r) for r in results)
    assert from_db == fold(Aggregate.from_cells(c) for c in rows)


lead_dicts = st.fixed_dictionaries(
    {},
    optional={
        "status": st.integers(-4, 4) | st.none() | st.text(max_size=3),
        "lt_interest_status": st.integers(-5, 6) | st.none() | st.booleans(),
        "email_open_count": st.integers(-1, 4) | st.none() | st.floats(),
        "email_reply_count": st.integers(-1, 3) | st.none() | st.text(max_size=2),
        "email_click_count": st.integers(-1, 3) | st.none(),
        "timestamp_last_contact": st.none() | timestamps | st.text(max_size=12),
    },
)


@given(st.lists(lead_dicts, max_size=25))
def test_leads_fold_like_their_cells(leads: list[dict[str, Any]]) -> None:
    for item in leads:
        assert Aggregate.from_lead(item) == Aggregate.from_cells(project_all(item))
    assert Aggregate.from_leads(leads) == fold(Aggregate.from_lead(item) for item in leads)
    assert Aggregate.from_leads(iter(leads)) == Aggregate.from_leads(leads)


@given(st.integers(0, 10**9), st.integers(-5, 10**9))
def test_percent_matches_exact_half_up(numerator: int, denominator: int) -> None:
    percent = percent_half_up(numerator, denominator)
    if denominator <= 0:
        assert percent is None
        return
    exact = math.floor(Fraction(100 * numerator, denominator) + Fraction(1, 2))
    assert percent == min(100, exact)
    assert 0 <= percent <= 100


@given(
    aggregates,
    st.sampled_from(SUBTYPES),
    st.none() | st.text(max_size=20),
    st.none() | st.integers(-200, 200),
)
def test_render_never_raises(
    agg: Aggregate, subtype: Any, name: str | None, status: int | None
) -> None:
    cell = render(agg, subtype, campaign_name=name, campaign_status=status)
    assert cell.label
    assert "nan" not in cell.label
    if subtype in ("engagement_status", "email_status"):
        assert cell.denominator == agg.contacted
        if agg.contacted == 0:
            assert cell.label == DASH
        else:
            number = int(cell.label.split("%")[0])
            assert 0 <= number <= 100
    row = summary_row(agg, campaign_name=name, campaign_status=status)
    assert row[subtype] == cell


def test_the_docs_table_of_definitions_is_the_one_in_the_code() -> None:
    from pathlib import Path

    from instantly_columns.domain.summary import DEFINITIONS

    page = (Path(__file__).parent.parent / "docs" / "summary.md").read_text(encoding="utf-8")
    start = page.index("<!-- definitions:")
    table = page[start : page.index("<!-- end of definitions -->")].splitlines()[3:]
    rows = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in table if line]
    assert rows == [
        [f"`{d.counter}`", d.meaning, d.from_cells, d.from_analytics, d.agree] for d in DEFINITIONS
    ]
