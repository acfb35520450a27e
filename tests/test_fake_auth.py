"""FakeInstantly: keys, scopes, plan and edge checks, through raw httpx requests."""

from __future__ import annotations

import httpx
import pytest

from _fake_support import BASE, SCHEDULE, check, client, error_message
from instantly_columns.errors import ConfigError, CredentialError
from instantly_columns.ports import ApiKey, ApiRequest
from instantly_columns.testing import FakeInstantly


def test_a_valid_key_reads_the_workspace() -> None:
    fake = FakeInstantly()
    with client(fake, fake.create_api_key()) as http:
        response = http.get("/api/v2/workspaces/current")
    assert response.status_code == 200
    body = check("workspace", response.json())
    assert body["id"] == fake.workspace_id


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing Authorization header"),
        ({"Authorization": "Bearer"}, "Invalid Authorization header"),
        ({"Authorization": "Basic abc"}, "Invalid Authorization header"),
        ({"Authorization": "Bearer not-a-key"}, "Invalid API key"),
    ],
)
def test_missing_or_unknown_keys_get_401(headers: dict[str, str], message: str) -> None:
    fake = FakeInstantly()
    fake.create_api_key()
    with httpx.Client(transport=fake.httpx_transport(), base_url=BASE, headers=headers) as http:
        response = http.get("/api/v2/campaigns", params={"limit": 1})
    assert error_message(response, 401) == message
    assert response.json()["error"] == "Unauthorized"


def test_a_revoked_key_gets_401_and_others_still_work() -> None:
    fake = FakeInstantly()
    old, other = fake.create_api_key("old"), fake.create_api_key("other")
    fake.revoke_api_key(old)
    with client(fake, old) as http:
        assert error_message(http.get("/api/v2/workspaces/current"), 401)
    with client(fake, other) as http:
        assert http.get("/api/v2/workspaces/current").status_code == 200
    with pytest.raises(CredentialError):
        fake.revoke_api_key("never-issued")


def test_scopes_allow_their_resource_action_and_the_wildcards() -> None:
    fake = FakeInstantly()
    readonly = fake.create_api_key(scopes=["campaigns:read"])
    wildcard = fake.create_api_key(scopes=["all:create"])
    with client(fake, readonly) as http:
        assert http.get("/api/v2/campaigns").status_code == 200
        denied = http.post("/api/v2/campaigns", json={"name": "x", "campaign_schedule": SCHEDULE})
        assert "campaigns:create" in error_message(denied, 403)
        assert error_message(http.get("/api/v2/workspaces/current"), 403)
        # operations the reference lists without a scope accept any valid key
        assert http.get("/api/v2/campaigns/analytics").status_code == 200
    with client(fake, wildcard) as http:
        created = http.post("/api/v2/campaigns", json={"name": "x", "campaign_schedule": SCHEDULE})
        assert created.status_code == 200
    with pytest.raises(ConfigError):
        fake.create_api_key(scopes=["campaigns"])


def test_unpaid_workspace_answers_402_after_auth() -> None:
    fake = FakeInstantly(unpaid=True)
    with client(fake, fake.create_api_key()) as http:
        message = error_message(http.get("/api/v2/workspaces/current"), 402)
    assert "paid plan" in message
    with client(fake, "wrong") as http:
        assert http.get("/api/v2/workspaces/current").status_code == 401


@pytest.mark.parametrize("agent", [None, "", "Python-urllib/3.11", "python-requests/2.32"])
def test_edge_mode_blocks_stock_user_agents_with_plain_text(agent: str | None) -> None:
    fake = FakeInstantly(edge_block=True)
    key = fake.create_api_key()
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(transport=fake.httpx_transport(), base_url=BASE) as http:
        request = http.build_request("GET", "/api/v2/workspaces/current", headers=headers)
        if agent is None:
            del request.headers["user-agent"]
        else:
            request.headers["user-agent"] = agent
        response = http.send(request)
    assert response.status_code == 403
    assert response.text == "error code: 1010"
    assert response.headers["content-type"].startswith("text/plain")


def test_edge_mode_lets_a_named_client_through() -> None:
    fake = FakeInstantly(edge_block=True)
    with client(fake, fake.create_api_key()) as http:
        assert http.get("/api/v2/workspaces/current").status_code == 200


def test_the_port_transport_sends_key_and_agent() -> None:
    fake = FakeInstantly(edge_block=True)
    key = ApiKey(fake.create_api_key())
    request = ApiRequest("GET", "/api/v2/workspaces/current", api_key=key)
    assert fake.as_transport().send(request).status == 200
    assert fake.as_transport(user_agent=None).send(request).status == 403
    unauthenticated = fake.as_transport().send(ApiRequest("GET", "/api/v2/workspaces/current"))
    assert unauthenticated.status == 401


def test_the_key_never_shows_in_reports_or_reprs() -> None:
    fake = FakeInstantly()
    key = fake.create_api_key()
    with client(fake, key) as http:
        http.get("/api/v2/workspaces/current")
    report = fake.report()
    assert dict(report.requests[0].headers)["authorization"] == "<redacted>"
    for text in (repr(fake), repr(report), repr(report.requests), report._repr_html_()):
        assert key not in text
    assert all(key not in str(value) for value in vars(fake).values())


def test_keys_and_ids_are_deterministic_per_seed() -> None:
    first, second, other = FakeInstantly(seed=3), FakeInstantly(seed=3), FakeInstantly(seed=4)
    assert first.create_api_key() == second.create_api_key() != other.create_api_key()
    assert first.workspace_id == second.workspace_id != other.workspace_id
