"""FakeInstantly as faithful as the reference: what each analytics counter counts, how steps
are numbered, nullable keys as null (or left out), the read-only keys, and the documented keys
of every webhook payload."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from _fake_support import check, session
from instantly_columns.errors import ConfigError
from instantly_columns.testing import EngagementRates, FakeInstantly, WebhookDelivery

HOOK = "https://hooks.example.test/instantly"
ONE_STEP: list[dict[str, Any]] = [
    {"steps": [{"type": "email", "delay": 5, "variants": [{"subject": "Hi", "body": "B"}]}]}
]
SENDERS = ["ann@acme.com", "bo@acme.com"]
TWO_VARIANTS: list[dict[str, Any]] = [
    {
        "steps": [
            {
                "type": "email",
                "delay": 1,
                "variants": [
                    {"subject": "Hi {{firstName}}", "body": "Hello there,<br/>one question"},
                    {"subject": "Hey {{firstName}}", "body": "<p>Other</p>"},
                ],
            },
            {"type": "email", "delay": 2, "variants": [{"subject": "", "body": "Bump"}]},
        ]
    }
]


def _get(http: httpx.Client, path: str, **params: Any) -> Any:
    response = http.get(f"/api/v2/campaigns/analytics{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _engaged(fake: FakeInstantly) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A campaign whose first lead opened three times, clicked twice, replied twice and sent
    one automatic reply; the second opened once."""
    campaign = fake.create_campaign("Counted", active=True, email_list=SENDERS)
    ada, bob = fake.add_leads(campaign["id"], ["ada@acme.com", "bob@gmail.com"])
    for lead in (ada, bob):
        fake.engage(lead["id"], "sent")
    for kind in ("open", "open", "click", "reply", "open", "click", "reply", "auto_reply"):
        fake.engage(ada["id"], kind)
    fake.engage(bob["id"], "open")
    return campaign, fake.lead(ada["id"]), fake.lead(bob["id"])


def _all_events(fake: FakeInstantly) -> list[WebhookDelivery]:
    received: list[WebhookDelivery] = []
    fake.add_webhook_receiver(HOOK, received.append)
    with session(fake) as http:
        http.post("/api/v2/webhooks", json={"target_hook_url": HOOK, "event_type": "all_events"})
    return received


# --- what each counter counts --------------------------------------------------------------------


def test_each_counter_counts_what_the_reference_says_endpoint_by_endpoint() -> None:
    fake = FakeInstantly()
    campaign, ada, bob = _engaged(fake)
    assert (ada["email_open_count"], ada["email_click_count"], ada["email_reply_count"]) == (
        3,
        2,
        2,
    )
    with session(fake) as http:
        (row,) = check("analytics", _get(http, "", id=campaign["id"]))
        overview = check("analytics_overview", _get(http, "/overview", id=campaign["id"]))
        (day,) = check("analytics_daily", _get(http, "/daily", campaign_id=campaign["id"]))
    # per campaign: open_count is leads who opened; replies and clicks count every event
    assert (row["open_count"], row["open_count_unique"]) == (2, 2)
    assert (row["reply_count"], row["reply_count_unique"]) == (2, 1)
    assert (row["link_click_count"], row["link_click_count_unique"]) == (2, 1)
    assert (row["reply_count_automatic"], row["reply_count_automatic_unique"]) == (1, 1)
    assert (row["emails_sent_count"], row["contacted_count"]) == (2, 2)
    # the overview: open_count is every open
    assert (overview["open_count"], overview["open_count_unique"]) == (4, 2)
    assert (overview["reply_count"], overview["reply_count_unique"]) == (2, 1)
    assert (overview["link_click_count"], overview["link_click_count_unique"]) == (2, 1)
    # per day: totals and leads
    assert (day["opened"], day["unique_opened"]) == (4, 2)
    assert (day["replies"], day["unique_replies"]) == (2, 1)
    assert (day["clicks"], day["unique_clicks"]) == (2, 1)
    assert (day["replies_automatic"], day["unique_replies_automatic"]) == (1, 1)
    # every "all events" counter equals the sum of the leads' own counters
    assert overview["open_count"] == ada["email_open_count"] + bob["email_open_count"]
    assert row["reply_count"] == ada["email_reply_count"] + bob["email_reply_count"]
    assert row["link_click_count"] == ada["email_click_count"] + bob["email_click_count"]


