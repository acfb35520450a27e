"""The hot-path report: each workload next to its floor, the figures the issue targets.

    python -m benchmarks            # the full report; writes docs/benchmarks.md
    python -m benchmarks --quick    # small sizes, prints only (the CI smoke test)

Every measurement runs in a fresh process (``benchmarks/_children.py``), so its peak memory
is the process's own high-water mark (``ru_maxrss``), not an allocation tracer's estimate.
The fake Instantly runs in another process again, serving on loopback with an injected
latency per request; set-up (workspaces, tables, links) is done by yet other processes.
Competing measurements alternate, ``--repeat`` times each, and the table shows medians of
ratios taken within one repetition; the machine is shared, so absolute times are noise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SRC = [ROOT / "src"]  # the library measured (``--src`` measures another copy)


@dataclass
class Sizes:
    sync: list[int]
    sync_repeat: dict[int, int]
    push: list[int]
    cells: int
    summary_rows: int
    imports: int
    repeat: int
    push_repeat: int = 1  # request counts and peaks barely move between runs
    latency: float = 0.02
    table: tuple[int, int] = (20, 5_000)  # sync_table: campaigns x leads each
    table_latency: float = 0.1


# About a quarter of an hour on a shared two-core machine. A sync of 300,000 leads adds some
# eight minutes more (three ways of syncing, each some fifty times the latency floor of
# 3,000 pages, once): --sync-sizes 10000,100000,300000.
FULL = Sizes(
    sync=[10_000, 100_000],
    sync_repeat={100_000: 2, 300_000: 1},
    push=[10_000, 100_000],
    cells=1_000_000,
    summary_rows=1_000_000,
    imports=21,
    repeat=3,
)
QUICK = Sizes(
    sync=[2_000],
    sync_repeat={},
    push=[1_000, 2_000],
    cells=20_000,
    summary_rows=2_000,
    imports=3,
    repeat=1,
    table=(3, 500),
)


@dataclass
class Row:
    workload: str
    measured: str
    target: str
    met: bool | None
    details: list[str] = field(default_factory=list)


# --- processes -----------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(SRC[0])
    env["PYTHONPATH"] = os.pathsep.join([src, str(ROOT), env.get("PYTHONPATH", "")]).strip(
        os.pathsep
    )
    return env


def child(name: str, **args: Any) -> dict[str, Any]:
    """Run one measurement (or set-up step) in a fresh process; its JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks._children", name, json.dumps(args)],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


class FakeServer:
    """A FakeInstantly workspace served by a process of its own."""

    def __init__(
        self, leads: int, latency: float, *, engage: bool = False, campaigns: int = 1
    ) -> None:
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks._children",
                "fake-server",
                json.dumps(
                    {"leads": leads, "latency": latency, "engage": engage, "campaigns": campaigns}
                ),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=ROOT,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self._proc.wait()
            raise RuntimeError("the fake server did not start")
        info = json.loads(line)
        self.url: str = info["url"]
        self.key: str = info["key"]
        self.campaign: str = info["campaign"]
        self.campaigns: list[str] = info["campaigns"]

    def _ask(self, question: str, answer: str) -> int:
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        self._proc.stdin.write(f"{question}\n")
        self._proc.stdin.flush()
        return int(json.loads(self._proc.stdout.readline())[answer])

    def requests(self) -> int:
        return self._ask("count", "requests")

    def violations(self) -> int:
        """Requests the fake's rate limiter answered 429 so far."""
        return self._ask("violations", "violations")

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


@contextlib.contextmanager
def fake_server(
    leads: int, latency: float, *, engage: bool = False, campaigns: int = 1
) -> Iterator[FakeServer]:
    server = FakeServer(leads, latency, engage=engage, campaigns=campaigns)
    try:
        yield server
    finally:
        server.close()


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def _range(values: list[float], fmt: str = "{:.2f}") -> str:
    if not values:
        return "-"
    low, high = min(values), max(values)
    return fmt.format(low) if math.isclose(low, high) else f"{fmt.format(low)}–{fmt.format(high)}"


# --- workloads -----------------------------------------------------------------------------


