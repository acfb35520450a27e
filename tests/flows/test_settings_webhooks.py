from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import anyio
import pytest

from instantly_columns.asgi import webhook_app
from instantly_columns.domain.columns import (
    ENGAGEMENT_SUBTYPES,
    Column,
    PushActionConfig,
    validate_table,
)
from instantly_columns.errors import (
    ConfigError,
    InvalidColumnConfig,
    NotFound,
    RecordNotFound,
    ServerError,
    WebhookAuthError,
    WebhookPayloadError,
)
from instantly_columns.testing import FakeInstantly

from .conftest import TABLE, Service, make_rows, setup_table, wizard_link
from .test_sync import engagement_cells


def test_edit_mapping_rename_and_interval(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(4))
    link = wizard_link(service, api_key)
    change = service.update_link(
        link,
        field_mapping={"email": "email", "first_name": "first"},
        campaign_name="Renamed",
        sync_interval_seconds=60,
    )
    assert set(change.changed) == {"field_mapping", "campaign_name", "sync_interval_seconds"}
    names = {c.name for c in store.columns(TABLE) if c.subtype in ENGAGEMENT_SUBTYPES}
    assert "Opens · Renamed" in names
    (campaign_column,) = [c for c in store.columns(TABLE) if c.subtype == "campaign_config"]
    assert campaign_column.name == "Renamed"  # named after the campaign, so it follows
    (integration,) = service.links(TABLE)
    assert integration.campaign_name == "Renamed"
    assert integration.settings["sync_interval_seconds"] == 60
    report = service.push(link)
    assert set(fake.leads(report.campaign_id)[0]) >= {"email", "first_name"}
    with pytest.raises(InvalidColumnConfig) as caught:
        service.update_link(link, field_mapping={"email": "no-such-column"})
    # Named as the argument that is wrong, not as the table's column config.
    assert [p.path for p in caught.value.problems] == ["field_mapping.email"]


def test_switching_campaign_clears_engagement_and_push_cells(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(5))
    link = wizard_link(service, api_key)
    report = service.push(link)
    fake.activate(report.campaign_id)
    fake.advance(timedelta(days=3))
    service.sync(link)
    assert any(engagement_cells(store, link).values())
    other = fake.create_campaign(name="Other")
    change = service.update_link(link, campaign_id=other["id"])
    assert change.cells_cleared > 0
    assert any("switched campaign" in n for n in change.notes)
    assert not any(engagement_cells(store, link).values())
    assert validate_table(store.columns(TABLE)) == []
    # the rows are still leads of the old campaign: put them in the new one as well
    again = service.push(link, skip_if_in_campaign=False)
    assert again.counts == {"pushed": 5}
    assert len(fake.leads(other["id"])) == 5


def test_deleting_a_link_removes_dependents_and_keeps_step_copy(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    link = wizard_link(service, api_key, mode="author_steps", steps=1)
    result = service.delete_link(link)
    assert len(result.columns_removed) == 7  # campaign, push, five engagement
    assert len(result.columns_detached) == 2
    columns = store.columns(TABLE)
    assert all(c.type != "instantly" for c in columns)
    assert {c.name for c in columns} >= {"Step 1 Subject", "Step 1 Body"}
    assert service.links(TABLE) == []
    assert validate_table(columns) == []


def deliver(
    fake: FakeInstantly,
    link_campaign: str,
    email: str,
    event_type: str,
    timestamp: str = "2026-03-04T09:12:45.311Z",
) -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "event_type": event_type,
        "workspace": fake.workspace_id,
        "campaign_id": link_campaign,
        "campaign_name": "X",
        "lead_email": email,
        "step": 1,
        "variant": 1,
    }


def test_webhooks_need_the_secret_and_are_idempotent(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(3))
    link = wizard_link(service, api_key)
    report = service.push(link)
    event = deliver(fake, report.campaign_id, "Person1@example.com", "reply_received")
    with pytest.raises(WebhookAuthError):
        service.ingest_webhook(event)
    with pytest.raises(WebhookAuthError):
        service.ingest_webhook(event, headers={"X-Instantly-Columns-Token": "wrong"})
    first = service.ingest_webhook(event, headers={"X-Instantly-Columns-Token": "s3cret"})
    assert first.cells_written == 2  # the status, and the reply count raised to 1
    cells = engagement_cells(store, link)["r000001"]
    assert (cells["email_status"], cells.get("reply_count")) == ("Replied", 1)
    replay = service.ingest_webhook(event, query={"token": "s3cret"})
    assert replay.replay
    assert replay.cells_written == 0
    older = deliver(
        fake,
        report.campaign_id,
        "person1@example.com",
        "email_opened",
        timestamp="2026-03-01T00:00:00Z",
    )
    late = service.ingest_webhook(older, query={"token": "s3cret"})
    assert late.cells_written == 1  # the open is counted; the status never moves backwards
    cells = engagement_cells(store, link)["r000001"]
    assert (cells["email_status"], cells.get("open_count")) == ("Replied", 1)
    again = service.ingest_webhook(older, query={"token": "s3cret"})
    assert again.cells_written == 0
    unknown = service.ingest_webhook(
        deliver(fake, report.campaign_id, "person1@example.com", "account_error"),
        query={"token": "s3cret"},
    )
    assert unknown.ignored == "event 'account_error'"
    with pytest.raises(WebhookPayloadError):
        service.ingest_webhook(b"{oops", query={"token": "s3cret"})


