"""The canary-key search: every flow runs with a known key while logging is captured at DEBUG,
errors are forced (401, 5xx, dropped connections, timeouts, malformed answers, no server at
all), and then the key, or any 8 characters of it, is looked for in the log records, in the
repr and str of everything returned, in every exception with its cause and context chain and
traceback, in the sync history, and in every table of the SQLite file but the credentials.

The CLI (``python -m instantly_columns demo``) takes no key (it makes its own fake one), so it
is not part of the search."""

from __future__ import annotations

import functools
import logging
import sqlite3
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx
from pydantic import BaseModel

from instantly_columns.api.client import InstantlyClient
from instantly_columns.asgi import webhook_app
from instantly_columns.config import ClientSettings
from instantly_columns.domain.wizard import (
    CampaignAnswer,
    ConnectAnswer,
    CreateAnswer,
    MappingAnswer,
    SequenceAnswer,
    WizardState,
)
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.storage import SQLiteStore
from instantly_columns.testing import FakeClock, FakeInstantly
from instantly_columns.transports.http import HttpxTransport

from ._support import (
    SECRET,
    Face,
    Service,
    Tally,
    Tripwire,
    World,
    campaign_with_steps,
    lead_rows,
    make_service,
    setup_table,
    subscribe,
)
from ._webhooks import asgi_post

WRONG_KEY = "icCanaryWrongKey-" + "Zq7Xw3Pm" * 4
"""A key Instantly does not know: it must not be echoed by the 401 paths either."""
WINDOW = 8