def sync_rows(sizes: Sizes, tmp: Path) -> list[Row]:
    """One campaign synced into a SQLite file: ours, a bare pager, the original approach."""
    per_size: dict[int, dict[str, list[float]]] = {}
    details = []
    for n in sizes.sync:
        _say(f"sync: {n:,} leads")
        ratios: dict[str, list[float]] = {"floor": [], "bare": [], "original": []}
        peaks: dict[str, list[float]] = {"ours": [], "bare": [], "original": []}
        seconds: dict[str, list[float]] = {"ours": [], "bare": [], "original": []}
        with fake_server(n, sizes.latency) as fake:
            template = str(tmp / f"sync-{n}.db")
            link = child(
                "linked-table",
                path=template,
                rows=n,
                url=fake.url,
                key=fake.key,
                campaign=fake.campaign,
            )["link"]
            for _ in range(sizes.sync_repeat.get(n, sizes.repeat)):
                ours = child("sync-ours", template=template, url=fake.url, link=link)
                before = fake.requests()
                bare = child("sync-bare", url=fake.url, key=fake.key, campaign=fake.campaign)
                pages = fake.requests() - before
                original = child(
                    "sync-original",
                    template=template,
                    url=fake.url,
                    key=fake.key,
                    campaign=fake.campaign,
                )
                assert ours["leads"] == bare["leads"] == original["leads"] == n, (ours, bare)
                floor = pages * sizes.latency
                ratios["floor"].append(ours["seconds"] / floor)
                ratios["bare"].append(ours["seconds"] / bare["seconds"])
                ratios["original"].append(original["seconds"] / ours["seconds"])
                for name, result in (("ours", ours), ("bare", bare), ("original", original)):
                    peaks[name].append(result["peak_mb"])
                    seconds[name].append(result["seconds"])
        per_size[n] = {k: [_median(v)] for k, v in ratios.items()}
        details.append(
            f"{n:,} leads ({pages} requests, {sizes.latency * 1000:.0f} ms each): ours "
            f"{_median(seconds['ours']):.1f} s, bare pager {_median(seconds['bare']):.1f} s, "
            f"original {_median(seconds['original']):.1f} s; ours / latency floor "
            f"{_median(ratios['floor']):.2f}, ours / bare pager {_median(ratios['bare']):.2f}, "
            f"original / ours {_median(ratios['original']):.2f}; peak RSS ours "
            f"{_median(peaks['ours']):.0f} MB, bare pager {_median(peaks['bare']):.0f} MB, "
            f"original {_median(peaks['original']):.0f} MB"
        )
    sizes_text = "/".join(f"{n // 1000}k" for n in sizes.sync)
    big = [n for n in sizes.sync if n >= 100_000] or sizes.sync
    bare_big = [per_size[n]["bare"][0] for n in big]
    original_all = [per_size[n]["original"][0] for n in sizes.sync]
    floor_all = [per_size[n]["floor"][0] for n in sizes.sync]
    bare_all = [per_size[n]["bare"][0] for n in sizes.sync]
    return [
        Row(
            f"sync one campaign {sizes_text} leads: ours / bare pager",
            _range(bare_all) + "×",
            "≤ 1.2× at 100k and 300k",
            all(r <= 1.2 for r in bare_big),
            details,
        ),
        Row(
            "  … ours / latency floor (requests × latency)",
            _range(floor_all) + "×",
            "(context)",
            None,
        ),
        Row(
            "  … original approach time / ours (above 1: ours is faster)",
            _range(original_all),
            "> 1 at every size",
            all(r > 1 for r in original_all),
        ),
    ]


def rate_floor(requests: int, latency: float, guard: float = 0.0) -> float:
    """The least time ``requests`` requests can take within the workspace limiter's budget
    (the documented Instantly rates), starting with a full budget: each rate lets ``limit``
    go per ``period`` (plus ``guard``), and the last answer takes one latency."""
    from instantly_columns.api.ratelimit import INSTANTLY_RATES

    waits = [
        (math.ceil(requests / rate.limit) - 1) * (rate.period + guard) for rate in INSTANTLY_RATES
    ]
    return max(waits) + latency


