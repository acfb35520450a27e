"""The client as users of model SDKs expect it: the key from the environment, errors that say
which call and which response, per-call `timeout=` / `max_retries=`, and closed-set values
checked before anything is sent."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest

from _client_support import (
    C1,
    C2,
    KINDS,
    L1,
    W1,
    Script,
    client_for,
    envelope,
    reply,
    run,
    settle,
)
from instantly_columns.api.client import AsyncInstantlyClient, InstantlyClient
from instantly_columns.config import ClientSettings, RetryPolicy
from instantly_columns.domain.webhooks import SUBSCRIPTION_EVENTS
from instantly_columns.domain.wizard import WizardState
from instantly_columns.errors import (
    ApiResponseError,
    ApiStatusError,
    ApiTimeout,
    ConfigError,
    MissingApiKey,
    NotFound,
    RateLimited,
    ServerError,
)
from instantly_columns.ports import ApiKey
from instantly_columns.service.facade import AsyncInstantlyColumns, InstantlyColumns
from instantly_columns.storage import MemoryStore
from instantly_columns.testing import FakeInstantly
from instantly_columns.testing._fake_schema import SUBSCRIPTION_EVENTS as FAKE_EVENTS

CAMPAIGN = {"id": C1, "name": "Q3", "status": 0}
SECRET = "sk-live-from-the-environment-0042"
NO_RETRY = ClientSettings(retry=RetryPolicy(max_retries=0))


# --- the key from the environment ---------------------------------------------------------------


def test_the_suite_never_sees_a_key_from_the_shell() -> None:
    assert "INSTANTLY_API_KEY" not in os.environ


def test_apikey_from_env_reads_only_that_variable() -> None:
    assert ApiKey.from_env({"INSTANTLY_API_KEY": f"  {SECRET}\n"}) == ApiKey(SECRET)
    assert ApiKey.from_env({"INSTANTLY_API_KEY": "   "}) is None
    assert ApiKey.from_env({"INSTANTLY_TOKEN": SECRET}) is None


def test_settings_from_the_environment_never_hold_the_key() -> None:
    settings = ClientSettings.from_env({"INSTANTLY_API_KEY": SECRET, "INSTANTLY_TIMEOUT": "5"})
    assert settings.timeout == 5.0
    assert SECRET not in repr(settings)


@pytest.mark.parametrize("cls", [InstantlyClient, AsyncInstantlyClient])
def test_a_client_given_no_key_uses_the_environment(
    cls: type[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200, json={"id": "ws-1", "name": "Acme"})

    monkeypatch.setenv("INSTANTLY_API_KEY", SECRET)
    if cls is InstantlyClient:
        with InstantlyClient(transport=httpx.MockTransport(handler)) as client:
            assert client.check_key().workspace_name == "Acme"
            shown = repr(client)
    else:
        import anyio

        async def main() -> str:
            async with AsyncInstantlyClient(transport=httpx.MockTransport(handler)) as client:
                assert (await client.check_key()).workspace_name == "Acme"
                return repr(client)

        shown = anyio.run(main)
    assert seen == [f"Bearer {SECRET}"]
    assert SECRET not in shown


@pytest.mark.parametrize("cls", [InstantlyClient, AsyncInstantlyClient])
def test_no_key_and_no_variable_is_a_clear_missing_key(cls: type[Any]) -> None:
    with pytest.raises(MissingApiKey, match="INSTANTLY_API_KEY"):
        cls()


@pytest.mark.parametrize("cls", [InstantlyColumns, AsyncInstantlyColumns])
def test_a_service_from_the_environment_uses_the_key_when_none_is_stored(
    cls: type[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import anyio

    fake = FakeInstantly()
    fake.create_campaign("Spring")
    key = fake.create_api_key()
    store = MemoryStore()
    is_async = cls is AsyncInstantlyColumns
    transport = fake.as_async_transport() if is_async else fake.as_transport()
    state = WizardState(table_id="leads", step="campaign")

    def campaigns(service: Any) -> list[str]:
        if not is_async:
            return [c.name for c in service.wizard_view(state).campaigns]

        async def main() -> list[str]:
            view = await service.wizard_view(state)
            return [c.name for c in view.campaigns]

        return anyio.run(main)

    bare = cls(store, transport=transport, clock=fake.clock)
    with pytest.raises(MissingApiKey):
        campaigns(bare)
    monkeypatch.setenv("INSTANTLY_API_KEY", key)
    service = cls.from_env(store, transport=transport, clock=fake.clock)
    assert campaigns(service) == ["Spring"]
    explicit = cls(store, api_key=key, transport=transport, clock=fake.clock)
    assert campaigns(explicit) == ["Spring"]
    # a stored key wins over the fallback
    store.set_key("default", ApiKey(key))
    wrong = cls(store, api_key="not-the-key", transport=transport, clock=fake.clock)
    assert campaigns(wrong) == ["Spring"]


def test_service_from_env_reads_settings_from_the_given_mapping() -> None:
    service = InstantlyColumns.from_env(
        MemoryStore(), environ={"INSTANTLY_TIMEOUT": "7", "INSTANTLY_API_KEY": SECRET}
    )
    try:
        assert service._settings.timeout == 7.0
        assert service._ctx.fallback_key == ApiKey(SECRET)
    finally:
        service.close()


# --- errors say which call and which response ---------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("header", "value"),
    [("x-request-id", "req-123"), ("request-id", "req-456"), ("cf-ray", "8f1e2d3c4b5a6978-FRA")],
)
def test_status_errors_carry_status_code_request_id_method_and_path(
    kind: str, header: str, value: str
) -> None:
    script = Script(envelope(404, "Resource not found", **{header.replace("-", "_"): value}))
    with pytest.raises(NotFound) as info:
        run(kind, script, lambda c: c.get_campaign(C1))
    error = info.value
    assert error.status_code == error.status == 404
    assert error.request_id == value
    assert (error.method, error.path) == ("GET", f"/api/v2/campaigns/{C1}")
    assert value in str(error)


@pytest.mark.parametrize("kind", KINDS)
def test_the_request_id_is_none_without_such_a_header(kind: str) -> None:
    script = Script(envelope(400, "body/name must be string"))
    with pytest.raises(ApiStatusError) as info:
        run(kind, script, lambda c: c.get_campaign(C1))
    assert info.value.request_id is None
    assert "request id" not in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_rate_limits_server_errors_and_unreadable_bodies_carry_the_request_id(kind: str) -> None:
    limited = Script(envelope(429, "Rate limit exceeded", x_request_id="r-429"))
    with pytest.raises(RateLimited) as info:
        run(kind, limited, lambda c: c.get_campaign(C1), settings=NO_RETRY)
    assert (info.value.status_code, info.value.request_id) == (429, "r-429")
    broken = Script(envelope(503, "upstream", cf_ray="ray-503"))
    with pytest.raises(ServerError) as server:
        run(kind, broken, lambda c: c.get_campaign(C1), settings=NO_RETRY)
    assert (server.value.status_code, server.value.request_id) == (503, "ray-503")
    garbled = Script(reply(200, text='{"id": ', x_request_id="r-bad"))
    with pytest.raises(ApiResponseError) as bad:
        run(kind, garbled, lambda c: c.get_campaign(C1))
    assert bad.value.request_id == "r-bad"


def test_a_request_id_header_cannot_smuggle_control_characters() -> None:
    script = Script(envelope(500, "boom", x_request_id="abc\r\ndef" + "x" * 500))
    with pytest.raises(ServerError) as info:
        run("sync", script, lambda c: c.get_campaign(C1), settings=NO_RETRY)
    assert info.value.request_id == ("abcdef" + "x" * 500)[:200]


# --- per-call timeout= and max_retries= ---------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_per_call_timeout_reaches_the_request_of_that_call_only(kind: str) -> None:
    script = Script(reply(200, CAMPAIGN))
    client = client_for(kind, script)
    settle(kind, client.get_campaign(C1, timeout=2.5))
    settle(kind, client.get_campaign(C1))
    assert [r.timeout for r in script.requests] == [2.5, None]


def test_the_http_transport_honours_a_per_call_timeout() -> None:
    seen: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"]["read"])
        return httpx.Response(200, json=CAMPAIGN)

    settings = ClientSettings(timeout=30)
    with InstantlyClient("k", settings=settings, transport=httpx.MockTransport(handler)) as c:
        c.get_campaign(C1, timeout=1.5)
        c.get_campaign(C1)
    assert seen == [1.5, 30.0]


@pytest.mark.parametrize("kind", KINDS)
def test_max_retries_overrides_the_policy_for_one_call(kind: str) -> None:
    settings = ClientSettings(retry=RetryPolicy(max_retries=3, initial_delay=0, max_delay=0))
    failing = Script(envelope(503, "busy"))
    client = client_for(kind, failing, settings=settings)
    with pytest.raises(ServerError):
        settle(kind, client.get_campaign(C1, max_retries=0))
    assert len(failing.requests) == 1
    with pytest.raises(ServerError):
        settle(kind, client.get_campaign(C1, max_retries=1))
    assert len(failing.requests) == 3
    with pytest.raises(ServerError):
        settle(kind, client.get_campaign(C1))
    assert len(failing.requests) == 7  # the settings' three retries again


@pytest.mark.parametrize("kind", KINDS)
def test_overrides_reach_every_page_of_a_walk(kind: str) -> None:
    script = Script(
        reply(200, {"items": [{"id": L1}], "next_starting_after": L1}),
        reply(200, {"items": []}),
    )
    leads = run(kind, script, lambda c: c.iter_leads(C1, timeout=4.0, max_retries=0))
    assert [lead.id for lead in leads] == [L1]
    assert [r.timeout for r in script.requests] == [4.0, 4.0]


@pytest.mark.parametrize("kind", KINDS)
def test_a_timeout_fault_in_the_fake_waits_the_per_call_timeout(kind: str) -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign("Slow")
    fake.faults.timeout(endpoint="GET /api/v2/campaigns/{id}", calls=1)
    started = fake.now()
    transport: Any = fake.as_transport() if kind == "sync" else fake.as_async_transport()
    cls: Any = InstantlyClient if kind == "sync" else AsyncInstantlyClient
    client = cls(fake.create_api_key(), transport=transport, clock=fake.clock)
    with pytest.raises(ApiTimeout):
        settle(kind, client.get_campaign(campaign["id"], timeout=3, max_retries=0))
    assert (fake.now() - started).total_seconds() == 3


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 21}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_bad_overrides_are_config_errors_before_any_request(
    kind: str, options: dict[str, Any], path: str
) -> None:
    script = Script(reply(200, CAMPAIGN))
    with pytest.raises(ConfigError) as info:
        run(kind, script, lambda c: c.get_campaign(C1, **options))
    assert [p.path for p in info.value.problems] == [path]
    assert script.requests == []


# --- closed sets, checked before sending --------------------------------------------------------

SCHEDULE = {
    "schedules": [
        {
            "name": "Weekdays",
            "timing": {"from": "09:00", "to": "17:00"},
            "days": {"1": True},
            "timezone": "America/Chicago",
        }
    ]
}


def _schedule(zone: Any) -> dict[str, Any]:
    return {"schedules": [SCHEDULE["schedules"][0], {**SCHEDULE["schedules"][0], "timezone": zone}]}


@pytest.mark.parametrize("kind", KINDS)
def test_a_schedule_time_zone_outside_the_list_is_refused_with_the_equivalent(kind: str) -> None:
    script = Script(reply(200, CAMPAIGN))
    with pytest.raises(ConfigError) as info:
        run(kind, script, lambda c: c.create_campaign("Q3", schedule=_schedule("America/New_York")))
    (problem,) = info.value.problems
    assert problem.path == "schedule.schedules[1].timezone"
    assert "America/Detroit" in problem.message
    with pytest.raises(ConfigError) as pacific:
        run(kind, script, lambda c: c.create_campaign("Q3", schedule=_schedule("US/Pacific")))
    assert "no time zone that Instantly accepts" in pacific.value.problems[0].message
    with pytest.raises(ConfigError) as unknown:
        run(kind, script, lambda c: c.create_campaign("Q3", schedule=_schedule("Mars/Olympus")))
    assert "unknown time zone" in unknown.value.problems[0].message
    with pytest.raises(ConfigError) as typed:
        run(kind, script, lambda c: c.create_campaign("Q3", schedule=_schedule(5)))
    assert typed.value.problems[0].path == "schedule.schedules[1].timezone"
    assert script.requests == []
    assert run(kind, script, lambda c: c.create_campaign("Q3", schedule=SCHEDULE)).id == C1


@pytest.mark.parametrize("kind", KINDS)
def test_lead_writes_take_only_the_documented_interest_codes(kind: str) -> None:
    # POST /leads/add and PATCH /leads/{id} close lt_interest_status to the spec's enum.
    script = Script(reply(200, {"id": L1}))
    with pytest.raises(ConfigError) as patch:
        run(kind, script, lambda c: c.update_lead(L1, {"lt_interest_status": 7}))
    assert patch.value.problems[0].path == "fields.lt_interest_status"
    assert "Meeting Booked" in patch.value.problems[0].message
    assert "update_interest_status" in patch.value.problems[0].message
    with pytest.raises(ConfigError) as bulk:
        run(kind, script, lambda c: c.add_leads(C1, [{"email": "a@x.io", "lt_interest_status": 9}]))
    assert bulk.value.problems[0].path == "leads[0].lt_interest_status"
    assert script.requests == []
    run(kind, script, lambda c: c.update_lead(L1, {"lt_interest_status": -4}))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", [7, -12, 1, 0, None])
def test_the_interest_update_takes_custom_label_values(kind: str, value: int | None) -> None:
    # POST /leads/update-interest-status has no enum: a custom label's number is sent as is.
    script = Script(reply(202, {}))
    run(kind, script, lambda c: c.update_interest_status("a@x.io", value))
    (sent,) = script.requests
    assert isinstance(sent.json, dict)
    assert sent.json["interest_value"] == value


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", [True, 1.5, "1"])
def test_the_interest_update_still_wants_an_integer(kind: str, value: object) -> None:
    script = Script(reply(202, {}))
    with pytest.raises(ConfigError) as info:
        run(kind, script, lambda c: c.update_interest_status("a@x.io", value))
    assert info.value.problems[0].path == "interest_value"
    assert script.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_webhook_event_types_are_the_subscription_names(kind: str) -> None:
    script = Script(reply(200, {"id": W1}))
    url = "https://hooks.example.test/x"
    with pytest.raises(ConfigError) as payload_name:
        run(kind, script, lambda c: c.create_webhook(url, "link_clicked"))
    assert payload_name.value.problems[0].path == "webhook.event_type"
    assert "email_link_clicked" in payload_name.value.problems[0].message
    with pytest.raises(ConfigError) as typo:
        run(kind, script, lambda c: c.update_webhook(W1, {"event_type": "reply"}))
    assert typo.value.problems[0].path == "fields.event_type"
    with pytest.raises(ConfigError) as listed:
        run(kind, script, lambda c: c.list_webhooks(event_type="opened"))
    assert listed.value.problems[0].path == "event_type"
    assert script.requests == []
    assert run(kind, script, lambda c: c.create_webhook(url, "email_link_clicked")).id == W1
    assert (
        run(kind, script, lambda c: c.create_webhook(url, None, custom_interest_value=7)).id == W1
    )


def test_the_client_and_the_fake_agree_on_the_subscription_names() -> None:
    assert SUBSCRIPTION_EVENTS == FAKE_EVENTS


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.get_campaign("Q3 founders"), "campaign_id"),
        (lambda c: c.activate_campaign("c1"), "campaign_id"),
        (lambda c: c.campaign_analytics("c1"), "campaign_id"),
        (lambda c: c.analytics_overview(campaign_ids=[C1, "nope"]), "campaign_ids[1]"),
        (lambda c: c.daily_analytics("c1"), "campaign_id"),
        (lambda c: c.add_leads("c1", [{"email": "a@x.io"}]), "campaign_id"),
        (lambda c: c.lead_page("c1"), "campaign_id"),
        (lambda c: c.get_lead("ada@acme.com"), "lead_id"),
        (lambda c: c.delete_lead("l1"), "lead_id"),
        (lambda c: c.get_webhook("w1"), "webhook_id"),
        (
            lambda c: c.create_webhook("https://x.test", "email_sent", campaign_id="c1"),
            "webhook.campaign",
        ),
        (lambda c: c.list_webhooks(campaign_id="c1"), "campaign_id"),
        (lambda c: c.list_campaigns(status=7), "status"),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_ids_the_api_documents_as_uuids_and_status_codes_are_checked(
    kind: str, call: Any, path: str
) -> None:
    script = Script(reply(200, {"id": C2, "items": []}))
    with pytest.raises(ConfigError) as info:
        run(kind, script, call)
    assert [p.path for p in info.value.problems] == [path]
    assert script.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_interest_update_campaign_id_is_not_held_to_uuid(kind: str) -> None:
    # the reference gives that field no format, so the client does not invent one
    script = Script(reply(202, {}))
    run(kind, script, lambda c: c.update_interest_status("a@x.io", 1, campaign_id="legacy-7"))
    assert script.requests[0].json["campaign_id"] == "legacy-7"
