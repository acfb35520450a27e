"""What the report runs in child processes, one measurement per fresh process.

    python -m benchmarks._children NAME JSON-ARGS

Each measurement prints one JSON line: its wall time, the process's CPU time and its peak
resident memory (``ru_maxrss``, the high-water mark of the whole process), plus counts of
its own. Setting up (a workspace, a table) happens in other processes, so the peak is the
measured work's. ``fake-server`` is the odd one out: it serves a FakeInstantly workspace on
loopback until its standard input closes, and answers ``count`` (requests served so far)
on it.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

STEPS = [{"type": "email", "delay": 1, "variants": [{"subject": "Hi {{firstName}}", "body": "?"}]}]
TABLE = "t"
EMAIL, FIRST = "e", "f"
PAGE = 100  # leads per page: the API's maximum, which our client asks for too
CELL_COLUMNS = 10  # write_cells: rows x 10 columns, two thirds text, one third integers


def _emit(result: dict[str, Any]) -> None:
    print(json.dumps(result), flush=True)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _warm_http() -> None:
    """Import the HTTP stack before the clock starts: every side pays it once, at start."""
    import httpx  # noqa: F401

    import instantly_columns.api.client
    import instantly_columns.transports.http  # noqa: F401


def _measured(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    extra = work()
    return {
        "seconds": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "peak_mb": _peak_mb(),
        **extra,
    }


# --- the fake, in a process of its own ---------------------------------------------------------


def fake_server(leads: int, latency: float, engage: bool = False, campaigns: int = 1) -> None:
    """``campaigns`` campaigns of ``leads`` leads each; campaign ``k`` holds the leads
    ``p{k * leads + i}@example.com``. Answers ``count`` (requests served) and ``violations``
    (requests its rate limiter refused) on standard input."""
    from instantly_columns.testing import FakeInstantly

    fake = FakeInstantly(seed=5, plan_lead_limit=10**8)
    key = fake.create_api_key()
    ids = []
    for k in range(campaigns):
        name = "Bench" if campaigns == 1 else f"Bench {k + 1}"
        campaign = fake.create_campaign(name=name, sequences=[{"steps": STEPS}])
        ids.append(campaign["id"])
        first = k * leads
        for start in range(first, first + leads, 10_000):
            fake.add_leads(
                campaign["id"],
                [
                    {"email": f"p{i}@example.com", "first_name": f"F{i}"}
                    for i in range(start, min(first + leads, start + 10_000))
                ],
            )
        if engage and leads:
            fake.activate(campaign["id"])
    if engage and leads:
        fake.advance(86400 * 3)
    if latency > 0:
        fake.faults.latency(latency)
    # The seeded workspace lives as long as the server: keep the collector from walking its
    # hundreds of thousands of objects again and again. The server stands in for Instantly,
    # whose work is not done on the client's cores; the less of them it takes, the fairer.
    gc.collect()
    gc.freeze()
    with fake.serve() as url:
        _emit({"url": url, "key": key, "campaign": ids[0], "campaigns": ids})
        for line in sys.stdin:
            if line.strip() == "count":
                _emit({"requests": len(fake.requests)})
            elif line.strip() == "violations":
                _emit({"violations": len(fake.report().limit_violations)})


# --- set-up processes ----------------------------------------------------------------------


def _rows(n: int) -> Iterator[list[Any]]:
    from instantly_columns import Row

    for start in range(0, n, 5000):
        yield [
            Row(id=f"r{i:07d}", cells={EMAIL: f"p{i}@example.com", FIRST: f"F{i}"})
            for i in range(start, min(n, start + 5000))
        ]


def linked_table(path: str, rows: int, url: str, key: str, campaign: str) -> str:
    """A SQLite file with ``rows`` rows (email, first name) linked to the campaign."""
    from instantly_columns import Column, InstantlyColumns
    from instantly_columns.config import ClientSettings
    from instantly_columns.domain.wizard import (
        CampaignAnswer,
        ConnectAnswer,
        CreateAnswer,
        MappingAnswer,
        SequenceAnswer,
        WizardState,
    )
    from instantly_columns.storage import SQLiteStore

    with SQLiteStore(path) as store:
        store.create_table(TABLE, "Leads")
        store.save_columns(
            TABLE,
            [
                Column(id=EMAIL, key=EMAIL, name="Email"),
                Column(id=FIRST, key=FIRST, name="First Name"),
            ],
        )
        for batch in _rows(rows):
            store.insert_rows(TABLE, batch)
        service = InstantlyColumns(store, settings=ClientSettings(base_url=url))
        state = WizardState(table_id=TABLE)
        for answer in (
            ConnectAnswer(api_key=key),
            CampaignAnswer(campaign_id=campaign),
            SequenceAnswer(mode="use_existing"),
            MappingAnswer(),
            CreateAnswer(),
        ):
            state = service.wizard_advance(state, answer)
        assert state.link_id is not None, state
        _emit({"link": state.link_id})
        return state.link_id


def linked_tables(path: str, rows: int, url: str, key: str, campaigns: list[str]) -> None:
    """A SQLite file with one table of ``rows`` rows per campaign (``rows * len(campaigns)``
    in all), a link to each campaign."""
    from instantly_columns import Column, InstantlyColumns
    from instantly_columns.config import ClientSettings
    from instantly_columns.domain.wizard import (
        CampaignAnswer,
        ConnectAnswer,
        CreateAnswer,
        MappingAnswer,
        SequenceAnswer,
        WizardState,
    )
    from instantly_columns.storage import SQLiteStore

    with SQLiteStore(path) as store:
        store.create_table(TABLE, "Leads")
        store.save_columns(
            TABLE,
            [
                Column(id=EMAIL, key=EMAIL, name="Email"),
                Column(id=FIRST, key=FIRST, name="First Name"),
            ],
        )
        for batch in _rows(rows * len(campaigns)):
            store.insert_rows(TABLE, batch)
        service = InstantlyColumns(store, settings=ClientSettings(base_url=url))
        links = []
        for campaign in campaigns:
            state = WizardState(table_id=TABLE)
            for answer in (
                ConnectAnswer(api_key=key),
                CampaignAnswer(campaign_id=campaign),
                SequenceAnswer(mode="use_existing"),
                MappingAnswer(),
                CreateAnswer(),
            ):
                state = service.wizard_advance(state, answer)
            assert state.link_id is not None, state
            links.append(state.link_id)
        _emit({"links": links})


def engaged_table(path: str, rows: int, url: str, key: str, campaign: str) -> None:
    """A linked table whose rows all carry engagement cells (for the summary). The link's
    summary is read once before the cells are written, as after a first sync, so the
    store keeps its aggregate through the writes that follow."""
    from instantly_columns import InstantlyColumns
    from instantly_columns.config import ClientSettings
    from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES
    from instantly_columns.ports import CellWrite
    from instantly_columns.storage import SQLiteStore

    link = linked_table(path, rows, url, key, campaign)
    with SQLiteStore(path) as store:
        InstantlyColumns(store, settings=ClientSettings(base_url=url)).summary(link, source="local")
        by_subtype = {
            c.subtype: c.id for c in store.columns(TABLE) if c.subtype in ENGAGEMENT_SUBTYPES
        }
        values: dict[str, Callable[[int], Any]] = {
            "email_status": lambda i: ("Active", "Completed", "Bounced", "Replied")[i % 4],
            "engagement_status": lambda i: ("Interested", "Not interested", None)[i % 3],
            "reply_count": lambda i: i % 3,
            "open_count": lambda i: i % 7,
            "last_contacted": lambda i: f"2026-03-{1 + i % 28:02d}T10:00:00.000Z",
        }
        for start in range(0, rows, 50_000):
            store.write_cells(
                TABLE,
                [
                    CellWrite(f"r{i:07d}", column, values[subtype](i))
                    for i in range(start, min(rows, start + 50_000))
                    for subtype, column in by_subtype.items()
                    if subtype in values
                ],
            )


# --- sync ----------------------------------------------------------------------------------


def _copy(template: str) -> str:
    copy = f"{template}.{os.getpid()}.db"
    shutil.copyfile(template, copy)
    return copy


def sync_ours(template: str, url: str, link: str) -> None:
    from instantly_columns import InstantlyColumns
    from instantly_columns.config import ClientSettings
    from instantly_columns.storage import SQLiteStore

    path = _copy(template)
    try:
        with SQLiteStore(path) as store:
            service = InstantlyColumns(store, settings=ClientSettings(base_url=url))
            _warm_http()

            def work() -> dict[str, Any]:
                report = service.sync(link, full=True)
                return {"leads": report.run.leads_seen, "cells": report.run.cells_written}

            _emit(_measured(work))
    finally:
        Path(path).unlink()


def sync_table_ours(
    template: str, url: str, links: list[str], sequential: bool, store_pages: bool = True
) -> None:
    """Every link of the table: ``sync_table``, or one ``sync`` after another. Without
    ``store_pages``, a diagnosis, not a sync: every page is fetched and parsed but neither
    matched nor written (what the fetch path alone costs)."""
    from instantly_columns import InstantlyColumns
    from instantly_columns.config import ClientSettings
    from instantly_columns.service import _sync
    from instantly_columns.storage import SQLiteStore

    if not store_pages:
        _sync._store_page = lambda *args, **kwargs: None  # type: ignore[assignment]

    path = _copy(template)
    try:
        with SQLiteStore(path) as store:
            service = InstantlyColumns(store, settings=ClientSettings(base_url=url))
            _warm_http()

            def work() -> dict[str, Any]:
                if sequential:
                    reports = [service.sync(link, full=True) for link in links]
                else:
                    reports = service.sync_table(TABLE, full=True)
                assert sorted(r.link_id for r in reports) == sorted(links)
                assert all(r.run.status == "ok" for r in reports), [r.run for r in reports]
                return {"leads": sum(r.run.leads_seen for r in reports)}  # 0 unstored

            _emit(_measured(work))
    finally:
        Path(path).unlink()


def _pages(url: str, key: str, campaign: str) -> Iterator[list[dict[str, Any]]]:
    """Plain httpx, one POST /api/v2/leads/list after another: the floor for a sync."""
    import httpx

    headers = {"Authorization": f"Bearer {key}", "User-Agent": "bench/1.0"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        after = None
        while True:
            body: dict[str, Any] = {"campaign": campaign, "limit": PAGE}
            if after is not None:
                body["starting_after"] = after
            response = http.post("/api/v2/leads/list", json=body)
            response.raise_for_status()
            page = response.json()
            yield page["items"]
            after = page.get("next_starting_after")
            if after is None:
                return


def sync_bare(url: str, key: str, campaign: str) -> None:
    _warm_http()

    def work() -> dict[str, Any]:
        leads = requests = 0
        for items in _pages(url, key, campaign):
            requests += 1
            leads += len(items)
        return {"leads": leads, "requests": requests}

    _emit(_measured(work))


def sync_original(template: str, url: str, key: str, campaign: str) -> None:
    """The original product's way: every page into memory, then match rows by email and
    upsert the engagement cells (here with our store's lookups and one bulk write)."""
    from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES
    from instantly_columns.domain.engagement import project_all
    from instantly_columns.ports import CellWrite
    from instantly_columns.storage import SQLiteStore

    path = _copy(template)
    try:
        with SQLiteStore(path) as store:
            _warm_http()

            def work() -> dict[str, Any]:
                leads = [lead for items in _pages(url, key, campaign) for lead in items]
                columns = {
                    c.subtype: c.id
                    for c in store.columns(TABLE)
                    if c.subtype in ENGAGEMENT_SUBTYPES
                }
                emails = [lead["email"] for lead in leads]
                rows: dict[str, list[str]] = {}
                for start in range(0, len(emails), 10_000):
                    rows.update(store.lookup_rows(TABLE, EMAIL, emails[start : start + 10_000]))
                writes = []
                for lead in leads:
                    cells = project_all(lead).as_dict()
                    for row in rows.get(lead["email"], ()):
                        writes += [CellWrite(row, columns[s], cells[s]) for s in columns]
                return {"leads": len(leads), "cells": store.write_cells(TABLE, writes)}

            _emit(_measured(work))
    finally:
        Path(path).unlink()


# --- push ----------------------------------------------------------------------------------


def push_ours(template: str, url: str, link: str) -> None:
    from instantly_columns import InstantlyColumns
    from instantly_columns.config import ClientSettings
    from instantly_columns.storage import SQLiteStore

    path = _copy(template)
    try:
        with SQLiteStore(path) as store:
            service = InstantlyColumns(store, settings=ClientSettings(base_url=url))
            _warm_http()

            def work() -> dict[str, Any]:
                report = service.push(link)
                return {"counts": dict(report.counts)}

            _emit(_measured(work))
    finally:
        Path(path).unlink()


# --- summary -------------------------------------------------------------------------------


def summary_local(template: str, url: str, link: str) -> None:
    """``service.summary(link, source="local")`` (the median of nine calls), next to a
    Python fold of the same figures over the cells (every row's five engagement cells and
    its email, paged from the store and pivoted per row), and whether both are equal."""
    import statistics

    from instantly_columns import InstantlyColumns
    from instantly_columns.config import ClientSettings
    from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES
    from instantly_columns.domain.summary import Aggregate
    from instantly_columns.ports import SummaryColumns
    from instantly_columns.storage import SQLiteStore
    from instantly_columns.testing.storage_contract import recount_leads

    with SQLiteStore(template) as store:
        service = InstantlyColumns(store, settings=ClientSettings(base_url=url))
        service.summary(link, source="local")  # once: a warm page cache
        reads = []
        for _ in range(9):
            start = time.perf_counter()
            row = service.summary(link, source="local")
            reads.append(time.perf_counter() - start)
        engagement = {
            c.subtype: c.id for c in store.columns(TABLE) if c.subtype in ENGAGEMENT_SUBTYPES
        }
        columns = SummaryColumns(email=EMAIL, **engagement)
        start = time.perf_counter()
        groups = recount_leads(store, TABLE, columns)
        folded = Aggregate.EMPTY
        for g in groups:
            folded += Aggregate.from_group(
                email_status=g.email_status,
                engagement_status=g.engagement_status,
                rows=g.rows,
                reply_total=g.reply_total,
                open_total=g.open_total,
                opened_rows=g.opened_rows,
                last_contacted=g.last_contacted,
            )
        fold = time.perf_counter() - start
        _emit(
            {
                "seconds": statistics.median(reads),
                "fold": fold,
                "equal": folded == row.aggregate,
                "leads": row.aggregate.leads,
                "peak_mb": _peak_mb(),
            }
        )


# --- write_cells ---------------------------------------------------------------------------


def _cells(n: int) -> list[Any]:
    from instantly_columns.ports import CellWrite

    return [
        CellWrite(f"row{r:07d}", f"col{c}", f"Value {r} {c}" if c % 3 else r * c)
        for r in range(n // CELL_COLUMNS)
        for c in range(CELL_COLUMNS)
    ]


def _prepare(store: Any, n: int) -> None:
    from instantly_columns import Column, Row

    store.create_table("bench", "Bench")
    store.save_columns(
        "bench",
        [Column(id=f"col{c}", key=f"col{c}", name=f"C{c}") for c in range(CELL_COLUMNS)],
    )
    rows = [Row(id=f"row{r:07d}") for r in range(n // CELL_COLUMNS)]
    for start in range(0, len(rows), 10_000):
        store.insert_rows("bench", rows[start : start + 10_000])


def _raw_records(n: int) -> list[tuple[Any, ...]]:
    """The cells as the store keeps them: (row, column, s, i, j, norm)."""
    from instantly_columns.storage._codec import norm_key

    out = []
    for cell in _cells(n):
        value = cell.value
        if isinstance(value, str):
            out.append((cell.row_id, cell.column_id, value, None, None, norm_key(value)))
        else:
            out.append((cell.row_id, cell.column_id, None, value, None, None))
    return out


def sqlite_ours(path: str, n: int) -> None:
    from instantly_columns.storage import SQLiteStore

    with SQLiteStore(path) as store:
        _prepare(store, n)
        cells = _cells(n)
        _emit(_measured(lambda: {"changed": store.write_cells("bench", cells)}))


# The store's own upsert and connection settings (SQLiteStore._open), so that the floor
# differs from the store only by what the store adds.
_SQLITE_UPSERT = (
    "INSERT INTO ic_cells (table_id, row_id, column_id, s, i, j, norm) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (table_id, row_id, column_id) DO UPDATE SET "
    "s = excluded.s, i = excluded.i, j = excluded.j, norm = excluded.norm "
    "WHERE ic_cells.s IS NOT excluded.s OR ic_cells.i IS NOT excluded.i "
    "OR ic_cells.j IS NOT excluded.j"
)
_SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA synchronous = NORMAL",
)


def sqlite_raw(path: str, n: int) -> None:
    from instantly_columns.storage import SQLiteStore

    with SQLiteStore(path) as store:  # the same schema, indexes and rows
        _prepare(store, n)
    records = [("bench", *r) for r in _raw_records(n)]
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in _SQLITE_PRAGMAS:
        conn.execute(pragma)

    def work() -> dict[str, Any]:
        conn.execute("BEGIN IMMEDIATE")
        changed = conn.executemany(_SQLITE_UPSERT, records).rowcount
        conn.execute("COMMIT")
        return {"changed": changed}

    _emit(_measured(work))
    conn.close()


_STAGE_CREATE = (
    'CREATE TEMPORARY TABLE ic_stage (row_id text COLLATE "C", column_id text COLLATE "C", '
    's text COLLATE "C", i bigint, j text COLLATE "C", norm text COLLATE "C") ON COMMIT DROP'
)
_STAGE_COPY = "COPY pg_temp.ic_stage (row_id, column_id, s, i, j, norm) FROM STDIN"
_STAGE_UPSERT = (
    "INSERT INTO ic_cells (table_id, row_id, column_id, s, i, j, norm) "
    "SELECT %s, row_id, column_id, s, i, j, norm FROM pg_temp.ic_stage "
    "ON CONFLICT (table_id, row_id, column_id) DO UPDATE SET "
    "s = EXCLUDED.s, i = EXCLUDED.i, j = EXCLUDED.j, norm = EXCLUDED.norm "
    "WHERE (ic_cells.s, ic_cells.i, ic_cells.j) "
    "IS DISTINCT FROM (EXCLUDED.s, EXCLUDED.i, EXCLUDED.j)"
)


def postgres_ours(dsn: str, schema: str, n: int) -> None:
    from instantly_columns.storage import PostgresStore

    with PostgresStore(dsn, schema=schema) as store:
        _prepare(store, n)
        cells = _cells(n)
        _emit(_measured(lambda: {"changed": store.write_cells("bench", cells)}))


def postgres_raw(dsn: str, schema: str, n: int) -> None:
    import psycopg

    from instantly_columns.storage import PostgresStore

    with PostgresStore(dsn, schema=schema) as store:  # the same schema, indexes and rows
        _prepare(store, n)
    records = _raw_records(n)
    with psycopg.connect(dsn) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        conn.commit()

        def work() -> dict[str, Any]:
            conn.execute(_STAGE_CREATE)
            with conn.cursor() as cursor, cursor.copy(_STAGE_COPY) as copy:
                for record in records:
                    copy.write_row(record)
            changed = conn.execute(_STAGE_UPSERT, ("bench",)).rowcount
            conn.commit()
            return {"changed": changed}

        _emit(_measured(work))


CHILDREN: dict[str, Callable[..., None]] = {
    "fake-server": fake_server,
    "linked-table": linked_table,
    "engaged-table": engaged_table,
    "sync-ours": sync_ours,
    "sync-bare": sync_bare,
    "sync-original": sync_original,
    "linked-tables": linked_tables,
    "sync-table": sync_table_ours,
    "push-ours": push_ours,
    "summary-local": summary_local,
    "sqlite-ours": sqlite_ours,
    "sqlite-raw": sqlite_raw,
    "postgres-ours": postgres_ours,
    "postgres-raw": postgres_raw,
}

if __name__ == "__main__":
    CHILDREN[sys.argv[1]](**json.loads(sys.argv[2]))
