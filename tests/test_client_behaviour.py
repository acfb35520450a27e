"""Pagination, retries, error mapping and ambiguous writes, through both clients, on a
FakeClock (no test sleeps)."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from _client_support import (
    C1,
    C2,
    KINDS,
    L1,
    W1,
    Script,
    body,
    client_for,
    envelope,
    reply,
    run,
    settle,
)
from instantly_columns.api.core import status_error
from instantly_columns.api.ratelimit import MemoryWindow, Rate, WorkspaceLimiter
from instantly_columns.config import ClientSettings, RetryPolicy
from instantly_columns.errors import (
    ApiConnectionError,
    ApiResponseError,
    ApiStatusError,
    ApiTimeout,
    BadRequest,
    ConfigError,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    PaymentRequired,
    RateLimited,
    ServerError,
    Unauthorized,
    Unprocessable,
)
from instantly_columns.ports import ApiKey, ApiRequest, ApiResponse
from instantly_columns.testing.clock import FakeClock

both = pytest.mark.parametrize("kind", KINDS)


def lead(n: int) -> dict[str, Any]:
    return {"id": f"l{n:03d}", "email": f"p{n}@acme.com", "status": 1}


def page(ids: range, cursor: str | None) -> ApiResponse:
    data: dict[str, Any] = {"items": [lead(n) for n in ids]}
    if cursor is not None:
        data["next_starting_after"] = cursor
    return reply(200, data)


SMALL_PAGES = ClientSettings(page_size=2)
CAMPAIGN = {"id": C1, "name": "Q3", "status": 0, "timestamp_created": "2026-01-05T09:00:00Z"}


# --- pagination ------------------------------------------------------------------------------


@both
def test_exact_multiple_of_page_size_ends_on_the_empty_page(kind: str) -> None:
    script = Script(page(range(2), "l001"), page(range(2, 4), "l003"), page(range(0), None))
    leads = run(kind, script, lambda c: c.iter_leads(C1), settings=SMALL_PAGES)
    assert [x.id for x in leads] == ["l000", "l001", "l002", "l003"]
    assert [body(r).get("starting_after") for r in script.requests] == [None, "l001", "l003"]
    assert all(body(r)["limit"] == 2 and body(r)["campaign"] == C1 for r in script.requests)


@both
def test_an_empty_last_page_pointing_back_at_its_cursor_is_asked_once_more(kind: str) -> None:
    script = Script(page(range(2), "l001"), page(range(2, 4), "l003"), page(range(0), "l003"))
    leads = run(kind, script, lambda c: c.iter_leads(C1), settings=SMALL_PAGES)
    assert [x.id for x in leads] == ["l000", "l001", "l002", "l003"]
    # the same empty answer twice: the end
    assert [body(r).get("starting_after") for r in script.requests] == [
        None,
        "l001",
        "l003",
        "l003",
    ]


@both
def test_an_empty_page_with_a_cursor_is_followed_once_more(kind: str) -> None:
    script = Script(page(range(2), "l001"), page(range(0), "l009"), page(range(5, 7), None))
    pages = run(kind, script, lambda c: c.iter_lead_pages(C1), settings=SMALL_PAGES)
    assert [len(p) for p in pages] == [2, 2]
    assert [body(r).get("starting_after") for r in script.requests] == [None, "l001", "l009"]


@both
def test_two_empty_pages_with_new_cursors_end_the_walk_with_a_warning(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    script = Script(
        page(range(2), "l001"),
        page(range(0), "l009"),
        page(range(0), "l019"),
        page(range(5, 7), None),
    )
    pages = run(kind, script, lambda c: c.iter_lead_pages(C1), settings=SMALL_PAGES)
    assert [len(p) for p in pages] == [2]
    assert len(script.requests) == 3
    assert any("two empty pages" in r.getMessage() for r in caplog.records)


@both
def test_a_numeric_cursor_is_sent_back_in_its_text_form(kind: str) -> None:
    first = reply(200, {"items": [lead(0), lead(1)], "next_starting_after": 1754000000123})
    second = reply(200, {"items": [lead(2)], "next_starting_after": None})
    script = Script(first, second)
    pages = run(kind, script, lambda c: c.iter_lead_pages(C1), settings=SMALL_PAGES)
    assert [len(p) for p in pages] == [2, 1]
    assert pages[0].next_starting_after == "1754000000123"
    assert body(script.requests[1])["starting_after"] == "1754000000123"
    campaigns = Script(
        reply(200, {"items": [CAMPAIGN], "next_starting_after": 7}),
        reply(200, {"items": [{**CAMPAIGN, "id": C2}]}),
    )
    assert [c.id for c in run(kind, campaigns, lambda c: c.list_campaigns())] == [C1, C2]
    assert dict(campaigns.requests[1].query)["starting_after"] == "7"


@both
@pytest.mark.parametrize("cursor", [True, {"id": "l001"}, ["l001"]], ids=["bool", "obj", "list"])
def test_a_cursor_that_cannot_be_sent_back_raises_after_its_page(kind: str, cursor: Any) -> None:
    script = Script(reply(200, {"items": [lead(0), lead(1)], "next_starting_after": cursor}))
    seen: list[str] = []

    def walk(client: Any) -> Any:
        pages = client.iter_lead_pages(C1)
        if kind == "sync":
            for p in pages:
                seen.extend(x.id for x in p)
            return None

        async def go() -> None:
            async for p in pages:
                seen.extend(x.id for x in p)

        return go()

    with pytest.raises(ApiResponseError, match="not a string or a number"):
        run(kind, script, walk, settings=SMALL_PAGES)
    assert seen == ["l000", "l001"]
    assert len(script.requests) == 1


@both
def test_missing_cursor_stops(kind: str) -> None:
    script = Script(page(range(2), None), page(range(2, 4), None))
    leads = run(kind, script, lambda c: c.iter_leads(C1), settings=SMALL_PAGES)
    assert len(leads) == 2
    assert len(script.requests) == 1


@both
def test_a_repeated_cursor_raises_instead_of_looping(kind: str) -> None:
    script = Script(page(range(2), "a"), page(range(2, 4), "b"), page(range(4, 6), "a"))
    seen: list[str] = []

    def walk(client: Any) -> Any:
        pages = client.iter_lead_pages(C1)
        if kind == "sync":
            for p in pages:
                seen.extend(x.id for x in p)
            return None

        async def go() -> None:
            async for p in pages:
                seen.extend(x.id for x in p)

        return go()

    with pytest.raises(ApiResponseError, match="second time"):
        run(kind, script, walk, settings=SMALL_PAGES)
    assert seen == ["l000", "l001", "l002", "l003"]  # pages before the loop were delivered
    assert len(script.requests) == 3


@both
def test_resuming_from_a_saved_cursor(kind: str) -> None:
    script = Script(page(range(4, 6), "l005"), page(range(0), None))
    pages = run(
        kind, script, lambda c: c.iter_lead_pages(C1, starting_after="l003"), settings=SMALL_PAGES
    )
    assert body(script.requests[0])["starting_after"] == "l003"
    assert pages[0].starting_after == "l003"
    assert pages[0].next_starting_after == "l005"
    # The API handing back the cursor we resumed from is a loop too.
    script = Script(page(range(4, 6), "l003"))
    with pytest.raises(ApiResponseError):
        run(kind, script, lambda c: c.iter_lead_pages(C1, starting_after="l003"))


@both
def test_iteration_is_lazy_one_page_at_a_time(kind: str) -> None:
    script = Script(page(range(2), "l001"), page(range(2, 4), None))
    client = client_for(kind, script, settings=SMALL_PAGES)
    leads = client.iter_leads(C1)
    assert script.requests == []  # nothing sent before the first item is asked for
    if kind == "sync":
        first = next(leads)
        assert first.id == "l000"
        assert len(script.requests) == 1
        assert next(leads).id == "l001"
        assert len(script.requests) == 1
        assert next(leads).id == "l002"
        assert len(script.requests) == 2
    else:
        import anyio

        async def go() -> None:
            assert (await leads.__anext__()).id == "l000"
            assert len(script.requests) == 1
            assert (await leads.__anext__()).id == "l001"
            assert len(script.requests) == 1
            assert (await leads.__anext__()).id == "l002"
            assert len(script.requests) == 2
            await leads.aclose()

        anyio.run(go)


@both
def test_campaign_pages_and_webhooks_paginate_too(kind: str) -> None:
    campaigns = Script(
        reply(200, {"items": [CAMPAIGN], "next_starting_after": C1}),
        reply(200, {"items": [{**CAMPAIGN, "id": C2}]}),
    )
    found = run(kind, campaigns, lambda c: c.list_campaigns(search="Q"))
    assert [c.id for c in found] == [C1, C2]
    assert dict(campaigns.requests[1].query)["starting_after"] == C1
    hooks = Script(
        reply(200, {"items": [{"id": W1}], "next_starting_after": W1}),
        reply(200, {"items": []}),
    )
    assert [w.id for w in run(kind, hooks, lambda c: c.list_webhooks())] == [W1]


# --- retries and waits -----------------------------------------------------------------------


@both
def test_429_honours_retry_after_seconds(kind: str) -> None:
    clock = FakeClock()
    script = Script(envelope(429, "Rate limit exceeded", retry_after="3"), reply(200, CAMPAIGN))
    campaign = run(kind, script, lambda c: c.get_campaign(C1), clock=clock)
    assert campaign.id == C1
    assert clock.slept == [3.0]


@both
def test_429_honours_retry_after_http_date(kind: str) -> None:
    clock = FakeClock()
    when = format_datetime(clock.now() + timedelta(seconds=5), usegmt=True)
    script = Script(envelope(429, "slow down", retry_after=when), reply(200, CAMPAIGN))
    run(kind, script, lambda c: c.get_campaign(C1), clock=clock)
    assert clock.slept == [5.0]


@both
def test_retry_after_is_capped(kind: str) -> None:
    clock = FakeClock()
    script = Script(envelope(429, "later", retry_after="3600"), reply(200, CAMPAIGN))
    run(kind, script, lambda c: c.get_campaign(C1), clock=clock)
    assert clock.slept == [60.0]


@both
def test_429_without_header_backs_off_with_jitter_and_gives_up(kind: str) -> None:
    clock = FakeClock()
    script = Script(envelope(429, "Rate limit exceeded"))
    with pytest.raises(RateLimited) as info:
        run(kind, script, lambda c: c.get_campaign(C1), clock=clock)
    assert info.value.retry_after is None
    assert info.value.status == 429
    assert "Rate limit exceeded" in str(info.value)
    assert len(script.requests) == 3  # the first try and two retries
    assert 0 <= clock.slept[0] <= 0.5
    assert 0 <= clock.slept[1] <= 1.0


@both
def test_a_write_without_guard_is_still_retried_after_429(kind: str) -> None:
    clock = FakeClock()
    script = Script(envelope(429, "busy", retry_after="1"), reply(200, {"id": W1}))
    hook = run(
        kind, script, lambda c: c.create_webhook("https://h.io/x", "email_sent"), clock=clock
    )
    assert hook.id == W1
    assert len(script.requests) == 2


@pytest.mark.parametrize(
    "fault",
    [
        envelope(500, "boom"),
        envelope(503, "upstream"),
        ApiTimeout("timed out", method="GET", path="/x"),
        ApiConnectionError("reset", method="GET", path="/x"),
    ],
    ids=["500", "503", "timeout", "connection"],
)
@both
def test_reads_recover_from_ambiguous_failures(kind: str, fault: Any) -> None:
    clock = FakeClock()
    script = Script(fault, fault, reply(200, CAMPAIGN))
    assert run(kind, script, lambda c: c.get_campaign(C1), clock=clock).id == C1
    assert len(script.requests) == 3
    assert 0 <= clock.slept[0] <= 0.5
    assert 0 <= clock.slept[1] <= 1.0


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (envelope(500, "boom"), ServerError),
        (ApiTimeout("timed out", method="POST", path="/x"), ApiTimeout),
        (ApiConnectionError("reset", method="POST", path="/x"), ApiConnectionError),
    ],
    ids=["500", "timeout", "connection"],
)
@both
def test_unguarded_writes_are_not_retried_after_ambiguous_failures(
    kind: str, fault: Any, error: type[Exception]
) -> None:
    script = Script(fault, reply(200, {"id": W1}))
    with pytest.raises(error):
        run(kind, script, lambda c: c.create_webhook("https://h.io/x", "email_sent"))
    assert len(script.requests) == 1


@both
def test_retries_run_out(kind: str) -> None:
    script = Script(envelope(502, "bad gateway"))
    with pytest.raises(ServerError) as info:
        run(kind, script, lambda c: c.get_lead(L1))
    assert info.value.status == 502
    assert len(script.requests) == 3
    script = Script(envelope(500, "x"))
    no_retry = ClientSettings(retry=RetryPolicy(max_retries=0))
    with pytest.raises(ServerError):
        run(kind, script, lambda c: c.get_lead(L1), settings=no_retry)
    assert len(script.requests) == 1


@both
@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 422])
def test_client_errors_are_not_retried(kind: str, status: int) -> None:
    script = Script(envelope(status, "nope"))
    with pytest.raises(ApiStatusError) as info:
        run(kind, script, lambda c: c.get_lead(L1))
    assert info.value.status == status
    assert len(script.requests) == 1


# --- bad responses ---------------------------------------------------------------------------


@both
def test_malformed_json_is_a_response_error(kind: str) -> None:
    script = Script(reply(200, text='{"id": "c1", '))
    with pytest.raises(ApiResponseError, match="not valid JSON"):
        run(kind, script, lambda c: c.get_campaign(C1))
    assert len(script.requests) == 1


@both
def test_a_200_that_reports_an_error_is_a_response_error(kind: str) -> None:
    script = Script(reply(200, {"error": "ACC_AUTH_ERROR"}))
    with pytest.raises(ApiResponseError, match="ACC_AUTH_ERROR"):
        run(kind, script, lambda c: c.get_campaign(C1))


@both
def test_a_failed_webhook_test_is_a_response_error(kind: str) -> None:
    script = Script(reply(200, {"success": False, "error": "Connection timeout", "status_code": 0}))
    with pytest.raises(ApiResponseError, match="Connection timeout"):
        run(kind, script, lambda c: c.test_webhook(W1))


@both
def test_schema_drift_is_a_response_error(kind: str) -> None:
    script = Script(reply(200, {"name": "no id"}))
    with pytest.raises(ApiResponseError, match="id"):
        run(kind, script, lambda c: c.get_campaign(C1))
    script = Script(reply(200, {"leads": []}))  # `items` missing
    with pytest.raises(ApiResponseError, match="items"):
        run(kind, script, lambda c: c.iter_leads(C1))
    script = Script(reply(200, {"rows": []}))  # analytics must be an array
    with pytest.raises(ApiResponseError, match="array"):
        run(kind, script, lambda c: c.campaign_analytics(C1))


@both
def test_unknown_fields_and_codes_pass_through(kind: str) -> None:
    data = {
        "id": L1,
        "status": 7,
        "lt_interest_status": "custom-9",
        "timestamp_created": "",
        "email_open_count": "lots",
        "brand_new_field": {"x": 1},
    }
    found = run(kind, Script(reply(200, data)), lambda c: c.get_lead(L1))
    assert found.status == 7
    assert found.lt_interest_status == "custom-9"
    assert found.timestamp_created is None
    assert found.email_open_count is None
    assert found.raw["brand_new_field"] == {"x": 1}
    campaign = run(kind, Script(reply(200, {"id": C1, "status": 42})), lambda c: c.get_campaign(C1))
    assert campaign.status_label == "Unknown (42)"


# --- key checks ------------------------------------------------------------------------------


@both
def test_check_key_falls_back_to_campaigns_on_a_scope_403(kind: str) -> None:
    script = Script(
        envelope(403, "Forbidden: missing scope workspaces:read"),
        reply(200, {"items": [{**CAMPAIGN, "organization": "ws-9"}]}),
    )
    check = run(kind, script, lambda c: c.check_key())
    assert check.workspace_id == "ws-9"
    assert check.campaigns_only
    assert script.paths() == ["GET /api/v2/workspaces/current", "GET /api/v2/campaigns"]
    assert script.requests[1].query == (("limit", "1"),)


@both
def test_check_key_with_no_campaigns_knows_no_workspace(kind: str) -> None:
    script = Script(envelope(403, "scope"), reply(200, {"items": []}))
    check = run(kind, script, lambda c: c.check_key())
    assert check.workspace_id is None
    assert check.campaigns_only


@both
def test_check_key_reports_an_edge_block_without_falling_back(kind: str) -> None:
    script = Script(reply(403, text="error code: 1010"))
    with pytest.raises(Forbidden, match="User-Agent"):
        run(kind, script, lambda c: c.check_key())
    assert len(script.requests) == 1


@both
def test_check_key_bad_key(kind: str) -> None:
    script = Script(envelope(401, "Invalid API key"))
    with pytest.raises(Unauthorized, match="Invalid API key"):
        run(kind, script, lambda c: c.check_key())


# --- campaign creation is never blindly repeated ---------------------------------------------


def _created_at(clock: FakeClock, seconds: float) -> str:
    return (clock.now() + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


@both
def test_create_after_a_timeout_finds_the_campaign_by_name(kind: str) -> None:
    clock = FakeClock()

    def route(request: ApiRequest) -> Any:
        if request.method == "POST":
            return ApiTimeout("timed out", method="POST", path=request.path)
        assert dict(request.query)["search"] == "Q3"
        return reply(
            200,
            {
                "items": [
                    {"id": "old", "name": "Q3", "timestamp_created": "2025-01-01T00:00:00Z"},
                    {"id": "other", "name": "Q3 bis", "timestamp_created": _created_at(clock, 1)},
                    {"id": "new", "name": "Q3", "timestamp_created": _created_at(clock, 1)},
                ]
            },
        )

    script = Script(route=route)
    campaign = run(kind, script, lambda c: c.create_campaign("Q3"), clock=clock)
    assert campaign.id == "new"
    assert [r.method for r in script.requests] == ["POST", "GET"]


@both
def test_create_sends_again_only_when_the_lookup_finds_nothing(kind: str) -> None:
    posts: list[int] = []

    def route(request: ApiRequest) -> Any:
        if request.method == "POST":
            posts.append(1)
            if len(posts) == 1:
                return envelope(500, "oops")
            return reply(200, CAMPAIGN)
        return reply(
            200,
            {"items": [{"id": "old", "name": "Q3", "timestamp_created": "2025-01-01T00:00:00Z"}]},
        )

    script = Script(route=route)
    assert run(kind, script, lambda c: c.create_campaign("Q3")).id == C1
    assert [r.method for r in script.requests] == ["POST", "GET", "POST"]
    assert script.requests[0].retry_safe is False


@both
def test_create_gives_up_when_the_lookup_fails_too(kind: str) -> None:
    def route(request: ApiRequest) -> Any:
        if request.method == "POST":
            return ApiTimeout("timed out", method="POST", path=request.path)
        return ApiConnectionError("down", method="GET", path=request.path)

    script = Script(route=route)
    with pytest.raises(ApiTimeout):
        run(kind, script, lambda c: c.create_campaign("Q3"))
    assert script.requests[0].method == "POST"
    assert sum(r.method == "POST" for r in script.requests) == 1


@both
def test_create_body_defaults_and_checks(kind: str) -> None:
    script = Script(reply(200, CAMPAIGN))
    run(kind, script, lambda c: c.create_campaign("Q3"))
    schedule = body(script.requests[0])["campaign_schedule"]
    assert schedule["schedules"][0]["days"] == {
        "1": True,
        "2": True,
        "3": True,
        "4": True,
        "5": True,
    }
    with pytest.raises(ConfigError) as info:
        run(kind, script, lambda c: c.create_campaign(" "))
    assert info.value.problems[0].path == "name"
    with pytest.raises(ConfigError, match="own argument"):
        run(kind, script, lambda c: c.create_campaign("Q3", options={"sequences": []}))
    with pytest.raises(ConfigError):
        run(kind, script, lambda c: c.create_campaign("Q3", options={"when": object()}))
    assert len(script.requests) == 1


# --- bulk add --------------------------------------------------------------------------------


@both
def test_more_than_1000_leads_is_refused_before_sending(kind: str) -> None:
    script = Script(reply(200, {}))
    leads = [{"email": f"p{n}@acme.com"} for n in range(1001)]
    with pytest.raises(ConfigError, match="at most 1000") as info:
        run(kind, script, lambda c: c.add_leads(C1, leads))
    assert info.value.problems[0].path == "leads"
    with pytest.raises(ConfigError, match="at least one"):
        run(kind, script, lambda c: c.add_leads(C1, []))
    assert script.requests == []


@both
def test_bad_leads_are_reported_with_paths(kind: str) -> None:
    script = Script(reply(200, {}))
    leads = [
        {"email": "ok@acme.com"},
        {"email": "a@acme.com", "firstName": "Ada"},
        {"email": "b@acme.com", "custom_variables": {"tags": ["x"]}},
        {"first_name": "No email"},
    ]
    with pytest.raises(ConfigError) as info:
        run(kind, script, lambda c: c.add_leads(C1, leads))
    paths = [p.path for p in info.value.problems]
    assert "leads[1].firstName" in paths
    assert any(p.startswith("leads[2].custom_variables.tags") for p in paths)
    assert "leads[3].email" in paths
    assert "Ada" not in str(info.value)  # values are not echoed
    assert script.requests == []


@pytest.mark.parametrize(
    ("flags", "retried"),
    [
        ({}, False),
        ({"skip_if_in_list": True}, False),
        ({"skip_if_in_campaign": True}, True),
        ({"skip_if_in_workspace": True}, True),
    ],
)
@both
def test_bulk_add_is_retried_only_with_a_dedupe_guard(
    kind: str, flags: dict[str, bool], retried: bool
) -> None:
    ok = reply(200, {"leads_uploaded": 1, "created_leads": [{"index": 0, "id": L1}]})
    script = Script(ApiTimeout("timed out", method="POST", path="/x"), ok)
    call = lambda c: c.add_leads(C1, [{"email": "a@acme.com"}], **flags)  # noqa: E731
    if retried:
        assert dict(run(kind, script, call).created) == {0: L1}
        assert len(script.requests) == 2
    else:
        with pytest.raises(ApiTimeout):
            run(kind, script, call)
        assert len(script.requests) == 1


@both
def test_bulk_add_counts(kind: str) -> None:
    data = {
        "status": "success",
        "total_sent": 4,
        "leads_uploaded": 1,
        "duplicated_leads": 1,
        "invalid_email_count": 1,
        "duplicate_email_count": 1,
        "remaining_in_plan": 9870,
        "created_leads": [{"index": 2, "id": "l9", "email": "c@acme.com"}, {"bogus": True}],
    }
    result = run(kind, Script(reply(200, data)), lambda c: c.add_leads(C1, [{"email": "a@b.co"}]))
    assert (result.total_sent, result.leads_uploaded, result.duplicated_leads) == (4, 1, 1)
    assert dict(result.created) == {2: "l9"}
    assert (
        repr(result) == "BulkAddResult(sent=4, uploaded=1, duplicated=1, skipped=None, invalid=1)"
    )


# --- other input checks ----------------------------------------------------------------------


@both
def test_input_errors_are_config_errors(kind: str) -> None:
    script = Script(reply(200, {}))
    with pytest.raises(ConfigError, match="at least one"):
        run(kind, script, lambda c: c.update_lead(L1, {}))
    with pytest.raises(ConfigError) as info:
        run(kind, script, lambda c: c.update_lead(L1, {"email": "x@y.z"}))
    assert info.value.problems[0].path == "fields.email"
    with pytest.raises(ConfigError, match="not both"):
        run(kind, script, lambda c: c.campaign_analytics("a", campaign_ids=["b"]))
    with pytest.raises(ConfigError):
        run(kind, script, lambda c: c.get_campaign(""))
    with pytest.raises(ConfigError):
        run(kind, script, lambda c: c.create_webhook("ftp://x", "email_sent"))
    with pytest.raises(ConfigError):
        run(kind, script, lambda c: c.update_interest_status("a@b.co", True))
    assert script.requests == []


# --- rate limiting inside the client ---------------------------------------------------------


@both
def test_the_client_waits_for_its_limiter(kind: str) -> None:
    clock = FakeClock()
    limiter = WorkspaceLimiter(backend=MemoryWindow([Rate(2, 1.0)]))
    script = Script(reply(200, CAMPAIGN))
    client = client_for(kind, script, clock=clock, limiter=limiter)
    for _ in range(5):
        settle(kind, client.get_campaign(C1))
    assert len(script.requests) == 5
    assert clock.monotonic() == pytest.approx(2.0, abs=1e-3)  # 2 + 2 + 1 over two waits


# --- status mapping (pure) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (402, PaymentRequired),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (413, PayloadTooLarge),
        (418, ApiStatusError),
        (422, Unprocessable),
        (429, RateLimited),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_status_error_picks_the_class(status: int, cls: type[ApiStatusError]) -> None:
    request = ApiRequest("GET", "/api/v2/x", api_key=ApiKey("k-123"))
    error = status_error(envelope(status, f"message {status}"), request)
    assert type(error) is cls
    assert error.status == status
    assert f"message {status}" in str(error)
    assert error.path == "/api/v2/x"
    assert error.body_excerpt.startswith("{")


def test_status_error_fallbacks() -> None:
    request = ApiRequest("GET", "/api/v2/x", api_key=ApiKey("k-123"))
    only_error = status_error(reply(400, {"error": "Invalid lead email"}), request)
    assert "Invalid lead email" in str(only_error)
    blank = status_error(reply(404, text=""), request)
    assert "Not Found" in str(blank)
    edge = status_error(reply(403, text="<html>error code: 1010</html>"), request)
    assert isinstance(edge, Forbidden)
    assert "User-Agent" in str(edge)
    echo = status_error(reply(401, {"message": "bad key k-123"}), request)
    assert "k-123" not in str(echo)
    assert "k-123" not in echo.body_excerpt