def sync_table_rows(sizes: Sizes, tmp: Path) -> list[Row]:
    """Every campaign of a table synced by ``sync_table``, next to the same syncs one after
    another and to the rate-limit floor."""
    campaigns, leads = sizes.table
    latency = sizes.table_latency
    _say(f"sync_table: {campaigns} campaigns x {leads:,} leads, {latency * 1000:.0f} ms latency")
    with fake_server(leads, latency, engage=True, campaigns=campaigns) as fake:
        template = str(tmp / "table.db")
        links = child(
            "linked-tables",
            path=template,
            rows=leads,
            url=fake.url,
            key=fake.key,
            campaigns=fake.campaigns,
        )["links"]
        before, refused = fake.requests(), fake.violations()
        sequential = child(
            "sync-table", template=template, url=fake.url, links=links, sequential=True
        )
        seq_requests = fake.requests() - before
        table_s, counts, violations = [], [], fake.violations() - refused
        for _ in range(sizes.repeat):
            before, refused = fake.requests(), fake.violations()
            ours = child(
                "sync-table", template=template, url=fake.url, links=links, sequential=False
            )
            counts.append(fake.requests() - before)
            violations += fake.violations() - refused
            assert ours["leads"] == sequential["leads"] == campaigns * leads, (ours, sequential)
            table_s.append(ours["seconds"])
        from instantly_columns.api import ratelimit

        guard: float = getattr(ratelimit, "TRANSIT_GUARD", 0.0)  # an older checkout has none
        # A diagnosis: the same run with every page fetched but not stored, so the store step's
        # share shows (the fetch path and the fake server alone, on the same cores).
        before, refused = fake.requests(), fake.violations()
        fetch_only = child(
            "sync-table",
            template=template,
            url=fake.url,
            links=links,
            sequential=False,
            store_pages=False,
        )
        fetch_violations = fake.violations() - refused
    requests = max(counts)
    floor = rate_floor(requests, latency)
    guarded = rate_floor(requests, latency, guard=guard)
    speedups = [sequential["seconds"] / t for t in table_s]
    floors = [t / floor for t in table_s]
    speedup, over_floor = _median(speedups), _median(floors)
    label = f"{campaigns} campaigns × {leads:,} leads, `sync_table`, {latency * 1000:.0f} ms"
    return [
        Row(
            f"{label}: speed-up over one sync after another",
            f"{speedup:.1f}×",
            "≥ 8×",
            speedup >= 8,
            [
                f"sync_table of {campaigns} campaigns × {leads:,} leads at "
                f"{latency * 1000:.0f} ms latency: {_median(table_s):.1f} s "
                f"({requests} requests), one sync after another {sequential['seconds']:.1f} s "
                f"({seq_requests} requests); rate-limit floor {floor:.1f} s (the requests "
                f"within 100 per second and 6,000 per minute); peak RSS "
                f"{sequential['peak_mb']:.0f} MB one after another; {violations} requests "
                "refused by the server's rate limiter",
                f"sync_table with its pages fetched but not stored (a diagnosis): "
                f"{fetch_only['seconds']:.1f} s, {fetch_only['seconds'] / floor:.2f}× the "
                f"rate-limit floor ({fetch_violations} refused); the floor with our limiter's "
                f"{guard:g} s guard (100 requests per {1 + guard:g} s) is "
                f"{guarded:.1f} s, {guarded / floor:.2f}× the API's",
            ],
        ),
        Row(
            "  … time / rate-limit floor (requests within the workspace budget)",
            f"{over_floor:.2f}×",
            "≤ 1.3×",
            over_floor <= 1.3,
        ),
        Row(
            "  … requests refused by the API's rate limit",
            f"{violations}",
            "0",
            violations == 0,
        ),
    ]


