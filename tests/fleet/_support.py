"""What the fleet tests and the fleet benchmark share: workspaces of FakeInstantly behind one
loopback server, linked tables in a PostgreSQL schema, and real `celery worker` processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from instantly_columns.api.ratelimit import MemoryWindow, Rate, WorkspaceLimiter
from instantly_columns.domain.wizard import (
    CampaignAnswer,
    ConnectAnswer,
    CreateAnswer,
    MappingAnswer,
    SequenceAnswer,
    WizardState,
)
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.storage.postgres import PostgresStore
from instantly_columns.testing import FakeClock, FakeInstantly
from instantly_columns.testing._fake_server import LoopbackServer
from reliability._support import (
    SECRET,
    Service,
    World,
    _quiet_dropped_connections,
    campaign_with_steps,
    drop_schema,
    lead_rows,
    setup_table,
)

REDIS_VARIABLE = "INSTANTLY_COLUMNS_TEST_REDIS"
ROOT = Path(__file__).resolve().parents[2]


def resolve_redis(environ: Mapping[str, str]) -> str:
    """The test Redis URL. Missing: a failure on CI, a skip (with a hint) elsewhere."""
    import pytest

    url = environ.get(REDIS_VARIABLE, "").strip()
    if url:
        return url
    message = (
        f"{REDIS_VARIABLE} is not set, so the Celery fleet tests cannot run; start a throwaway "
        f'server with `export {REDIS_VARIABLE}="$(scripts/redis-throwaway.sh start)"`'
    )
    if environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " (on CI these tests must run)", pytrace=False)
    pytest.skip(message)
    raise AssertionError(message)  # not reached: skip raises


@attrs.frozen
class Sizes:
    workspaces: int = 5
    campaigns: int = 10
    """Campaigns (each a table and a link) per workspace."""
    rows: int = 6
    per_second: int = 20
    """The fake's limit per workspace (the limiter runs 10% under it)."""
    per_minute: int = 1200
    latency: float = 0.05
    page_size: int = 2
    lease: float = 3.0
    visibility: float = 5.0


@contextlib.contextmanager
def serve_workspaces(fakes: Sequence[FakeInstantly], keys: Sequence[str]) -> Iterator[str]:
    """One loopback server in front of several fake workspaces: each request goes to the fake
    whose key it carries (as Instantly routes a key to its workspace). Rate limits run on real
    time, per fake, so each fake's report counts its own workspace's violations."""
    by_key = dict(zip(keys, fakes, strict=True))

    def process(incoming: Any) -> Any:
        auth = str(incoming.headers.get("authorization", ""))
        fake = by_key.get(auth.removeprefix("Bearer ").strip(), fakes[0])
        return fake._process(incoming, timeout=None, real_time=True)

    server = LoopbackServer(process)
    with _quiet_dropped_connections():
        base_url = server.start()
        try:
            yield base_url
        finally:
            server.stop()