class Haystack:
    """Every text the search looks in, each with where it came from."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []
        self.objects = 0

    def text(self, where: str, text: str) -> None:
        self.parts.append((where, text))

    def add(self, where: str, obj: Any, depth: int = 0) -> None:
        """``repr`` and ``str`` of ``obj`` and of everything inside it."""
        self.objects += 1
        self.text(where, repr(obj))
        self.text(where, str(obj))
        html = getattr(obj, "_repr_html_", None)
        if callable(html):
            self.text(where, str(html()))
        if depth > 6 or isinstance(obj, str | bytes | int | float | bool | type(None)):
            return
        if isinstance(obj, BaseException):
            self.error(where, obj)
        elif isinstance(obj, BaseModel):
            self.text(where, obj.model_dump_json())
            for name in type(obj).model_fields:
                self.add(f"{where}.{name}", getattr(obj, name), depth + 1)
        elif attrs.has(type(obj)):
            for field in attrs.fields(type(obj)):
                self.add(f"{where}.{field.name}", getattr(obj, field.name), depth + 1)
        elif isinstance(obj, dict):
            for key, value in obj.items():
                self.add(f"{where}[{key!r}]", value, depth + 1)
        elif isinstance(obj, list | tuple | set | frozenset):
            for i, item in enumerate(obj):
                self.add(f"{where}[{i}]", item, depth + 1)

    def error(self, where: str, exc: BaseException) -> None:
        """An exception, its attributes, its formatted traceback, and its whole chain of
        causes and contexts."""
        seen: set[int] = set()
        todo: list[BaseException] = [exc]
        while todo:
            current = todo.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            label = f"{where} <{type(current).__name__}>"
            self.text(label, repr(current))
            self.text(label, str(current))
            self.text(label, repr(current.args))
            self.text(label, repr(getattr(current, "__dict__", {})))
            self.text(label, "".join(traceback.format_exception(current)))
            todo += [e for e in (current.__cause__, current.__context__) if e is not None]

    def search(self, secrets: list[str]) -> list[str]:
        """Where a secret, or any ``WINDOW`` characters of one, shows up."""
        windows = {s[i : i + WINDOW] for s in secrets for i in range(len(s) - WINDOW + 1)}
        found = []
        for where, text in self.parts:
            hits = sorted(w for w in windows if w in text)
            if hits:
                found.append(f"{where}: contains {hits[0]!r}")
        return found


class LogCapture(logging.Handler):
    def __init__(self, hay: Haystack) -> None:
        super().__init__(level=logging.DEBUG)
        self.hay = hay
        self.records = 0
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        where = f"log {record.name}"
        self.hay.text(where, self.format(record))  # with the traceback of exc_info, if any
        self.hay.text(where, repr(record.args))
        self.hay.text(where, repr(record.__dict__))


@contextmanager
def debug_logs(hay: Haystack) -> Iterator[LogCapture]:
    root = logging.getLogger()
    handler = LogCapture(hay)
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@attrs.define
class Run:
    hay: Haystack
    operations: int = 0
    errors: int = 0

    def call(self, where: str, action: Callable[[], Any]) -> Any:
        """Run one operation; record what it returns, or the error it raises."""
        self.operations += 1
        try:
            result = action()
        except Exception as exc:
            self.errors += 1
            self.hay.error(where, exc)
            return None
        self.hay.add(where, result)
        return result


def _wizard(run: Run, service: Service, key: str, campaign_id: str) -> str:
    state = run.call("start_wizard", lambda: service.start_wizard("leads"))
    run.call(
        "wizard with a wrong key",
        lambda: service.wizard_advance(
            WizardState(table_id="leads"), ConnectAnswer(api_key=WRONG_KEY)
        ),
    )
    for answer in (
        ConnectAnswer(api_key=key),
        CampaignAnswer(campaign_id=campaign_id),
        SequenceAnswer(mode="use_existing"),
        MappingAnswer(),
        CreateAnswer(),
    ):
        state = run.call(
            f"wizard {answer.step}", functools.partial(service.wizard_advance, state, answer)
        )
        run.call(f"wizard view {state.step}", functools.partial(service.wizard_view, state))
    return str(state.link_id)


def _flows(run: Run, service: Service, fake: FakeInstantly, key: str, store: Any) -> None:
    campaign_id = campaign_with_steps(fake)
    link = _wizard(run, service, key, campaign_id)
    run.call("connect", lambda: service.connect(key))
    run.call("connect a wrong key", lambda: service.connect(WRONG_KEY))
    run.call("detect_mapping", lambda: service.detect_mapping("leads"))
    run.call("push (dry run)", lambda: service.push(link, dry_run=True))
    run.call("push", lambda: service.push(link))
    fake.activate(campaign_id)
    hooks = subscribe(
        World(fake, store, service, Tripwire(), key, "leads", link, campaign_id, []),
        "https://hooks.example.test/canary",
    )
    fake.advance(timedelta(days=4))
    events: list[Any] = []
    run.call("sync", lambda: service.sync(link, progress=events.append))
    run.hay.add("progress events", events)
    run.call("sync (full)", lambda: service.sync(link, full=True))
    run.call("summary (local)", lambda: service.summary(link))
    run.call("summary (api)", lambda: service.summary(link, source="api"))
    run.call("analytics", lambda: service.analytics(link))
    run.call("due", lambda: service.due())
    run.call("links", lambda: service.links())
    run.call("columns_of", lambda: service.columns_of(link))
    run.call("update_link", lambda: service.update_link(link, sync_interval_seconds=120))
    run.call("release", lambda: service.release(link))
    for body in hooks.bodies[:60]:
        run.call(
            "ingest_webhook",
            functools.partial(service.ingest_webhook, body, query={"token": SECRET}),
        )
    run.call("ingest_webhook, wrong secret", lambda: service.ingest_webhook(hooks.bodies[0]))
    app = webhook_app(service.inner)
    for body in [*hooks.bodies[:10], b"{oops"]:
        post = functools.partial(asgi_post, app, body, query=f"token={SECRET}".encode())
        run.call("asgi", functools.partial(anyio.run, post))
    # forced errors: 5xx, dropped connections, timeouts, half an answer, an error body
    faults = fake.faults
    forced: list[tuple[str, Callable[[], object]]] = [
        ("500", lambda: faults.server_error(500, times=20)),
        ("connection reset", lambda: faults.connection_reset(times=20)),
        ("timeout", lambda: faults.timeout(times=20)),
        ("malformed JSON", lambda: faults.malformed_json(times=20)),
        ("error body", lambda: faults.error_body("boom", times=20)),
    ]
    for name, add in forced:
        add()
        run.call(f"sync under {name}", lambda: service.sync(link, full=True))
        run.call(f"push under {name}", lambda: service.push(link, force=True))
        run.call(f"analytics under {name}", lambda: service.analytics(link))
        run.call(
            f"wizard view under {name}",
            lambda: service.wizard_view(WizardState(table_id="leads", step="campaign")),
        )
        faults.clear()
    run.call("history", lambda: service.history(link, limit=100))
    # the key revoked: every call is a 401
    fake.revoke_api_key(key)
    run.call("sync with a revoked key", lambda: service.sync(link))
    run.call("push with a revoked key", lambda: service.push(link, force=True))
    run.call("summary (api) with a revoked key", lambda: service.summary(link, source="api"))
    run.call("history after errors", lambda: service.history(link, limit=100))
    run.call("delete_link", lambda: service.delete_link(link))


def _client(run: Run, fake: FakeInstantly, key: str) -> None:
    client = InstantlyClient(key, transport=fake.as_transport(), clock=fake.clock)
    run.hay.add("client", client)
    run.call("client.check_key", client.check_key)
    run.call("client.list_campaigns", client.list_campaigns)
    wrong = InstantlyClient(WRONG_KEY, transport=fake.as_transport(), clock=fake.clock)
    run.hay.add("client (wrong key)", wrong)
    run.call("client.check_key (wrong key)", wrong.check_key)
    client.close()
    wrong.close()


def _over_http(run: Run, seed: int, path: Path) -> str:
    """The real HTTP transport, with a key of its own: against the served fake, and against
    no server at all. Returns the key."""
    fake = FakeInstantly(clock=FakeClock(), seed=seed + 1)
    key = fake.create_api_key(name="canary over HTTP")
    with SQLiteStore(path) as store:
        with fake.serve() as base_url:
            settings = ClientSettings(base_url=base_url)
            service = Service(InstantlyColumns(store, settings=settings, webhook_secret=SECRET))
            run.call("connect over HTTP", lambda: service.connect(key))
            client = InstantlyClient(key, settings=settings)
            run.call("client over HTTP", client.check_key)
            client.close()
            service.close()
        nowhere = ClientSettings(base_url="http://127.0.0.1:9", connect_timeout=1.0)
        # retries wait on a fake clock: no real back-off sleeps
        service = Service(InstantlyColumns(store, settings=nowhere, clock=FakeClock()))
        run.call("connect, no server", lambda: service.connect(key))
        client = InstantlyClient(key, settings=nowhere, clock=FakeClock())
        run.call("client, no server", client.check_key)
        client.close()
        transport = HttpxTransport(nowhere, transport=httpx.HTTPTransport(retries=0))
        run.hay.add("transport", transport)
        transport.close()
        service.close()
    return key


def dump_tables(path: Path, hay: Haystack) -> int:
    """Every row of every table but the credentials' one."""
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if r[0] != "ic_credentials"
        ]
        rows = 0
        for name in names:
            for row in conn.execute(f'SELECT * FROM "{name}"'):  # names from sqlite_master
                hay.text(f"table {name}", repr(row))
                rows += 1
        return rows
    finally:
        conn.close()


