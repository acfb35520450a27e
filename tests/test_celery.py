"""instantly_columns.celery without workers: the settings `configure` puts on an app, what
each task does when run in process (a lease held elsewhere is a retry with backoff, not a
failure), the schedule's per-link guard, and the queueing webhook receiver behind the ASGI
app. The real fleet (worker processes, Redis, PostgreSQL) is tests/fleet/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

pytest.importorskip("celery")

import anyio
import attrs
import httpx
from celery import Celery
from celery.exceptions import Retry

from instantly_columns.asgi import webhook_app
from instantly_columns.celery import (
    DEFAULT_VISIBILITY_TIMEOUT,
    QueuedDelivery,
    Tasks,
    configure,
    register_tasks,
)
from instantly_columns.errors import ConfigError, WebhookAuthError, WebhookPayloadError
from instantly_columns.ports import SyncRun
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.storage.memory import MemoryStore
from reliability._support import SECRET, World, build_world, subscribe


class FakeRedis:
    """The three commands the schedule's guard uses, in memory (expiry is not modelled)."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def set(self, key: str, value: str, *, nx: bool = False, ex: int | None = None) -> bool:
        assert ex is not None
        assert ex > 0
        if nx and key in self.data:
            return False
        self.data[key] = value
        return True

    def get(self, key: str) -> bytes | None:
        value = self.data.get(key)
        return None if value is None else value.encode()

    def delete(self, key: str) -> int:
        return 1 if self.data.pop(key, None) is not None else 0


@attrs.define
class Setup:
    world: World
    app: Celery
    tasks: Tasks
    redis: FakeRedis
    sent: list[tuple[str, tuple[Any, ...], dict[str, Any]]]


