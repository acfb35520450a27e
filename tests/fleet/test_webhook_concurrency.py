"""Webhook deliveries applied at once by several workers on PostgreSQL, in any order, leave
the cells the same deliveries leave applied one at a time, in order.

The workers here are threads with their own connections, and every read of the cells a plan
is made against is slowed down, so that without the row lock two deliveries for one lead
would plan against the same cells and the later write would undo the earlier one. (The
Celery fleet test does the same through real worker processes, where the window is
narrower.)"""

from __future__ import annotations

import os
import random
import threading
import time
from typing import Any

import pytest

from contract.conftest import resolve_dsn
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.storage.postgres import PostgresStore
from reliability._support import SECRET, compare_cells, drop_schema, engagement_cells, webhook_world

pytestmark = [pytest.mark.postgres]

THREADS = 6


class SlowReads:
    """The store, with a pause after every ``get_rows`` (the read a webhook plans against)."""

    def __init__(self, inner: PostgresStore, pause: float) -> None:
        self._inner = inner
        self._pause = pause

    def get_rows(self, *args: Any, **kwargs: Any) -> Any:
        found = self._inner.get_rows(*args, **kwargs)
        time.sleep(self._pause)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_concurrent_out_of_order_deliveries_never_move_a_cell_backwards() -> None:
    dsn = resolve_dsn(os.environ)
    schema = f"hooks_{random.Random().getrandbits(40):x}"
    store = PostgresStore(dsn, schema=schema, pool_size=THREADS + 2)
    try:
        made = webhook_world(store, rows=8, seed=7, days=8)
        world = made.world
        bodies = list(made.bodies)
        assert len(bodies) >= 20, len(bodies)
        random.Random(7).shuffle(bodies)
        slow = SlowReads(store, 0.02)
        queue = list(enumerate(bodies))
        lock = threading.Lock()
        errors: list[BaseException] = []
        start = threading.Barrier(THREADS)

        def worker() -> None:
            service = InstantlyColumns(
                slow,
                transport=world.fake.as_transport(),
                clock=world.fake.clock,
                webhook_secret=SECRET,
            )
            start.wait()
            try:
                while True:
                    with lock:
                        if not queue:
                            return
                        _, body = queue.pop()
                    service.ingest_webhook(body, query={"token": SECRET})
            except BaseException as exc:
                errors.append(exc)
            finally:
                service.close()

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors[:3]
        cells = engagement_cells(store, world.table, world.link)
        same = compare_cells(cells, made.reference, "the in-order run")
        assert same.clean, same.problems[:5]
        world.close()
    finally:
        store.close()
        drop_schema(dsn, schema)
