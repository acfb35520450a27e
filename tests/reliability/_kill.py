"""SIGKILL trials: a child process runs a push or a sync against the served fake and kills
itself with SIGKILL at a seeded effect or store call; this process then resumes the same
operation and checks the promise."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Literal

import attrs

from ._support import (
    Check,
    StoreKind,
    StoreSpec,
    Tally,
    Trip,
    VictimSpec,
    World,
    build_world,
    engage,
    engagement_cells,
    engagement_check,
    join_child,
    never_behind,
    push_cells,
    push_check,
    push_through_lease,
    read_result,
    report_covers,
    result_path,
    seeded,
    served,
    shared_store,
    start_child,
    sync_through_lease,
)
from ._victim import victim

Op = Literal["push", "sync"]

STORE_LABELS = {"sqlite-file": "SQLite file", "postgres": "PostgreSQL"}


@attrs.frozen
class Calibration:
    """What a clean run of the operation performs: the range kill points are drawn from."""

    effects: int
    store_calls: int


def _world(store: object, op: Op, rows: int, seed: int, trial: int) -> World:
    world = build_world(store, rows=rows, seed=seed * 100_000 + trial, table=f"t{trial}")
    if op == "sync":
        engage(world, more_days=0)
        stir(world, seeded("stir", seed, trial))
    return world


def stir(world: World, rng: random.Random) -> None:
    """Recipients react: a quarter of the leads open, click, reply, bounce or change
    interest, so that the next sync has cells to move forward."""
    for lead in world.fake.leads(world.campaign_id):
        if rng.random() < 0.25:
            kind = rng.choice(["open", "open", "click", "reply", "interest", "bounce"])
            if kind == "interest":
                world.fake.set_interest(lead["id"], rng.choice([1, -1, 2, 0, 3, 4]))
            else:
                world.fake.engage(lead["id"], kind)  # type: ignore[arg-type]
            world.clock.advance(30)


def _spec(
    world: World, op: Op, store: StoreSpec | None, base_url: str, trip: Trip | None, workdir: Path
) -> VictimSpec:
    assert store is not None, "a child needs a store it can open"
    return VictimSpec(
        op=op,
        store=store,
        base_url=base_url,
        link=world.link,
        clock_start=world.clock.now(),
        result_path=result_path(workdir),
        trip=trip,
    )


def calibrate(op: Op, kind: StoreKind, *, rows: int, seed: int, workdir: Path) -> Calibration:
    """Effects and store calls of a clean run in a child, on a world like the trials'."""
    with shared_store(kind, workdir) as (spec, store):
        world = _world(store, op, rows, seed, 0)
        with served(world.fake) as url:
            victim_spec = _spec(world, op, spec, url, None, workdir)
            code = join_child(start_child(victim, victim_spec))
        result = read_result(victim_spec.result_path)
        world.close()
    if code != 0 or result is None or result.get("outcome") != "ok":
        raise RuntimeError(f"the clean {op} run failed: exit {code}, {result}")
    return Calibration(int(result["effects"]), int(result["store_calls"]))


def kill_case(
    op: Op, kind: StoreKind, *, trials: int, rows: int, seed: int, workdir: Path
) -> Tally:
    tally = Tally(f"SIGKILL {op} · {STORE_LABELS[kind]}", "SIGKILL")
    calibration = calibrate(op, kind, rows=rows, seed=seed, workdir=workdir)
    tally.notes["effects in a clean run"] = calibration.effects
    tally.notes["store calls in a clean run"] = calibration.store_calls
    rng = seeded("kill", op, kind, seed)
    with shared_store(kind, workdir) as (spec, store):
        # Syncs share one world, whose recipients react before each trial; pushes need rows
        # never pushed, so each trial has a table (and a workspace) of its own.
        shared = _world(store, op, rows, seed, 0) if op == "sync" else None
        for trial in range(1, trials + 1):
            if rng.random() < 0.5:
                trip = Trip("effect", rng.randint(1, calibration.effects), rng.random() < 0.5)
            else:
                trip = Trip("store", rng.randint(1, calibration.store_calls), rng.random() < 0.5)
            release = rng.random() < 0.5

            def one(trial: int = trial, trip: Trip = trip, release: bool = release) -> Check:
                if shared is not None:
                    stir(shared, seeded("stir", seed, trial))
                    return _trial(shared, op, spec, trip, release, workdir)
                world = _world(store, op, rows, seed, trial)
                try:
                    return _trial(world, op, spec, trip, release, workdir)
                finally:
                    world.close()

            tally.run(f"trial {trial}, kill {trip}", one)
        if shared is not None:
            shared.close()
    return tally


def _trial(
    world: World,
    op: Op,
    spec: StoreSpec | None,
    trip: Trip,
    release: bool,
    workdir: Path,
) -> Check:
    check = Check()
    before = engagement_cells(world.store, world.table, world.link)
    with served(world.fake) as url:
        victim_spec = _spec(world, op, spec, url, trip, workdir)
        code = join_child(start_child(victim, victim_spec))
    result = read_result(victim_spec.result_path)
    if code == -9:
        check.notes["killed"] += 1
    elif code == 0 and result is not None:
        check.notes["finished before its kill point"] += 1
        if result.get("outcome") not in ("ok", "partial"):
            check.problems.append(f"the child ended with {result.get('error')}")
    else:
        check.problems.append(f"the child exited with {code}: {result}")
    if op == "push":
        left = push_cells(world.store, world.table, world.link)
        report = push_through_lease(world, release=release)
        check.merge(report_covers(report, world))
        return check.merge(push_check(world, before=left))
    left_cells = engagement_cells(world.store, world.table, world.link)
    check.merge(never_behind(left_cells, before))  # what the killed worker left
    synced = sync_through_lease(world, release=release)
    if not synced.ok:
        check.problems.append(f"the resumed sync ended {synced.status}: {synced.run.errors}")
    return check.merge(engagement_check(world, before=left_cells))
