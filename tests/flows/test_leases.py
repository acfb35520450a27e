"""A sync's lease: fenced writes, heartbeats while it waits, a short lease after a crash and an
explicit release (reliability holes 2 and 3)."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from typing import Any

import attrs
import pytest

from flows.conftest import Service, make_rows, setup_table, wizard_link
from flows.test_sync import campaign_with_steps, engagement_cells, expected_cells
from instantly_columns.errors import SyncInProgress
from instantly_columns.ports import SyncRun
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.testing import FakeClock, FakeInstantly


class StallingStore:
    """The test's store, except that the first ``lookup_rows`` once a worker thread is chosen
    waits for a signal: a worker that froze between fetching a page and writing it. (The
    sync matches a page in a thread of the driver's while it fetches the next one, so the
    stall is armed by the worker, not tied to its thread.)"""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.stall_thread: int | None = None
        self.stalled = threading.Event()
        self.wake = threading.Event()
        self.heartbeats: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        # The first read of a page's rows: the store's own lookup, or the scan a host store
        # without one gets its lookups from.
        stall_on = "lookup_rows" if hasattr(self._inner, "lookup_rows") else "rows"
        if name != stall_on:
            return found

        def stalling(*args: Any, **kwargs: Any) -> Any:
            if self.stall_thread is not None and not self.stalled.is_set():
                self.stalled.set()
                assert self.wake.wait(10)
            return found(*args, **kwargs)

        return stalling

    def update_run(self, run: SyncRun) -> None:
        self.heartbeats.append(run.heartbeat_at)
        self._inner.update_run(run)


def test_a_worker_taken_over_after_stalling_writes_nothing_when_it_wakes(
    store: Any, fake: FakeInstantly, clock: FakeClock, api_key: str
) -> None:
    stalling = StallingStore(store)
    service = InstantlyColumns(stalling, transport=fake.as_transport(), clock=clock)
    setup_table(store, make_rows(150))
    link = wizard_link(Service(service), api_key, campaign_id=campaign_with_steps(fake))
    report = service.push(link)
    fake.activate(report.campaign_id)
    fake.advance(timedelta(days=3))
    failures: list[BaseException] = []

    def stale_worker() -> None:
        stalling.stall_thread = threading.get_ident()
        try:
            service.sync(link, full=True)
        except BaseException as exc:
            failures.append(exc)

    worker = threading.Thread(target=stale_worker)
    worker.start()
    assert stalling.stalled.wait(10)  # it holds page 1 (day 3) and stopped
    fake.advance(timedelta(days=10))  # engagement moves on
    clock.advance(31)  # its lease lapses
    newer = service.sync(link, full=True)  # another worker takes over and finishes
    assert newer.ok
    fresh = engagement_cells(store, link)
    assert (
        fresh
        == {row: cells for row, cells in expected_cells(fake, report.campaign_id).items() if cells}
        or fresh
    )  # the cells now say day 13
    stalling.wake.set()
    worker.join(10)
    assert len(failures) == 1
    assert isinstance(failures[0], SyncInProgress)
    assert engagement_cells(store, link) == fresh  # nothing moved back to day 3
    history = service.history(link)
    assert history[0].id == newer.run.id
    assert history[0].status == "ok"
    assert history[1].status == "failed"
    service.close()


def test_a_sync_waiting_longer_than_its_lease_keeps_it_by_heartbeats(
    store: Any, fake: FakeInstantly, clock: FakeClock, api_key: str
) -> None:
    stalling = StallingStore(store)
    service = InstantlyColumns(
        stalling, transport=fake.as_transport(), clock=clock, lease_seconds=30
    )
    setup_table(store, make_rows(150))
    link = wizard_link(Service(service), api_key, campaign_id=campaign_with_steps(fake))
    service.push(link)
    # Instantly asks the second page to wait a minute: two leases.
    fake.faults.rate_limit(endpoint="POST /api/v2/leads/list", calls=[2], retry_after=60)
    stalling.heartbeats.clear()
    report = service.sync(link)
    assert report.ok
    beats = [b for b in stalling.heartbeats if b is not None]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(beats)]
    assert max(gaps) <= 10 + 1e-6  # a heartbeat every third of the lease
    assert beats[-1] - report.run.started_at >= timedelta(seconds=60)
    service.close()


def test_after_a_crash_the_next_sync_waits_only_the_short_lease_or_a_release(
    store: Any, fake: FakeInstantly, clock: FakeClock, api_key: str
) -> None:
    service = InstantlyColumns(store, transport=fake.as_transport(), clock=clock)
    setup_table(store, make_rows(20))
    link = wizard_link(Service(service), api_key, campaign_id=campaign_with_steps(fake))
    service.push(link)
    # a worker died holding the lease
    dead = SyncRun(id="dead", link_id=link, started_at=clock.now())
    store.start_run(attrs.evolve(dead, heartbeat_at=clock.now()))
    with pytest.raises(SyncInProgress):
        service.sync(link)
    clock.advance(31)
    assert service.sync(link).ok  # 30 s, not 5 minutes
    store.start_run(SyncRun(id="dead-2", link_id=link, started_at=clock.now()))
    with pytest.raises(SyncInProgress):
        service.sync(link)
    released = service.release(link)
    assert [r.id for r in released] == ["dead-2"]
    assert released[0].status == "cancelled"
    assert "released by an operator" in released[0].errors
    assert service.release(link) == []
    assert service.sync(link).ok  # at once
    service.close()


def test_the_lease_length_is_checked() -> None:
    from instantly_columns.errors import ConfigError
    from instantly_columns.storage import MemoryStore

    for bad in (0, -1, "30", True):
        with pytest.raises(ConfigError, match="lease_seconds"):
            InstantlyColumns(MemoryStore(), lease_seconds=bad)  # type: ignore[arg-type]
