"""The seeded chaos run: two identical worlds, one with every fault mixed in at a given rate
(each API fault kind on any request, writes failing after being applied, duplicate webhook
deliveries, store calls failing before or after they happen), the other fault-free. Round
after round both get new rows, push them, see the same recipients react, receive the webhook
deliveries and sync. Then the faulty world runs fault-free rounds, and must have converged:
no lead twice, every row pushed to the lead of its email, and engagement cells equal to the
fault-free world's (and to the API's).

The two workspaces stay comparable because recipients react only through scripted events,
drawn from one seeded generator per email and applied to both at the same fake time, and only
to leads both workspaces hold (a row whose push failed in the faulty world joins later)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import attrs

from instantly_columns.errors import SyncInProgress

from ._faults import API_KINDS as API_FAULTS
from ._faults import add_api_fault
from ._support import (
    IN_CAMPAIGN,
    LEASE,
    SECRET,
    Check,
    Deliveries,
    Tally,
    World,
    build_world,
    compare_cells,
    duplicate_leads,
    emails_by_row,
    engagement_cells,
    engagement_check,
    error_text,
    lead_rows,
    never_behind,
    push_cells,
    push_check,
    seeded,
    shared_store,
    store_failure,
    subscribe,
    typed,
)


@attrs.define
class Side:
    """One of the two worlds, with its captured deliveries and those waiting for a retry."""

    world: World
    hooks: Deliveries
    retry: list[bytes] = attrs.Factory(list)
    delivered: int = 0

    def lead_id(self, email: str) -> str | None:
        lead = self.world.fake.lead_by_email(email, self.world.campaign_id)
        return None if lead is None else str(lead["id"])


def _side(store: Any, seed: int) -> Side:
    world = build_world(store, rows=0, seed=seed)
    hooks = subscribe(world, "https://hooks.example.test/chaos")
    world.fake.activate(world.campaign_id)
    return Side(world, hooks)


def _guard(check: Check, what: str, action: Any) -> Any:
    """Run one operation of the faulty world: a typed error is the fault doing its job."""
    try:
        return action()
    except Exception as exc:
        check.notes[f"{what}: {type(exc).__name__}"] += 1
        if not typed(exc):
            check.problems.append(f"{what} raised {error_text(exc)}")
        return None


def _react(a: Side, b: Side, rng: random.Random, emails: list[str], check: Check) -> None:
    """The same recipients react the same way at the same time in both workspaces."""
    for email in emails:
        id_a, id_b = a.lead_id(email), b.lead_id(email)
        if id_a is None or id_b is None:
            continue
        plan: list[tuple[str, Any]] = []
        if rng.random() < 0.6:
            plan.append(("sent", rng.randint(1, 2)))
            for kind, p in (("open", 0.5), ("click", 0.15), ("reply", 0.1), ("bounce", 0.02)):
                if rng.random() < p:
                    plan.append((kind, 1))
        if rng.random() < 0.08:
            plan.append(("interest", rng.choice([1, -1, 2, 0, 3])))
        for kind, value in plan:
            for side, lead_id in ((a, id_a), (b, id_b)):
                fake = side.world.fake
                if kind == "interest":
                    fake.set_interest(lead_id, value)
                else:
                    fake.engage(lead_id, kind, step=value)  # type: ignore[arg-type]
                fake.clock.advance(60)
            check.notes["reactions"] += 1


def _align(a: Side, b: Side, moment: Any) -> None:
    for side in (a, b):
        clock = side.world.clock
        gap = (moment - clock.now()).total_seconds()
        if gap < 0:
            raise RuntimeError("a world's clock ran past the next round")
        clock.advance(gap)


def _deliver(side: Side, check: Check, *, faulty: bool) -> None:
    bodies = side.retry + side.hooks.bodies
    side.hooks.bodies = []
    side.retry = []
    for body in bodies:
        side.delivered += 1
        try:
            side.world.service.ingest_webhook(body, query={"token": SECRET})
        except Exception as exc:
            side.retry.append(body)  # Instantly delivers it again later
            if not faulty or not typed(exc):
                check.problems.append(f"a delivery raised {error_text(exc)}")


def _sync(side: Side, check: Check, *, faulty: bool) -> None:
    world = side.world
    try:
        report = world.service.sync(world.link)
    except SyncInProgress:
        check.notes["sync: SyncInProgress"] += 1  # a run whose close failed holds the lease
        world.clock.advance(LEASE + 1)
        return
    except Exception as exc:
        check.notes[f"sync: {type(exc).__name__}"] += 1
        if not faulty or not typed(exc):
            check.problems.append(f"a sync raised {error_text(exc)}")
        return
    if not faulty and not report.ok:
        check.problems.append(f"a fault-free sync ended {report.status}")


def _push(side: Side, check: Check, *, faulty: bool) -> None:
    try:
        side.world.service.push(side.world.link)
    except SyncInProgress:  # PushInProgress is one: a run whose close failed holds the lease
        check.notes["push: PushInProgress"] += 1
        side.world.clock.advance(LEASE + 1)
    except Exception as exc:
        check.notes[f"push: {type(exc).__name__}"] += 1
        if not faulty or not typed(exc):
            check.problems.append(f"a push raised {error_text(exc)}")


def _chaos_on(side: Side, rate: float, rng: random.Random) -> None:
    """Every API fault kind on any request (writes failing before and after being applied),
    duplicate deliveries, and store calls failing: each at a share of ``rate``."""
    fake = side.world.fake
    share = rate / len(API_FAULTS) / 2
    for kind in API_FAULTS:
        for after in (False, True):
            add_api_fault(fake, kind, random.Random(rng.random()), probability=share, after=after)
    fake.faults.duplicate_webhooks = rate
    side.world.wire.flaky(rate, random.Random(rng.random()), store_failure)


def _converged(a: Side, b: Side) -> Check:
    """The faulty world against the fault-free one, and against its own API."""
    wa, wb = a.world, b.world
    check = push_check(wa)
    check.duplicates += duplicate_leads(wb.fake)
    emails = emails_by_row(wa.store, wa.table)
    cells_a, cells_b = (
        push_cells(wa.store, wa.table, wa.link),
        push_cells(wb.store, wb.table, wb.link),
    )
    for row_id, email in emails.items():
        ca, cb = cells_a.get(row_id), cells_b.get(row_id)
        in_a = (
            isinstance(ca, dict)
            and ca.get("status") in IN_CAMPAIGN
            and ca.get("lead_id") == a.lead_id(email)
        )
        in_b = (
            isinstance(cb, dict)
            and cb.get("status") in IN_CAMPAIGN
            and cb.get("lead_id") == b.lead_id(email)
        )
        if in_b and not in_a:
            check.problems.append(f"{row_id} is pushed in the fault-free world only: {ca!r}")
    engaged_a = engagement_cells(wa.store, wa.table, wa.link)
    engaged_b = engagement_cells(wb.store, wb.table, wb.link)
    check.merge(compare_cells(engaged_a, engaged_b, "the fault-free world"))
    return check.merge(engagement_check(wa))


def chaos_case(
    *, operations: int, rows_per_round: int, rate: float, seed: int, clean_rounds: int = 2
) -> Tally:
    """Rounds of faulty operations (pushes, deliveries, syncs) until ``operations`` were
    made, then ``clean_rounds`` fault-free rounds; one trial, its checks counted."""
    tally = Tally(f"chaos, {rate:.0%} faults", "Chaos")
    rng = seeded("chaos", seed)
    check = Check()
    with shared_store("sqlite") as (_, store_a), shared_store("sqlite") as (_, store_b):
        a, b = _side(store_a, seed), _side(store_b, seed)
        _chaos_on(a, rate, rng)
        start = a.world.clock.now()
        done = rounds = 0
        before: dict[str, dict[str, Any]] = {}
        while done < operations:
            rounds += 1
            rows = lead_rows(rows_per_round, start=(rounds - 1) * rows_per_round)
            for side in (a, b):
                side.world.store.insert_rows(side.world.table, rows)
                side.world.rows += rows
            _push(a, check, faulty=True)
            _push(b, check, faulty=False)
            _align(a, b, start + timedelta(days=rounds))
            emails = sorted(emails_by_row(a.world.store, a.world.table).values())
            _react(a, b, random.Random(rng.random()), emails, check)
            delivered = a.delivered
            _deliver(a, check, faulty=True)
            _deliver(b, check, faulty=False)
            _sync(a, check, faulty=True)
            _sync(b, check, faulty=False)
            done += 2 + a.delivered - delivered
            now = engagement_cells(a.world.store, a.world.table, a.world.link)
            check.merge(never_behind(now, before))
            before = now
        tally.notes["faulty rounds"] = rounds
        tally.notes["faulty operations"] = done
        tally.notes["faults fired (API)"] = len(a.world.fake.faults.log)
        tally.notes["faults fired (store)"] = a.world.wire.fired
        a.world.fake.faults.clear()
        a.world.fake.faults.duplicate_webhooks = 0.0
        a.world.wire.disarm()
        for _ in range(clean_rounds):
            a.world.clock.advance(LEASE + 1)
            _deliver(a, check, faulty=False)
            _push(a, check, faulty=False)
            _sync(a, check, faulty=False)
        tally.notes["rows"] = len(a.world.rows)
        check.merge(_converged(a, b))
        a.world.close()
        b.world.close()
    tally.add(check, f"seed {seed}")
    return tally
