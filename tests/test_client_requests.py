"""The exact HTTP requests each client operation sends, checked with respx, through both the
sync and the async client (one table of cases, two drivers)."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from typing import Any

import attrs
import httpx
import pytest
import respx

from _client_support import C1, C2, L1, W1
from instantly_columns.api.client import AsyncInstantlyClient, InstantlyClient
from instantly_columns.api.results import (
    AnalyticsOverview,
    BulkAddResult,
    Campaign,
    CampaignAnalytics,
    DailyAnalytics,
    KeyCheck,
    Lead,
    Page,
    ResultList,
    Webhook,
    WebhookEventType,
    WebhookTestResult,
)
from instantly_columns.config import ClientSettings
from instantly_columns.errors import ConfigError
from instantly_columns.testing.clock import FakeClock

KEY = "test-key-0123456789"
BASE = "https://api.instantly.ai"

CAMPAIGN = {
    "id": C1,
    "name": "Q3 founders",
    "status": 0,
    "campaign_schedule": {"schedules": []},
    "sequences": [{"steps": [{"type": "email", "delay": 2, "variants": [{"subject": "Hi"}]}]}],
    "timestamp_created": "2026-01-05T09:00:00.000Z",
    "timestamp_updated": "2026-01-05T09:00:00.000Z",
}
LEAD = {"id": L1, "email": "ada@acme.com", "status": 1, "email_open_count": 2, "extra": "kept"}
WEBHOOK = {
    "id": W1,
    "organization": "ws",
    "target_hook_url": "https://hooks.example.com/in?token=s3cret",
    "event_type": "reply_received",
    "timestamp_created": "2026-01-05T09:00:00.000Z",
    "headers": {"X-Token": "s3cret"},
}
SEQUENCES = [
    {"steps": [{"type": "email", "delay": 1, "variants": [{"subject": "A", "body": "B"}]}]}
]


def _all(iterator: Iterator[Any] | AsyncIterator[Any]) -> Any:
    """A list for a sync iterator; an awaitable list for an async one."""
    if isinstance(iterator, AsyncIterator):

        async def collect() -> list[Any]:
            return [item async for item in iterator]

        return collect()
    return list(iterator)


@attrs.frozen
class Case:
    name: str
    call: Callable[[Any], Any]
    method: str
    path: str
    query: list[tuple[str, str]] = attrs.field(factory=list)
    body: Any = None  # expected JSON body; None = no body at all
    status: int = 200
    reply: Any = attrs.field(factory=dict)
    check: Callable[[Any], bool] = lambda result: True
    then: tuple[Any, ...] = ()  # replies to later calls of the same route


CASES = [
    Case(
        "check_key",
        lambda c: c.check_key(),
        "GET",
        "/api/v2/workspaces/current",
        reply={"id": "ws", "name": "Acme", "owner": "u"},
        check=lambda r: r == KeyCheck("ws", "Acme"),
    ),
    Case(
        "iter_campaigns",
        lambda c: _all(c.iter_campaigns(search="Q3", status=1)),
        "GET",
        "/api/v2/campaigns",
        query=[("limit", "100"), ("search", "Q3"), ("status", "1")],
        reply={"items": [CAMPAIGN]},
        check=lambda r: [x.id for x in r] == [C1] and r[0].status_label == "Draft",
    ),
    Case(
        "iter_campaign_pages",
        lambda c: _all(c.iter_campaign_pages(starting_after="c0")),
        "GET",
        "/api/v2/campaigns",
        query=[("limit", "100"), ("starting_after", "c0")],
        reply={"items": [CAMPAIGN]},
        check=lambda r: isinstance(r[0], Page) and r[0].starting_after == "c0",
    ),
    Case(
        "list_campaigns",
        lambda c: c.list_campaigns(),
        "GET",
        "/api/v2/campaigns",
        query=[("limit", "100")],
        reply={"items": [CAMPAIGN]},
        check=lambda r: isinstance(r, ResultList) and "Q3 founders" in r._repr_html_(),
    ),
    Case(
        "get_campaign",
        lambda c: c.get_campaign(C1),
        "GET",
        f"/api/v2/campaigns/{C1}",
        reply=CAMPAIGN,
        check=lambda r: isinstance(r, Campaign) and r.name == "Q3 founders",
    ),
    Case(
        "create_campaign",
        lambda c: c.create_campaign(
            "Q3 founders",
            schedule={"schedules": [{"name": "S"}]},
            sequences=SEQUENCES,
            options={"daily_limit": 30, "email_list": ["s@acme.com"]},
        ),
        "POST",
        "/api/v2/campaigns",
        body={
            "name": "Q3 founders",
            "campaign_schedule": {"schedules": [{"name": "S"}]},
            "sequences": SEQUENCES,
            "daily_limit": 30,
            "email_list": ["s@acme.com"],
        },
        reply=CAMPAIGN,
        check=lambda r: r.id == C1 and r.status == 0,
    ),
    Case(
        "get_sequences",
        lambda c: c.get_sequences(C1),
        "GET",
        f"/api/v2/campaigns/{C1}",
        reply=CAMPAIGN,
        check=lambda r: r == CAMPAIGN["sequences"],
    ),
    Case(
        "replace_sequences",
        lambda c: c.replace_sequences(C1, SEQUENCES),
        "PATCH",
        f"/api/v2/campaigns/{C1}",
        body={"sequences": SEQUENCES},
        reply=CAMPAIGN,
        check=lambda r: isinstance(r, Campaign),
    ),
    Case(
        "activate_campaign",
        lambda c: c.activate_campaign(C1),
        "POST",
        f"/api/v2/campaigns/{C1}/activate",
        body={},
        reply={**CAMPAIGN, "status": 1},
        check=lambda r: r.status_label == "Active",
    ),
    Case(
        "pause_campaign",
        lambda c: c.pause_campaign(C1),
        "POST",
        f"/api/v2/campaigns/{C1}/pause",
        body={},
        reply={**CAMPAIGN, "status": 2},
        check=lambda r: r.status_label == "Paused",
    ),
    Case(
        "campaign_analytics",
        lambda c: c.campaign_analytics(C1, start_date=date(2026, 1, 1), end_date="2026-01-31"),
        "GET",
        "/api/v2/campaigns/analytics",
        query=[("id", C1), ("start_date", "2026-01-01"), ("end_date", "2026-01-31")],
        reply=[{"campaign_id": C1, "campaign_name": "Q3", "emails_sent_count": 150}],
        check=lambda r: (
            isinstance(r[0], CampaignAnalytics)
            and r[0].emails_sent_count == 150
            and "<td>Q3</td>" in r._repr_html_()
        ),
    ),
    Case(
        "campaign_analytics_ids",
        lambda c: c.campaign_analytics(campaign_ids=[C1, C2], exclude_total_leads_count=True),
        "GET",
        "/api/v2/campaigns/analytics",
        query=[("ids", C1), ("ids", C2), ("exclude_total_leads_count", "true")],
        reply=[],
        check=lambda r: len(r) == 0,
    ),
    Case(
        "analytics_overview",
        lambda c: c.analytics_overview(campaign_ids=[C1, C2], start_date="2026-01-01"),
        "GET",
        "/api/v2/campaigns/analytics/overview",
        query=[("ids", C1), ("ids", C2), ("start_date", "2026-01-01")],
        reply={"emails_sent_count": 9, "total_interested": 2},
        check=lambda r: isinstance(r, AnalyticsOverview) and r.total_interested == 2,
    ),
    Case(
        "daily_analytics",
        lambda c: c.daily_analytics(C1, start_date=date(2026, 1, 1)),
        "GET",
        "/api/v2/campaigns/analytics/daily",
        query=[("campaign_id", C1), ("start_date", "2026-01-01")],
        reply=[{"date": "2026-01-01", "sent": 3}],
        check=lambda r: isinstance(r[0], DailyAnalytics) and r[0].sent == 3,
    ),
    Case(
        "add_leads",
        lambda c: c.add_leads(
            C1,
            [{"email": "ada@acme.com", "first_name": "Ada", "custom_variables": {"plan": "pro"}}],
            skip_if_in_campaign=True,
        ),
        "POST",
        "/api/v2/leads/add",
        body={
            "campaign_id": C1,
            "leads": [
                {"email": "ada@acme.com", "first_name": "Ada", "custom_variables": {"plan": "pro"}}
            ],
            "skip_if_in_campaign": True,
            "skip_if_in_workspace": False,
            "skip_if_in_list": False,
        },
        reply={
            "status": "success",
            "total_sent": 1,
            "leads_uploaded": 1,
            "created_leads": [{"index": 0, "id": L1, "email": "ada@acme.com"}],
        },
        check=lambda r: isinstance(r, BulkAddResult) and dict(r.created) == {0: L1},
    ),
    Case(
        "iter_leads",
        lambda c: _all(c.iter_leads(C1)),
        "POST",
        "/api/v2/leads/list",
        body={"campaign": C1, "limit": 100},
        reply={"items": [LEAD]},
        check=lambda r: isinstance(r[0], Lead) and r[0].raw["extra"] == "kept",
    ),
    Case(
        "iter_lead_pages",
        lambda c: _all(
            c.iter_lead_pages(
                C1, starting_after="l0", filter="FILTER_VAL_CONTACTED", contacts=["a@x.io"]
            )
        ),
        "POST",
        "/api/v2/leads/list",
        body={
            "campaign": C1,
            "limit": 100,
            "starting_after": "l0",
            "filter": "FILTER_VAL_CONTACTED",
            "contacts": ["a@x.io"],
        },
        reply={"items": [LEAD], "next_starting_after": L1},
        then=({"items": []},),
        check=lambda r: len(r) == 1 and r[0].next_starting_after == L1,
    ),
    Case(
        "lead_page",
        lambda c: c.lead_page(C1, starting_after="l0", contacts=["a@x.io"]),
        "POST",
        "/api/v2/leads/list",
        body={"campaign": C1, "limit": 100, "starting_after": "l0", "contacts": ["a@x.io"]},
        reply={"items": [LEAD], "next_starting_after": L1},
        check=lambda r: len(r) == 1 and r.next_starting_after == L1,
    ),
    Case(
        "get_lead",
        lambda c: c.get_lead(L1),
        "GET",
        f"/api/v2/leads/{L1}",
        reply=LEAD,
        check=lambda r: r.email_open_count == 2,
    ),
    Case(
        "update_lead",
        lambda c: c.update_lead(L1, {"first_name": "Ada", "custom_variables": {"n": 1}}),
        "PATCH",
        f"/api/v2/leads/{L1}",
        body={"first_name": "Ada", "custom_variables": {"n": 1}},
        reply=LEAD,
        check=lambda r: r.id == L1,
    ),
    Case(
        "delete_lead",
        lambda c: c.delete_lead(L1),
        "DELETE",
        f"/api/v2/leads/{L1}",
        reply=LEAD,
        check=lambda r: r.id == L1,
    ),
    Case(
        "update_interest_status",
        lambda c: c.update_interest_status("ada@acme.com", 1, campaign_id=C1),
        "POST",
        "/api/v2/leads/update-interest-status",
        body={"lead_email": "ada@acme.com", "interest_value": 1, "campaign_id": C1},
        status=202,
        reply={"message": "Lead interest status update background job submitted"},
        check=lambda r: r is None,
    ),
    Case(
        "update_interest_status_reset",
        lambda c: c.update_interest_status("ada@acme.com", None),
        "POST",
        "/api/v2/leads/update-interest-status",
        body={"lead_email": "ada@acme.com", "interest_value": None},
        status=202,
        reply={"message": "ok"},
    ),
    Case(
        "list_webhooks",
        lambda c: c.list_webhooks(campaign_id=C1, event_type="reply_received"),
        "GET",
        "/api/v2/webhooks",
        query=[("limit", "100"), ("campaign", C1), ("event_type", "reply_received")],
        reply={"items": [WEBHOOK]},
        check=lambda r: isinstance(r[0], Webhook) and "s3cret" not in repr(r),
    ),
    Case(
        "create_webhook",
        lambda c: c.create_webhook(
            "https://hooks.example.com/in",
            "reply_received",
            campaign_id=C1,
            name="Replies",
            headers={"X-Token": "s3cret"},
        ),
        "POST",
        "/api/v2/webhooks",
        body={
            "target_hook_url": "https://hooks.example.com/in",
            "event_type": "reply_received",
            "campaign": C1,
            "name": "Replies",
            "headers": {"X-Token": "s3cret"},
        },
        reply=WEBHOOK,
        check=lambda r: r.id == W1,
    ),
    Case(
        "get_webhook",
        lambda c: c.get_webhook(W1),
        "GET",
        f"/api/v2/webhooks/{W1}",
        reply=WEBHOOK,
        check=lambda r: r.event_type == "reply_received",
    ),
    Case(
        "update_webhook",
        lambda c: c.update_webhook(W1, {"name": "Renamed"}),
        "PATCH",
        f"/api/v2/webhooks/{W1}",
        body={"name": "Renamed"},
        reply={**WEBHOOK, "name": "Renamed"},
        check=lambda r: r.name == "Renamed",
    ),
    Case(
        "delete_webhook",
        lambda c: c.delete_webhook(W1),
        "DELETE",
        f"/api/v2/webhooks/{W1}",
        reply=WEBHOOK,
        check=lambda r: r.id == W1,
    ),
    Case(
        "resume_webhook",
        lambda c: c.resume_webhook(W1),
        "POST",
        f"/api/v2/webhooks/{W1}/resume",
        body={},
        reply={**WEBHOOK, "status": 1},
        check=lambda r: r.status == 1,
    ),
    Case(
        "test_webhook",
        lambda c: c.test_webhook(W1),
        "POST",
        f"/api/v2/webhooks/{W1}/test",
        body={},
        reply={"success": True, "status_code": 200, "response_time_ms": 12},
        check=lambda r: isinstance(r, WebhookTestResult) and r.status_code == 200,
    ),
    Case(
        "webhook_event_types",
        lambda c: c.webhook_event_types(),
        "GET",
        "/api/v2/webhooks/event-types",
        reply={"event_types": [{"id": "email_sent", "label": "Email Sent", "type": "standard"}]},
        check=lambda r: r[0] == WebhookEventType("email_sent", "Email Sent", "standard"),
    ),
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_client(kind: str, **kwargs: Any) -> Any:
    kwargs.setdefault("clock", FakeClock())
    if kind == "sync":
        return InstantlyClient(KEY, **kwargs)
    return AsyncInstantlyClient(KEY, **kwargs)


async def close(client: Any) -> None:
    if isinstance(client, AsyncInstantlyClient):
        await client.aclose()
    else:
        client.close()


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_request_is_exactly_as_documented(case: Case, kind: str) -> None:
    client = make_client(kind)
    with respx.mock(base_url=BASE, assert_all_called=True) as mock:
        route = mock.route(method=case.method, path=case.path)
        route.side_effect = [
            httpx.Response(case.status, json=reply) for reply in (case.reply, *case.then)
        ]
        result = case.call(client)
        if inspect.isawaitable(result):
            result = await result
        await close(client)
    assert route.call_count == 1 + len(case.then)
    request: httpx.Request = route.calls[0].request
    assert request.method == case.method
    assert request.url.path == case.path
    assert list(request.url.params.multi_items()) == case.query
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["User-Agent"] == ClientSettings().user_agent
    assert request.headers["User-Agent"].startswith("instantly-columns/")
    assert request.headers["Accept"] == "application/json"
    if case.body is None:
        assert request.content == b""
        assert "Content-Type" not in request.headers
    else:
        assert request.headers["Content-Type"] == "application/json"
        assert json.loads(request.content) == case.body
    assert case.check(result), result


def test_every_public_operation_has_a_case() -> None:
    public = {
        name
        for name, value in vars(InstantlyClient).items()
        if callable(value) and not name.startswith("_") and name != "close"
    }
    covered = {case.name for case in CASES}
    assert len(public) == 29
    assert public <= covered, sorted(public - covered)
    # and the async client offers the same operations
    assert public <= set(dir(AsyncInstantlyClient))


@pytest.mark.anyio
async def test_base_url_prefix_and_user_agent_suffix_are_used() -> None:
    settings = ClientSettings(
        base_url="https://proxy.example.com/instantly", user_agent_suffix="acme/2"
    )
    for kind in ("sync", "async"):
        client = make_client(kind, settings=settings)
        with respx.mock(assert_all_called=True) as mock:
            route = mock.get(f"https://proxy.example.com/instantly/api/v2/campaigns/{C1}").respond(
                200, json=CAMPAIGN
            )
            result = client.get_campaign(C1)
            if inspect.isawaitable(result):
                await result
            await close(client)
        agent = route.calls.last.request.headers["User-Agent"]
        assert agent.startswith("instantly-columns/")
        assert agent.endswith(" acme/2")


@pytest.mark.anyio
async def test_an_id_that_is_not_a_uuid_never_reaches_the_path() -> None:
    for kind in ("sync", "async"):
        client = make_client(kind)
        with respx.mock(base_url=BASE, assert_all_called=False) as mock:
            route = mock.route(method="GET").respond(200, json=LEAD)

            async def traverse(client: Any = client) -> None:
                result = client.get_lead("a/../b")
                if inspect.isawaitable(result):
                    await result

            with pytest.raises(ConfigError) as info:
                await traverse()
            await close(client)
        assert info.value.problems[0].path == "lead_id"
        assert "a/../b" not in str(info.value)
        assert not route.called
