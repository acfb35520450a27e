"""FakeInstantly analytics: shapes, parameter names, dates, and agreement with the leads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from _fake_support import check, session
from instantly_columns.testing import EngagementRates, FakeInstantly


def _get(http: httpx.Client, path: str, **params: Any) -> Any:
    response = http.get(f"/api/v2/campaigns/analytics{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _running(fake: FakeInstantly, name: str, emails: list[str]) -> dict[str, Any]:
    campaign = fake.create_campaign(name, active=True)
    fake.add_leads(campaign["id"], emails)
    return campaign


def test_empty_array_before_any_send_and_zeros_in_the_overview() -> None:
    fake = FakeInstantly()
    _running(fake, "A", ["a@x.co"])
    with session(fake) as http:
        assert check("analytics", _get(http, "")) == []
        overview = check("analytics_overview", _get(http, "/overview"))
        assert check("analytics_daily", _get(http, "/daily")) == []
    assert set(overview.values()) == {0}


def test_array_for_one_id_object_for_overview() -> None:
    fake = FakeInstantly()
    a = _running(fake, "A", ["a1@x.co", "a2@x.co"])
    b = _running(fake, "B", ["b1@x.co"])
    fake.create_campaign("Draft")
    fake.advance(timedelta(hours=1), rates=EngagementRates.none())
    with session(fake) as http:
        one = check("analytics", _get(http, "", id=a["id"]))
        both = check("analytics", _get(http, "", ids=[a["id"], b["id"]]))
        everything = check("analytics", _get(http, ""))
        overview = check("analytics_overview", _get(http, "/overview", id=a["id"]))
        # ``campaign_id`` is not an overview parameter: ignored, so the workspace total
        wrong = check("analytics_overview", _get(http, "/overview", campaign_id=a["id"]))
        daily_a = check("analytics_daily", _get(http, "/daily", campaign_id=a["id"]))
    assert [row["campaign_name"] for row in one] == ["A"]
    assert one[0]["leads_count"] == 2
    assert one[0]["emails_sent_count"] == 2
    assert [row["campaign_name"] for row in both] == ["A", "B"]
    assert everything == both  # the draft has sent nothing: no row
    assert overview["emails_sent_count"] == 2
    assert wrong["emails_sent_count"] == 3
    assert daily_a == [
        {
            "date": "2026-01-05",
            "sent": 2,
            "contacted": 2,
            "new_leads_contacted": 2,
            "opened": 0,
            "unique_opened": 0,
            "replies": 0,
            "unique_replies": 0,
            "replies_automatic": 0,
            "unique_replies_automatic": 0,
            "clicks": 0,
            "unique_clicks": 0,
            "opportunities": 0,
            "unique_opportunities": 0,
        }
    ]


def test_ids_must_be_uuids_and_repeated() -> None:
    fake = FakeInstantly()
    a = _running(fake, "A", ["a@x.co"])
    b = _running(fake, "B", ["b@x.co"])
    with session(fake) as http:
        joined = http.get("/api/v2/campaigns/analytics", params={"ids": f"{a['id']},{b['id']}"})
    assert joined.status_code == 400
    assert joined.json()["message"] == 'querystring/ids/0 must match format "uuid"'


def test_dates_filter_and_start_after_end_is_a_bare_message() -> None:
    fake = FakeInstantly()
    _running(fake, "A", ["a@x.co"])
    fake.advance(timedelta(days=3), rates=EngagementRates.none())  # steps on Jan 5 and Jan 7
    with session(fake) as http:
        first_day = _get(http, "", start_date="2026-01-05", end_date="2026-01-06")
        between = _get(http, "", start_date="2026-01-06", end_date="2026-01-07")
        third_day = _get(http, "", start_date="2026-01-07", end_date="2026-01-08")
        iso = _get(http, "", start_date="2026-01-05T09:00:00.000Z", end_date="2026-01-05T09:00:01Z")
        bad = http.get(
            "/api/v2/campaigns/analytics",
            params={"start_date": "2026-02-01", "end_date": "2026-01-01"},
        )
        unreadable = http.get("/api/v2/campaigns/analytics/daily", params={"start_date": "soon"})
    assert first_day[0]["emails_sent_count"] == 1
    assert between[0]["emails_sent_count"] == 0  # the row stays: the campaign has sent
    assert third_day[0]["emails_sent_count"] == 1
    assert third_day[0]["new_leads_contacted_count"] == 0
    assert iso[0]["emails_sent_count"] == 1
    assert bad.status_code == 400
    assert check("message", bad.json()) == {"message": "Start Date must be earlier than End Date"}
    assert unreadable.status_code == 400
    assert set(unreadable.json()) == {"message"}


def test_interest_totals_first_event_or_expanded() -> None:
    fake = FakeInstantly()
    campaign = _running(fake, "A", ["a@x.co"])
    fake.advance(timedelta(minutes=1), rates=EngagementRates.none())
    (lead,) = fake.leads(campaign["id"])
    for value in (1, 2, 4):
        fake.set_interest(lead["id"], value)
    with session(fake) as http:
        first = _get(http, "/overview")
        expanded = _get(http, "/overview", expand_crm_events="true")
        row = _get(http, "")[0]
    assert (first["total_interested"], first["total_meeting_booked"], first["total_closed"]) == (
        1,
        0,
        0,
    )
    assert (
        expanded["total_interested"],
        expanded["total_meeting_booked"],
        expanded["total_closed"],
    ) == (1, 1, 1)
    assert row["total_opportunities"] == 1


def test_exclude_total_leads_count_zeroes_it() -> None:
    fake = FakeInstantly()
    _running(fake, "A", ["a@x.co"])
    fake.advance(60, rates=EngagementRates.none())
    with session(fake) as http:
        assert _get(http, "", exclude_total_leads_count="true")[0]["leads_count"] == 0


@settings(max_examples=15)
@given(
    seed=st.integers(0, 10_000),
    days=st.integers(1, 6),
    rate=st.floats(0.0, 1.0),
)
def test_analytics_always_agree_with_a_recount_of_the_leads(
    seed: int, days: int, rate: float
) -> None:
    fake = FakeInstantly(seed=seed, rate_limits=False)
    rates = EngagementRates(
        open=rate, click=rate, reply=rate / 2, bounce=rate / 5, unsubscribe=rate / 10
    )
    campaign = _running(fake, "A", [f"lead{i}@x.co" for i in range(12)])
    report = fake.advance(timedelta(days=days), rates=rates)
    leads = fake.leads(campaign["id"])
    with session(fake) as http:
        (row,) = check("analytics", _get(http, "")) or [None]
        overview = _get(http, "/overview")
        daily = _get(http, "/daily")
    assert row["leads_count"] == len(leads)
    assert row["emails_sent_count"] == report.sent == sum(day["sent"] for day in daily)
    assert row["contacted_count"] == sum(1 for x in leads if "timestamp_last_contact" in x)
    assert row["open_count"] == sum(1 for x in leads if x["email_open_count"] > 0)
    assert row["reply_count"] == sum(x["email_reply_count"] for x in leads)
    assert row["link_click_count"] == sum(x["email_click_count"] for x in leads)
    assert row["bounced_count"] == sum(1 for x in leads if x["status"] == -1)
    assert row["unsubscribed_count"] == sum(1 for x in leads if x["status"] == -2)
    assert row["total_opportunities"] == sum(
        1 for x in leads if x.get("lt_interest_status") in (1, 2, 3, 4)
    )
    assert overview["emails_sent_count"] == row["emails_sent_count"]
    # the overview counts every open; the per-campaign row counts leads who opened
    assert overview["open_count"] == sum(x["email_open_count"] for x in leads)