def test_in_a_date_window_uniques_count_first_events_and_open_count_leads_who_opened() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign("Window", active=True)
    (lead,) = fake.add_leads(campaign["id"], ["ada@acme.com"])
    fake.engage(lead["id"], "sent")
    fake.engage(lead["id"], "open")  # 2026-01-05
    fake.clock.advance(timedelta(days=2).total_seconds())
    fake.engage(lead["id"], "open")  # 2026-01-07
    fake.engage(lead["id"], "open")
    window = {"start_date": "2026-01-07", "end_date": "2026-01-08"}
    with session(fake) as http:
        (row,) = _get(http, "", id=campaign["id"], **window)
        overview = _get(http, "/overview", id=campaign["id"], **window)
    assert row["open_count"] == 1  # the lead opened in the window
    assert row["open_count_unique"] == 0  # its first open was before it
    assert overview["open_count"] == 2  # two opens in the window


def test_repeat_clicks_and_replies_make_totals_differ_from_uniques_in_advance() -> None:
    fake = FakeInstantly(seed=3)
    received = _all_events(fake)
    campaign = fake.create_campaign("Chatty", active=True, sequences=ONE_STEP)
    fake.add_leads(campaign["id"], [f"p{i}@acme.com" for i in range(4)])
    rates = EngagementRates(
        open=1, reopen=0, click=1, reply=1, bounce=0, unsubscribe=0, reclick=1, rereply=1
    )
    report = fake.advance(timedelta(days=3), rates=rates)
    assert (report.sent, report.clicked, report.replied) == (4, 8, 8)
    with session(fake) as http:
        (row,) = _get(http, "", id=campaign["id"])
    assert (row["reply_count"], row["reply_count_unique"]) == (8, 4)
    assert (row["link_click_count"], row["link_click_count_unique"]) == (8, 4)
    replies = [d.payload for d in received if d.event_type == "reply_received"]
    for lead in fake.leads(campaign["id"]):
        mine = [r for r in replies if r["lead_email"] == lead["email"]]
        assert [r["is_first"] for r in mine] == [True, False]
        assert mine[0]["email_id"] != mine[1]["email_id"]
        for reply in mine:
            check("webhook_event", reply)


def test_repeat_rates_leave_the_rest_of_a_seeded_story_alone() -> None:
    def story(rates: EngagementRates) -> list[tuple[str, int, int]]:
        fake = FakeInstantly(seed=9)
        campaign = fake.create_campaign("Same", active=True)
        fake.add_leads(campaign["id"], [f"s{i}@acme.com" for i in range(15)])
        fake.advance(timedelta(days=5), rates=rates)
        return [
            (lead["id"], lead["email_open_count"], int(lead["status"]))
            for lead in fake.leads(campaign["id"])
        ]

    plain = EngagementRates(rereply=0, reclick=0)
    assert story(plain) == story(EngagementRates(reclick=0.9, rereply=0.9))
    with pytest.raises(ConfigError, match="reclick"):
        EngagementRates(reclick=2)


# --- numbering and the last step -------------------------------------------------------------


@pytest.mark.parametrize("base", [0, 1])
def test_lead_step_numbering_is_configurable_and_webhooks_stay_one_based(base: int) -> None:
    fake = FakeInstantly(lead_step_base=base)
    received: list[WebhookDelivery] = []
    fake.add_webhook_receiver(HOOK, received.append)
    campaign = fake.create_campaign("Steps", sequences=TWO_VARIANTS, email_list=SENDERS)
    (lead,) = fake.add_leads(campaign["id"], ["ada@acme.com"])
    with session(fake) as http:
        http.post("/api/v2/webhooks", json={"target_hook_url": HOOK, "event_type": "all_events"})
    fake.engage(lead["id"], "sent", step=1, variant=2)
    after = fake.engage(lead["id"], "open", step=1, variant=2)
    assert after["status_summary"]["lastStep"]["stepID"] == f"0_{base}_{1 + base}"
    assert (after["email_opened_step"], after["email_opened_variant"]) == (base, 1 + base)
    assert [(d.payload["step"], d.payload["variant"]) for d in received] == [(1, 2), (1, 2)]