def canary_case(*, seed: int, workdir: Path, faces: tuple[Face, ...] = ("sync", "async")) -> Tally:
    tally = Tally("canary key in logs, reprs, errors, history, tables", "Canary", frozenset())
    for face in faces:
        hay = Haystack()
        run = Run(hay)
        fake = FakeInstantly(clock=FakeClock(), seed=seed)
        key = fake.create_api_key(name="canary")
        path = workdir / f"canary-{face}-{seed}.db"
        with debug_logs(hay) as logs:
            store = SQLiteStore(path)
            setup_table(store, "leads", lead_rows(40))
            service = make_service(store, fake, face=face)
            run.hay.add("service", service.inner)
            run.hay.add("store", store)
            _flows(run, service, fake, key, store)
            _client(run, fake, key)
            service.close()
            store.close()
            http_key = _over_http(run, seed, workdir / f"http-{face}.db")
        rows = dump_tables(path, hay) + dump_tables(workdir / f"http-{face}.db", hay)
        leaks = hay.search([key, http_key, WRONG_KEY])
        planted = Haystack()
        planted.text("planted", f"..{key[17:25]}..")
        if not planted.search([key]):
            leaks.append("the search does not find 8 characters of the key planted on purpose")
        tally.trials += run.operations
        tally.failures += len(leaks)
        tally.examples += leaks[: 5 - len(tally.examples)]
        tally.notes[f"{face}: operations"] = run.operations
        tally.notes[f"{face}: errors forced"] = run.errors
        tally.notes[f"{face}: log records"] = logs.records
        tally.notes[f"{face}: objects looked at"] = hay.objects
        tally.notes[f"{face}: table rows"] = rows
        tally.notes[f"{face}: characters searched"] = sum(len(t) for _, t in hay.parts)
    return tally
