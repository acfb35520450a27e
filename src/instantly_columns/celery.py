"""Syncs, pushes and webhook deliveries on a fleet of Celery workers (the ``celery`` extra).

The host keeps its own Celery app, store and keys; this module adds task functions to it::

    from celery import Celery
    from instantly_columns.celery import configure, register_tasks

    app = Celery("host", broker="redis://127.0.0.1:6379/0")
    configure(app)                                   # late acks, a short visibility timeout
    tasks = register_tasks(app, service_factory=make_service)
    app.conf.beat_schedule = {"instantly-columns-due": tasks.beat_entry(every=60)}

``make_service()`` returns the host's `InstantlyColumns` (its PostgreSQL store, its key
source, and a `WorkspaceLimiters` over a `RedisBackend`, so that every worker shares each
workspace's budget); it is called once in each worker process, when the first task runs.

What makes the fleet safe is in the service, not in the queue: a sync holds a fenced,
heartbeated lease per link and checkpoints after every page, a push records every row's
result in its ledger, and a webhook delivery is applied in one transaction that locks its
rows. So every task may run twice, or be killed at any point and run again elsewhere: it
resumes from the store, and a task that finds its link leased by another worker
(`SyncInProgress`) retries later with backoff instead of failing. docs/scale.md walks through
a deployment.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import uuid
from collections.abc import Callable, Collection, Mapping
from typing import Any

import attrs

from instantly_columns.domain.webhooks import check_secret, parse_event
from instantly_columns.errors import (
    ApiConnectionError,
    ConfigError,
    RateLimited,
    RecordNotFound,
    ServerError,
    StoreError,
    WebhookPayloadError,
)
from instantly_columns.service.facade import InstantlyColumns

__all__ = [
    "DEFAULT_VISIBILITY_TIMEOUT",
    "QueuedDelivery",
    "Tasks",
    "WebhookQueue",
    "configure",
    "register_tasks",
]

logger = logging.getLogger("instantly_columns.celery")

DEFAULT_VISIBILITY_TIMEOUT = 300.0
"""Seconds before Redis hands an unacknowledged task to another worker (Celery's default is
an hour: a task whose worker died would wait that long)."""

_TRANSIENT: tuple[type[Exception], ...] = (
    StoreError,  # SyncInProgress (a lease held elsewhere), a dropped connection, a deadlock
    ApiConnectionError,
    RateLimited,
    ServerError,
)
"""Errors after which a task is tried again later; anything else fails the task."""


def configure(
    app: Any,
    *,
    visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT,
    restore_interval: float | None = None,
) -> None:
    """Set what a fleet needs on the host's Celery app (Redis broker).

    - ``task_acks_late`` and ``task_reject_on_worker_lost``: a task is acknowledged when it
      ends, not when it starts, so a task whose worker process died is delivered again.
    - ``broker_transport_options["visibility_timeout"]``: how long Redis waits for that
      acknowledgement before handing the task to another worker. Shorter than Celery's hour,
      so a worker killed outright (the whole machine, or ``SIGKILL`` of the main process)
      costs minutes, not an hour. A task still running past it is handed out a second time;
      that copy meets the lease (``SyncInProgress``) and retries, so keep it above your
      longest sync but not far above. Retries here wait at most a minute, well below it.
    - ``restore_interval``: seconds between the sweeps that hand such tasks out again
      (default: a tenth of the visibility timeout, at most 10 s).
    - ``worker_prefetch_multiplier = 1``: a worker holds one task beyond those it runs, so
      a slow sync does not sit on tasks other workers could take.
    """
    if isinstance(visibility_timeout, bool) or not isinstance(visibility_timeout, int | float):
        raise ConfigError("must be a number of seconds", path="visibility_timeout")
    if visibility_timeout <= 0:
        raise ConfigError("must be a number of seconds above 0", path="visibility_timeout")
    interval = (
        restore_interval if restore_interval is not None else min(10.0, visibility_timeout / 10)
    )
    options = dict(app.conf.broker_transport_options or {})
    options.update(
        visibility_timeout=visibility_timeout,
        unacked_restore_interval=max(interval, 0.1),
        unacked_restore_throttle=1,
    )
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options=options,
        task_serializer="json",
        accept_content=["json"],
    )


def _backoff(retries: int, base: float, cap: float) -> float:
    """Seconds before retry number ``retries + 1``: exponential, capped, with full jitter
    over its upper half (so that workers that met the same lease spread out)."""
    ceiling = min(cap, base * 2.0 ** min(retries, 16))
    return ceiling * (0.5 + random.random() / 2)  # noqa: S311 - spreading, not secrecy


@attrs.frozen
class QueuedDelivery:
    """What `WebhookQueue.ingest_webhook` returns: the delivery was checked and queued (the
    ASGI receiver answers ``202``)."""

    event_type: str
    task_id: str
    queued: bool = True
    replay: bool = False
    cells_written: int = 0
    refreshed: bool = False
    ignored: str | None = None


class WebhookQueue:
    """A webhook receiver that queues deliveries for the workers instead of applying them.

    Hand it to `instantly_columns.asgi.webhook_app` in place of a service: it checks the
    shared secret and that the body is an event (so a forged or malformed delivery never
    reaches the queue: ``401`` or ``400`` as before), then queues the body and answers ``202``
    at once. The receiver needs no store and no key: only the broker. Get one from
    `Tasks.webhook_receiver`.
    """

    def __init__(self, task: Any, secret: str) -> None:
        if not isinstance(secret, str) or not secret:
            raise ConfigError("must be a non-empty string", path="webhook_secret")
        self._task = task
        self._secret = secret

    def __repr__(self) -> str:
        return f"WebhookQueue(task={self._task.name!r})"

    def ingest_webhook(
        self,
        body: bytes | Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> QueuedDelivery:
        """Check the secret and the body, then queue the delivery (a blocking call to the
        broker; the ASGI app runs it in a worker thread)."""
        check_secret(self._secret, headers=headers, query=query)
        event = parse_event(body)
        if isinstance(body, bytes):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise WebhookPayloadError("the body is not UTF-8") from None
        else:
            import json

            text = json.dumps(dict(body))
        result = self._task.apply_async(args=[text])
        return QueuedDelivery(event.event_type, str(result.id))


class _Guard:
    """At most one scheduled sync per link queued or running: a Redis ``SET NX`` with an
    expiry, taken when beat queues the task and dropped when the task is over."""

    def __init__(self, redis: Any, prefix: str, ttl: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = max(1, round(ttl))

    def take(self, link: str) -> str | None:
        token = uuid.uuid4().hex
        if self._redis.set(self._prefix + link, token, nx=True, ex=self._ttl):
            return token
        return None

    def drop(self, link: str, token: str) -> None:
        key = self._prefix + link
        # Only our own token: a guard that expired and was taken again is not ours to drop.
        # (A small race between GET and DEL could only drop a fresh guard early; the lease
        # still keeps two syncs of one link apart.)
        held = self._redis.get(key)
        if held is not None and (held.decode() if isinstance(held, bytes) else held) == token:
            self._redis.delete(key)


@attrs.frozen
class Tasks:
    """The tasks `register_tasks` added to the host's app, and helpers around them.

    Attributes:
        sync: ``sync(link, full=False)``: `InstantlyColumns.sync` of one link.
        push: ``push(link, rows=None, force=False, skip_if_in_campaign=True)``.
        webhook: ``webhook(body)``: `InstantlyColumns.apply_webhook` of one queued delivery.
        schedule: ``schedule(table_id=None)``: one ``sync`` task per link `due()` names,
            skipping links whose scheduled sync is still queued or running.
    """

    sync: Any
    push: Any
    webhook: Any
    schedule: Any

    def webhook_receiver(self, secret: str) -> WebhookQueue:
        """A receiver for `instantly_columns.asgi.webhook_app` that queues each checked
        delivery as a ``webhook`` task."""
        return WebhookQueue(self.webhook, secret)

    def beat_entry(self, *, every: float = 60.0, table_id: str | None = None) -> dict[str, Any]:
        """An entry for ``app.conf.beat_schedule``: the ``schedule`` task every ``every``
        seconds. The links' own intervals (``sync_interval_seconds``) decide what is due;
        ``every`` only bounds how late a due sync starts."""
        return {
            "task": self.schedule.name,
            "schedule": float(every),
            "kwargs": {"table_id": table_id},
        }


def register_tasks(
    app: Any,
    *,
    service_factory: Callable[[], InstantlyColumns],
    redis: Any = None,
    prefix: str = "instantly_columns",
    retry_base: float = 2.0,
    retry_cap: float = 60.0,
    max_retries: int = 50,
    guard_seconds: float = 900.0,
) -> Tasks:
    """Add the sync, push, webhook and schedule tasks to a Celery app.

    Args:
        app: the host's Celery app (its broker Redis; see `configure`).
        service_factory: builds the `InstantlyColumns` a worker process uses: the host's
            store and key source. Called once per worker process, at its first task.
        redis: a `redis.Redis` client or URL for the schedule's per-link guard; by default
            the app's broker URL.
        prefix: task names are ``prefix + ".sync"`` and so on; Redis keys start with it.
        retry_base: the backoff of a retried task: ``retry_base * 2**n`` seconds before
            retry ``n + 1``, with jitter over the upper half.
        retry_cap: the longest backoff, in seconds.
        max_retries: retries of one task before it fails (about 45 minutes with the
            defaults).
        guard_seconds: how long a link's schedule guard lasts when its task never ends (a
            task lost with its broker): the schedule queues that link again after this.
    """
    if not callable(service_factory):
        raise ConfigError(
            "must be a function that returns an InstantlyColumns", path="service_factory"
        )
    held: dict[int, InstantlyColumns] = {}
    lock = threading.Lock()

    def service() -> InstantlyColumns:
        # One per process: a prefork child must not reuse its parent's connections.
        pid = os.getpid()
        with lock:
            found = held.get(pid)
            if found is None:
                found = service_factory()
                if not isinstance(found, InstantlyColumns):
                    raise ConfigError(
                        "must return an InstantlyColumns (the blocking service)",
                        path="service_factory",
                    )
                held.clear()
                held[pid] = found
            return found

    guard_client: list[_Guard] = []

    def guard() -> _Guard:
        with lock:
            if not guard_client:
                client = redis
                if client is None or isinstance(client, str):
                    import redis as redis_module

                    url = client if isinstance(client, str) else str(app.conf.broker_url or "")
                    if not url.startswith(("redis://", "rediss://", "unix://")):
                        raise ConfigError(
                            "give redis= (the schedule's guard needs Redis)", path="redis"
                        )
                    client = redis_module.Redis.from_url(url)
                guard_client.append(_Guard(client, f"{prefix}:scheduled:", guard_seconds))
            return guard_client[0]

    def retry_later(task: Any, exc: Exception) -> Exception:
        countdown = _backoff(task.request.retries, retry_base, retry_cap)
        logger.info(
            "%s %s: %s; again in %.1f s", task.name, task.request.id, type(exc).__name__, countdown
        )
        return task.retry(exc=exc, countdown=countdown, max_retries=max_retries)  # type: ignore[no-any-return]

    def transient(exc: Exception) -> bool:
        return isinstance(exc, _TRANSIENT) and not isinstance(exc, RecordNotFound)

    # shared=False: the tasks belong to this app alone (two apps in one process, each with
    # its own service factory, must not swap tasks).
    common: dict[str, Any] = {
        "bind": True,
        "shared": False,
        "acks_late": True,
        "reject_on_worker_lost": True,
    }

    @app.task(name=f"{prefix}.sync", **common)  # type: ignore[untyped-decorator]
    def sync(
        task: Any, link: str, full: bool = False, guard_token: str | None = None
    ) -> dict[str, Any]:
        try:
            report = service().sync(link, full=full)
        except Exception as exc:
            if transient(exc) and task.request.retries < max_retries:
                raise retry_later(task, exc) from exc
            _drop(guard_token, link)
            raise
        _drop(guard_token, link)
        run = report.run
        return {
            "link": link,
            "status": run.status,
            "leads_seen": run.leads_seen,
            "cells_written": run.cells_written,
            "resumed": report.resumed_from is not None,
        }

    def _drop(token: str | None, link: str) -> None:
        if token is not None:
            try:
                guard().drop(link, token)
            except Exception:  # the guard expires by itself
                logger.warning("could not drop the schedule guard of %s", link, exc_info=True)

    @app.task(name=f"{prefix}.push", **common)  # type: ignore[untyped-decorator]
    def push(
        task: Any,
        link: str,
        rows: Collection[str] | None = None,
        force: bool = False,
        skip_if_in_campaign: bool = True,
    ) -> dict[str, Any]:
        try:
            report = service().push(
                link,
                rows=list(rows) if rows is not None else None,
                force=force,
                skip_if_in_campaign=skip_if_in_campaign,
            )
        except Exception as exc:
            if transient(exc) and task.request.retries < max_retries:
                raise retry_later(task, exc) from exc
            raise
        return {"link": link, "rows": len(report.rows), "statuses": report.counts}

    @app.task(name=f"{prefix}.webhook", **common)  # type: ignore[untyped-decorator]
    def webhook(task: Any, body: str) -> dict[str, Any]:
        try:
            report = service().apply_webhook(body.encode("utf-8"))
        except WebhookPayloadError:
            logger.warning("%s %s: not an event; dropped", task.name, task.request.id)
            return {"event_type": None, "ignored": "not an event"}
        except Exception as exc:
            if transient(exc) and task.request.retries < max_retries:
                raise retry_later(task, exc) from exc
            raise
        return {
            "event_type": report.event_type,
            "replay": report.replay,
            "cells_written": report.cells_written,
            "ignored": report.ignored,
        }

    @app.task(name=f"{prefix}.schedule", bind=True, shared=False)  # type: ignore[untyped-decorator]
    def schedule(task: Any, table_id: str | None = None) -> list[str]:
        queued: list[str] = []
        for link in service().due(table_id=table_id):
            token = guard().take(link.id)
            if token is None:
                continue  # its scheduled sync is still queued or running
            try:
                sync.apply_async(args=[link.id], kwargs={"guard_token": token})
            except Exception:
                guard().drop(link.id, token)
                raise
            queued.append(link.id)
        return queued

    return Tasks(sync=sync, push=push, webhook=webhook, schedule=schedule)
