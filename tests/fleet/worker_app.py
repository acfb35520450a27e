"""The Celery app of the fleet's worker processes: `examples/celery_app.build`, configured
from the environment the fleet test sets (its Redis, store schema, queue and rates), so the
tests run the example as a host would."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from celery import Celery
from examples.celery_app import build

from instantly_columns.api.ratelimit import Rate
from instantly_columns.celery import Tasks


def make(env: Mapping[str, str]) -> tuple[Celery, Tasks]:
    """The app and its tasks, from ``FLEET_*`` variables (and ``INSTANTLY_BASE_URL``)."""
    redis_url = env["FLEET_REDIS"]
    options: dict[str, Any] = {"backend": redis_url}
    app, tasks = build(
        redis_url=redis_url,
        dsn=env["FLEET_DSN"],
        schema=env["FLEET_SCHEMA"],
        webhook_secret=env.get("FLEET_SECRET", ""),
        rates=[
            Rate(int(env["FLEET_PER_SECOND"]), 1.0),
            Rate(int(env["FLEET_PER_MINUTE"]), 60.0),
        ],
        headroom=float(env.get("FLEET_HEADROOM", "0.1")),
        lease_seconds=float(env["FLEET_LEASE"]),
        visibility_timeout=float(env["FLEET_VISIBILITY"]),
        environ=env,
        **options,
    )
    app.conf.update(
        task_default_queue=env["FLEET_QUEUE"],
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    marks = env.get("FLEET_MARKS")
    if marks:
        _mark_running_tasks(Path(marks))
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "unacked_restore_interval": 0.5,
    }
    return app, tasks


def _mark_running_tasks(folder: Path) -> None:
    """While a task runs, a file named after this process holds its name: how the test picks
    a worker that is in the middle of a task to kill."""
    from celery.signals import task_postrun, task_prerun

    mark = folder / str(os.getpid())

    def started(sender: Any = None, **_: Any) -> None:
        mark.write_text(str(getattr(sender, "name", "")))

    def ended(**_: Any) -> None:
        mark.unlink(missing_ok=True)

    task_prerun.connect(started, weak=False)
    task_postrun.connect(ended, weak=False)


if "FLEET_REDIS" in os.environ:
    app, tasks = make(os.environ)