def push_rows(sizes: Sizes, tmp: Path) -> list[Row]:
    calls: dict[int, int] = {}
    peaks: dict[int, list[float]] = {}
    secs: dict[int, list[float]] = {}
    for n in sizes.push:
        _say(f"push: {n:,} rows")
        for _ in range(sizes.push_repeat):
            with fake_server(0, sizes.latency) as fake:
                template = str(tmp / f"push-{n}-{uuid.uuid4().hex[:6]}.db")
                link = child(
                    "linked-table",
                    path=template,
                    rows=n,
                    url=fake.url,
                    key=fake.key,
                    campaign=fake.campaign,
                )["link"]
                before = fake.requests()
                result = child("push-ours", template=template, url=fake.url, link=link)
                calls[n] = fake.requests() - before
                assert result["counts"].get("pushed") == n, result
                peaks.setdefault(n, []).append(result["peak_mb"])
                secs.setdefault(n, []).append(result["seconds"])
                Path(template).unlink()
    big = max(sizes.push)
    floor = math.ceil(big / 1000)
    small = min(sizes.push)
    growth = _median(peaks[big]) - _median(peaks[small])
    return [
        Row(
            f"push {big // 1000}k rows: API calls",
            f"{calls[big]}",
            f"the floor ({floor} bulk adds of 1000)",
            calls[big] <= floor + 1,
            [
                f"{n:,} rows: {calls[n]} requests, {_median(secs[n]):.1f} s, peak RSS "
                f"{_median(peaks[n]):.0f} MB"
                for n in sizes.push
            ],
        ),
        Row(
            f"push: peak RSS {small // 1000}k → {big // 1000}k rows",
            f"{_median(peaks[small]):.0f} → {_median(peaks[big]):.0f} MB",
            "flat in row count",
            growth < 0.1 * _median(peaks[small]) + 10,
        ),
    ]


def sqlite_row(sizes: Sizes, tmp: Path) -> Row:
    n = sizes.cells
    _say(f"SQLite write_cells: {n:,} cells")
    ratios, cpu_ratios, ours_s, raw_s = [], [], [], []
    for k in range(sizes.repeat):
        ours = child("sqlite-ours", path=str(tmp / f"ours-{k}.db"), n=n)
        raw = child("sqlite-raw", path=str(tmp / f"raw-{k}.db"), n=n)
        assert ours["changed"] == raw["changed"] == n, (ours, raw)
        ratios.append(raw["seconds"] / ours["seconds"])
        cpu_ratios.append(raw["cpu"] / ours["cpu"])
        ours_s.append(ours["seconds"])
        raw_s.append(raw["seconds"])
        for name in (f"ours-{k}.db", f"raw-{k}.db"):
            for suffix in ("", "-wal", "-shm"):
                (tmp / (name + suffix)).unlink(missing_ok=True)
    median = _median(ratios)
    return Row(
        f"SQLite write_cells {n // 1000:,}k cells: speed vs raw executemany upsert",
        f"{median:.2f}×",
        "≥ 0.8×",
        median >= 0.8,
        [
            f"SQLite, {n:,} new cells into {n // 10:,} rows: write_cells "
            f"{_median(ours_s):.1f} s, raw floor {_median(raw_s):.1f} s (ratios "
            f"{', '.join(f'{r:.2f}' for r in ratios)}; the same by CPU time, which other "
            f"load on the machine moves less: {', '.join(f'{r:.2f}' for r in cpu_ratios)})"
        ],
    )


def postgres_row(sizes: Sizes, dsn: str | None) -> Row:
    n = sizes.cells
    label = f"PostgreSQL write_cells {n // 1000:,}k cells: speed vs raw COPY + upsert"
    if not dsn:
        return Row(label, "skipped (no DSN)", "≥ 0.8×", None)
    import psycopg

    _say(f"PostgreSQL write_cells: {n:,} cells")
    ratios, ours_s, raw_s = [], [], []
    for _ in range(sizes.repeat):
        result = {}
        for name in ("postgres-ours", "postgres-raw"):
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            try:
                result[name] = child(name, dsn=dsn, schema=schema, n=n)
            finally:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        ours, raw = result["postgres-ours"], result["postgres-raw"]
        assert ours["changed"] == raw["changed"] == n, (ours, raw)
        ratios.append(raw["seconds"] / ours["seconds"])
        ours_s.append(ours["seconds"])
        raw_s.append(raw["seconds"])
    median = _median(ratios)
    return Row(
        label,
        f"{median:.2f}×",
        "≥ 0.8×",
        median >= 0.8,
        [
            f"PostgreSQL, {n:,} new cells into {n // 10:,} rows: write_cells "
            f"{_median(ours_s):.1f} s, raw floor {_median(raw_s):.1f} s (ratios "
            f"{', '.join(f'{r:.2f}' for r in ratios)})"
        ],
    )


