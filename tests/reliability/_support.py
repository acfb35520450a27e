"""What every reliability case shares: worlds (a fake Instantly, a store, the service, a linked
lead table), stores a child process can open again, the seeded tripwire that kills a process
or fails a store call at effect or call number N, child processes, the invariant checks, and
the tally a case returns."""

from __future__ import annotations

import contextlib
import inspect
import json
import multiprocessing
import os
import random
import signal
import tempfile
import threading
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import anyio
import attrs

from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES, Column, Row, column_key
from instantly_columns.domain.engagement import email_status_rank, project_all
from instantly_columns.domain.mapping import normalize_email
from instantly_columns.domain.wizard import (
    CampaignAnswer,
    ConnectAnswer,
    CreateAnswer,
    MappingAnswer,
    SequenceAnswer,
    WizardState,
)
from instantly_columns.engine.drivers import SyncDriver
from instantly_columns.engine.effects import Effect
from instantly_columns.errors import InstantlyColumnsError, StoreError
from instantly_columns.ports import Clock, Transport
from instantly_columns.service.facade import AsyncInstantlyColumns, InstantlyColumns
from instantly_columns.storage import MemoryStore, SQLiteStore
from instantly_columns.testing import FakeClock, FakeInstantly

SECRET = "s3cret-reliability"
"""The webhook secret of every world."""
LEASE = 30.0
"""The sync lease of every service (the library's default)."""
HEADERS = ("Email", "First Name", "Last Name", "Company", "Plan")
FIELDS = ("email", "first", "last", "company", "plan")
DSN_VARIABLE = "INSTANTLY_COLUMNS_TEST_DSN"
IN_CAMPAIGN = frozenset({"pushed", "already_in_campaign"})

StoreKind = Literal["memory", "sqlite", "sqlite-file", "postgres"]
Face = Literal["sync", "async"]


# --- tallies ---------------------------------------------------------------------------------


@attrs.define
class Check:
    """What one look at a world found: each count is a broken promise; ``problems`` are other
    things that must not happen (a wrong lead id, an untyped error, a run that did not end)."""

    duplicates: int = 0
    lost: int = 0
    backwards: int = 0
    problems: list[str] = attrs.Factory(list)
    notes: Counter[str] = attrs.Factory(Counter)
    """What happened, for the report (not a failure): "killed", "refused by the lease"..."""

    @property
    def clean(self) -> bool:
        return not (self.duplicates or self.lost or self.backwards or self.problems)

    def merge(self, other: Check) -> Check:
        self.duplicates += other.duplicates
        self.lost += other.lost
        self.backwards += other.backwards
        self.problems += other.problems
        self.notes.update(other.notes)
        return self


@attrs.define
class Tally:
    """The figures of one case: trials run, trials that broke a promise (or raised what they
    must not), and the broken promises counted. ``measured`` says which of the three counts
    the case can see at all (the others read "n/a" in the report)."""

    case: str
    group: str
    measured: frozenset[str] = frozenset({"duplicates", "lost", "backwards"})
    trials: int = 0
    failures: int = 0
    duplicates: int = 0
    lost: int = 0
    backwards: int = 0
    examples: list[str] = attrs.Factory(list)
    notes: Counter[str] = attrs.Factory(Counter)
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return not (self.failures or self.duplicates or self.lost or self.backwards)

    def add(self, check: Check, label: str = "") -> None:
        self.trials += 1
        self.notes.update(check.notes)
        self.duplicates += check.duplicates
        self.lost += check.lost
        self.backwards += check.backwards
        if not check.clean:
            self.failures += 1
            if len(self.examples) < 5:
                counts = f"duplicates={check.duplicates} lost={check.lost} "
                counts += f"backwards={check.backwards}"
                detail = "; ".join(check.problems[:3])
                self.examples.append(f"{label}: {counts}; {detail}".strip())

    def run(self, label: str, trial: Callable[[], Check]) -> None:
        """Run one trial; an exception it lets out is a failed trial, with its traceback."""
        try:
            check = trial()
        except Exception as exc:
            tail = "".join(traceback.format_exception(exc)[-3:]).strip()
            check = Check(problems=[f"the trial raised {type(exc).__name__}: {exc} | {tail}"])
        self.add(check, label)

    def summary(self) -> str:
        lines = [
            f"{self.case}: {self.trials} trials, {self.failures} failures, "
            f"{self.duplicates} duplicate leads, {self.lost} lost, {self.backwards} backwards"
        ]
        lines += [f"  - {e}" for e in self.examples]
        return "\n".join(lines)


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def typed(exc: BaseException) -> bool:
    """Whether an error is one the library raises on purpose."""
    return isinstance(exc, InstantlyColumnsError)


