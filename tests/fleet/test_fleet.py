"""Three real `celery worker` processes push and sync 50 campaigns of 5 workspaces against
FakeInstantly's loopback server, with a PostgreSQL store and Redis as broker and as the
shared rate limiter; one worker is killed with SIGKILL mid-task in each phase. The final
state must equal a single-process run, with no duplicate lead, no lost or backwards cell,
and no request refused by any workspace's rate limit.

Sizes are small here; ``FLEET_SCALE=N`` multiplies the campaigns and rows (``make fleet``)."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from contract.conftest import resolve_dsn
from instantly_columns.storage.memory import MemoryStore
from reliability._support import (
    SECRET,
    Check,
    compare_cells,
    engagement_cells,
    engagement_check,
    push_cells,
    push_check,
    subscribe,
)

from ._support import (
    Fleet,
    Sizes,
    resolve_redis,
    serve_workspaces,
    setup_fleet,
    wait_all,
    wait_until_running,
)

pytestmark = [pytest.mark.postgres]

celery = pytest.importorskip("celery")

SEED = 20261201
WORKERS = 3


def _sizes() -> Sizes:
    scale = int(os.environ.get("FLEET_SCALE", "1") or 1)
    return Sizes(campaigns=10 * scale, rows=6 * scale)


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    dsn = resolve_dsn(os.environ)
    redis_url = resolve_redis(os.environ)
    made = setup_fleet(dsn, redis_url, _sizes(), seed=SEED, logs=tmp_path)
    try:
        with serve_workspaces(made.fakes, made.keys) as base_url:
            made.base_url = base_url
            yield made
    finally:
        made.close()


def _app(fleet: Fleet) -> Any:
    from fleet.worker_app import make

    app, tasks = make(fleet.env())
    return app, tasks


def _twin_cells(fleet: Fleet) -> tuple[dict[str, Any], dict[str, Any]]:
    """A single-process run of the same pushes and syncs: a twin of every table in a memory
    store, linked to the same campaigns, pushed and synced one link at a time in process
    (after the fleet's own run, so it meets the same Instantly state)."""
    from fleet._support import wizard_link
    from instantly_columns.api.ratelimit import MemoryWindow, Rate, WorkspaceLimiter
    from instantly_columns.service.facade import InstantlyColumns
    from reliability._support import Service, setup_table

    store = MemoryStore()
    lead_ids: dict[str, Any] = {}
    cells: dict[str, Any] = {}
    rates = [Rate(fleet.sizes.per_second, 1.0), Rate(fleet.sizes.per_minute, 60.0)]
    services: dict[int, Service] = {}
    for world in fleet.worlds:
        w = fleet.fakes.index(world.fake)
        if w not in services:
            services[w] = Service(
                InstantlyColumns(
                    store,
                    transport=world.fake.as_transport(),
                    clock=world.fake.clock,
                    limiter=WorkspaceLimiter(f"twin-{w}", backend=MemoryWindow(rates)),
                )
            )
        service = services[w]
        setup_table(store, world.table, world.rows)
        link = wizard_link(service, world.key, world.table, world.campaign_id, credential=f"ws{w}")
        service.push(link)
        report = service.sync(link)
        assert report.ok, report
        lead_ids[world.table] = {
            row: (cell or {}).get("lead_id")
            for row, cell in push_cells(store, world.table, link).items()
        }
        cells[world.table] = engagement_cells(store, world.table, link)
    for service in services.values():
        service.close()
    return lead_ids, cells


def test_a_fleet_of_three_workers_matches_one_process(fleet: Fleet) -> None:
    _, tasks = _app(fleet)
    rng = random.Random(SEED)
    for i in range(WORKERS):
        fleet.start_worker(f"w{i}")
    try:
        # --- pushes, one task per link, a worker killed mid-way ---
        pushes = [tasks.push.delay(world.link) for world in fleet.worlds]
        time.sleep(rng.random())
        fleet.kill_mid_task("instantly_columns.push")
        fleet.start_worker("w3")  # back to three
        wait_all(pushes, timeout=120)

        for fake in fleet.fakes:
            for campaign in fake.campaigns():
                fake.activate(campaign["id"])
            fake.advance(timedelta(days=3))

        # --- syncs, queued by the schedule from due(); a worker killed mid-sync ---
        queued = tasks.schedule.delay().get(timeout=60)
        assert sorted(queued) == sorted(w.link for w in fleet.worlds)
        assert wait_until_running(fleet.store, [w.link for w in fleet.worlds], timeout=30)
        # The schedule again, here: a link still due is guarded while its sync is queued or
        # running. (One whose sync ended between due() and the guard is queued again: an
        # extra sync that changes nothing.)
        again = tasks.schedule.apply().get()
        for link in again:
            runs = fleet.store.runs(link, limit=5)
            assert any(r.status in ("ok", "partial") and r.kind == "sync" for r in runs), link
        assert len(again) < len(fleet.worlds) / 2, again
        time.sleep(rng.random() / 2)
        fleet.kill_mid_task("instantly_columns.sync")
        deadline = time.monotonic() + 150
        pending = {w.link for w in fleet.worlds}
        while pending and time.monotonic() < deadline:
            for link in sorted(pending):
                # The pushes' runs share the history (and the lease): wait for a sync's.
                runs = [r for r in fleet.store.runs(link, limit=5) if r.kind == "sync"]
                if runs and runs[0].status in ("ok", "partial"):
                    pending.discard(link)
            time.sleep(0.2)
        assert not pending, f"{len(pending)} links never synced\n{fleet.worker_logs()}"
    except BaseException:
        print(fleet.worker_logs())
        raise
    finally:
        fleet.stop_workers()

    # Each link's sync finished; some were taken over from the killed worker.
    takeovers = sum(
        1
        for world in fleet.worlds
        for run in fleet.store.runs(world.link, limit=20)
        if run.status == "failed" and run.kind == "sync"
    )
    assert takeovers >= 1, "the killed worker held no sync lease: it was not mid-sync"

    total = Check()
    for world in fleet.worlds:
        total.merge(push_check(world))
        total.merge(engagement_check(world))
    assert total.clean, total.problems[:10]

    for w, fake in enumerate(fleet.fakes):
        report = fake.report()
        assert report.limit_violations == (), (w, len(report.limit_violations))
        assert report.peak_per_second <= fleet.sizes.per_second

    lead_ids, cells = _twin_cells(fleet)
    for world in fleet.worlds:
        fleet_ids = {
            row: (cell or {}).get("lead_id")
            for row, cell in push_cells(fleet.store, world.table, world.link).items()
        }
        assert fleet_ids == lead_ids[world.table], world.table
        same = compare_cells(
            engagement_cells(fleet.store, world.table, world.link),
            cells[world.table],
            "the single-process run",
        )
        assert same.clean, (world.table, same.problems[:5])


def test_webhook_deliveries_out_of_order_on_three_workers(tmp_path: Path) -> None:
    """Deliveries queued by the ASGI receiver, shuffled, applied at once by three workers on
    PostgreSQL: the cells equal those of the same deliveries applied in order in process."""
    import anyio
    import httpx

    from instantly_columns.asgi import webhook_app
    from reliability._support import build_world

    dsn = resolve_dsn(os.environ)
    redis_url = resolve_redis(os.environ)
    sizes = Sizes(workspaces=1, campaigns=0, per_second=100, per_minute=6000)
    made = setup_fleet(dsn, redis_url, sizes, seed=SEED + 99, logs=tmp_path)
    fake = made.fakes[0]
    world = build_world(made.store, rows=40, seed=SEED, fake=fake, table="hooks")
    twin_store = MemoryStore()
    twin = build_world(
        twin_store,
        rows=world.rows,
        seed=SEED,
        fake=fake,
        table="hooks",
        campaign_id=world.campaign_id,
    )
    captured = subscribe(world, "https://hooks.example.test/fleet")
    world.service.push(world.link)
    fake.activate(world.campaign_id)
    fake.advance(timedelta(days=5))
    bodies = list(captured.bodies)
    assert len(bodies) > 40
    for body in bodies:  # the reference: in order, one at a time, in process
        twin.service.ingest_webhook(body, query={"token": SECRET})
    reference = engagement_cells(twin_store, "hooks", twin.link)
    # Each delivery twice, shuffled: replays and reordering at once.
    shuffled = bodies + bodies
    random.Random(SEED).shuffle(shuffled)
    try:
        with serve_workspaces(made.fakes, [world.key]) as base_url:
            made.base_url = base_url
            app, tasks = _app(made)
            receiver = webhook_app(tasks.webhook_receiver(SECRET))

            async def post_all() -> None:
                transport = httpx.ASGITransport(app=receiver)
                async with httpx.AsyncClient(transport=transport, base_url="http://hooks") as c:
                    for body in shuffled:
                        answer = await c.post(f"/?token={SECRET}", content=body)
                        assert answer.status_code == 202, answer.text
                        assert answer.json()["queued"] is True
                    forged = await c.post("/?token=wrong", content=shuffled[0])
                    assert forged.status_code == 401

            anyio.run(post_all)
            for i in range(WORKERS):
                made.start_worker(f"h{i}")
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                if engagement_cells(made.store, "hooks", world.link) == reference and not _queued(
                    app, made.queue
                ):
                    break
                time.sleep(0.3)
            made.stop_workers()
            cells = engagement_cells(made.store, "hooks", world.link)
            same = compare_cells(cells, reference, "the in-order run")
            assert same.clean, (same.problems[:5], made.worker_logs())
            assert fake.report().limit_violations == ()
    finally:
        world.service.close()
        twin.service.close()
        made.close()


def _queued(app: Any, queue: str) -> int:
    with app.connection_for_read() as conn:
        return int(conn.default_channel.client.llen(queue))