@attrs.define
class Fleet:
    """Workspaces, their linked tables in one PostgreSQL schema, and the worker processes."""

    sizes: Sizes
    dsn: str
    schema: str
    redis_url: str
    queue: str
    fakes: list[FakeInstantly]
    keys: list[str]
    store: PostgresStore
    worlds: list[World]
    """One per link: its fake, table, link and campaign (``service`` is the set-up one)."""
    base_url: str = ""
    workers: list[subprocess.Popen[bytes]] = attrs.Factory(list)
    logs: Path | None = None

    def env(self) -> dict[str, str]:
        paths = [str(ROOT / "src"), str(ROOT), str(ROOT / "tests")]
        old = os.environ.get("PYTHONPATH")
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([*paths, *([old] if old else [])]),
            "FLEET_REDIS": self.redis_url,
            "FLEET_DSN": self.dsn,
            "FLEET_SCHEMA": self.schema,
            "FLEET_SECRET": SECRET,
            "FLEET_QUEUE": self.queue,
            "FLEET_PER_SECOND": str(self.sizes.per_second),
            "FLEET_PER_MINUTE": str(self.sizes.per_minute),
            "FLEET_LEASE": str(self.sizes.lease),
            "FLEET_VISIBILITY": str(self.sizes.visibility),
            "FLEET_MARKS": str(self.marks()),
            "INSTANTLY_BASE_URL": self.base_url,
            "INSTANTLY_PAGE_SIZE": str(self.sizes.page_size),
            "INSTANTLY_TIMEOUT": "30",
        }

    def marks(self) -> Path:
        assert self.logs is not None
        folder = self.logs / "marks"
        folder.mkdir(exist_ok=True)
        return folder

    def kill_mid_task(self, task: str, timeout: float = 30.0) -> subprocess.Popen[bytes]:
        """SIGKILL a worker that is running ``task`` right now (it started less than 0.2 s
        ago, so it is far from done)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.workers:
                if process.poll() is not None:
                    continue
                mark = self.marks() / str(process.pid)
                try:
                    name, age = mark.read_text(), time.time() - mark.stat().st_mtime
                except FileNotFoundError:
                    continue
                if name == task and age < 0.2:
                    self.kill(process)
                    return process
            time.sleep(0.01)
        raise AssertionError(f"no worker was seen starting {task}")

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        assert self.logs is not None
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "fleet.worker_app",
                "worker",
                "--pool=solo",
                f"--loglevel={os.environ.get('FLEET_LOGLEVEL', 'WARNING')}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}@fleet-{self.queue}",
                "-Q",
                self.queue,
            ],
            env=self.env(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.workers.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_workers(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.terminate()
        for process in self.workers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def worker_logs(self) -> str:
        if self.logs is None:
            return ""
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.logs.glob("*.log"))
        )

    def close(self) -> None:
        self.stop_workers()
        for world in self.worlds:
            world.service.close()
        self.store.close()
        drop_schema(self.dsn, self.schema)


def setup_fleet(dsn: str, redis_url: str, sizes: Sizes, *, seed: int, logs: Path) -> Fleet:
    """Fake workspaces with campaigns, and one table per campaign linked by the wizard in a
    fresh PostgreSQL schema (keys stored per workspace credential). Set-up runs in this
    process on each fake's own clock, within the fake's rate limits."""
    schema = f"fleet_{uuid.uuid4().hex[:10]}"
    store = PostgresStore(dsn, schema=schema, pool_size=4)
    fakes: list[FakeInstantly] = []
    keys: list[str] = []
    worlds: list[World] = []
    rates = [Rate(sizes.per_second, 1.0), Rate(sizes.per_minute, 60.0)]
    rows_per_table = sizes.rows
    for w in range(sizes.workspaces):
        fake = FakeInstantly(
            clock=FakeClock(),
            seed=seed + w,
            per_second=sizes.per_second,
            per_minute=sizes.per_minute,
        )
        key = fake.create_api_key(name=f"fleet-{w}")
        fakes.append(fake)
        keys.append(key)
        service = Service(
            InstantlyColumns(
                store,
                transport=fake.as_transport(),
                clock=fake.clock,
                webhook_secret=SECRET,
                lease_seconds=sizes.lease,
                limiter=WorkspaceLimiter(f"setup-{w}", backend=MemoryWindow(rates)),
            )
        )
        for c in range(sizes.campaigns):
            table = f"w{w}c{c}"
            rows = lead_rows(rows_per_table, start=(w * sizes.campaigns + c) * rows_per_table)
            setup_table(store, table, rows)
            campaign_id = campaign_with_steps(fake, name=f"Fleet {w}.{c}")
            link = wizard_link(service, key, table, campaign_id, credential=f"ws{w}")
            worlds.append(
                World(fake, store, service, None, key, table, link, campaign_id, rows)  # type: ignore[arg-type]
            )
    if sizes.latency > 0:  # from now on every answer takes this long (slept for real)
        for fake in fakes:
            fake.faults.latency(sizes.latency)
    return Fleet(
        sizes=sizes,
        dsn=dsn,
        schema=schema,
        redis_url=redis_url,
        queue=f"fleet-{uuid.uuid4().hex[:8]}",
        fakes=fakes,
        keys=keys,
        store=store,
        worlds=worlds,
        logs=logs,
    )


def wizard_link(
    service: Service, key: str, table: str, campaign_id: str, *, credential: str
) -> str:
    """Run the wizard with the workspace's own credential: connect, the existing campaign,
    its own steps, detected mapping."""
    state = WizardState(table_id=table, credential_id=credential)
    for answer in (
        ConnectAnswer(api_key=key),
        CampaignAnswer(campaign_id=campaign_id),
        SequenceAnswer(mode="use_existing"),
        MappingAnswer(),
        CreateAnswer(),
    ):
        state = service.wizard_advance(state, answer)
        assert not state.problems, state.problems
    assert state.step == "done"
    assert state.link_id is not None
    return str(state.link_id)


def wait_all(results: Sequence[Any], timeout: float) -> list[Any]:
    """Every task's result (raising the first failure), within ``timeout`` seconds overall."""
    deadline = time.monotonic() + timeout
    out = []
    for result in results:
        out.append(result.get(timeout=max(0.1, deadline - time.monotonic()), propagate=True))
    return out


def wait_until_running(store: PostgresStore, links: Sequence[str], timeout: float) -> bool:
    """Whether some link has a ``running`` sync within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for link in links:
            runs = store.runs(link, limit=1)
            if runs and runs[0].status == "running" and runs[0].kind == "sync":
                return True
        time.sleep(0.05)
    return False