def summary_row(sizes: Sizes, tmp: Path) -> Row:
    n = sizes.summary_rows
    _say(f"summary: {n:,} rows")
    with fake_server(0, 0.0) as fake:
        path = str(tmp / "summary.db")
        link = child(
            "engaged-table", path=path, rows=n, url=fake.url, key=fake.key, campaign=fake.campaign
        )["link"]
        result = child("summary-local", template=path, url=fake.url, link=link)
    seconds, fold, equal = result["seconds"], result["fold"], result["equal"]
    ratio = fold / seconds if seconds > 0 else float("inf")

    def shown(value: float) -> str:
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.1f} s"

    return Row(
        f"local summary aggregate, {n // 1000:,}k-row table: read / Python fold",
        f"{shown(seconds)}; {ratio:,.0f}× faster than the fold; "
        + ("equal" if equal else "**not equal**"),
        "≤ 10 ms at 1M rows, ≥ 100× the fold, always equal",
        seconds <= 0.010 and ratio >= 100 and equal,
        [
            f'service.summary(link, source="local") on SQLite, {n:,} rows with engagement '
            f"cells ({result['leads']:,} leads), median of 9 reads: {shown(seconds)}; a Python "
            f"fold of the same figures over the cells (rows paged from the store, pivoted "
            f"per row, grouped per lead): {shown(fold)}; ratio {ratio:,.0f}×; "
            f"{'equal' if equal else 'NOT equal'}"
        ],
    )


def _import_seconds(statement: str, env: dict[str, str]) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return float(out.stdout)


def import_row(sizes: Sizes) -> Row:
    _say("cold import")
    env = _env()
    # Fresh processes, but with bytecode cached as an installed package has it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="bench-pyc-")
    ours_stmt = "from instantly_columns import InstantlyColumns"
    base_stmt = "import httpx, pydantic"
    for statement in (ours_stmt, base_stmt):
        _import_seconds(statement, env)
    ratios, ours, base = [], [], []
    for _ in range(sizes.imports):
        o = _import_seconds(ours_stmt, env)
        b = _import_seconds(base_stmt, env)
        ratios.append(o / b)
        ours.append(o)
        base.append(b)
    median = _median(ratios)
    return Row(
        "`from instantly_columns import InstantlyColumns` cold / `import httpx, pydantic`",
        f"{median:.2f}×",
        "≤ 1.2×",
        median <= 1.2,
        [
            f"cold import, median of {sizes.imports} fresh processes each (bytecode cached): "
            f"ours {_median(ours) * 1000:.0f} ms, httpx + pydantic {_median(base) * 1000:.0f} ms"
        ],
    )


def fleet_rows(dsn: str | None) -> list[Row]:
    """Syncs on 1, 2 and 3 Celery workers against the rate-limit floor (bench_fleet.py)."""
    redis_url = os.environ.get("INSTANTLY_COLUMNS_TEST_REDIS")
    label = "fleet: syncs on {} Celery worker(s) vs the rate-limit floor"
    if not dsn or not redis_url:
        return [Row(label.format("1-3"), "skipped (no DSN or Redis)", "→ 100% of the floor", None)]
    from benchmarks.bench_fleet import measure, reservation_cost

    _say("fleet: a reservation over Redis")
    cost = reservation_cost(redis_url)
    share = cost["reserve_us"] / cost["request_us"]
    rows = [
        Row(
            "RedisBackend.reserve (loopback Redis) / a request to the fake on loopback",
            f"{share:.0%}",
            "≤ 25% (≤ 1% of a 100 ms API request)",
            share <= 0.25,
            [
                f"reservation: median {cost['reserve_us']:.0f} µs, p99 "
                f"{cost['reserve_p99_us']:.0f} µs; a GET to the fake on loopback, no latency: "
                f"median {cost['request_us']:.0f} µs"
            ],
        )
    ]
    _say("fleet: 1, 2 and 3 workers")
    for found in measure(dsn, redis_url):
        rows.append(
            Row(
                label.format(found["workers"]),
                f"{found['of_floor']:.0%} of the floor's speed",
                "grows with workers up to the floor; 0 429s",
                found["violations"] == 0,
                [
                    f"{found['workers']} worker(s): {found['links']} syncs, "
                    f"{found['requests']} requests in {found['seconds']:.1f} s "
                    f"({found['per_second']:.1f}/s; floor {found['floor_seconds']:.1f} s), "
                    f"{found['violations']} refused by the rate limit"
                ],
            )
        )
    return rows


