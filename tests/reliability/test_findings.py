"""What the suite found, each reduced to one deterministic test."""

from __future__ import annotations

import json
import threading
from typing import Any

from instantly_columns.ports import CellWrite
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.storage import MemoryStore

from ._support import SECRET, build_world, engagement_cells, push_cells


class ReadThenWait:
    """A store where two webhook deliveries both read a row's cells before either writes,
    and the one marked "late" writes after the other: what two deliveries in flight at once
    (an ASGI server's concurrent requests) can do."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.both_read = threading.Barrier(2, timeout=2)
        self.early_wrote = threading.Event()
        self.role = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def get_rows(self, *args: Any, **kwargs: Any) -> Any:
        rows = self._inner.get_rows(*args, **kwargs)
        try:
            self.both_read.wait()
        except threading.BrokenBarrierError:
            return rows  # the other delivery cannot read before this one wrote: no race left
        if getattr(self.role, "name", "") == "late":
            assert self.early_wrote.wait(10)
        return rows

    def write_cells(self, table: str, cells: Any) -> int:
        written = int(self._inner.write_cells(table, cells))
        if getattr(self.role, "name", "") == "early":
            self.early_wrote.set()
        return written


def test_two_deliveries_for_one_lead_at_once_never_move_a_cell_backwards() -> None:
    # Found by "burst of 1000 deliveries (ASGI)": a delivery plans its forward moves from
    # the cells it read, and writes them unconditionally; a delivery that read the same
    # cells earlier and writes later puts them back.
    store = MemoryStore()
    world = build_world(store, rows=2, seed=1)
    world.service.push(world.link)
    racing = ReadThenWait(store)
    service = InstantlyColumns(
        racing, transport=world.fake.as_transport(), clock=world.clock, webhook_secret=SECRET
    )

    def event(event_type: str, timestamp: str) -> bytes:
        return json.dumps(
            {
                "event_type": event_type,
                "timestamp": timestamp,
                "campaign_id": world.campaign_id,
                "lead_email": "person0@example.com",
                "step": 1,
                "variant": 1,
            }
        ).encode()

    def deliver(role: str, body: bytes) -> None:
        racing.role.name = role
        service.ingest_webhook(body, query={"token": SECRET})

    threads = [
        threading.Thread(
            target=deliver, args=("early", event("email_opened", "2026-01-05T10:00:00.000Z"))
        ),
        threading.Thread(
            target=deliver, args=("late", event("email_sent", "2026-01-05T09:30:00.000Z"))
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    cells = engagement_cells(store, world.table, world.link)["r000000"]
    assert cells["email_status"] == "Opened"  # the "sent" delivery read "nothing yet"


def test_a_row_whose_mapped_fields_were_all_cleared_stays_pushed() -> None:
    # Found by the push fuzz target: the changed row is planned as an update with nothing
    # to send, the API refuses an empty update, and the row that was pushed reads "failed"
    # (the push after that sends its lead again, and Instantly's dedupe keeps it single).
    store = MemoryStore()
    world = build_world(store, rows=2, seed=1)
    assert world.service.push(world.link).counts == {"pushed": 2}
    store.write_cells(
        world.table, [CellWrite("r000000", c, "") for c in ("first", "last", "company", "plan")]
    )
    again = world.service.push(world.link)
    (row,) = [r for r in again.rows if r.row_id == "r000000"]
    assert row.status != "failed", row.error
    assert push_cells(store, world.table, world.link)["r000000"]["status"] != "failed"
