"""Every case of the suite, and the sizes it runs at: the tests run them at ``CI`` sizes, the
runner at ``FULL`` (or ``MEDIUM``) sizes; both from this one list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs

from ._canary import canary_case
from ._chaos import chaos_case
from ._concurrency import CASES as CONCURRENCY_CASES
from ._concurrency import concurrency_case
from ._faults import FAULT_KINDS, FLOWS, fault_case
from ._fuzz import TARGETS as FUZZ_TARGETS
from ._kill import STORE_LABELS, kill_case
from ._support import StoreKind, Tally, postgres_dsn
from ._webhooks import CASES as WEBHOOK_CASES
from ._webhooks import webhook_case

SEED = 20260105
"""The default seed: every trial's randomness derives from it."""

GROUPS = ("SIGKILL", "Faults", "Concurrency", "Webhooks", "Fuzz", "Canary", "Chaos")


@attrs.frozen
class Sizes:
    """How big each part of a run is."""

    name: str
    kill_trials: int
    kill_push_rows: int
    kill_sync_rows: int
    fault_trials: int
    fault_rows: int
    fault_webhook_rows: int
    fault_stores: tuple[StoreKind, ...]
    concurrency_trials: int
    concurrency_rows: int
    webhook_trials: int
    webhook_rows: int
    fuzz_examples: int
    chaos_operations: int
    chaos_rows: int
    chaos_rate: float = 0.05

    def describe(self) -> str:
        return (
            f"SIGKILL: {self.kill_trials} trials per cell, {self.kill_push_rows} rows (push), "
            f"{self.kill_sync_rows} rows (sync); faults: {self.fault_trials} trials per cell, "
            f"{self.fault_rows} rows ({self.fault_webhook_rows} for webhooks), stores "
            f"{', '.join(self.fault_stores)}; concurrency: {self.concurrency_trials} trials, "
            f"{self.concurrency_rows} rows; webhook cases: {self.webhook_trials} trials, "
            f"{self.webhook_rows} rows; fuzz: {self.fuzz_examples} examples per target; "
            f"chaos: {self.chaos_operations} operations, {self.chaos_rows} new rows a round, "
            f"{self.chaos_rate:.0%} faults"
        )


CI = Sizes(
    name="CI",
    kill_trials=30,
    kill_push_rows=200,
    kill_sync_rows=200,
    fault_trials=4,
    fault_rows=120,
    fault_webhook_rows=20,
    fault_stores=("sqlite", "memory"),
    concurrency_trials=4,
    concurrency_rows=100,
    webhook_trials=2,
    webhook_rows=30,
    fuzz_examples=200,
    chaos_operations=200,
    chaos_rows=20,
)
MEDIUM = Sizes(
    name="medium",
    kill_trials=100,
    kill_push_rows=1100,
    kill_sync_rows=300,
    fault_trials=20,
    fault_rows=300,
    fault_webhook_rows=40,
    fault_stores=("sqlite", "memory", "postgres"),
    concurrency_trials=20,
    concurrency_rows=300,
    webhook_trials=6,
    webhook_rows=60,
    fuzz_examples=3000,
    chaos_operations=2000,
    chaos_rows=60,
)
FULL = Sizes(
    name="full",
    kill_trials=200,
    kill_push_rows=1100,
    kill_sync_rows=300,
    fault_trials=40,
    fault_rows=300,
    fault_webhook_rows=40,
    fault_stores=("sqlite", "memory", "postgres"),
    concurrency_trials=40,
    concurrency_rows=300,
    webhook_trials=10,
    webhook_rows=60,
    fuzz_examples=10_000,
    chaos_operations=5000,
    chaos_rows=80,
)


@attrs.frozen
class Case:
    """One row of the report: what it runs, at a given size and seed, in a scratch folder."""

    group: str
    name: str
    run: Callable[[Sizes, int, Path], Tally]
    postgres: bool = False
    """Runs on PostgreSQL only: the runner leaves it out when no DSN is set."""
    uses_postgres: bool = False
    """Runs on PostgreSQL too, when a DSN is set; the tests insist on one (as for every
    PostgreSQL test: a skip locally, a failure on CI)."""

    @property
    def id(self) -> str:
        return f"{self.group}: {self.name}"


def _kill(op: str, kind: StoreKind) -> Case:
    def run(sizes: Sizes, seed: int, workdir: Path) -> Tally:
        rows = sizes.kill_push_rows if op == "push" else sizes.kill_sync_rows
        return kill_case(
            op,  # type: ignore[arg-type]
            kind,
            trials=sizes.kill_trials,
            rows=rows,
            seed=seed,
            workdir=workdir,
        )

    pg = kind == "postgres"
    return Case("SIGKILL", f"{op} · {STORE_LABELS[kind]}", run, postgres=pg, uses_postgres=pg)


def _fault(kind: str, flow: str) -> Case:
    def run(sizes: Sizes, seed: int, workdir: Path) -> Tally:
        rows = sizes.fault_webhook_rows if flow == "webhook" else sizes.fault_rows
        return fault_case(
            kind,  # type: ignore[arg-type]
            flow,  # type: ignore[arg-type]
            trials=sizes.fault_trials,
            rows=rows,
            seed=seed,
            stores=sizes.fault_stores,
        )

    return Case("Faults", f"{kind} × {flow}", run)


def _concurrency(name: str) -> Case:
    def run(sizes: Sizes, seed: int, workdir: Path) -> Tally:
        return concurrency_case(
            name,
            trials=sizes.concurrency_trials,
            rows=sizes.concurrency_rows,
            seed=seed,
            workdir=workdir,
            stores=("sqlite-file", "postgres") if postgres_dsn() else ("sqlite-file",),
        )

    return Case("Concurrency", name, run, uses_postgres=True)


def _webhook(name: str) -> Case:
    def run(sizes: Sizes, seed: int, workdir: Path) -> Tally:
        return webhook_case(name, trials=sizes.webhook_trials, rows=sizes.webhook_rows, seed=seed)

    return Case("Webhooks", name, run)


def _fuzz(target: str) -> Case:
    fn = FUZZ_TARGETS[target]

    def run(sizes: Sizes, seed: int, workdir: Path) -> Tally:
        return fn(sizes.fuzz_examples, seed)

    return Case("Fuzz", target, run)


def _canary(sizes: Sizes, seed: int, workdir: Path) -> Tally:
    return canary_case(seed=seed, workdir=workdir)


def _chaos(sizes: Sizes, seed: int, workdir: Path) -> Tally:
    return chaos_case(
        operations=sizes.chaos_operations,
        rows_per_round=sizes.chaos_rows,
        rate=sizes.chaos_rate,
        seed=seed,
    )


CASES: list[Case] = [
    *(_kill(op, kind) for op in ("push", "sync") for kind in ("sqlite-file", "postgres")),
    *(_fault(kind, flow) for flow in FLOWS for kind in FAULT_KINDS),
    *(_concurrency(name) for name in CONCURRENCY_CASES),
    *(_webhook(name) for name in WEBHOOK_CASES),
    *(_fuzz(target) for target in FUZZ_TARGETS),
    Case("Canary", "canary key", _canary),
    Case("Chaos", "chaos", _chaos),
]


def by_group(group: str) -> list[Case]:
    return [c for c in CASES if c.group == group]