# --- the report ----------------------------------------------------------------------------

WORKLOADS = ("sync", "sync-table", "push", "sqlite", "postgres", "summary", "import")
EXTRA = ("fleet",)
"""Run only when named with --only (they need services the report does not: Redis)."""


def run(sizes: Sizes, only: set[str], dsn: str | None) -> tuple[list[Row], float]:
    start = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as name:
        tmp = Path(name)
        steps: dict[str, Callable[[], list[Row]]] = {
            "sync": lambda: sync_rows(sizes, tmp),
            "sync-table": lambda: sync_table_rows(sizes, tmp),
            "push": lambda: push_rows(sizes, tmp),
            "sqlite": lambda: [sqlite_row(sizes, tmp)],
            "postgres": lambda: [postgres_row(sizes, dsn)],
            "summary": lambda: [summary_row(sizes, tmp)],
            "import": lambda: [import_row(sizes)],
        }
        steps["fleet"] = lambda: fleet_rows(dsn)
        for name_ in (*WORKLOADS, *EXTRA):
            if name_ in only:
                rows += steps[name_]()
    return rows, time.perf_counter() - start


def table(rows: list[Row]) -> str:
    lines = ["| workload | measured | target | met |", "| --- | --- | --- | --- |"]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(f"| {row.workload} | {row.measured} | {row.target} | {met} |")
    return "\n".join(lines)


def environment(dsn: str | None) -> str:
    pg = "not measured"
    if dsn:
        import psycopg

        with psycopg.connect(dsn) as conn:
            found = conn.execute("SHOW server_version").fetchone()
            pg = str(found[0]) if found else "?"
    return (
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {pg}, {os.cpu_count()} CPUs ({platform.machine()}), "
        f"load average at the start {os.getloadavg()[0]:.1f}"
    )


PAGE_HEAD = """# Benchmarks

The hot paths, each next to the floor it cannot beat, measured by one command:

```bash
make bench            # or: python -m benchmarks
```

It prints the table below and rewrites this page. `python -m benchmarks --quick` runs the
same workloads at small sizes and writes nothing; CI runs it after the tests as a smoke
test, without checking any figure. `--only sync,push,...` picks workloads.

## How it measures

- **Fresh processes.** Each measurement runs in a process of its own, and its peak memory
  is that process's high-water mark (`getrusage(RUSAGE_SELF).ru_maxrss`), everything
  counted, not an allocation tracer's estimate. Set-up (tables, links, workspaces) happens
  in other processes, so it does not count towards the peak.
- **The API.** `FakeInstantly` serves a workspace on loopback from a process of its own,
  with {latency} ms of injected latency on every request. Leads are listed 100 per page.
  The server shares the machine's cores with the client, as Instantly's servers do not;
  its seeded workspace is frozen out of the garbage collector (`gc.freeze()`) so that it
  takes as little of them as it can.
- **Sync floors.** The *bare pager* is plain `httpx` paging `POST /api/v2/leads/list` on
  the same server, parsing each page and nothing else; the *latency floor* is the number
  of requests it made times the latency. The *original approach* loads every page into
  memory, then looks the rows up by email and upserts all engagement cells in one
  `write_cells` (our store's bulk paths, so only the shape of the flow differs).
- **`sync_table`** syncs every link of a table of 20 campaigns × 5,000 leads with 100 ms of
  latency, the server enforcing Instantly's rate limits. It is compared with the same syncs
  one after another, and with the *rate-limit floor*: the requests it made, sent as fast as
  the workspace budget allows (100 per second, 6,000 per minute), plus one latency. The
  requests the server refused with a 429 are counted. A diagnosis runs the same
  `sync_table` with every page fetched and parsed but not stored, which shows what the
  fetch path and the fake server alone cost on the same two cores; and the details give
  the floor under our own limiter, which counts each request a little beyond its window
  (`TRANSIT_GUARD`).
- **Storage floors** write into the same schema (same tables, indexes, upsert statement and
  `norm` lookup column) in one transaction, with the data made before the clock starts:
  SQLite, `executemany` of the store's upsert with the store's connection settings;
  PostgreSQL, `COPY` into a temporary table, then `INSERT … SELECT … ON CONFLICT`.
  `write_cells` starts from `CellWrite` objects and checks, encodes and validates them.
  It also does its share of keeping the summaries (below): it looks up the table's kept
  summaries (one indexed query) and recounts, in Python and in the same transaction, the
  leads whose rows it writes in a summary's columns. The benchmark table has no campaign
  link, so that share is the one query; the floor keeps no summary at all.
- **Summary.** `service.summary(link, source="local")` on a table of linked rows whose
  engagement cells were written after the link's first summary (as a sync writes them), so
  the store kept the aggregate through those writes; the median of nine reads. Next to it,
  the *Python fold*: the same figures folded from the cells (every row's email and five
  engagement cells, paged from the store and pivoted per row, then grouped per lead), and
  whether both are equal.
- **Cold import** compares fresh interpreters with bytecode already cached, as an installed
  package has it.
- Competing measurements alternate; ratios are taken within one repetition and the table
  shows their medians (ranges across sizes). The machine is shared, so read the ratios,
  not the seconds.

"""