# --- stores ----------------------------------------------------------------------------------


def postgres_dsn() -> str | None:
    return os.environ.get(DSN_VARIABLE, "").strip() or None


@attrs.frozen
class StoreSpec:
    """How to open a store again, in this process or a child: a SQLite file, or a
    PostgreSQL schema."""

    kind: Literal["sqlite-file", "postgres"]
    where: str
    schema: str = "public"

    def open(self) -> Any:
        if self.kind == "sqlite-file":
            return SQLiteStore(self.where)
        from instantly_columns.storage import PostgresStore

        return PostgresStore(self.where, schema=self.schema)


def drop_schema(dsn: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextlib.contextmanager
def shared_store(
    kind: StoreKind, workdir: Path | None = None
) -> Iterator[tuple[StoreSpec | None, Any]]:
    """A store for a case; file and PostgreSQL stores come with the spec a child opens them
    by. A PostgreSQL schema is dropped afterwards."""
    if kind == "memory":
        yield None, MemoryStore()
        return
    if kind == "sqlite":
        with SQLiteStore(":memory:") as store:
            yield None, store
        return
    if kind == "sqlite-file":
        folder = workdir or Path(tempfile.gettempdir())
        spec = StoreSpec("sqlite-file", str(folder / f"case-{uuid.uuid4().hex[:8]}.db"))
        store = spec.open()
        try:
            yield spec, store
        finally:
            store.close()
        return
    dsn = postgres_dsn()
    if dsn is None:
        raise RuntimeError(f"{DSN_VARIABLE} is not set")
    spec = StoreSpec("postgres", dsn, f"ic_rel_{uuid.uuid4().hex[:12]}")
    try:
        store = spec.open()
        try:
            yield spec, store
        finally:
            store.close()
    finally:
        drop_schema(dsn, spec.schema)


# --- the tripwire: kill or fail at effect or store call number N -----------------------------


@attrs.frozen
class Trip:
    """Where to strike: before or after the ``at``-th effect the driver performs, or the
    ``at``-th store call, counted from 1."""

    kind: Literal["effect", "store"]
    at: int
    after: bool = False

    def __str__(self) -> str:
        return f"{'after' if self.after else 'before'} {self.kind} #{self.at}"


def sigkill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class Tripwire:
    """Counts the effects a driver performs and the calls a store receives, and strikes
    (``action``) at the armed one. Thread-safe: a ``Gather`` performs effects in threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.effects = 0
        self.store_calls = 0
        self.trip: Trip | None = None
        self.action: Callable[[Trip], None] = lambda _trip: sigkill()
        self.fired = 0
        self.rate = 0.0
        self.rng: random.Random | None = None

    def arm(self, trip: Trip | None, action: Callable[[Trip], None] | None = None) -> None:
        with self._lock:
            self.effects = self.store_calls = 0
            self.trip = trip
            if action is not None:
                self.action = action

    def disarm(self) -> None:
        with self._lock:
            self.trip = None
            self.rate = 0.0

    def flaky(self, rate: float, rng: random.Random, action: Callable[[Trip], None]) -> None:
        """Strike before or after any store call, each with probability ``rate / 2``."""
        with self._lock:
            self.rate, self.rng, self.action = rate, rng, action

    def _tick(self, kind: str, after: bool) -> None:
        with self._lock:
            if not after:
                if kind == "effect":
                    self.effects += 1
                else:
                    self.store_calls += 1
            trip = self.trip
            count = self.effects if kind == "effect" else self.store_calls
            strike = trip is not None and trip.kind == kind and trip.after == after
            strike = strike and trip is not None and count == trip.at
            flaky = kind == "store" and self.rate > 0 and self.rng is not None
            if flaky and self.rng is not None and self.rng.random() < self.rate / 2:
                trip, strike = Trip("store", count, after), True
            if strike:
                self.fired += 1
                if trip is self.trip:
                    self.trip = None  # an armed trip strikes once
        if strike and trip is not None:
            self.action(trip)

    def before(self, kind: Literal["effect", "store"]) -> None:
        self._tick(kind, after=False)

    def after(self, kind: Literal["effect", "store"]) -> None:
        self._tick(kind, after=True)


class TrippingStore:
    """A store whose every public method call passes the tripwire before and after the real
    call (so a strike after a write inside ``atomic()`` lands inside the transaction)."""

    def __init__(self, inner: Any, wire: Tripwire) -> None:
        self._inner = inner
        self._wire = wire

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if name.startswith("_") or not callable(found):
            return found
        wire = self._wire

        def call(*args: Any, **kwargs: Any) -> Any:
            wire.before("store")
            result = found(*args, **kwargs)
            wire.after("store")
            return result

        return call

    def __repr__(self) -> str:
        return f"TrippingStore({self._inner!r})"


class CountingDriver(SyncDriver):
    """The blocking driver, passing the tripwire before and after every effect it performs
    (the effects of ``Gather`` sub-flows too)."""

    def __init__(self, transport: Transport, clock: Clock, *, wire: Tripwire) -> None:
        super().__init__(transport, clock)
        self._wire = wire

    def _perform(self, effect: Effect) -> Any:
        self._wire.before("effect")
        try:
            return super()._perform(effect)
        finally:
            self._wire.after("effect")


def store_failure(trip: Trip) -> None:
    raise StoreError(f"injected store failure {trip}")


# --- worlds ----------------------------------------------------------------------------------


def lead_rows(n: int, *, start: int = 0) -> list[Row]:
    return [
        Row(
            id=f"r{i:06d}",
            cells={
                "email": f"person{i}@example.com",
                "first": f"First{i}",
                "last": f"Last{i}",
                "company": f"Company {i % 7}",
                "plan": ["free", "pro", "team"][i % 3],
            },
        )
        for i in range(start, start + n)
    ]


def setup_table(store: Any, table: str, rows: Sequence[Row]) -> None:
    store.create_table(table, "Leads")
    store.save_columns(
        table, [Column(id=i, key=i, name=h) for i, h in zip(FIELDS, HEADERS, strict=True)]
    )
    if rows:
        store.insert_rows(table, list(rows))


def campaign_with_steps(fake: FakeInstantly, name: str = "Reliability") -> str:
    step = {
        "type": "email",
        "delay": 2,
        "variants": [{"subject": "Hi {{firstName}}", "body": "Quick question"}],
    }
    campaign = fake.create_campaign(name=name, sequences=[{"steps": [step, step]}])
    return str(campaign["id"])


class Service:
    """Either face of the service, called the same way: async methods run to completion."""

    def __init__(self, inner: InstantlyColumns | AsyncInstantlyColumns) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not inspect.iscoroutinefunction(attr):
            return attr

        def run(*args: Any, **kwargs: Any) -> Any:
            async def main() -> Any:
                return await attr(*args, **kwargs)

            return anyio.run(main)

        return run

    def close(self) -> None:
        if isinstance(self.inner, InstantlyColumns):
            self.inner.close()
        else:
            anyio.run(self.inner.aclose)


def make_service(
    store: Any, fake: FakeInstantly, *, face: Face = "sync", clock: Clock | None = None
) -> Service:
    clock = clock or fake.clock
    if face == "sync":
        return Service(
            InstantlyColumns(
                store,
                transport=fake.as_transport(),
                clock=clock,
                webhook_secret=SECRET,
                lease_seconds=LEASE,
            )
        )
    return Service(
        AsyncInstantlyColumns(
            store,
            transport=fake.as_async_transport(),
            clock=clock,
            webhook_secret=SECRET,
            lease_seconds=LEASE,
        )
    )


def wizard_link(service: Service, key: str, table: str, campaign_id: str) -> str:
    """Run the wizard: connect, the existing campaign, its own steps, detected mapping."""
    state = WizardState(table_id=table)
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


@attrs.define
class World:
    """One fake workspace and one linked table in a store. ``service`` goes through the
    tripwire (disarmed unless a trial arms it); the checks read ``store`` directly."""

    fake: FakeInstantly
    store: Any
    service: Service
    wire: Tripwire
    key: str
    table: str
    link: str
    campaign_id: str
    rows: list[Row]

    @property
    def clock(self) -> FakeClock:
        return self.fake.clock

    def close(self) -> None:
        self.service.close()


def build_world(
    store: Any,
    *,
    rows: int | Sequence[Row],
    seed: int,
    table: str = "leads",
    face: Face = "sync",
    fake: FakeInstantly | None = None,
    campaign_id: str | None = None,
) -> World:
    """A table of ``rows`` linked by the wizard to a two-step campaign of a fresh fake (or of
    ``fake``'s ``campaign_id``: a second store on the same workspace)."""
    fake = fake or FakeInstantly(clock=FakeClock(), seed=seed)
    key = fake.create_api_key(name="reliability")
    wire = Tripwire()
    service = make_service(TrippingStore(store, wire), fake, face=face)
    table_rows = lead_rows(rows) if isinstance(rows, int) else list(rows)
    setup_table(store, table, table_rows)
    campaign_id = campaign_id or campaign_with_steps(fake)
    link = wizard_link(service, key, table, campaign_id)
    return World(fake, store, service, wire, key, table, link, campaign_id, table_rows)


def engage(world: World, *, days: float = 3, more_days: float = 4) -> None:
    """Push every row, let the campaign run ``days``, sync, then let it run ``more_days`` so
    that the next sync has cells to move forward."""
    world.service.push(world.link)
    world.fake.activate(world.campaign_id)
    world.fake.advance(timedelta(days=days))
    report = world.service.sync(world.link)
    assert report.ok, report
    if more_days:
        world.fake.advance(timedelta(days=more_days))


def push_through_lease(world: World, *, release: bool) -> Any:
    """Push; if a dead worker's lease is in the way, ``release`` it or let it lapse, then
    push again (as ``sync_through_lease``: a push holds the link's lease too)."""
    from instantly_columns.errors import SyncInProgress

    try:
        return world.service.push(world.link)
    except SyncInProgress:
        if release:
            world.service.release(world.link)
        else:
            world.clock.advance(LEASE + 1)
        return world.service.push(world.link)


def sync_through_lease(world: World, *, release: bool) -> Any:
    """Sync; if a dead worker's lease is in the way, ``release`` it (the operator's way) or
    let it lapse (the next scheduled sync), then sync again."""
    from instantly_columns.errors import SyncInProgress

    try:
        return world.service.sync(world.link)
    except SyncInProgress:
        if release:
            world.service.release(world.link)
        else:
            world.clock.advance(LEASE + 1)
        return world.service.sync(world.link)


# --- webhooks -------------------------------------------------------------------------------


@attrs.define
class Deliveries:
    """Webhook deliveries captured from the fake, to hand to the service ourselves."""

    bodies: list[bytes] = attrs.Factory(list)

    def receive(self, delivery: Any) -> None:
        self.bodies.append(delivery.body)


def subscribe(world: World, url: str) -> Deliveries:
    """Subscribe ``url`` to every event of the workspace and capture what is delivered."""
    from instantly_columns.api.client import InstantlyClient

    captured = Deliveries()
    client = InstantlyClient(world.key, transport=world.fake.as_transport(), clock=world.clock)
    client.create_webhook(url, "all_events", headers={"X-Instantly-Columns-Token": SECRET})
    client.close()
    world.fake.add_webhook_receiver(url, captured.receive)
    return captured


def deliver(world: World, bodies: Sequence[bytes], check: Check, *, strict: bool) -> list[bytes]:
    """Hand each body to the service; returns those that failed (Instantly retries them). A
    failure that is not a typed error is a problem; with ``strict`` any failure is."""
    failed: list[bytes] = []
    for body in bodies:
        try:
            world.service.ingest_webhook(body, query={"token": SECRET})
        except Exception as exc:
            failed.append(body)
            if strict or not typed(exc):
                check.problems.append(f"a delivery raised {error_text(exc)}")
    return failed


@attrs.frozen
class WebhookWorld:
    """A pushed, running campaign's deliveries, and the reference: the engagement cells the
    same deliveries leave when applied in order, without faults, to a twin table (another
    store, another link, the same workspace)."""

    world: World
    bodies: list[bytes]
    reference: dict[str, dict[str, Any]]


def webhook_world(
    store: Any, *, rows: int, seed: int, face: Face = "sync", table: str = "leads", days: float = 4
) -> WebhookWorld:
    world = build_world(store, rows=rows, seed=seed, face=face, table=table)
    captured = subscribe(world, f"https://hooks.example.test/{table}")
    world.service.push(world.link)
    world.fake.activate(world.campaign_id)
    twin_store = MemoryStore()
    twin = build_world(
        twin_store,
        rows=world.rows,
        seed=seed,
        table=table,
        fake=world.fake,
        campaign_id=world.campaign_id,
    )
    world.fake.advance(timedelta(days=days))
    check = Check()
    deliver(twin, captured.bodies, check, strict=True)
    assert check.clean, check.problems
    reference = engagement_cells(twin_store, table, twin.link)
    twin.close()
    return WebhookWorld(world, captured.bodies, reference)


# --- the loopback fake and child processes ---------------------------------------------------


@contextlib.contextmanager
def _quiet_dropped_connections() -> Iterator[None]:
    """A killed child drops its connections; the server thread answering it then prints a
    traceback for the reset or broken pipe. Those are expected here: keep them off stderr
    while serving (any other error still prints)."""
    import socketserver
    import sys

    original = socketserver.BaseServer.handle_error

    def handle_error(self: socketserver.BaseServer, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            original(self, request, client_address)

    socketserver.BaseServer.handle_error = handle_error  # type: ignore[method-assign]
    try:
        yield
    finally:
        socketserver.BaseServer.handle_error = original  # type: ignore[method-assign]


@contextlib.contextmanager
def served(fake: FakeInstantly) -> Iterator[str]:
    """The fake on a loopback port, for child processes (its state stays in this process, so
    it outlives a killed child)."""
    with _quiet_dropped_connections(), fake.serve() as base_url:
        yield base_url


_PRELOAD = [
    "anyio",
    "certifi",
    "h11",
    "httpcore",
    "instantly_columns.api.client",
    "instantly_columns.service.facade",
    "instantly_columns.storage",
    "instantly_columns.storage.postgres",
    "instantly_columns.transports.http",
    "instantly_columns.testing",
    "httpx",
    "psycopg",
    "psycopg_pool",
]


def _context() -> Any:
    """Children come from a fork server that imported the library once (a fresh interpreter
    per trial would spend seconds importing); each child is still a process of its own with
    its own connections, killed for real."""
    ctx = multiprocessing.get_context("forkserver")
    # "__main__": a main script (not -m) is imported once by the server, not by every child.
    ctx.set_forkserver_preload(["__main__", *_PRELOAD, __name__.rsplit(".", 1)[0] + "._victim"])
    return ctx


def start_child(target: Callable[[Any], None], spec: Any) -> Any:
    process = _context().Process(target=target, args=(spec,), daemon=True)
    process.start()
    return process


def join_child(process: Any, timeout: float = 120.0) -> int:
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join(5)
        raise RuntimeError(f"a child process did not finish in {timeout} s")
    code: int = process.exitcode
    return code


@attrs.frozen
class VictimSpec:
    """What a child does: ``op`` ("push" or "sync") on ``link`` in the store ``store``,
    against the fake at ``base_url``, struck at ``trip`` (``None``: run to the end). It writes
    what happened to ``result_path`` unless killed."""

    op: Literal["push", "sync"]
    store: StoreSpec
    base_url: str
    link: str
    clock_start: datetime
    result_path: str
    trip: Trip | None = None


def read_result(path: str) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None
    return data


def result_path(workdir: Path) -> str:
    fd, path = tempfile.mkstemp(prefix="victim-", suffix=".json", dir=workdir)
    os.close(fd)
    os.unlink(path)
    return path


# --- what the checks read -------------------------------------------------------------------


def _all_rows(store: Any, table: str, fields: list[str]) -> Iterator[Row]:
    after = None
    while page := store.rows(table, fields, after=after, limit=500):
        yield from page
        after = page[-1].id


def emails_by_row(store: Any, table: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in _all_rows(store, table, ["email"]):
        email = normalize_email(row.cells.get("email"))
        if email is not None:
            out[row.id] = email
    return out


def push_cells(store: Any, table: str, link: str) -> dict[str, Any]:
    column = next(
        (c.id for c in store.columns(table) if c.key == column_key(link, "push_action")), None
    )
    if column is None:
        return {}
    return {r.id: r.cells.get(column) for r in _all_rows(store, table, [column])}


def engagement_cells(store: Any, table: str, link: str) -> dict[str, dict[str, Any]]:
    cols = {
        c.id: str(c.subtype)
        for c in store.columns(table)
        if c.subtype in ENGAGEMENT_SUBTYPES and c.key.startswith(f"instantly:{link}:")
    }
    out: dict[str, dict[str, Any]] = {}
    for row in _all_rows(store, table, list(cols)):
        cells = {cols[k]: v for k, v in row.cells.items() if k in cols and v is not None}
        if cells:
            out[row.id] = cells
    return out


def truth_cells(fake: FakeInstantly, campaign_id: str, emails: Mapping[str, str]) -> Any:
    """The cells a fault-free sync writes: each row's lead, projected."""
    leads = {normalize_email(lead["email"]): lead for lead in fake.leads(campaign_id)}
    out: dict[str, dict[str, Any]] = {}
    for row_id, email in emails.items():
        lead = leads.get(email)
        if lead is not None:
            out[row_id] = {k: v for k, v in project_all(lead).as_dict().items() if v is not None}
    return out


def duplicate_leads(fake: FakeInstantly, campaign_id: str | None = None) -> int:
    """Leads beyond the first with the same email: in one campaign, or in the workspace."""
    counts = Counter(normalize_email(lead["email"]) for lead in fake.leads(campaign_id))
    return sum(n - 1 for email, n in counts.items() if email is not None and n > 1)


def sent_twice(fake: FakeInstantly) -> int:
    """Emails that reached Instantly in more than one bulk add it answered: leads Instantly's
    own dedupe (``skip_if_in_campaign``, one email per campaign) kept single. Not a broken
    promise; the report shows how often the library leaned on it."""
    counts: Counter[str | None] = Counter()
    for record in fake.requests:
        if record.path.endswith("/leads/add") and record.status == 200:
            body = record.json if isinstance(record.json, Mapping) else {}
            counts.update({normalize_email(lead.get("email")) for lead in body.get("leads", [])})
    return sum(1 for email, n in counts.items() if email is not None and n > 1)


def _rank(subtype: str, value: Any) -> Any:
    if subtype == "email_status":
        return email_status_rank(str(value))
    if subtype in ("reply_count", "open_count"):
        return int(value)
    if subtype == "last_contacted":
        return str(value)
    return None  # engagement_status: no order; any difference is stale


def behind(subtype: str, have: Any, want: Any) -> bool:
    """Whether ``have`` is an older value than ``want`` (equal is not behind)."""
    if have == want:
        return False
    rank_have, rank_want = _rank(subtype, have), _rank(subtype, want)
    if rank_have is None:
        return True
    return bool(rank_have <= rank_want)


def compare_cells(
    actual: Mapping[str, Mapping[str, Any]],
    expected: Mapping[str, Mapping[str, Any]],
    what: str = "the API",
) -> Check:
    """Cells against what they must be: a cell missing is lost, a cell behind is moved
    backwards, a cell ahead (or extra) is a problem."""
    check = Check()
    for row_id in sorted(set(actual) | set(expected)):
        have, want = actual.get(row_id, {}), expected.get(row_id, {})
        for subtype in sorted(set(have) | set(want)):
            h, w = have.get(subtype), want.get(subtype)
            if h == w:
                continue
            if h is None:
                check.lost += 1
            elif w is None:
                check.problems.append(f"{row_id}.{subtype} = {h!r}, {what} has none")
            elif behind(subtype, h, w):
                check.backwards += 1
                if len(check.problems) < 3:
                    check.problems.append(f"{row_id}.{subtype} = {h!r}, {what} says {w!r}")
            else:
                check.problems.append(f"{row_id}.{subtype} = {h!r} ahead of {what}'s {w!r}")
    if check.lost:
        check.problems.append(f"{check.lost} cells lost")
    return check


def never_behind(
    after: Mapping[str, Mapping[str, Any]], before: Mapping[str, Mapping[str, Any]]
) -> Check:
    """Every cell seen earlier is still there, and not lower than it was. Only ordered cells
    are compared: the interest label has no order, nor have the terminal email statuses
    among themselves (a lead that unsubscribed and then bounced reads Bounced), so only a
    comparison with the API can call those stale."""
    check = Check()
    for row_id, cells in before.items():
        for subtype, old in cells.items():
            new = after.get(row_id, {}).get(subtype)
            rank_old = _rank(subtype, old)
            if new is None:
                check.lost += 1
            elif rank_old is not None and _rank(subtype, new) < rank_old:
                check.backwards += 1
                check.problems.append(f"{row_id}.{subtype} went from {old!r} to {new!r}")
    return check


def engagement_check(world: World, before: Any = None) -> Check:
    """After a sync that ran to its end: every row whose lead exists has exactly the API's
    cells, and no cell seen ``before`` went back."""
    emails = emails_by_row(world.store, world.table)
    actual = engagement_cells(world.store, world.table, world.link)
    check = compare_cells(actual, truth_cells(world.fake, world.campaign_id, emails))
    if before is not None:
        check.merge(never_behind(actual, before))
    check.duplicates += duplicate_leads(world.fake)
    return check


def push_check(world: World, before: Mapping[str, Any] | None = None) -> Check:
    """After a push that ran to its end: no email twice in Instantly, every row a push cell
    naming its lead (the lead Instantly has for its email), and no cell that named a lead
    before names another (or none) now."""
    check = Check(duplicates=duplicate_leads(world.fake))
    check.notes["emails sent twice, kept single by Instantly"] += sent_twice(world.fake)
    leads: dict[str | None, str] = {
        normalize_email(lead["email"]): str(lead["id"])
        for lead in world.fake.leads(world.campaign_id)
    }
    cells = push_cells(world.store, world.table, world.link)
    for row_id, email in emails_by_row(world.store, world.table).items():
        cell = cells.get(row_id)
        if not isinstance(cell, Mapping) or not cell.get("status"):
            check.lost += 1
            if len(check.problems) < 3:
                check.problems.append(f"{row_id} has no push result")
            continue
        if cell["status"] not in IN_CAMPAIGN:
            check.problems.append(f"{row_id}: {cell['status']} ({cell.get('error')})")
        elif email not in leads:
            check.problems.append(f"{row_id} says {cell['status']}, Instantly has no lead")
        elif cell.get("lead_id") != leads[email]:
            check.problems.append(f"{row_id} names lead {cell.get('lead_id')}, not {leads[email]}")
    for row_id, old in (before or {}).items():
        if isinstance(old, Mapping) and old.get("lead_id"):
            new = cells.get(row_id)
            if not isinstance(new, Mapping) or new.get("lead_id") != old["lead_id"]:
                check.backwards += 1
                check.problems.append(f"{row_id}: lead {old['lead_id']} became {new!r}")
    return check


def report_covers(report: Any, world: World) -> Check:
    """A push report has one result per row of the table."""
    check = Check()
    got = [r.row_id for r in report.rows]
    want = [r.id for r in world.rows]
    if sorted(got) != sorted(want):
        check.lost += len(set(want) - set(got))
        check.problems.append(f"the report has {len(got)} results for {len(want)} rows")
    return check


def seeded(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in parts))
