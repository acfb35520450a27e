"""Fault classes × flows: every kind of ``fake.faults`` and a failing store, at seeded request
or call numbers, in a push, a sync or a run of webhook deliveries; then one clean retry, and
the promise checked."""

from __future__ import annotations

import functools
import random
from typing import Any, Literal

import attrs

from ._support import (
    Check,
    Face,
    StoreKind,
    Tally,
    Trip,
    World,
    build_world,
    compare_cells,
    deliver,
    engage,
    engagement_cells,
    engagement_check,
    error_text,
    never_behind,
    push_cells,
    push_check,
    push_through_lease,
    report_covers,
    seeded,
    shared_store,
    store_failure,
    sync_through_lease,
    typed,
    webhook_world,
)

FaultKind = Literal[
    "rate_limit",
    "server_error",
    "timeout",
    "connection_reset",
    "malformed_json",
    "error_body",
    "latency",
    "store_error",
]
FAULT_KINDS: tuple[FaultKind, ...] = (
    "rate_limit",
    "server_error",
    "timeout",
    "connection_reset",
    "malformed_json",
    "error_body",
    "latency",
    "store_error",
)
Flow = Literal["push", "sync", "webhook"]
FLOWS: tuple[Flow, ...] = ("push", "sync", "webhook")
API_KINDS = FAULT_KINDS[:-1]


def add_api_fault(
    fake: Any,
    kind: str,
    rng: random.Random,
    *,
    calls: set[int] | None = None,
    probability: float | None = None,
    after: bool | None = None,
) -> None:
    """One rule of ``kind`` on every endpoint, firing at the request numbers ``calls``
    (counted from now) or with ``probability``; a write fails after being applied when
    ``after`` (default: half the time), where the kind allows."""
    after = rng.random() < 0.5 if after is None else after
    when: dict[str, Any] = {"calls": calls, "probability": probability}
    faults = fake.faults
    if kind == "rate_limit":
        faults.rate_limit(retry_after=rng.choice([None, 1.0, 7.0]), **when)
    elif kind == "server_error":
        faults.server_error(rng.choice([500, 502, 503, 504]), after_apply=after, **when)
    elif kind == "timeout":
        faults.timeout(after_apply=after, **when)
    elif kind == "connection_reset":
        faults.connection_reset(after_apply=after, **when)
    elif kind == "malformed_json":
        faults.malformed_json(**when)
    elif kind == "error_body":
        faults.error_body("Internal error", after_apply=after, **when)
    elif kind == "latency":
        faults.latency(rng.uniform(0.5, 45.0), **when)
    else:
        raise ValueError(kind)


def pick_calls(rng: random.Random, total: int) -> set[int]:
    """Where the faults land among ``total`` requests: one to three scattered ones, or a burst
    of three in a row (more than the client's two retries absorb)."""
    total = max(1, total)
    if rng.random() < 0.5:
        start = rng.randint(1, total)
        return {start, start + 1, start + 2}
    return set(rng.sample(range(1, total + 1), min(total, rng.randint(1, 3))))


@attrs.frozen
class Setup:
    """A trial's world; for webhooks also the deliveries and the reference cells."""

    world: World
    bodies: list[bytes] = attrs.Factory(list)
    reference: dict[str, dict[str, Any]] = attrs.Factory(dict)


def _setup(flow: Flow, store: Any, *, rows: int, seed: int, face: Face, table: str) -> Setup:
    if flow == "webhook":
        hooks = webhook_world(store, rows=rows, seed=seed, face=face, table=table)
        return Setup(hooks.world, hooks.bodies, hooks.reference)
    world = build_world(store, rows=rows, seed=seed, face=face, table=table)
    if flow == "sync":
        engage(world)
    return Setup(world)


def _operate(setup: Setup, flow: Flow, check: Check) -> None:
    """The faulty run: a typed error is fine, anything else is a problem."""
    world = setup.world
    try:
        if flow == "push":
            world.service.push(world.link)
        elif flow == "sync":
            world.service.sync(world.link)
        else:
            deliver(world, setup.bodies, check, strict=False)
    except Exception as exc:
        if not typed(exc):
            check.problems.append(f"the faulty {flow} raised {error_text(exc)}")