def page(rows: list[Row], sizes: Sizes, elapsed: float, dsn: str | None) -> str:
    details = [f"- {line}" for row in rows for line in row.details]
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    repeats = ", ".join(
        f"{n // 1000}k: {sizes.sync_repeat.get(n, sizes.repeat)}" for n in sizes.sync
    )
    return (
        PAGE_HEAD.replace("{latency}", f"{sizes.latency * 1000:.0f}")
        + f"## Results\n\nMeasured {when}; {environment(dsn)}. The full run took "
        f"{elapsed / 60:.0f} minutes; repetitions: {sizes.repeat} (sync {repeats}; push "
        f"{sizes.push_repeat}), to keep the whole report near a quarter of an hour. A sync "
        "of 300,000 leads adds about eight minutes: `--sync-sizes 10000,100000,300000`.\n\n"
        + table(rows)
        + "\n\n### Details\n\n"
        + "\n".join(details)
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The hot-path benchmark report.")
    parser.add_argument("--quick", action="store_true", help="small sizes; write nothing")
    parser.add_argument("--report", action="store_true", help="the full report (default)")
    parser.add_argument("--only", default=",".join(WORKLOADS), help="workloads, comma-separated")
    parser.add_argument("--repeat", type=int, help="repetitions of each measurement")
    parser.add_argument("--no-write", action="store_true", help=f"do not rewrite {DOC.name}")
    parser.add_argument("--dsn", default=os.environ.get("INSTANTLY_COLUMNS_TEST_DSN"))
    parser.add_argument(
        "--src", type=Path, help="measure the library in this folder (e.g. an older checkout)"
    )
    parser.add_argument(
        "--sync-sizes", help="sync sizes, comma-separated (default 10000,100000,300000)"
    )
    args = parser.parse_args(argv)
    if args.src is not None:
        SRC[0] = args.src.resolve()
    sizes = QUICK if args.quick else FULL
    if args.sync_sizes:
        sizes.sync = [int(n) for n in args.sync_sizes.split(",")]
    if args.repeat:
        sizes.repeat = args.repeat
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = only - set(WORKLOADS) - set(EXTRA)
    if unknown:
        parser.error(f"unknown workloads: {sorted(unknown)}; choose from {WORKLOADS + EXTRA}")
    rows, elapsed = run(sizes, only, args.dsn)
    if args.quick:  # the targets are for the full sizes
        for row in rows:
            row.met = None
    print(table(rows))
    print()
    for row in rows:
        for line in row.details:
            print(f"- {line}")
    print(f"\n{'quick ' if args.quick else ''}benchmark run took {elapsed:.0f} s")
    if not args.quick and not args.no_write and only == set(WORKLOADS) and args.src is None:
        DOC.write_text(page(rows, sizes, elapsed, args.dsn))
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0