@pytest.fixture
def setup(monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    world = build_world(MemoryStore(), rows=5, seed=3)
    service = world.service.inner
    assert isinstance(service, InstantlyColumns)
    app = Celery("test-instantly-columns", broker="memory://")
    configure(app)
    redis = FakeRedis()
    tasks = register_tasks(app, service_factory=lambda: service, redis=redis, retry_base=2.0)
    sent: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def recorder(name: str) -> Any:
        def apply_async(args: Any = (), kwargs: Any = None, **_: Any) -> Any:
            sent.append((name, tuple(args or ()), dict(kwargs or {})))
            return attrs.make_class("Result", {"id": attrs.field(default=f"id-{len(sent)}")})()

        return apply_async

    for name in ("sync", "webhook"):
        monkeypatch.setattr(getattr(tasks, name), "apply_async", recorder(name))
    yield Setup(world, app, tasks, redis, sent)
    world.close()


def test_configure_sets_late_acks_and_a_short_visibility_timeout() -> None:
    app = Celery("configured", broker="memory://")
    app.conf.broker_transport_options = {"queue_order_strategy": "priority"}
    configure(app, visibility_timeout=120)
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    options = app.conf.broker_transport_options
    assert options["visibility_timeout"] == 120 < 3600
    assert options["queue_order_strategy"] == "priority"  # the host's own options are kept
    assert DEFAULT_VISIBILITY_TIMEOUT < 3600
    for bad in (0, -5, "300", True):
        with pytest.raises(ConfigError):
            configure(app, visibility_timeout=bad)  # type: ignore[arg-type]


def test_every_task_acknowledges_late_and_is_named_under_the_prefix(setup: Setup) -> None:
    for task in (setup.tasks.sync, setup.tasks.push, setup.tasks.webhook):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert task.name.startswith("instantly_columns.")
    assert setup.tasks.schedule.name == "instantly_columns.schedule"
    entry = setup.tasks.beat_entry(every=30)
    assert entry["task"] == "instantly_columns.schedule"
    assert entry["schedule"] == 30.0


def test_push_then_sync_run_in_process_and_a_second_run_changes_nothing(setup: Setup) -> None:
    world = setup.world
    pushed = setup.tasks.push.apply(args=[world.link]).get()
    assert pushed["rows"] == 5
    assert pushed["statuses"] == {"pushed": 5}
    again = setup.tasks.push.apply(args=[world.link]).get()  # idempotent: the ledger
    assert "pushed" not in again["statuses"]
    assert len(world.fake.leads(world.campaign_id)) == 5
    world.fake.activate(world.campaign_id)
    world.fake.advance(timedelta(days=3))
    synced = setup.tasks.sync.apply(args=[world.link]).get()
    assert synced["status"] == "ok"
    assert synced["leads_seen"] == 5


def test_a_link_leased_elsewhere_is_retried_later_with_backoff(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = setup.world
    now = world.clock.now()
    world.store.start_run(
        SyncRun(id="elsewhere", link_id=world.link, started_at=now, heartbeat_at=now),
        stale_after=30,
    )
    retried: list[dict[str, Any]] = []

    def retry(**options: Any) -> Any:
        retried.append(options)
        raise Retry("again later", options.get("exc"), options.get("countdown"))

    monkeypatch.setattr(setup.tasks.sync, "retry", retry)
    result = setup.tasks.sync.apply(args=[world.link])
    assert result.state != "SUCCESS"
    assert len(retried) == 1
    assert type(retried[0]["exc"]).__name__ == "SyncInProgress"
    assert 1.0 <= retried[0]["countdown"] <= 2.0  # retry_base, with jitter over its upper half
    assert world.store.runs(world.link, limit=1)[0].id == "elsewhere"  # the holder is untouched


def test_the_schedule_queues_each_due_link_once_until_its_sync_ends(setup: Setup) -> None:
    world = setup.world
    queued = setup.tasks.schedule.apply().get()
    assert queued == [world.link]
    assert setup.sent[-1][0] == "sync"
    token = setup.sent[-1][2]["guard_token"]
    assert setup.tasks.schedule.apply().get() == []  # guarded: still queued
    # The queued task runs (in process here) and drops the guard when it ends.
    report = setup.tasks.sync.apply(args=[world.link], kwargs={"guard_token": token}).get()
    assert report["status"] == "ok"
    assert setup.redis.data == {}
    assert setup.tasks.schedule.apply().get() == []  # synced: no longer due


def test_the_webhook_task_applies_a_queued_delivery_and_drops_a_non_event(setup: Setup) -> None:
    world = setup.world
    captured = subscribe(world, "https://hooks.example.test/celery")
    setup.tasks.push.apply(args=[world.link]).get()
    world.fake.activate(world.campaign_id)
    world.fake.advance(timedelta(days=3))
    assert captured.bodies
    written = sum(
        setup.tasks.webhook.apply(args=[body.decode()]).get()["cells_written"]
        for body in captured.bodies
    )
    assert written > 0
    replays = [setup.tasks.webhook.apply(args=[b.decode()]).get() for b in captured.bodies]
    assert all(r["replay"] for r in replays)
    assert setup.tasks.webhook.apply(args=["[1, 2]"]).get()["ignored"] == "not an event"


def test_the_receiver_checks_then_queues_and_answers_202(setup: Setup) -> None:
    receiver = setup.tasks.webhook_receiver(SECRET)
    body = b'{"event_type": "email_sent", "campaign_id": "c", "lead_email": "a@b.co"}'
    with pytest.raises(WebhookAuthError):
        receiver.ingest_webhook(body, query={"token": "wrong"})
    with pytest.raises(WebhookPayloadError):
        receiver.ingest_webhook(b"not json", query={"token": SECRET})
    assert setup.sent == []  # nothing unchecked reaches the queue
    queued = receiver.ingest_webhook(body, headers={"x-instantly-columns-token": SECRET})
    assert isinstance(queued, QueuedDelivery)
    assert queued.event_type == "email_sent"
    assert setup.sent == [("webhook", (body.decode(),), {})]
    assert SECRET not in repr(receiver)
    with pytest.raises(ConfigError):
        setup.tasks.webhook_receiver("")

    app = webhook_app(receiver)

    async def post() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hooks") as client:
            return [
                await client.post(f"/?token={SECRET}", content=body),
                await client.post("/?token=nope", content=body),
                await client.post(f"/?token={SECRET}", content=b"{"),
            ]

    ok, forged, broken = anyio.run(post)
    assert ok.status_code == 202
    assert ok.json() == {"event_type": "email_sent", "queued": True}
    assert forged.status_code == 401
    assert broken.status_code == 400
    assert len(setup.sent) == 2


def test_register_tasks_refuses_a_factory_that_is_not_one() -> None:
    app = Celery("bad", broker="memory://")
    with pytest.raises(ConfigError):
        register_tasks(app, service_factory="not callable")  # type: ignore[arg-type]
