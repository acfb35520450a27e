"""FakeInstantly as faithful as the reference: nullable keys as null (or left out), the
read-only keys, and how lead objects number steps."""

from __future__ import annotations

from typing import Any

import pytest

from _fake_support import check, session
from instantly_columns.errors import ConfigError
from instantly_columns.testing import FakeInstantly, WebhookDelivery

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
