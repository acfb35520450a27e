"""Fleet throughput: syncs on 1, 2 and 3 Celery worker processes against the rate-limit floor.

    python -m benchmarks --only fleet            # needs PostgreSQL and Redis (make fleet)
    python -m benchmarks.bench_fleet --links 24  # on its own, other sizes

Fake workspaces sit behind one loopback server (tests/fleet/_support.py) with a latency per
answer, so one worker, which has about one request in flight, is bound by the latency; and
with a low rate limit per workspace, so that enough workers are bound by the limit instead.
Each round starts its workers, queues one full sync per link, and measures from the first
sync's start to the last one's end (worker start-up is left out). The floor is the time the
workspaces' rate limits alone allow for the requests made: requests / (workspaces × limit).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT / "src", ROOT / "tests", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def measure(
    dsn: str,
    redis_url: str,
    *,
    workers: Sequence[int] = (1, 2, 3),
    workspaces: int = 2,
    links: int = 24,
    rows: int = 20,
    per_second: int = 15,
    latency: float = 0.05,
) -> list[dict[str, Any]]:
    """One row per worker count: requests, seconds, throughput, the floor, violations."""
    from fleet._support import Sizes, serve_workspaces, setup_fleet

    sizes = Sizes(
        workspaces=workspaces,
        campaigns=max(1, links // workspaces),
        rows=rows,
        per_second=per_second,
        per_minute=per_second * 60,
        latency=latency,
        page_size=2,
        lease=10.0,
        visibility=60.0,
    )
    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        fleet = setup_fleet(dsn, redis_url, sizes, seed=7, logs=Path(tmp))
        try:
            for world in fleet.worlds:  # leads to sync: pushed in process (on fake time)
                world.service.push(world.link)
            for fake in fleet.fakes:
                for campaign in fake.campaigns():
                    fake.activate(campaign["id"])
                fake.advance(timedelta(days=2))
            with serve_workspaces(fleet.fakes, fleet.keys) as base_url:
                fleet.base_url = base_url
                from fleet.worker_app import make

                _, tasks = make(fleet.env())
                # Round-robin over the workspaces, as a schedule of many workspaces would be.
                by_workspace = [
                    [w.link for w in fleet.worlds if w.fake is fake] for fake in fleet.fakes
                ]
                all_links = [
                    link for group in itertools.zip_longest(*by_workspace) for link in group if link
                ]
                for count in workers:
                    before = [len(f.report().requests) for f in fleet.fakes]
                    refused = [len(f.report().limit_violations) for f in fleet.fakes]
                    for i in range(count):
                        fleet.start_worker(f"b{count}-{i}")
                    _ready(tasks, count)
                    results = [tasks.sync.delay(link, full=True) for link in all_links]
                    for result in results:
                        assert result.get(timeout=600)["status"] == "ok"
                    fleet.stop_workers()
                    fleet.workers.clear()
                    runs = [fleet.store.runs(link, limit=1)[0] for link in all_links]
                    start = min(r.started_at for r in runs)
                    end = max(r.finished_at for r in runs if r.finished_at is not None)
                    seconds = (end - start).total_seconds()
                    requests = sum(
                        len(f.report().requests) - b
                        for f, b in zip(fleet.fakes, before, strict=True)
                    )
                    violations = sum(
                        len(f.report().limit_violations) - r
                        for f, r in zip(fleet.fakes, refused, strict=True)
                    )
                    floor = requests / (workspaces * per_second)
                    out.append(
                        {
                            "workers": count,
                            "links": len(all_links),
                            "requests": requests,
                            "seconds": seconds,
                            "per_second": requests / seconds,
                            "floor_seconds": floor,
                            "of_floor": floor / seconds,
                            "violations": violations,
                        }
                    )
                    time.sleep(0.5)
        finally:
            fleet.close()
    return out


def reservation_cost(redis_url: str, *, n: int = 2000) -> dict[str, float]:
    """What one reservation costs over Redis (a loopback server), next to one request to the
    fake Instantly on loopback with no latency added (the cheapest request there is)."""
    import statistics
    import uuid

    import httpx

    from instantly_columns.api.ratelimit import Rate, RedisBackend
    from instantly_columns.clock import SystemClock
    from instantly_columns.testing import FakeInstantly

    backend = RedisBackend(
        redis_url, rates=[Rate(10**9, 1.0)], prefix=f"bench-{uuid.uuid4().hex[:8]}:"
    )
    clock = SystemClock()
    for _ in range(100):
        backend.reserve("warm", clock)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        backend.reserve("ws", clock)
        times.append(time.perf_counter() - t)
    fake = FakeInstantly(rate_limits=False)
    key = fake.create_api_key()
    requests = []
    with (
        fake.serve() as url,
        httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {key}", "User-Agent": "bench"}
        ) as http,
    ):
        for _ in range(200):
            t = time.perf_counter()
            http.get("/api/v2/workspaces/current").raise_for_status()
            requests.append(time.perf_counter() - t)
    return {
        "reserve_us": statistics.median(times) * 1e6,
        "reserve_p99_us": sorted(times)[int(len(times) * 0.99)] * 1e6,
        "request_us": statistics.median(requests[20:]) * 1e6,
    }


def _ready(tasks: Any, count: int, timeout: float = 60.0) -> None:
    """Wait until ``count`` workers answer a ping, so every round starts with all of them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(tasks.sync.app.control.ping(timeout=0.5) or []) >= count:
            return
    raise TimeoutError(f"{count} workers did not start in {timeout:.0f} s")


def table(rows: Sequence[dict[str, Any]], *, per_second: int, workspaces: int) -> str:
    lines = [
        "| workers | syncs | requests | wall time | requests/s | rate-limit floor | "
        "share of the floor's speed | 429s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['workers']} | {row['links']} | {row['requests']} | {row['seconds']:.1f} s "
            f"| {row['per_second']:.1f} | {row['floor_seconds']:.1f} s "
            f"({workspaces} × {per_second}/s) | {row['of_floor']:.0%} | {row['violations']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--dsn", default=os.environ.get("INSTANTLY_COLUMNS_TEST_DSN"))
    parser.add_argument("--redis", default=os.environ.get("INSTANTLY_COLUMNS_TEST_REDIS"))
    parser.add_argument("--links", type=int, default=24)
    parser.add_argument("--workspaces", type=int, default=2)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--per-second", type=int, default=15)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args(argv)
    if not args.dsn or not args.redis:
        print("fleet: skipped (needs INSTANTLY_COLUMNS_TEST_DSN and INSTANTLY_COLUMNS_TEST_REDIS)")
        return 0
    rows = measure(
        args.dsn,
        args.redis,
        workspaces=args.workspaces,
        links=args.links,
        rows=args.rows,
        per_second=args.per_second,
        latency=args.latency,
    )
    print(table(rows, per_second=args.per_second, workspaces=args.workspaces))
    cost = reservation_cost(args.redis)
    print(
        f"\nA reservation over Redis: median {cost['reserve_us']:.0f} µs (p99 "
        f"{cost['reserve_p99_us']:.0f} µs); a request to the fake on loopback: "
        f"{cost['request_us']:.0f} µs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