def test_last_step_from_is_the_source_and_the_sender_is_last_contacted_from() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign("From", active=True, email_list=SENDERS)
    ada, bob = fake.add_leads(campaign["id"], ["ada@acme.com", "bob@acme.com"])
    fresh = fake.lead(ada["id"])
    assert fresh["last_step_from"] is None
    assert fresh["last_contacted_from"] is None
    first = fake.engage(ada["id"], "sent")
    second = fake.engage(bob["id"], "sent")
    assert first["last_step_from"] == "campaign"
    assert first["status_summary"]["lastStep"]["from"] == "campaign"
    assert (first["last_contacted_from"], second["last_contacted_from"]) == tuple(SENDERS)
    assert uuid.UUID(first["last_step_id"]) == uuid.UUID(second["last_step_id"])  # same step
    follow_up = fake.engage(ada["id"], "sent", step=2)
    assert follow_up["last_step_id"] != first["last_step_id"]
    fake.advance(timedelta(days=1), rates=EngagementRates.none())
    assert fake.lead(ada["id"])["last_contacted_from"] in SENDERS


def test_a_lead_step_base_other_than_zero_or_one_is_refused() -> None:
    with pytest.raises(ConfigError, match="lead_step_base"):
        FakeInstantly(lead_step_base=2)


# --- nullable keys, read-only keys ---------------------------------------------------------------


def test_nullable_keys_are_null_by_default_and_read_only_keys_are_there() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        draft = check("fake_campaign", fake.create_campaign("Draft"))
        lead = check(
            "fake_lead",
            http.post("/api/v2/leads", json={"campaign": draft["id"], "email": "a@b.co"}).json(),
        )
        hook = check(
            "webhook",
            http.post("/api/v2/webhooks", json={"target_hook_url": HOOK}).json(),
        )
    assert draft["not_sending_status"] is None
    assert draft["daily_limit"] is None
    assert draft["core_variables"] is None
    assert draft["custom_variables"] == {}
    assert lead["list_id"] is None
    assert lead["timestamp_last_contact"] is None
    assert lead["last_step_id"] is None
    assert lead["uploaded_by_user"] is None
    assert lead["is_website_visitor"] is False
    assert lead["upload_method"] == "api"
    assert (lead["esp_code"], lead["esg_code"]) == (0, 0)  # in queue until the first send
    assert "lt_interest_status" not in lead  # a plain Lead: the reference types it as a number
    assert {"campaign", "name", "timestamp_error"} <= set(hook)


def test_omit_nulls_drops_the_null_keys_and_the_answers_stay_valid() -> None:
    fake = FakeInstantly(omit_nulls=True)
    a_list = fake.create_list("Imports")
    with session(fake) as http:
        campaign = check(
            "campaign",
            http.post(
                "/api/v2/campaigns",
                json={"name": "Lean", "campaign_schedule": _SCHEDULE},
            ).json(),
        )
        added = http.post(
            "/api/v2/leads/add", json={"list_id": a_list["id"], "leads": [{"email": "a@b.co"}]}
        ).json()
        (created,) = added["created_leads"]
        lead = check("lead", http.get(f"/api/v2/leads/{created['id']}").json())
        hook = check(
            "webhook", http.post("/api/v2/webhooks", json={"target_hook_url": HOOK}).json()
        )
    for body in (campaign, lead, hook, added, created):
        assert None not in body.values(), body
    assert "remaining_in_plan" not in added  # null for a list target
    assert "campaign" not in lead
    assert "daily_limit" not in campaign
    assert lead["status_summary"] == {}
    fake.omit_nulls = False  # a knob that can change between requests, like the others
    assert fake.lead(created["id"])["campaign"] is None


_SCHEDULE = {
    "schedules": [
        {
            "name": "Weekdays",
            "timing": {"from": "09:00", "to": "17:00"},
            "days": {"1": True},
            "timezone": "America/Chicago",
        }
    ]
}


def test_the_recipient_provider_is_known_after_the_first_send() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign("ESP", active=True)
    gmail, corp = fake.add_leads(campaign["id"], ["x@gmail.com", "y@acme.com"])
    assert fake.engage(gmail["id"], "sent")["esp_code"] == 1  # Google
    assert fake.engage(corp["id"], "sent")["esp_code"] == 999  # Other


def test_an_active_campaign_without_active_leads_says_it_waits_for_leads() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign("Empty", active=True)
    assert check("fake_campaign", campaign)["not_sending_status"] == 2


# --- webhook payloads ----------------------------------------------------------------------------


