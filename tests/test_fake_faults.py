"""FakeInstantly faults and rate limits, through the port transport and the httpx transport."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from _fake_support import BASE, UA, error_message, session
from instantly_columns.errors import ApiConnectionError, ApiTimeout, ConfigError
from instantly_columns.ports import ApiKey, ApiRequest
from instantly_columns.testing import FakeClock, FakeInstantly, FaultRule

ADD = "POST /api/v2/leads/add"


def _bulk(fake: FakeInstantly) -> tuple[str, dict[str, object]]:
    campaign = fake.create_campaign()
    body = {"campaign_id": campaign["id"], "leads": [{"email": "a@x.co"}, {"email": "b@x.co"}]}
    return str(campaign["id"]), body


def test_rate_limit_fault_with_retry_after_then_success() -> None:
    fake = FakeInstantly()
    fake.faults.rate_limit(endpoint="GET /api/v2/campaigns", calls=[1], retry_after=2)
    with session(fake) as http:
        limited = http.get("/api/v2/campaigns")
        assert error_message(limited, 429) == "Rate limit exceeded"
        assert limited.headers["retry-after"] == "2"
        assert http.get("/api/v2/campaigns").status_code == 200
    report = fake.report()
    assert [r.fault for r in report.requests] == ["rate_limit", None]
    assert report.limit_violations == ()  # injected, not the limiter


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_use_the_envelope(status: int) -> None:
    fake = FakeInstantly()
    fake.faults.server_error(status, times=1)
    with session(fake) as http:
        assert error_message(http.get("/api/v2/workspaces/current"), status)
        assert http.get("/api/v2/workspaces/current").status_code == 200


def test_timeout_before_apply_stores_nothing_after_apply_stores_it() -> None:
    for after_apply, stored in ((False, 0), (True, 2)):
        fake = FakeInstantly()
        campaign_id, body = _bulk(fake)
        fake.faults.timeout(endpoint=ADD, calls=1, after_apply=after_apply)
        with session(fake) as http, pytest.raises(httpx.ReadTimeout):
            http.post("/api/v2/leads/add", json=body)
        assert len(fake.leads(campaign_id)) == stored
        # the client retries with the dedupe flag: nothing is added twice
        with session(fake) as http:
            retry = http.post("/api/v2/leads/add", json={**body, "skip_if_in_campaign": True})
        assert retry.json()["leads_uploaded"] == 2 - stored
        assert len(fake.leads(campaign_id)) == 2


def test_port_transport_raises_our_errors_and_moves_the_clock() -> None:
    clock = FakeClock()
    fake = FakeInstantly(clock=clock)
    key = ApiKey(fake.create_api_key())
    fake.faults.timeout(calls=1)
    fake.faults.connection_reset(calls=2)
    transport = fake.as_transport()
    request = ApiRequest("GET", "/api/v2/workspaces/current", api_key=key, timeout=7.5)
    with pytest.raises(ApiTimeout) as timed_out:
        transport.send(request)
    assert timed_out.value.path == "/api/v2/workspaces/current"
    assert clock.monotonic() == 7.5  # the client waited its timeout
    assert clock.slept == []  # ...without it being a sleep of the client's
    with pytest.raises(ApiConnectionError):
        transport.send(request)
    assert transport.send(request).status == 200


def test_async_transport() -> None:
    fake = FakeInstantly()
    key = ApiKey(fake.create_api_key())
    fake.faults.timeout(calls=1)
    transport = fake.as_async_transport()
    request = ApiRequest("GET", "/api/v2/workspaces/current", api_key=key)

    async def main() -> int:
        with pytest.raises(ApiTimeout):
            await transport.send(request)
        response = await transport.send(request)
        return response.status

    assert asyncio.run(main()) == 200


def test_async_httpx_client() -> None:
    fake = FakeInstantly()
    key = fake.create_api_key()

    async def main() -> int:
        async with httpx.AsyncClient(
            transport=fake.httpx_transport(),
            base_url=BASE,
            headers={"Authorization": f"Bearer {key}", "User-Agent": UA},
        ) as http:
            response = await http.get("/api/v2/workspaces/current")
            return response.status_code

    assert asyncio.run(main()) == 200


def test_resets_before_and_after_apply_in_httpx() -> None:
    fake = FakeInstantly()
    campaign_id, body = _bulk(fake)
    fake.faults.connection_reset(endpoint=ADD, calls=1)
    fake.faults.connection_reset(endpoint=ADD, calls=2, after_apply=True)
    with session(fake) as http:
        with pytest.raises(httpx.ConnectError):
            http.post("/api/v2/leads/add", json=body)
        assert fake.leads(campaign_id) == []
        with pytest.raises(httpx.RemoteProtocolError):
            http.post("/api/v2/leads/add", json=body)
    assert len(fake.leads(campaign_id)) == 2


def test_malformed_json_applies_then_cuts_the_body() -> None:
    fake = FakeInstantly()
    campaign_id, body = _bulk(fake)
    fake.faults.malformed_json(endpoint=ADD)
    with session(fake) as http:
        response = http.post("/api/v2/leads/add", json=body)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert len(fake.leads(campaign_id)) == 2


def test_error_in_a_200() -> None:
    fake = FakeInstantly()
    fake.faults.error_body("ACC_UNKNOWN_ERROR", endpoint="GET /api/v2/campaigns/{id}")
    campaign = fake.create_campaign()
    with session(fake) as http:
        response = http.get(f"/api/v2/campaigns/{campaign['id']}")
        listing = http.get("/api/v2/campaigns")
    assert response.status_code == 200
    assert response.json() == {"error": "ACC_UNKNOWN_ERROR"}
    assert listing.status_code == 200
    assert "items" in listing.json()


def test_latency_moves_the_fake_clock() -> None:
    fake = FakeInstantly()
    fake.faults.latency(1.5, endpoint="/api/v2/workspaces/*")
    with session(fake) as http:
        http.get("/api/v2/workspaces/current")
        http.get("/api/v2/campaigns")
    assert fake.clock.monotonic() == 1.5


def test_probability_faults_are_repeatable_per_seed() -> None:
    def statuses(seed: int) -> list[int]:
        fake = FakeInstantly(seed=seed, rate_limits=False)
        fake.faults.server_error(503, probability=0.3)
        with session(fake) as http:
            return [http.get("/api/v2/workspaces/current").status_code for _ in range(40)]

    first = statuses(11)
    assert first == statuses(11)
    assert 0 < first.count(503) < 40
    assert first != statuses(12)


def test_times_caps_and_log() -> None:
    fake = FakeInstantly()
    rule = fake.faults.server_error(times=2)
    with session(fake) as http:
        codes = [http.get("/api/v2/workspaces/current").status_code for _ in range(4)]
    assert codes == [500, 500, 200, 200]
    assert fake.faults.fired(rule) == 2
    assert [event.request for event in fake.faults.log] == [1, 2]
    assert "server_error" in repr(rule)
    fake.faults.clear()
    assert fake.faults.rules == ()


def test_rules_are_checked() -> None:
    with pytest.raises(ConfigError):
        FaultRule("latency")
    with pytest.raises(ConfigError):
        FaultRule("timeout", probability=2)
    with pytest.raises(ConfigError):
        FaultRule("explode")  # type: ignore[arg-type]


def test_endpoint_patterns() -> None:
    rule = FaultRule("timeout", endpoint="GET /api/v2/campaigns/{id}")
    assert rule.matches("GET", "/api/v2/campaigns/abc", None)
    assert not rule.matches("POST", "/api/v2/campaigns/abc", None)
    assert not rule.matches("GET", "/api/v2/campaigns/abc/pause", None)
    anything = FaultRule("timeout", endpoint="/api/v2/leads*")
    assert anything.matches("POST", "/api/v2/leads/list", None)
    assert not anything.matches("GET", "/api/v2/campaigns", None)


def test_the_limiter_allows_100_per_second_then_429() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        codes = [http.get("/api/v2/workspaces/current").status_code for _ in range(101)]
        assert codes[:100] == [200] * 100
        limited = codes[100]
        fake.clock.advance(1.0)
        after = http.get("/api/v2/workspaces/current").status_code
    assert limited == 429
    assert after == 200
    report = fake.report()
    assert report.peak_per_second == 101  # arrivals in the first instant, 429 included
    assert [r.number for r in report.limit_violations] == [101]
    assert report.per_second == {0: 101, 1: 1}
    assert report.count("GET /api/v2/workspaces/current") == 102


def test_the_limiter_is_per_workspace_across_keys_and_counts_per_minute() -> None:
    fake = FakeInstantly(per_second=5, per_minute=12, retry_after=True)
    keys = [fake.create_api_key(f"k{i}") for i in range(2)]
    clients = [
        httpx.Client(
            transport=fake.httpx_transport(),
            base_url=BASE,
            headers={"Authorization": f"Bearer {k}", "User-Agent": UA},
        )
        for k in keys
    ]
    codes = []
    for _ in range(3):
        for n in range(5):
            codes.append(clients[n % 2].get("/api/v2/campaigns").status_code)
        fake.clock.advance(1.0)
    assert codes.count(200) == 12
    assert codes.count(429) == 3
    blocked = clients[0].get("/api/v2/campaigns")
    assert blocked.status_code == 429
    # at t=3 s, the 12 admitted since t=0 fill the minute: a slot frees at t=60
    assert int(blocked.headers["retry-after"]) == 57
    fake.clock.advance(56)
    assert clients[1].get("/api/v2/campaigns").status_code == 429
    fake.clock.advance(1)
    assert clients[1].get("/api/v2/campaigns").status_code == 200
    for c in clients:
        c.close()


def test_no_limits_when_switched_off() -> None:
    fake = FakeInstantly(rate_limits=False)
    with session(fake) as http:
        assert {http.get("/api/v2/campaigns").status_code for _ in range(150)} == {200}
    report = fake.report()
    assert report.peak_per_second == 150
    assert report.peak_per_minute == 150


def test_requests_are_recorded_with_query_and_body() -> None:
    fake = FakeInstantly()
    campaign_id, body = _bulk(fake)
    with session(fake) as http:
        http.get("/api/v2/campaigns", params={"limit": 5, "search": "x"})
        http.post("/api/v2/leads/add", json=body)
    first, second = fake.requests
    assert first.query == (("limit", "5"), ("search", "x"))
    assert first.label == "GET /api/v2/campaigns"
    assert second.json == body
    assert second.endpoint == "/api/v2/leads/add"
    assert "FakeReport(requests=2" in repr(fake.report())
    assert "<table>" in fake.report()._repr_html_()
    assert fake.leads(campaign_id)


# --- page faults -----------------------------------------------------------------------------

LIST = "POST /api/v2/leads/list"


def _campaign_with_leads(fake: FakeInstantly, n: int) -> str:
    campaign = fake.create_campaign()
    fake.add_leads(str(campaign["id"]), [f"p{i}@x.co" for i in range(n)])
    return str(campaign["id"])


def test_empty_page_keeps_or_replaces_the_cursor() -> None:
    fake = FakeInstantly()
    campaign_id = _campaign_with_leads(fake, 5)
    ids = [lead["id"] for lead in fake.leads(campaign_id)]
    fake.faults.empty_page(endpoint=LIST, calls=1)
    fake.faults.empty_page(endpoint=LIST, calls=2, cursor="zzzz")
    with session(fake) as http:
        ask = {"campaign": campaign_id, "limit": 2}
        assert http.post("/api/v2/leads/list", json=ask).json() == {
            "items": [],
            "next_starting_after": ids[1],
        }
        assert http.post("/api/v2/leads/list", json=ask).json() == {
            "items": [],
            "next_starting_after": "zzzz",
        }
        assert [x["id"] for x in http.post("/api/v2/leads/list", json=ask).json()["items"]] == ids[
            :2
        ]
    assert [r.fault for r in fake.report().requests] == ["empty_page", "empty_page", None]


def test_page_cursor_sends_any_json_value() -> None:
    fake = FakeInstantly()
    campaign_id = _campaign_with_leads(fake, 3)
    fake.faults.page_cursor({"odd": True}, endpoint=LIST, times=1)
    with session(fake) as http:
        page = http.post("/api/v2/leads/list", json={"campaign": campaign_id, "limit": 2}).json()
    assert len(page["items"]) == 2
    assert page["next_starting_after"] == {"odd": True}
    with pytest.raises(ConfigError, match="needs a cursor"):
        fake.faults.page_cursor(None)


def test_numeric_cursor_is_read_back_as_the_number_or_its_text() -> None:
    fake = FakeInstantly()
    campaign_id = _campaign_with_leads(fake, 5)
    ids = [lead["id"] for lead in fake.leads(campaign_id)]
    fake.faults.numeric_cursor(endpoint=LIST)
    fake.faults.numeric_cursor(endpoint="GET /api/v2/campaigns")
    for _ in range(2):
        fake.create_campaign()
    with session(fake) as http:
        ask = {"campaign": campaign_id, "limit": 2}
        first = http.post("/api/v2/leads/list", json=ask).json()
        assert first["next_starting_after"] == 1
        second = http.post("/api/v2/leads/list", json={**ask, "starting_after": 1}).json()
        assert [x["id"] for x in second["items"]] == ids[2:4]
        assert second["next_starting_after"] == 2
        third = http.post("/api/v2/leads/list", json={**ask, "starting_after": "2"}).json()
        assert [x["id"] for x in third["items"]] == ids[4:]
        assert "next_starting_after" not in third
        campaigns = http.get("/api/v2/campaigns", params={"limit": 2}).json()
        assert campaigns["next_starting_after"] == 3
        rest = http.get("/api/v2/campaigns", params={"limit": 2, "starting_after": "3"}).json()
        assert len(rest["items"]) == 1
    # the requests are recorded as sent
    assert fake.report().requests[1].json["starting_after"] == 1


# --- the request body limit ------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_and_nothing_is_applied() -> None:
    fake = FakeInstantly(body_limit=2_000)
    campaign_id, body = _bulk(fake)
    big = {**body, "leads": [{"email": f"p{i}@x.co", "first_name": "x" * 100} for i in range(30)]}
    with session(fake) as http:
        refused = http.post("/api/v2/leads/add", json=big)
        assert refused.status_code == 413
        assert refused.json() == {
            "statusCode": 413,
            "code": "FST_ERR_CTP_BODY_TOO_LARGE",
            "error": "Payload Too Large",
            "message": "Request body is too large",
        }
        assert fake.leads(campaign_id) == []
        assert http.post("/api/v2/leads/add", json=body).status_code == 200
    assert len(fake.leads(campaign_id)) == 2


def test_there_is_no_body_limit_by_default_and_a_bad_one_is_refused() -> None:
    fake = FakeInstantly()
    _, body = _bulk(fake)
    huge = {**body, "leads": [{"email": "a@x.co", "custom_variables": {"copy": "y" * 2_000_000}}]}
    with session(fake) as http:
        assert http.post("/api/v2/leads/add", json=huge).status_code == 200
    with pytest.raises(ConfigError, match="body_limit"):
        FakeInstantly(body_limit=0)


def test_the_client_maps_413_to_payload_too_large() -> None:
    from instantly_columns.api.client import InstantlyClient
    from instantly_columns.errors import ApiStatusError, PayloadTooLarge

    fake = FakeInstantly(body_limit=1_000)
    key = fake.create_api_key()
    campaign_id = str(fake.create_campaign()["id"])
    client = InstantlyClient(key, transport=fake.as_transport(), clock=fake.clock)
    leads = [{"email": f"p{i}@x.co", "first_name": "x" * 100} for i in range(20)]
    with pytest.raises(PayloadTooLarge) as info:
        client.add_leads(campaign_id, leads, skip_if_in_campaign=True)
    assert isinstance(info.value, ApiStatusError)
    assert info.value.status == 413
    assert "Request body is too large" in str(info.value)
    assert len([r for r in fake.requests if r.status == 413]) == 1  # not retried
