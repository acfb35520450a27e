"""End to end against FakeInstantly: every operation through both clients and three ways in
(our transport port, an httpx mock transport, a loopback server), fault recovery, and the
shared limiter checked from the fake's own traffic report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

from _client_support import KINDS, settle
from instantly_columns.api.client import AsyncInstantlyClient, InstantlyClient
from instantly_columns.api.ratelimit import MemoryWindow, WorkspaceLimiter
from instantly_columns.config import ClientSettings, RetryPolicy
from instantly_columns.errors import ApiResponseError, Forbidden, NotFound, Unauthorized
from instantly_columns.testing import EngagementRates, FakeInstantly

SEQUENCES = [
    {
        "steps": [
            {
                "type": "email",
                "delay": 2,
                "variants": [{"subject": "Hi {{firstName}}", "body": "Hello"}],
            },
            {"type": "email", "delay": 3, "variants": [{"subject": "", "body": "Bumping this"}]},
        ]
    }
]


def make(kind: str, fake: FakeInstantly, way: str = "port", **kwargs: Any) -> Any:
    key = kwargs.pop("key", None) or fake.create_api_key()
    kwargs.setdefault("clock", fake.clock)
    if way == "httpx":
        transport: Any = fake.httpx_transport()
    elif kind == "sync":
        transport = fake.as_transport()
    else:
        transport = fake.as_async_transport()
    cls = InstantlyClient if kind == "sync" else AsyncInstantlyClient
    return cls(key, transport=transport, **kwargs)


def call(kind: str, client: Any, operation: Callable[[Any], Any]) -> Any:
    return settle(kind, operation(client))


@pytest.mark.parametrize("way", ["port", "httpx"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_operation_against_the_fake(kind: str, way: str) -> None:
    fake = FakeInstantly(seed=3)
    client = make(kind, fake, way)

    def do(operation: Callable[[Any], Any]) -> Any:
        return call(kind, client, operation)

    check = do(lambda c: c.check_key())
    assert check.workspace_id == fake.workspace_id
    assert not check.campaigns_only

    campaign = do(lambda c: c.create_campaign("Q3 founders", sequences=SEQUENCES))
    assert campaign.status_label == "Draft"
    assert fake.campaign(campaign.id)["name"] == "Q3 founders"
    assert [c.id for c in do(lambda c: c.list_campaigns(search="Q3"))] == [campaign.id]
    assert do(lambda c: c.get_campaign(campaign.id)).name == "Q3 founders"

    sequences = do(lambda c: c.get_sequences(campaign.id))
    sequences[0]["steps"][1]["variants"][0]["body"] = "Still keen?"
    do(lambda c: c.replace_sequences(campaign.id, sequences))
    stored = fake.campaign(campaign.id)["sequences"][0]["steps"][1]["variants"][0]["body"]
    assert stored == "Still keen?"

    leads = [{"email": f"p{n}@acme.com", "first_name": f"P{n}"} for n in range(250)]
    added = do(lambda c: c.add_leads(campaign.id, leads, skip_if_in_campaign=True))
    assert added.leads_uploaded == 250
    assert sorted(added.created) == list(range(250))
    pages = do(lambda c: c.iter_lead_pages(campaign.id))
    assert [len(p) for p in pages] == [100, 100, 50]
    everyone = do(lambda c: c.iter_leads(campaign.id))
    assert {lead.id for lead in everyone} == set(added.created.values())
    again = do(lambda c: c.add_leads(campaign.id, leads[:3], skip_if_in_campaign=True))
    assert again.leads_uploaded == 0
    assert not again.created

    first = added.created[0]
    assert do(lambda c: c.get_lead(first)).email == "p0@acme.com"
    patched = do(lambda c: c.update_lead(first, {"custom_variables": {"plan": "pro"}}))
    assert patched.payload is not None
    assert patched.payload["plan"] == "pro"
    assert do(lambda c: c.update_interest_status("p1@acme.com", 1, campaign_id=campaign.id)) is None
    fake.flush_jobs()
    assert fake.lead(added.created[1])["lt_interest_status"] == 1

    assert do(lambda c: c.activate_campaign(campaign.id)).status_label == "Active"
    fake.advance(3 * 86400, rates=EngagementRates.everyone())
    rows = do(lambda c: c.campaign_analytics(campaign.id))
    assert rows[0].campaign_id == campaign.id
    assert rows[0].emails_sent_count >= 250
    overview = do(lambda c: c.analytics_overview(campaign.id))
    assert overview.emails_sent_count == rows[0].emails_sent_count
    daily = do(lambda c: c.daily_analytics(campaign.id))
    assert sum(day.sent or 0 for day in daily) == rows[0].emails_sent_count
    do(lambda c: c.pause_campaign(campaign.id))

    kinds = {t.id for t in do(lambda c: c.webhook_event_types())}
    assert {"reply_received", "all_events"} <= kinds
    received: list[Any] = []
    fake.add_webhook_receiver("https://hooks.example.com/in", lambda event: received.append(event))
    hook = do(
        lambda c: c.create_webhook(
            "https://hooks.example.com/in", "reply_received", campaign_id=campaign.id
        )
    )
    assert [h.id for h in do(lambda c: c.list_webhooks())] == [hook.id]
    assert do(lambda c: c.get_webhook(hook.id)).event_type == "reply_received"
    assert do(lambda c: c.update_webhook(hook.id, {"name": "Replies"})).name == "Replies"
    assert do(lambda c: c.test_webhook(hook.id)).success
    assert received
    assert do(lambda c: c.resume_webhook(hook.id)).id == hook.id
    assert do(lambda c: c.delete_webhook(hook.id)).id == hook.id
    assert do(lambda c: c.delete_lead(first)).id == first
    with pytest.raises(NotFound):
        do(lambda c: c.get_lead(first))
    assert fake.internal_errors == ()
    assert fake.report().limit_violations == ()


@pytest.mark.parametrize("kind", KINDS)
def test_keys_scopes_and_the_edge(kind: str) -> None:
    fake = FakeInstantly()
    fake.create_campaign("Existing")
    scoped = fake.create_api_key(scopes=["campaigns:read"])
    check = call(kind, make(kind, fake, key=scoped), lambda c: c.check_key())
    assert check.campaigns_only
    assert check.workspace_id == fake.workspace_id

    revoked = fake.create_api_key()
    fake.revoke_api_key(revoked)
    with pytest.raises(Unauthorized):
        call(kind, make(kind, fake, key=revoked), lambda c: c.check_key())

    edgy = FakeInstantly(edge_block=True)
    # Through our httpx transport the User-Agent is always set, so the edge lets it pass...
    assert call(kind, make(kind, edgy, "httpx"), lambda c: c.check_key()).workspace_id
    # ...while a transport that sends none is blocked, and the error says why.
    blocked: InstantlyClient | AsyncInstantlyClient
    if kind == "sync":
        bare = edgy.as_transport(user_agent=None)
        blocked = InstantlyClient(edgy.create_api_key(), transport=bare, clock=edgy.clock)
    else:
        abare = edgy.as_async_transport(user_agent=None)
        blocked = AsyncInstantlyClient(edgy.create_api_key(), transport=abare, clock=edgy.clock)
    with pytest.raises(Forbidden, match="User-Agent"):
        call(kind, blocked, lambda c: c.check_key())


@pytest.mark.parametrize("kind", KINDS)
def test_faults_are_recovered_or_reported(kind: str) -> None:
    fake = FakeInstantly(seed=1)
    client = make(kind, fake)
    campaign = fake.create_campaign("Base")

    fake.faults.rate_limit(endpoint="GET /api/v2/campaigns/{id}", times=2, retry_after=2)
    assert call(kind, client, lambda c: c.get_campaign(campaign["id"])).id == campaign["id"]
    fake.faults.server_error(503, endpoint="POST /api/v2/leads/list", times=1)
    fake.faults.connection_reset(endpoint="POST /api/v2/leads/list", times=1)
    assert call(kind, client, lambda c: c.iter_leads(campaign["id"])) == []

    # A creation whose answer is lost is found by name, not made twice.
    fake.faults.timeout(endpoint="POST /api/v2/campaigns", times=1, after_apply=True)
    created = call(kind, client, lambda c: c.create_campaign("Lost answer"))
    assert [c["name"] for c in fake.campaigns()].count("Lost answer") == 1
    assert created.name == "Lost answer"

    # A guarded bulk add is sent again; the second send adds nobody twice.
    fake.faults.timeout(endpoint="POST /api/v2/leads/add", times=1, after_apply=True)
    leads = [{"email": f"x{n}@acme.com"} for n in range(5)]
    call(kind, client, lambda c: c.add_leads(campaign["id"], leads, skip_if_in_campaign=True))
    assert len(fake.leads(campaign["id"])) == 5

    fake.faults.malformed_json(endpoint="GET /api/v2/campaigns/{id}", times=1)
    with pytest.raises(ApiResponseError, match="JSON"):
        call(kind, client, lambda c: c.get_campaign(campaign["id"]))
    fake.faults.error_body("ACC_AUTH_ERROR", endpoint="GET /api/v2/campaigns/{id}", times=1)
    with pytest.raises(ApiResponseError, match="ACC_AUTH_ERROR"):
        call(kind, client, lambda c: c.get_campaign(campaign["id"]))
    assert len(fake.report().faults) == 8
    assert fake.internal_errors == ()


def test_a_loopback_server_round_trip() -> None:
    fake = FakeInstantly(rate_limits=False)
    key = fake.create_api_key()
    fake.create_campaign("Served")
    with fake.serve() as base_url:
        settings = ClientSettings(base_url=base_url, timeout=10)
        with InstantlyClient(key, settings=settings) as client:
            assert [c.name for c in client.iter_campaigns()] == ["Served"]
            assert client.check_key().workspace_id == fake.workspace_id

        async def go() -> str:
            async with AsyncInstantlyClient(key, settings=settings) as client:
                return (await client.check_key()).workspace_id or ""

        assert anyio.run(go) == fake.workspace_id
    agents = {dict(record.headers)["user-agent"] for record in fake.report().requests}
    assert agents == {ClientSettings().user_agent}
    assert all(
        dict(record.headers)["authorization"] != f"Bearer {key}"
        for record in fake.report().requests
    )


# --- the shared limiter, checked by the fake ---------------------------------------------------


def hammer(fake: FakeInstantly, limiters: list[WorkspaceLimiter], calls: int = 120) -> None:
    """Four async clients, one per limiter given, 120 key checks each, interleaved.

    (Tasks, not threads: in one thread a request reaches the fake at the instant it was
    granted, so the fake's clock measures the limiter itself. With threads sharing a fake
    clock, one thread's sleep moves time for the others between grant and arrival; the
    limiter's own grant times are checked for threads in test_ratelimit.)
    """
    key = fake.create_api_key()
    # Separate limiters overrun the workspace and get 429s; let those be retried freely.
    settings = ClientSettings(retry=RetryPolicy(max_retries=20))

    async def worker(limiter: WorkspaceLimiter) -> None:
        client = AsyncInstantlyClient(
            key,
            transport=fake.as_async_transport(),
            clock=fake.clock,
            limiter=limiter,
            settings=settings,
        )
        for _ in range(calls):
            await client.check_key()
            await anyio.lowlevel.checkpoint()

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for limiter in limiters:
                group.start_soon(worker, limiter)

    anyio.run(main)


def test_clients_sharing_a_limiter_never_trip_the_fakes_limit() -> None:
    fake = FakeInstantly()
    hammer(fake, [WorkspaceLimiter(fake.workspace_id)] * 4)
    report = fake.report()
    assert report.total == 480
    assert report.limit_violations == ()
    assert report.peak_per_second == 100  # at the limit, never over it


def test_separate_limiters_do_trip_it() -> None:
    # The control experiment: each client with its own budget overruns the workspace's.
    fake = FakeInstantly()
    hammer(fake, [WorkspaceLimiter(fake.workspace_id) for _ in range(4)])
    report = fake.report()
    assert report.limit_violations != ()
    assert report.total == 480 + len(report.limit_violations)  # every 429 was retried


def test_the_minute_budget_holds_too() -> None:
    fake = FakeInstantly()
    # An exact window (no transit guard), so that the minute's budget can be used up.
    exact = WorkspaceLimiter(fake.workspace_id, backend=MemoryWindow())
    hammer(fake, [exact] * 2, calls=3100)
    report = fake.report()
    assert report.total == 6200
    assert report.limit_violations == ()
    assert report.peak_per_minute == 6000
    assert report.peak_per_second == 100


def test_the_default_guard_keeps_a_flat_out_client_below_the_rate() -> None:
    fake = FakeInstantly()
    hammer(fake, [WorkspaceLimiter(fake.workspace_id)] * 2, calls=600)
    report = fake.report()
    assert report.total == 1200
    assert report.limit_violations == ()
    assert report.peak_per_second <= 100