def test_every_payload_from_advance_carries_its_documented_keys() -> None:
    fake = FakeInstantly(seed=4)
    received = _all_events(fake)
    campaign = fake.create_campaign(
        "Hooks", active=True, email_list=SENDERS, sequences=TWO_VARIANTS
    )
    fake.add_leads(campaign["id"], [f"h{i}@acme.com" for i in range(6)])
    rates = EngagementRates(
        open=1,
        reopen=1,
        click=1,
        reply=1,
        auto_reply=0.5,
        bounce=0.2,
        unsubscribe=0.5,
    )
    fake.advance(timedelta(days=4), rates=rates)
    kinds = {d.event_type for d in received}
    assert {"email_sent", "email_opened", "link_clicked", "reply_received"} <= kinds
    assert {"auto_reply_received", "email_bounced", "lead_unsubscribed"} <= kinds
    for delivery in received:
        check("webhook_event", delivery.payload)
        if "email_account" in delivery.payload:
            assert delivery.payload["email_account"] in SENDERS
    replies = [d.payload for d in received if d.event_type == "reply_received"]
    by_lead: dict[str, list[bool]] = {}
    for reply in replies:
        by_lead.setdefault(reply["lead_email"], []).append(reply["is_first"])
        assert reply["unibox_url"].startswith("https://app.instantly.ai/app/unibox?email_id=")
        assert reply["email_id"] in reply["unibox_url"]
    assert all(flags == [True] for flags in by_lead.values())


def test_a_direct_engagement_call_delivers_the_same_keys() -> None:
    fake = FakeInstantly()
    received = _all_events(fake)
    campaign = fake.create_campaign("Direct", email_list=SENDERS, sequences=TWO_VARIANTS)
    (lead,) = fake.add_leads(campaign["id"], ["ada@acme.com"])
    fake.engage(lead["id"], "sent")
    fake.engage(lead["id"], "open")
    fake.engage(lead["id"], "click")
    fake.engage(lead["id"], "reply", text="Tuesday works. Send an invite?")
    fake.engage(lead["id"], "reply")
    fake.engage(lead["id"], "auto_reply")
    fake.engage(lead["id"], "unsubscribe")
    for delivery in received:
        check("webhook_event", delivery.payload)
        assert delivery.payload["email_account"] == SENDERS[0]
    sent, opened, clicked, first, second, auto, unsubscribed = (d.payload for d in received)
    assert sent["email_subject"] == "Hi {{firstName}}"
    assert sent["email_text"] == "Hello there,\none question"
    assert sent["is_first"] is True
    assert (opened["is_first"], clicked["is_first"]) == (True, True)
    assert first["reply_text"] == "Tuesday works. Send an invite?"
    assert first["reply_text_snippet"] == "Tuesday works. Send an invite?"
    assert first["reply_html"] == "<div>Tuesday works. Send an invite?</div>"
    assert first["reply_subject"] == "Re: Hi {{firstName}}"
    assert (first["is_first"], second["is_first"]) == (True, False)
    assert first["email_id"] != second["email_id"]
    assert auto["event_type"] == "auto_reply_received"
    assert auto["reply_text"]
    assert unsubscribed["event_type"] == "lead_unsubscribed"
    assert set(unsubscribed) >= {"lead_email", "email_account"}
    with pytest.raises(ConfigError, match="text"):
        fake.engage(lead["id"], "open", text="no")


def test_interest_events_name_the_lead() -> None:
    fake = FakeInstantly()
    received = _all_events(fake)
    campaign = fake.create_campaign("Interest")
    (lead,) = fake.add_leads(campaign["id"], ["ada@acme.com"])
    fake.set_interest(lead["id"], 2)
    (event,) = received
    assert check("webhook_event", event.payload)["event_type"] == "lead_meeting_booked"
    assert event.payload["lead_email"] == "ada@acme.com"


def test_the_webhook_event_schema_catches_a_missing_key() -> None:
    payload = {
        "timestamp": "2026-01-05T09:00:00.000Z",
        "event_type": "reply_received",
        "workspace": str(uuid.uuid4()),
        "campaign_id": str(uuid.uuid4()),
        "campaign_name": "Q3",
        "lead_email": "a@b.co",
        "email_account": "me@acme.com",
        "step": 1,
        "variant": 1,
        "is_first": True,
        "email_id": "e1",
        "reply_subject": "Re:",
        "reply_text_snippet": "x",
        "reply_text": "x",
        "reply_html": "x",
    }
    with pytest.raises(AssertionError, match="unibox_url"):
        check("webhook_event", payload)
    assert re.match(
        r"^https://", check("webhook_event", {**payload, "unibox_url": "https://u"})["unibox_url"]
    )
