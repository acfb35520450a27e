"""FakeInstantly over a real loopback socket (``fake.serve()``)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from _fake_support import SCHEDULE, UA, check
from instantly_columns.testing import EngagementRates, FakeInstantly


def _client(base_url: str, key: str, **kwargs: Any) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}", "User-Agent": UA}
    return httpx.Client(base_url=base_url, headers=headers, **kwargs)


def test_a_round_trip_over_http() -> None:
    fake = FakeInstantly()
    key = fake.create_api_key()
    with fake.serve() as base_url, _client(base_url, key) as http:
        assert base_url.startswith("http://127.0.0.1:")
        created = http.post(
            "/api/v2/campaigns", json={"name": "Live", "campaign_schedule": SCHEDULE}
        )
        campaign = check("campaign", created.json())
        added = http.post(
            "/api/v2/leads/add",
            json={"campaign_id": campaign["id"], "leads": [{"email": "a@x.co"}]},
        )
        assert check("bulk_add", added.json())["leads_uploaded"] == 1
        page = check(
            "lead_page", http.post("/api/v2/leads/list", json={"campaign": campaign["id"]}).json()
        )
        assert [x["email"] for x in page["items"]] == ["a@x.co"]
        bad = http.get("/api/v2/campaigns", params={"limit": 500})
        assert bad.status_code == 400
        assert bad.json()["message"] == "querystring/limit must be <= 100"
    assert [r.time_base for r in fake.requests] == ["real"] * 4


def test_the_server_sends_without_waiting_for_acks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nagle's algorithm is off on the served connections: otherwise each response's body
    waits for the delayed ACK of its headers, about 40 ms even at zero latency."""
    from instantly_columns.testing import _fake_server

    seen: list[int] = []
    setup = _fake_server._Handler.setup

    def recording_setup(handler: Any) -> None:
        setup(handler)
        seen.append(handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(_fake_server._Handler, "setup", recording_setup)
    fake = FakeInstantly()
    key = fake.create_api_key()
    with fake.serve() as base_url, _client(base_url, key) as http:
        for _ in range(3):  # one keep-alive connection
            assert http.get("/api/v2/workspaces/current").status_code == 200
    assert seen
    assert all(seen)


def test_stock_agents_meet_the_edge_over_http() -> None:
    fake = FakeInstantly(edge_block=True)
    key = fake.create_api_key()
    with fake.serve() as base_url:
        blocked = httpx.get(
            f"{base_url}/api/v2/workspaces/current",
            headers={"Authorization": f"Bearer {key}", "User-Agent": "python-requests/2.32"},
        )
    assert blocked.status_code == 403
    assert blocked.text == "error code: 1010"


def test_timeouts_and_resets_over_http_after_the_write_was_applied() -> None:
    fake = FakeInstantly()
    key = fake.create_api_key()
    campaign = fake.create_campaign()
    body = {"campaign_id": campaign["id"], "leads": [{"email": "a@x.co"}]}
    fake.faults.timeout(endpoint="POST /api/v2/leads/add", calls=1, after_apply=True, seconds=2.0)
    fake.faults.connection_reset(endpoint="POST /api/v2/leads/add", calls=2)
    with fake.serve() as base_url, _client(base_url, key, timeout=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.post("/api/v2/leads/add", json=body)
        assert len(fake.leads(campaign["id"])) == 1  # applied although the client gave up
        with pytest.raises(httpx.RemoteProtocolError):
            http.post("/api/v2/leads/add", json=body)
        retry = http.post("/api/v2/leads/add", json={**body, "skip_if_in_campaign": True})
        assert retry.json()["skipped_count"] == 1


def test_the_real_time_limiter_answers_429() -> None:
    fake = FakeInstantly(per_minute=3)
    key = fake.create_api_key()
    with fake.serve() as base_url, _client(base_url, key) as http:
        codes = [http.get("/api/v2/campaigns").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert len(fake.report().limit_violations) == 1


@contextmanager
def _receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], dict[str, Any]]]]]:
    got: list[tuple[dict[str, str], dict[str, Any]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["content-length"])
            got.append((dict(self.headers), json.loads(self.rfile.read(length))))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    finally:
        server.shutdown()
        server.server_close()


def test_webhooks_are_posted_to_loopback_targets_while_serving() -> None:
    fake = FakeInstantly()
    key = fake.create_api_key()
    campaign = fake.create_campaign(active=True)
    fake.add_leads(campaign["id"], ["a@x.co"])
    with _receiver() as (url, got), fake.serve() as base_url, _client(base_url, key) as http:
        hook = http.post(
            "/api/v2/webhooks",
            json={"target_hook_url": url, "event_type": "email_sent", "headers": {"X-Secret": "k"}},
        )
        assert hook.status_code == 200
        fake.advance(60, rates=EngagementRates.none())
        tested = http.post(f"/api/v2/webhooks/{hook.json()['id']}/test").json()
    assert tested["success"] is True
    headers, payload = got[0]
    assert payload["event_type"] == "email_sent"
    assert payload["step"] == 1
    assert headers["X-Secret"] == "k"
    assert [p["event_type"] for _, p in got] == ["email_sent", "test"]
