"""Concurrency cases: two syncs of one link at once (threads and processes), a push and a sync
at once, two pushes of the same rows at once (threads and processes), and a stale worker that
wakes after another took its sync over. Every worker has a store connection of its own."""

from __future__ import annotations

import contextlib
import functools
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from instantly_columns.errors import SyncInProgress

from ._support import (
    Check,
    Service,
    StoreKind,
    StoreSpec,
    Tally,
    VictimSpec,
    World,
    build_world,
    engage,
    engagement_cells,
    engagement_check,
    error_text,
    join_child,
    lead_rows,
    make_service,
    never_behind,
    push_check,
    read_result,
    report_covers,
    result_path,
    seeded,
    served,
    shared_store,
    start_child,
    sync_through_lease,
    typed,
)
from ._victim import victim


@contextmanager
def worker(
    spec: StoreSpec | None, world: World, wrap: Callable[[Any], Any] = lambda s: s
) -> Iterator[Service]:
    """Another worker on the world's database: its own store connection, its own service."""
    assert spec is not None
    store = spec.open()
    service = make_service(wrap(store), world.fake)
    try:
        yield service
    finally:
        service.close()
        store.close()


def at_once(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs in threads released together; each result is a value or the exception."""
    gate = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        gate.wait()
        try:
            results[i] = job()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def _sync_outcomes(results: list[Any], check: Check) -> None:
    """Two syncs: at least one ran, the other ran too or met the lease."""
    ran = 0
    for r in results:
        if isinstance(r, SyncInProgress):
            check.notes["syncs refused by the lease"] += 1
            continue
        if isinstance(r, Exception):
            check.problems.append(f"a sync raised {error_text(r)}")
        elif r == "ok" or getattr(r, "ok", False):
            ran += 1
        else:
            check.problems.append(f"a sync ended {r!r}")
    if not ran:
        check.problems.append("neither sync ran")


def _push_outcomes(results: list[Any], world: World, check: Check) -> None:
    """Pushes at once: each one ran, or met the lease (one run of a link at a time)."""
    for r in results:
        if isinstance(r, SyncInProgress):  # PushInProgress is one
            check.notes["pushes refused by the lease"] += 1
        elif isinstance(r, Exception):
            if not typed(r):
                check.problems.append(f"a push raised {error_text(r)}")
        elif hasattr(r, "rows"):
            check.merge(report_covers(r, world))


def _after_pushes(world: World, check: Check) -> Check:
    """Both pushes are over: the promise, and a third push has nothing left to send."""
    check.merge(push_check(world))
    third = world.service.push(world.link)
    if third.requests:
        check.problems.append(f"a third push still sent {third.requests} requests")
    return check


def two_syncs_threads(world: World, spec: StoreSpec | None) -> Check:
    check = Check()
    engage(world)
    before = engagement_cells(world.store, world.table, world.link)
    with worker(spec, world) as a, worker(spec, world) as b:
        results = at_once(lambda: a.sync(world.link), lambda: b.sync(world.link))
    _sync_outcomes(results, check)
    return check.merge(engagement_check(world, before=before))


def _children(world: World, spec: StoreSpec | None, op: str, workdir: Path) -> list[Any]:
    assert spec is not None
    with served(world.fake) as url:
        specs = [
            VictimSpec(op, spec, url, world.link, world.clock.now(), result_path(workdir))  # type: ignore[arg-type]
            for _ in range(2)
        ]
        processes = [start_child(victim, s) for s in specs]
        codes = [join_child(p) for p in processes]
    results: list[Any] = []
    for code, s in zip(codes, specs, strict=True):
        result = read_result(s.result_path) or {}
        outcome = result.get("outcome")
        if code != 0 or outcome == "untyped":
            results.append(RuntimeError(f"exit {code}: {result}"))
        elif outcome in ("SyncInProgress", "PushInProgress"):
            results.append(SyncInProgress("the other process holds the lease"))
        elif outcome == "ok":
            results.append("ok")
        else:
            results.append(RuntimeError(str(result)))
    return results


def two_syncs_processes(world: World, spec: StoreSpec | None, workdir: Path) -> Check:
    check = Check()
    engage(world)
    before = engagement_cells(world.store, world.table, world.link)
    _sync_outcomes(_children(world, spec, "sync", workdir), check)
    return check.merge(engagement_check(world, before=before))


def push_and_sync(world: World, spec: StoreSpec | None) -> Check:
    """New rows arrive while the campaign runs; a push and a sync start together."""
    check = Check()
    engage(world)
    more = lead_rows(len(world.rows) // 2, start=len(world.rows))
    world.store.insert_rows(world.table, more)
    world.rows += more
    before = engagement_cells(world.store, world.table, world.link)
    with worker(spec, world) as a, worker(spec, world) as b:
        pushed, synced = at_once(lambda: a.push(world.link), lambda: b.sync(world.link))
    # One run of a link at a time: the two ran one after the other, or one met the lease.
    refused = [r for r in (pushed, synced) if isinstance(r, SyncInProgress)]
    if len(refused) > 1:
        check.problems.append("both the push and the sync were refused")
    check.notes["runs refused by the lease"] += len(refused)
    if isinstance(pushed, SyncInProgress):
        pushed = world.service.push(world.link)  # the push retried later
    _push_outcomes([pushed], world, check)
    if not isinstance(synced, SyncInProgress):
        _sync_outcomes([synced], check)
    check.merge(push_check(world))
    check.merge(never_behind(engagement_cells(world.store, world.table, world.link), before))
    report = sync_through_lease(world, release=False)  # the next sync sees the new leads
    if not report.ok:
        check.problems.append(f"the next sync ended {report.status}")
    return check.merge(engagement_check(world))


def two_pushes_threads(world: World, spec: StoreSpec | None) -> Check:
    check = Check()
    with worker(spec, world) as a, worker(spec, world) as b:
        results = at_once(lambda: a.push(world.link), lambda: b.push(world.link))
    _push_outcomes(results, world, check)
    if all(isinstance(r, Exception) for r in results):
        check.problems.append("neither push ran")
    return _after_pushes(world, check)


def two_pushes_processes(world: World, spec: StoreSpec | None, workdir: Path) -> Check:
    check = Check()
    outcomes = _children(world, spec, "push", workdir)
    for r in outcomes:
        if isinstance(r, SyncInProgress):
            check.notes["pushes refused by the lease"] += 1
        elif isinstance(r, Exception):
            check.problems.append(f"a push process failed: {r}")
    if all(isinstance(r, Exception) for r in outcomes):
        check.problems.append("neither push ran")
    return _after_pushes(world, check)


class StallingStore:
    """A store whose ``stall_at``-th ``lookup_rows`` (a page's rows, read between fetching
    the page and writing it) waits until woken: a worker frozen mid-page."""

    def __init__(self, inner: Any, stall_at: int) -> None:
        self._inner = inner
        self._stall_at = stall_at
        self._seen = 0
        self.stalled = threading.Event()
        self.wake = threading.Event()

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if name != "lookup_rows":
            return found

        def stalling(*args: Any, **kwargs: Any) -> Any:
            self._seen += 1
            if self._seen == self._stall_at:
                self.stalled.set()
                if not self.wake.wait(60):
                    raise RuntimeError("never woken")
            return found(*args, **kwargs)

        return stalling


def stale_worker(world: World, spec: StoreSpec | None, stall_at: int) -> Check:
    """A worker freezes on page ``stall_at``; engagement moves on, its lease lapses, another
    worker syncs everything; the frozen one wakes and must write nothing."""
    check = Check()
    engage(world, more_days=0)
    holder: dict[str, StallingStore] = {}

    def wrap(store: Any) -> StallingStore:
        holder["store"] = StallingStore(store, stall_at)
        return holder["store"]

    with worker(spec, world, wrap) as stale, worker(spec, world) as fresh:
        outcome: list[Any] = []

        def stale_sync() -> None:
            outcome.extend(at_once(lambda: stale.sync(world.link, full=True)))

        thread = threading.Thread(target=stale_sync)
        thread.start()
        if not holder["store"].stalled.wait(60):
            raise RuntimeError("the worker never reached its stall point")
        world.fake.advance(timedelta(days=5))  # engagement moves on
        world.clock.advance(31)  # the frozen worker's lease lapses
        newer = fresh.sync(world.link, full=True)
        if not newer.ok:
            check.problems.append(f"the newer sync ended {newer.status}")
        fresh_cells = engagement_cells(world.store, world.table, world.link)
        holder["store"].wake.set()
        thread.join(60)
    if outcome and isinstance(outcome[0], SyncInProgress):
        check.notes["stale workers refused"] += 1
    else:
        check.problems.append(f"the stale worker ended with {outcome!r}, not SyncInProgress")
    check.merge(never_behind(engagement_cells(world.store, world.table, world.link), fresh_cells))
    return check.merge(engagement_check(world))


Case = Callable[[World, "StoreSpec | None", Path, random.Random], Check]

CASES: dict[str, Case] = {
    "two syncs of one link (threads)": lambda w, spec, _d, _r: two_syncs_threads(w, spec),
    "two syncs of one link (processes)": lambda w, spec, d, _r: two_syncs_processes(w, spec, d),
    "push and sync at once (threads)": lambda w, spec, _d, _r: push_and_sync(w, spec),
    "two pushes of the same rows (threads)": lambda w, spec, _d, _r: two_pushes_threads(w, spec),
    "two pushes of the same rows (processes)": (
        lambda w, spec, d, _r: two_pushes_processes(w, spec, d)
    ),
    "stale worker after takeover": (
        lambda w, spec, _d, r: stale_worker(w, spec, r.randint(1, max(1, len(w.rows) // 100)))
    ),
}


def _trial(
    case: Case, store: Any, spec: StoreSpec | None, rows: int, seed: int, workdir: Path
) -> Check:
    world = build_world(store, rows=rows, seed=seed, table=f"t{seed}")
    try:
        return case(world, spec, workdir, random.Random(seed))
    finally:
        world.close()


def concurrency_case(
    name: str,
    *,
    trials: int,
    rows: int,
    seed: int,
    workdir: Path,
    stores: tuple[StoreKind, ...],
) -> Tally:
    """``trials`` runs of one case, spread over ``stores`` (each a database the workers
    share, a table per trial)."""
    tally = Tally(name, "Concurrency")
    case = CASES[name]
    rng = seeded("concurrency", name, seed)
    with contextlib.ExitStack() as stack:
        opened = {kind: stack.enter_context(shared_store(kind, workdir)) for kind in stores}
        for trial in range(1, trials + 1):
            kind = stores[(trial - 1) % len(stores)]
            spec, store = opened[kind]
            trial_seed = rng.randrange(1 << 30)

            tally.run(
                f"trial {trial} ({kind}, seed {trial_seed})",
                functools.partial(_trial, case, store, spec, rows, trial_seed, workdir),
            )
    return tally
