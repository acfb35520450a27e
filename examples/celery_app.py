"""A Celery deployment of instantly-columns: workers, beat, and the webhook receiver.

Run each part (all read the same environment)::

    celery -A examples.celery_app worker --loglevel=INFO     # as many as you like
    celery -A examples.celery_app beat                       # exactly one
    uvicorn examples.celery_app:webhooks                     # the webhook receiver

Environment:

- ``INSTANTLY_COLUMNS_REDIS``: the broker, also where the workspace budgets and the
  schedule's guards live (default ``redis://127.0.0.1:6379/0``).
- ``INSTANTLY_COLUMNS_DSN``: the PostgreSQL store; ``INSTANTLY_COLUMNS_SCHEMA`` its schema.
- ``INSTANTLY_COLUMNS_WEBHOOK_SECRET``: the token webhook deliveries carry.
- ``INSTANTLY_API_KEY`` and the other ``INSTANTLY_*`` client settings, as for
  ``InstantlyColumns.from_env`` (stored keys win over ``INSTANTLY_API_KEY``).

The test suite builds its fleet with `build` (tests/fleet/), so this file cannot rot.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from celery import Celery

from instantly_columns.api.ratelimit import (
    INSTANTLY_RATES,
    Rate,
    RedisBackend,
    WorkspaceLimiters,
    with_headroom,
)
from instantly_columns.asgi import ASGIApp, webhook_app
from instantly_columns.celery import DEFAULT_VISIBILITY_TIMEOUT, Tasks, configure, register_tasks
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.storage.postgres import PostgresStore


def build(
    *,
    redis_url: str,
    dsn: str,
    schema: str = "public",
    webhook_secret: str = "",
    rates: Sequence[Rate] = INSTANTLY_RATES,
    headroom: float = 0.05,
    lease_seconds: float = 30.0,
    visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT,
    beat_every: float = 60.0,
    environ: Mapping[str, str] | None = None,
    **celery_options: Any,
) -> tuple[Celery, Tasks]:
    """The Celery app with the instantly-columns tasks registered and the beat schedule set."""
    app = Celery("instantly_columns_fleet", broker=redis_url, **celery_options)
    configure(app, visibility_timeout=visibility_timeout)
    # Every worker process, on every machine, counts each workspace's requests in Redis.
    shared = with_headroom(rates, headroom)

    def make_service() -> InstantlyColumns:
        return InstantlyColumns.from_env(
            PostgresStore(dsn, schema=schema),
            environ=environ,
            limiter=WorkspaceLimiters(RedisBackend(redis_url, rates=shared)),
            webhook_secret=webhook_secret or None,
            lease_seconds=lease_seconds,
        )

    tasks = register_tasks(app, service_factory=make_service, redis=redis_url)
    app.conf.beat_schedule = {"instantly-columns-due": tasks.beat_entry(every=beat_every)}
    return app, tasks


REDIS_URL = os.environ.get("INSTANTLY_COLUMNS_REDIS", "redis://127.0.0.1:6379/0")
WEBHOOK_SECRET = os.environ.get("INSTANTLY_COLUMNS_WEBHOOK_SECRET", "")

app, tasks = build(
    redis_url=REDIS_URL,
    dsn=os.environ.get("INSTANTLY_COLUMNS_DSN", "postgresql://127.0.0.1:5432/postgres"),
    schema=os.environ.get("INSTANTLY_COLUMNS_SCHEMA", "public"),
    webhook_secret=WEBHOOK_SECRET,
)

# The receiver needs the broker and the secret only: no store, no key.
webhooks: ASGIApp | None = (
    webhook_app(tasks.webhook_receiver(WEBHOOK_SECRET)) if WEBHOOK_SECRET else None
)