def _retry_and_check(setup: Setup, flow: Flow, check: Check) -> Check:
    world = setup.world
    if flow == "push":
        before = push_cells(world.store, world.table, world.link)
        # A fault that also failed the push's last write left its lease: it lapses.
        report = push_through_lease(world, release=False)
        check.merge(report_covers(report, world))
        return check.merge(push_check(world, before=before))
    if flow == "sync":
        before_cells = engagement_cells(world.store, world.table, world.link)
        report = sync_through_lease(world, release=False)
        if not report.ok:
            check.problems.append(f"the retried sync ended {report.status}: {report.run.errors}")
        return check.merge(engagement_check(world, before=before_cells))
    before_cells = engagement_cells(world.store, world.table, world.link)
    deliver(world, setup.bodies, check, strict=True)  # Instantly's retries (and replays)
    after = engagement_cells(world.store, world.table, world.link)
    check.merge(never_behind(after, before_cells))
    return check.merge(compare_cells(after, setup.reference, "a fault-free delivery"))


@attrs.frozen
class Counts:
    requests: int
    store_calls: int


@functools.cache
def _calibrate(flow: Flow, *, rows: int, seed: int) -> Counts:
    """Requests and store calls of a clean run (the same for every fault kind)."""
    with shared_store("sqlite") as (_, store):
        setup = _setup(flow, store, rows=rows, seed=seed, face="sync", table="calibration")
        world = setup.world
        sent = len(world.fake.requests)
        world.wire.arm(None)
        check = Check()
        _operate(setup, flow, check)
        assert check.clean, check.problems
        counts = Counts(len(world.fake.requests) - sent, world.wire.store_calls)
        world.close()
    return counts


def _fault_trial(
    kind: FaultKind,
    flow: Flow,
    counts: Counts,
    *,
    rows: int,
    seed: int,
    face: Face,
    store_kind: StoreKind,
) -> Check:
    choice = random.Random(seed)
    with shared_store(store_kind) as (_, store):
        setup = _setup(flow, store, rows=rows, seed=seed, face=face, table="leads")
        world = setup.world
        check = Check()
        if kind == "store_error":
            at = choice.randint(1, max(1, counts.store_calls))
            world.wire.arm(Trip("store", at, choice.random() < 0.5), store_failure)
        else:
            world.wire.arm(None)
            add_api_fault(world.fake, kind, choice, calls=pick_calls(choice, counts.requests))
        before = engagement_cells(world.store, world.table, world.link)
        _operate(setup, flow, check)
        world.wire.disarm()
        # Even a failing run never moves a cell back.
        check.merge(never_behind(engagement_cells(world.store, world.table, world.link), before))
        check.notes["faults that fired"] += world.wire.fired + len(world.fake.faults.log)
        world.fake.faults.clear()
        _retry_and_check(setup, flow, check)
        world.close()
        return check


def fault_case(
    kind: FaultKind,
    flow: Flow,
    *,
    trials: int,
    rows: int,
    seed: int,
    stores: tuple[StoreKind, ...] = ("sqlite", "memory"),
) -> Tally:
    """``trials`` runs of one flow under one fault class; faces and stores alternate."""
    tally = Tally(f"{kind} × {flow}", "Faults")
    counts = _calibrate(flow, rows=rows, seed=seed)
    tally.notes["requests in a clean run"] = counts.requests
    tally.notes["store calls in a clean run"] = counts.store_calls
    rng = seeded("faults", kind, flow, seed)
    for trial in range(1, trials + 1):
        face: Face = "sync" if trial % 2 else "async"
        store_kind = stores[trial % len(stores)]
        trial_seed = rng.randrange(1 << 30)
        tally.run(
            f"trial {trial} ({face}, {store_kind}, seed {trial_seed})",
            functools.partial(
                _fault_trial,
                kind,
                flow,
                counts,
                rows=rows,
                seed=trial_seed,
                face=face,
                store_kind=store_kind,
            ),
        )
    return tally