def test_interest_events_refresh_the_lead_from_the_api(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    link = wizard_link(service, api_key)
    report = service.push(link)
    lead_id = report.rows[0].lead_id
    assert lead_id is not None
    fake.set_interest(lead_id, 2)
    result = service.ingest_webhook(
        deliver(fake, report.campaign_id, "person0@example.com", "lead_meeting_booked"),
        query={"token": "s3cret"},
    )
    assert result.refreshed
    assert engagement_cells(store, link)["r000000"]["engagement_status"] == "Meeting Booked"


def test_an_event_whose_refresh_failed_is_done_by_the_retry_not_taken_for_a_replay(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    link = wizard_link(service, api_key)
    report = service.push(link)
    lead_id = report.rows[0].lead_id
    assert lead_id is not None
    fake.set_interest(lead_id, 1)
    body = deliver(fake, report.campaign_id, "person0@example.com", "lead_interested")
    fake.faults.server_error(endpoint="POST /api/v2/leads/list", times=10)
    with pytest.raises(ServerError):
        service.ingest_webhook(body, query={"token": "s3cret"})
    assert engagement_cells(store, link)["r000000"].get("engagement_status") != "Interested"
    fake.faults.clear()
    retried = service.ingest_webhook(body, query={"token": "s3cret"})  # Instantly's retry
    assert not retried.replay
    assert retried.refreshed
    assert engagement_cells(store, link)["r000000"]["engagement_status"] == "Interested"
    assert service.ingest_webhook(body, query={"token": "s3cret"}).replay  # now it is one


def _asgi(app: Any, method: str, body: bytes, query: bytes) -> tuple[int, dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "headers": [], "query_string": query}
    anyio.run(app, scope, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"])


def test_the_asgi_app_answers_with_status_codes(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    link = wizard_link(service, api_key)
    report = service.push(link)
    app = webhook_app(service.inner)
    body = json.dumps(deliver(fake, report.campaign_id, "person0@example.com", "email_opened"))
    assert _asgi(app, "GET", b"", b"token=s3cret")[0] == 405
    assert _asgi(app, "POST", body.encode(), b"token=nope")[0] == 401
    assert _asgi(app, "POST", b"not json", b"token=s3cret")[0] == 400
    status, payload = _asgi(app, "POST", body.encode(), b"token=s3cret")
    assert status == 200
    assert payload["cells_written"] == 2  # Opened, and the open count raised to 1
    status, payload = _asgi(app, "POST", body.encode(), b"token=s3cret")
    assert status == 200
    assert payload["replay"] is True
    assert link


def test_edit_sequence_mode_and_push_config(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(3))
    link = wizard_link(service, api_key, mode="author_steps", steps=1)
    change = service.update_link(link, sequence_mode="use_existing")
    assert change.changed == ("sequence_mode",)
    assert any("no longer pushed" in note for note in change.notes)
    report = service.push(link)  # no step copy needed any more
    assert report.counts == {"pushed": 3}
    assert "custom_variables" not in bulk_leads(fake)[0] or not any(
        k.startswith("step_") for k in bulk_leads(fake)[0]["custom_variables"]
    )
    own_mapping = {"email": "email", "last_name": "last"}
    change = service.update_link(
        link, push_config={"auto_field_mapping": False}, field_mapping=own_mapping
    )
    assert "push_config" in change.changed
    push = next(c for c in store.columns(TABLE) if c.subtype == "push_action")
    assert isinstance(push.config, PushActionConfig)
    assert push.config.auto_field_mapping is False
    assert push.config.field_mapping is not None
    with pytest.raises(InvalidColumnConfig):
        service.update_link(link, sequence_mode="write_poems")


def bulk_leads(fake: FakeInstantly) -> list[dict[str, Any]]:
    bodies = [r.json for r in fake.requests if r.path.endswith("/leads/add")]
    return [lead for body in bodies for lead in body["leads"]]


# --- settings are closed; errors name what is missing -----------------------------------------


def test_a_misspelt_setting_names_the_closest_and_saves_nothing(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    link = wizard_link(service, api_key)
    before = (store.columns(TABLE), service.links(TABLE))
    with pytest.raises(ConfigError) as info:
        service.update_link(link, sequnce_mode="author_steps")
    assert [str(p) for p in info.value.problems] == [
        "sequnce_mode: unknown setting 'sequnce_mode'; did you mean 'sequence_mode'?"
    ]
    with pytest.raises(ConfigError) as info:
        service.update_link(link, field_mapping={"emial": "email"})
    assert [str(p) for p in info.value.problems] == [
        "field_mapping.emial: unknown lead field 'emial'; did you mean 'email'?"
    ]
    with pytest.raises(ConfigError, match="did you mean 'auto_field_mapping'"):
        service.update_link(link, push_config={"auto_field_maping": False})
    with pytest.raises(ConfigError, match="did you mean 'use_existing'"):
        service.update_link(link, sequence_mode="use_exsting")
    with pytest.raises(ConfigError) as info:
        service.update_link(link, sync_interval_seconds="15m")
    assert [p.path for p in info.value.problems] == ["sync_interval_seconds"]
    for bad in (0, -5, True, float("nan")):
        with pytest.raises(ConfigError, match="sync_interval_seconds"):
            service.update_link(link, sync_interval_seconds=bad)
    assert (store.columns(TABLE), service.links(TABLE)) == before


def test_a_mapping_edit_keeps_the_hosts_own_keys(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    link = wizard_link(service, api_key)
    (column,) = [c for c in store.columns(TABLE) if c.id == link]
    flat = column.config.to_integration_config() if column.config else {}
    flat["field_mapping"]["ui_order"] = ["email"]  # a key of the host's
    flat["ui_color"] = "teal"
    del flat["sequence_mode"]  # the host left it out: use_existing
    store.save_columns(
        TABLE,
        [
            Column.from_host(
                id=column.id,
                key=column.key,
                name=column.name,
                type="instantly",
                integration_config=flat,
            )
        ],
    )
    service.update_link(link, field_mapping={"email": "email", "last_name": "last"})
    (column,) = [c for c in store.columns(TABLE) if c.id == link]
    assert column.config is not None
    saved = column.config.to_integration_config()
    assert saved["field_mapping"] == {"ui_order": ["email"], "email": "email", "last_name": "last"}
    assert saved["ui_color"] == "teal"
    assert "sequence_mode" not in saved  # a default is used, not written back
    engagement = [c for c in store.columns(TABLE) if c.subtype in ENGAGEMENT_SUBTYPES]
    assert {
        c.config.to_integration_config().get("engagement_field") for c in engagement if c.config
    } == {
        "interest_status_label",
        "lead_status",
        "timestamp_last_email_sent",
        "reply_count",
        "open_count",
    }


def test_switching_to_a_campaign_that_does_not_exist_names_it(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    link = wizard_link(service, api_key)
    before = (store.columns(TABLE), service.links(TABLE))
    ghost = "0199a3c2-7d7e-7cc1-9d3a-5b7e2f1c0a11"
    with pytest.raises(NotFound, match=f"no campaign '{ghost}' in this workspace"):
        service.update_link(link, campaign_id=ghost)
    with pytest.raises(ConfigError, match="campaign_id"):  # not even an id: refused locally
        service.update_link(link, campaign_id="abc")
    assert (store.columns(TABLE), service.links(TABLE)) == before


def test_an_unknown_link_is_named(service: Service, store: Any, api_key: str) -> None:
    setup_table(store, make_rows(1))
    calls: list[tuple[str, dict[str, Any]]] = [
        ("push", {}),
        ("sync", {}),
        ("summary", {}),
        ("update_link", {"campaign_name": "x"}),
        ("delete_link", {}),
    ]
    for name, kwargs in calls:
        with pytest.raises(RecordNotFound) as info:
            getattr(service, name)("nope", **kwargs)
        assert str(info.value) == "no such campaign link 'nope'", name


def test_subscribe_webhooks_sends_the_secret_in_the_checked_header(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    service.connect(api_key)
    made = service.subscribe_webhooks("https://host.example/hooks/instantly", name="ops")
    (hook,) = fake.webhooks()
    assert hook["id"] == made.id
    assert hook["target_hook_url"] == "https://host.example/hooks/instantly"
    assert hook["event_type"] == "all_events"
    # A delivery carrying what the subscription sends passes the service's own check.
    event = deliver(fake, "c-none", "person0@example.com", "account_error")
    report = service.ingest_webhook(event, headers=dict(hook["headers"]))
    assert report.ignored == "no link for this campaign or lead"  # checked, then ignored
    with pytest.raises(ConfigError, match="target_url"):
        service.subscribe_webhooks("ftp://host.example/x")
    assert len(fake.webhooks()) == 1


def test_subscribe_webhooks_needs_a_secret(fake: FakeInstantly, api_key: str) -> None:
    from instantly_columns.service.facade import InstantlyColumns
    from instantly_columns.storage.memory import MemoryStore

    svc = InstantlyColumns(MemoryStore(), transport=fake.as_transport(), api_key=api_key)
    with svc, pytest.raises(ConfigError, match="webhook_secret"):
        svc.subscribe_webhooks("https://host.example/hooks")
    assert fake.webhooks() == []
