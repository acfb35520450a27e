"""Settings, construction, transports and lifecycle of the clients."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _client_support import C1, KEY, L1, Script, reply
from instantly_columns.api import client as client_module
from instantly_columns.api import ratelimit
from instantly_columns.api.client import AsyncInstantlyClient, InstantlyClient
from instantly_columns.api.ratelimit import WorkspaceLimiter
from instantly_columns.config import ClientSettings, RetryPolicy
from instantly_columns.errors import ApiConnectionError, ApiTimeout, ConfigError
from instantly_columns.ports import ApiKey, ApiRequest
from instantly_columns.testing.clock import FakeClock
from instantly_columns.transports import AsyncHttpxTransport, HttpxTransport

CAMPAIGN = {"id": C1, "name": "Q3", "status": 1}


# --- settings --------------------------------------------------------------------------------


def test_defaults() -> None:
    settings = ClientSettings()
    assert settings.base_url == "https://api.instantly.ai"
    assert (settings.timeout, settings.connect_timeout, settings.page_size) == (30.0, 10.0, 100)
    assert settings.retry == RetryPolicy(2, 0.5, 8.0, 2.0, 60.0)
    assert settings.user_agent.startswith("instantly-columns/")
    assert " " not in settings.user_agent
    assert settings.trust_env is False


def test_from_env_reads_only_the_mapping_it_is_given() -> None:
    settings = ClientSettings.from_env(
        {
            "INSTANTLY_BASE_URL": "http://localhost:8080",
            "INSTANTLY_TIMEOUT": "5",
            "INSTANTLY_CONNECT_TIMEOUT": "1.5",
            "INSTANTLY_PAGE_SIZE": "50",
            "INSTANTLY_MAX_RETRIES": "4",
            "INSTANTLY_USER_AGENT_SUFFIX": "acme/1",
            "INSTANTLY_API_KEY": "not a setting",
            "UNRELATED": "x",
        }
    )
    assert settings == ClientSettings(
        base_url="http://localhost:8080",
        timeout=5.0,
        connect_timeout=1.5,
        page_size=50,
        retry=RetryPolicy(max_retries=4),
        user_agent_suffix="acme/1",
    )
    assert ClientSettings.from_env({}) == ClientSettings()
    assert ClientSettings.from_env({"INSTANTLY_TIMEOUT": "  "}) == ClientSettings()


def test_from_env_reports_every_bad_variable() -> None:
    with pytest.raises(ConfigError) as info:
        ClientSettings.from_env(
            {
                "INSTANTLY_TIMEOUT": "soon",
                "INSTANTLY_PAGE_SIZE": "1000",
                "INSTANTLY_MAX_RETRIES": "-1",
                "INSTANTLY_BASE_URL": "ftp://x",
            }
        )
    paths = sorted(p.path for p in info.value.problems)
    assert paths == [
        "INSTANTLY_BASE_URL",
        "INSTANTLY_MAX_RETRIES",
        "INSTANTLY_PAGE_SIZE",
        "INSTANTLY_TIMEOUT",
    ]
    assert "soon" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"connect_timeout": -1}, "connect_timeout"),
        ({"page_size": 101}, "page_size"),
        ({"page_size": True}, "page_size"),
        ({"base_url": "api.instantly.ai"}, "base_url"),
        ({"base_url": "https://x.io/?a=1"}, "base_url"),
        ({"user_agent_suffix": "é"}, "user_agent_suffix"),
        ({"retry": {"max_retries": 1}}, "retry"),
        ({"trust_env": "yes"}, "trust_env"),
        ({"clock_skew": -5}, "clock_skew"),
    ],
)
def test_bad_settings_are_config_errors(kwargs: dict[str, Any], path: str) -> None:
    with pytest.raises(ConfigError) as info:
        ClientSettings(**kwargs)
    assert [p.path for p in info.value.problems] == [path]


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"max_retries": -1}, "retry.max_retries"),
        ({"initial_delay": 10.0, "max_delay": 1.0}, "retry.initial_delay"),
        ({"multiplier": 0.5}, "retry.multiplier"),
        ({"max_retry_after": float("inf")}, "retry.max_retry_after"),
    ],
)
def test_bad_retry_policies_are_config_errors(kwargs: dict[str, Any], path: str) -> None:
    with pytest.raises(ConfigError) as info:
        RetryPolicy(**kwargs)
    assert [p.path for p in info.value.problems] == [path]


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30))
def test_the_user_agent_always_starts_with_ours(suffix: str) -> None:
    agent = ClientSettings(user_agent_suffix=suffix).user_agent
    assert agent.startswith("instantly-columns/")
    assert agent.endswith(suffix.strip())


def test_importing_creates_no_limiter_and_reads_no_environment() -> None:
    for module in (client_module, ratelimit):
        for value in vars(module).values():
            assert not isinstance(value, WorkspaceLimiter | ratelimit.MemoryWindow)
    code = (
        "import os\n"
        "reads = []\n"
        "class Spy(dict):\n"
        "    def __getitem__(self, k): reads.append(k); return dict.__getitem__(self, k)\n"
        "    def get(self, k, d=None): reads.append(k); return dict.get(self, k, d)\n"
        "os.environ = Spy(os.environ)\n"
        "import instantly_columns.api.client, instantly_columns.config\n"
        "import instantly_columns.api.ratelimit\n"
        "print(sorted(k for k in reads if 'INSTANTLY' in k.upper()))\n"
    )
    env = {"INSTANTLY_TIMEOUT": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"


# --- construction ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "   ", 42])
def test_a_bad_key_is_a_config_error_that_does_not_echo_it(bad: Any) -> None:
    for cls in (InstantlyClient, AsyncInstantlyClient):
        with pytest.raises(ConfigError) as info:
            cls(bad)
        assert info.value.problems[0].path == "api_key"


def test_settings_must_be_settings() -> None:
    with pytest.raises(ConfigError):
        InstantlyClient(KEY, settings={"timeout": 1})  # type: ignore[arg-type]


def test_an_apikey_object_is_accepted_and_each_client_gets_its_own_limiter() -> None:
    key = ApiKey(KEY)
    a, b = InstantlyClient(key), InstantlyClient(key)
    assert a.limiter is not b.limiter
    shared = WorkspaceLimiter("acme")
    c = InstantlyClient(key, limiter=shared)
    d = AsyncInstantlyClient(key, limiter=shared)
    assert c.limiter is shared
    assert d.limiter is shared
    for client in (a, b, c):
        client.close()


def test_any_httpx_transport_is_wrapped() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CAMPAIGN)

    with InstantlyClient(KEY, transport=httpx.MockTransport(handler)) as client:
        assert client.get_campaign(C1).id == C1
    assert seen[0].url == f"https://api.instantly.ai/api/v2/campaigns/{C1}"

    async def go() -> None:
        async with AsyncInstantlyClient(KEY, transport=httpx.MockTransport(handler)) as client:
            assert (await client.get_campaign(C1)).id == C1

    anyio.run(go)
    assert len(seen) == 2


def test_a_port_transport_is_used_as_is_and_not_closed() -> None:
    class Port(Script):
        closed = False

        def close(self) -> None:
            self.closed = True

    port = Port(reply(200, CAMPAIGN))
    with InstantlyClient(KEY, transport=port, clock=FakeClock()) as client:
        client.get_campaign(C1)
    assert len(port.requests) == 1
    assert not port.closed


def test_the_sync_client_works_inside_a_running_event_loop() -> None:
    # As in Jupyter: a loop is running in this thread and the sync client must not need it.
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=CAMPAIGN)

    async def notebook_cell() -> str:
        with InstantlyClient(KEY, transport=httpx.MockTransport(handler)) as client:
            return client.get_campaign(C1).id

    assert asyncio.run(notebook_cell()) == C1


# --- transports ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (httpx.ConnectTimeout("t"), ApiTimeout),
        (httpx.ReadTimeout("t"), ApiTimeout),
        (httpx.PoolTimeout("t"), ApiTimeout),
        (httpx.ConnectError("refused"), ApiConnectionError),
        (httpx.ReadError("reset"), ApiConnectionError),
        (httpx.RemoteProtocolError("eof"), ApiConnectionError),
    ],
)
def test_transports_map_network_failures(
    failure: Exception, error: type[ApiConnectionError]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    request = ApiRequest("GET", f"/api/v2/campaigns/{C1}", api_key=ApiKey(KEY))
    with HttpxTransport(transport=httpx.MockTransport(handler)) as transport:
        with pytest.raises(error) as info:
            transport.send(request)
        assert type(info.value) is error
        assert info.value.path == f"/api/v2/campaigns/{C1}"

    async def go() -> None:
        async with AsyncHttpxTransport(transport=httpx.MockTransport(handler)) as transport:
            with pytest.raises(error):
                await transport.send(request)

    anyio.run(go)


def test_transports_return_statuses_without_interpreting_them() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, content=b"upstream", headers={"Retry-After": "7"})

    with HttpxTransport(transport=httpx.MockTransport(handler)) as transport:
        response = transport.send(ApiRequest("DELETE", f"/api/v2/leads/{L1}"))
    assert response.status == 503
    assert response.body == b"upstream"
    assert response.headers["retry-after"] == "7"


def test_transport_headers_and_bodies() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    settings = ClientSettings(timeout=3.0, connect_timeout=1.0)
    with HttpxTransport(settings, transport=httpx.MockTransport(handler)) as transport:
        transport.send(ApiRequest("POST", f"/api/v2/campaigns/{C1}/pause", api_key=ApiKey(KEY)))
        transport.send(ApiRequest("GET", "/api/v2/campaigns", query=(("ids", "a"), ("ids", "b"))))
        transport.send(ApiRequest("PATCH", f"/api/v2/leads/{L1}", json={"n": "é"}, timeout=9.0))
    pause, listing, patch = seen
    assert pause.content == b"{}"
    assert pause.headers["Content-Type"] == "application/json"
    assert pause.headers["Authorization"] == f"Bearer {KEY}"
    assert "Authorization" not in listing.headers  # no key, no header
    assert listing.url.query == b"ids=a&ids=b"
    assert "Content-Type" not in listing.headers
    assert patch.content.decode() == '{"n":"é"}'
    assert patch.extensions["timeout"]["read"] == 9.0
    assert listing.extensions["timeout"] == {"connect": 1.0, "read": 3.0, "write": 3.0, "pool": 3.0}
    assert transport._client.trust_env is False
