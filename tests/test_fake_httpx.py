"""The fake's httpx transport, used the ways docs/testing.md shows: handed to your own
``httpx.Client`` or ``httpx.AsyncClient``, or routed to by respx for code that makes its own
clients."""

from __future__ import annotations

import anyio
import httpx
import pytest
import respx

from instantly_columns.testing import FakeInstantly

BASE = "https://api.instantly.ai"


def headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "User-Agent": "my-app/1.0"}


def test_your_own_client_and_async_client(
    fake_instantly: FakeInstantly, fake_instantly_key: str
) -> None:
    transport = fake_instantly.httpx_transport()
    assert isinstance(transport, httpx.MockTransport)
    with httpx.Client(transport=transport, base_url=BASE, headers=headers(fake_instantly_key)) as c:
        assert c.get("/api/v2/workspaces/current").json()["id"] == fake_instantly.workspace_id

    async def main() -> int:
        async with httpx.AsyncClient(
            transport=fake_instantly.httpx_transport(),
            base_url=BASE,
            headers=headers(fake_instantly_key),
        ) as client:
            answer = await client.post("/api/v2/campaigns", json={"name": "No schedule"})
            return answer.status_code

    assert anyio.run(main) == 400
    assert [r.path for r in fake_instantly.requests] == [
        "/api/v2/workspaces/current",
        "/api/v2/campaigns",
    ]


def test_respx_routes_clients_made_by_the_code_under_test(
    fake_instantly: FakeInstantly, fake_instantly_key: str
) -> None:
    campaign = fake_instantly.create_campaign("Spring")
    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="api.instantly.ai").mock(
            side_effect=fake_instantly.httpx_transport().handler
        )
        other = mock.get("https://crm.example.test/contacts").respond(json=[])
        listed = httpx.get(f"{BASE}/api/v2/campaigns", headers=headers(fake_instantly_key))
        assert [c["id"] for c in listed.json()["items"]] == [campaign["id"]]
        assert httpx.get("https://crm.example.test/contacts").json() == []
        assert other.called

        async def main() -> int:
            async with httpx.AsyncClient(headers=headers(fake_instantly_key)) as client:
                answer = await client.post(
                    f"{BASE}/api/v2/leads",
                    json={"campaign": campaign["id"], "email": "ada@example.com"},
                )
                return answer.status_code

        assert anyio.run(main) == 200
    assert fake_instantly.lead_by_email("ada@example.com") is not None


def test_faults_reach_code_behind_respx_as_httpx_errors(
    fake_instantly: FakeInstantly, fake_instantly_key: str
) -> None:
    fake_instantly.faults.timeout(endpoint="GET /api/v2/campaigns", calls=1)
    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="api.instantly.ai").mock(
            side_effect=fake_instantly.httpx_transport().handler
        )
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{BASE}/api/v2/campaigns", headers=headers(fake_instantly_key))
        again = httpx.get(f"{BASE}/api/v2/campaigns", headers=headers(fake_instantly_key))
    assert again.status_code == 200
