"""A push holds its link's lease: a second push (or a sync) of the link at the same time is
refused with a typed error instead of sending every row again; a crashed push's lease lapses
and the next push resumes without sending a lead twice; a push that lost its lease writes
nothing more."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from flows.conftest import Service, make_rows, setup_table, wizard_link
from instantly_columns.errors import PushInProgress, SyncInProgress
from instantly_columns.ports import ApiRequest, ApiResponse
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.testing import FakeClock, FakeInstantly

LEASE = 30.0


class Killed(BaseException):
    """The process died: nothing of the push's own clean-up runs."""


class StallingStore:
    """The test's store, except that the first ``ledger`` read waits until ``wake`` is set:
    a push frozen after taking its lease and reading its first page."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.stalled = threading.Event()
        self.wake = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def ledger(self, *args: Any, **kwargs: Any) -> Any:
        if not self.stalled.is_set():
            self.stalled.set()
            assert self.wake.wait(20)
        return self._inner.ledger(*args, **kwargs)


class DyingTransport:
    """The fake's transport, except that the process dies right after the ``die_at``-th bulk
    add reached Instantly (its answer is lost)."""

    def __init__(self, fake: FakeInstantly, die_at: int) -> None:
        self._inner = fake.as_transport()
        self.die_at = die_at
        self.adds = 0

    def send(self, request: ApiRequest) -> ApiResponse:
        response = self._inner.send(request)
        if request.path.endswith("/leads/add"):
            self.adds += 1
            if self.adds == self.die_at:
                raise Killed
        return response


def emails_sent(fake: FakeInstantly, campaign_id: str) -> Counter[str]:
    return Counter(lead["email"] for lead in fake.leads(campaign_id))


def linked(store: Any, fake: FakeInstantly, clock: FakeClock, api_key: str, rows: int) -> str:
    setup_table(store, make_rows(rows))
    service = InstantlyColumns(store, transport=fake.as_transport(), clock=clock)
    link = wizard_link(Service(service), api_key)
    service.close()
    return link


def test_a_second_push_of_a_link_at_the_same_time_is_refused_and_no_lead_is_sent_twice(
    store: Any, fake: FakeInstantly, clock: FakeClock, api_key: str
) -> None:
    link = linked(store, fake, clock, api_key, 300)
    stalling = StallingStore(store)
    first = InstantlyColumns(
        stalling, transport=fake.as_transport(), clock=clock, lease_seconds=LEASE
    )
    second = InstantlyColumns(store, transport=fake.as_transport(), clock=clock)
    outcomes: dict[str, Any] = {}

    def run(name: str, service: InstantlyColumns) -> None:
        try:
            outcomes[name] = service.push(link, progress=False)
        except Exception as exc:
            outcomes[name] = exc

    a = threading.Thread(target=run, args=("first", first))
    a.start()
    assert stalling.stalled.wait(20)  # the first push holds the lease, mid-way
    b = threading.Thread(target=run, args=("second", second))
    b.start()
    b.join(20)
    stalling.wake.set()
    a.join(20)
    refused = outcomes["second"]
    assert isinstance(refused, PushInProgress)
    assert isinstance(refused, SyncInProgress)  # what a worker that retries later catches
    report = outcomes["first"]
    assert report.counts == {"pushed": 300}
    campaign_id = report.campaign_id
    sent = emails_sent(fake, campaign_id)
    assert len(sent) == 300
    assert set(sent.values()) == {1}
    # the lease is free again: the next push runs, and has nothing left to send
    again = second.push(link, progress=False)
    assert again.requests == 0
    assert again.counts == {"already_in_campaign": 300}
    first.close()
    second.close()


def test_two_pushes_racing_send_every_lead_once(
    store: Any, fake: FakeInstantly, clock: FakeClock, api_key: str
) -> None:
    link = linked(store, fake, clock, api_key, 300)
    services = [
        InstantlyColumns(store, transport=fake.as_transport(), clock=clock) for _ in range(2)
    ]
    gate = threading.Barrier(2)
    outcomes: list[Any] = [None, None]

    def run(n: int) -> None:
        gate.wait()
        try:
            outcomes[n] = services[n].push(link, progress=False)
        except Exception as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    reports = [o for o in outcomes if not isinstance(o, Exception)]
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert reports, outcomes
    assert all(isinstance(e, PushInProgress) for e in errors), errors
    sent = emails_sent(fake, reports[0].campaign_id)
    assert len(sent) == 300
    assert set(sent.values()) == {1}
    for service in services:
        service.close()


def test_a_sync_holding_the_lease_refuses_a_push_with_the_same_type(
    store: Any, fake: FakeInstantly, clock: FakeClock, api_key: str
) -> None:
    from instantly_columns.ports import SyncRun

    link = linked(store, fake, clock, api_key, 5)
    store.start_run(SyncRun(id="sync-1", link_id=link, started_at=clock.now()))
    service = InstantlyColumns(store, transport=fake.as_transport(), clock=clock)
    with pytest.raises(PushInProgress, match="another push or sync"):
        service.push(link, progress=False)
    assert not fake.leads(service.links()[0].campaign_id)
    # a dry run reads only: it takes no lease
    assert service.push(link, dry_run=True).counts == {"would_push": 5}
    service.close()


@pytest.mark.parametrize("release", [False, True])
def test_a_push_killed_mid_way_resumes_after_its_lease_without_a_duplicate(
    store: Any, fake: FakeInstantly, clock: FakeClock, api_key: str, release: bool
) -> None:
    link = linked(store, fake, clock, api_key, 2500)
    dying = InstantlyColumns(
        store, transport=DyingTransport(fake, die_at=2), clock=clock, concurrency=1
    )
    with pytest.raises(Killed):
        dying.push(link, progress=False)
    campaign_id = dying.links()[0].campaign_id
    assert sum(emails_sent(fake, campaign_id).values()) == 2000  # the second add got there

    service = InstantlyColumns(store, transport=fake.as_transport(), clock=clock)
    with pytest.raises(PushInProgress):  # the dead push's lease has not lapsed yet
        service.push(link, progress=False)
    if release:
        service.release(link)  # an operator who knows the worker died
    else:
        clock.advance(LEASE + 1)
    report = service.push(link, progress=False)
    sent = emails_sent(fake, campaign_id)
    assert len(sent) == 2500
    assert set(sent.values()) == {1}
    assert report.counts == {"already_in_campaign": 2000, "pushed": 500}
    assert len(report.rows) == 2500
    history = service.history(link)
    assert [r.status for r in history[:2]] == ["ok", "cancelled" if release else "failed"]
    assert all(r.id.startswith("push-") for r in history[:2])
    dying.close()
    service.close()


def test_a_push_that_lost_its_lease_writes_nothing_more(
    store: Any, fake: FakeInstantly, clock: FakeClock, api_key: str
) -> None:
    link = linked(store, fake, clock, api_key, 300)
    stalling = StallingStore(store)
    stale = InstantlyColumns(
        stalling, transport=fake.as_transport(), clock=clock, lease_seconds=LEASE
    )
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(stale.push(link, progress=False))
        except Exception as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert stalling.stalled.wait(20)
    clock.advance(LEASE + 1)  # its heartbeat lapses: the next push takes over
    fresh = InstantlyColumns(store, transport=fake.as_transport(), clock=clock)
    report = fresh.push(link, progress=False)
    assert report.counts == {"pushed": 300}
    stalling.wake.set()
    worker.join(20)
    assert len(outcome) == 1
    assert isinstance(outcome[0], PushInProgress)
    sent = emails_sent(fake, report.campaign_id)
    assert len(sent) == 300
    assert set(sent.values()) == {1}
    stale.close()
    fresh.close()
