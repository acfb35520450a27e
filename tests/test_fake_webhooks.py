"""FakeInstantly webhooks: subscriptions, event payloads, delivery, retries, disabling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from _fake_support import check, error_message, session
from instantly_columns.testing import EngagementRates, FakeInstantly, WebhookDelivery

HOOK = "https://hooks.example.test/instantly"


def _subscribe(http: httpx.Client, **body: Any) -> dict[str, Any]:
    response = http.post("/api/v2/webhooks", json={"target_hook_url": HOOK, **body})
    assert response.status_code == 200, response.text
    return check("webhook", response.json())  # type: ignore[no-any-return]


def test_crud_and_event_types() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        hook = _subscribe(http, event_type="reply_received", name="Replies", headers={"X-T": "1"})
        assert hook["status"] == 1
        url = f"/api/v2/webhooks/{hook['id']}"
        assert check("webhook", http.get(url).json()) == hook
        patched = check("webhook", http.patch(url, json={"event_type": "all_events"}).json())
        assert patched["event_type"] == "all_events"
        listed = check("webhook_page", http.get("/api/v2/webhooks").json())
        assert [w["id"] for w in listed["items"]] == [hook["id"]]
        types = check("event_types", http.get("/api/v2/webhooks/event-types").json())
        names = {t["id"] for t in types["event_types"]}
        assert {"email_link_clicked", "reply_received", "lead_interested"} <= names
        assert check("webhook", http.delete(url).json())["id"] == hook["id"]
        assert http.get(url).status_code == 404
        assert error_message(http.patch(url, json={})) == (
            "body must NOT have fewer than 1 properties"
        )


def test_create_validation() -> None:
    fake = FakeInstantly()
    with session(fake) as http:

        def create(body: dict[str, Any]) -> str:
            return error_message(http.post("/api/v2/webhooks", json=body))

        assert create({}) == "body must have required property 'target_hook_url'"
        assert create({"target_hook_url": "ftp://x"}) == (
            'body/target_hook_url must match pattern "^https?://"'
        )
        assert create({"target_hook_url": HOOK, "event_type": "link_clicked"}) == (
            "body/event_type must be equal to one of the allowed values"
        )
        assert create({"target_hook_url": HOOK, "secret": "x"}) == (
            "body must NOT have additional properties"
        )


def _campaign_with_leads(fake: FakeInstantly, n: int = 1) -> dict[str, Any]:
    campaign = fake.create_campaign("Q3", active=True, email_list=["me@acme.com"])
    fake.add_leads(
        campaign["id"],
        [
            {"email": f"l{i}@x.co", "first_name": f"L{i}", "custom_variables": {"plan": "pro"}}
            for i in range(n)
        ],
    )
    return campaign


def test_events_reach_a_python_receiver_with_names_steps_and_headers() -> None:
    fake = FakeInstantly(seed=1)
    received: list[WebhookDelivery] = []
    fake.add_webhook_receiver(HOOK, received.append)
    campaign = _campaign_with_leads(fake)
    with session(fake) as http:
        _subscribe(http, event_type="all_events", headers={"X-Token": "s3cret"})
    fake.advance(timedelta(days=1), rates=EngagementRates.everyone(interest=1))
    kinds = [d.payload["event_type"] for d in received]
    assert kinds[:2] == ["email_sent", "email_opened"]
    assert {"link_clicked", "reply_received", "lead_interested"} <= set(kinds)
    sent = received[0]
    assert sent.headers["X-Token"] == "s3cret"
    assert sent.payload["step"] == 1
    assert sent.payload["variant"] == 1
    assert sent.payload["campaign_id"] == campaign["id"]
    assert sent.payload["campaign_name"] == "Q3"
    assert sent.payload["workspace"] == fake.workspace_id
    assert sent.payload["lead_email"] == "l0@x.co"
    assert sent.payload["email_account"] == "me@acme.com"
    assert sent.payload["firstName"] == "L0"
    assert sent.payload["plan"] == "pro"
    assert sent.payload["timestamp"].endswith("Z")
    reply = next(d for d in received if d.event_type == "reply_received")
    assert reply.payload["is_first"] is True
    assert reply.payload["reply_text_snippet"]
    assert reply.payload["unibox_url"]
    for delivery in received:
        check("webhook_event", delivery.payload)
    assert all(r.ok for r in fake.deliveries)


def test_subscriptions_filter_by_event_and_campaign() -> None:
    fake = FakeInstantly()
    clicks: list[WebhookDelivery] = []
    other: list[WebhookDelivery] = []
    fake.add_webhook_receiver(HOOK, clicks.append)
    fake.add_webhook_receiver("https://hooks.example.test/other", other.append)
    _campaign_with_leads(fake)
    unrelated = fake.create_campaign("Other")
    with session(fake) as http:
        _subscribe(http, event_type="email_link_clicked")  # payload name: link_clicked
        _subscribe(
            http,
            target_hook_url="https://hooks.example.test/other",
            event_type="all_events",
            campaign=unrelated["id"],
        )
    fake.advance(timedelta(hours=12), rates=EngagementRates.everyone())
    assert [d.event_type for d in clicks] == ["link_clicked"]
    assert other == []


def test_duplicate_delivery_knob() -> None:
    fake = FakeInstantly()
    received: list[WebhookDelivery] = []
    fake.add_webhook_receiver(HOOK, received.append)
    fake.faults.duplicate_webhooks = 1.0
    _campaign_with_leads(fake)
    with session(fake) as http:
        _subscribe(http, event_type="email_sent")
    fake.advance(timedelta(hours=1), rates=EngagementRates.none())
    assert [d.duplicate for d in received] == [False, True]
    assert received[0].payload == received[1].payload


def test_failures_are_retried_then_disable_the_webhook_until_resumed() -> None:
    fake = FakeInstantly(webhook_retries=2, webhook_disable_after=2)
    attempts: list[WebhookDelivery] = []

    def failing(delivery: WebhookDelivery) -> int:
        attempts.append(delivery)
        return 500

    fake.add_webhook_receiver(HOOK, failing)
    campaign = _campaign_with_leads(fake, n=3)
    with session(fake) as http:
        hook = _subscribe(http, event_type="email_sent")
        fake.advance(timedelta(minutes=1), rates=EngagementRates.none())
        # 2 events x (1 try + 2 retries) disabled it; the third event went nowhere
        assert [a.attempt for a in attempts] == [0, 1, 2, 0, 1, 2]
        disabled = check("webhook", http.get(f"/api/v2/webhooks/{hook['id']}").json())
        assert disabled["status"] == -1
        assert disabled["timestamp_error"] == "2026-01-05T09:01:00.000Z"  # when advance ended
        resumed = check("webhook", http.post(f"/api/v2/webhooks/{hook['id']}/resume").json())
        assert resumed["status"] == 1
        assert resumed["timestamp_error"] is None
    fake.add_webhook_receiver(HOOK, lambda delivery: None)
    fake.engage(fake.leads(campaign["id"])[0]["id"], "sent", step=2)
    assert fake.deliveries[-1].ok


def test_raising_receivers_fail_and_unknown_urls_are_not_counted() -> None:
    fake = FakeInstantly(webhook_retries=0, webhook_disable_after=1)

    def broken(delivery: WebhookDelivery) -> None:
        raise RuntimeError("boom")

    fake.add_webhook_receiver(HOOK, broken)
    _campaign_with_leads(fake)
    with session(fake) as http:
        unheard = _subscribe(
            http, target_hook_url="https://nobody.example.test/", event_type="email_sent"
        )
        broke = _subscribe(http, event_type="email_sent")
        fake.advance(60, rates=EngagementRates.none())
        results = {r.delivery.webhook_id: r for r in fake.deliveries}
        assert results[broke["id"]].error == "RuntimeError: boom"
        assert results[unheard["id"]].status is None
        assert str(results[unheard["id"]].error).startswith("unreachable")
        assert http.get(f"/api/v2/webhooks/{broke['id']}").json()["status"] == -1
        assert http.get(f"/api/v2/webhooks/{unheard['id']}").json()["status"] == 1


def test_test_endpoint_reports_success_or_failure_in_a_200() -> None:
    fake = FakeInstantly()
    fake.add_webhook_receiver(HOOK, lambda delivery: 204)
    with session(fake) as http:
        good = _subscribe(http, event_type="email_sent")
        bad = _subscribe(
            http, target_hook_url="https://nobody.example.test/", event_type="email_sent"
        )
        ok = check("webhook_test", http.post(f"/api/v2/webhooks/{good['id']}/test").json())
        failed = http.post(f"/api/v2/webhooks/{bad['id']}/test")
    assert ok["success"] is True
    assert ok["status_code"] == 204
    assert failed.status_code == 200
    assert check("webhook_test", failed.json())["success"] is False


def test_interest_updates_emit_lead_events() -> None:
    fake = FakeInstantly()
    received: list[WebhookDelivery] = []
    fake.add_webhook_receiver(HOOK, received.append)
    campaign = _campaign_with_leads(fake)
    with session(fake) as http:
        _subscribe(http, event_type="all_events")
        body = {"lead_email": "l0@x.co", "interest_value": -1, "campaign_id": campaign["id"]}
        http.post("/api/v2/leads/update-interest-status", json=body)
        assert received == []
        fake.clock.advance(2)
        http.get("/api/v2/workspaces/current")  # a later tick applies the job
    assert [d.event_type for d in received] == ["lead_not_interested"]
    assert received[0].payload["lt_interest_status"] == -1
