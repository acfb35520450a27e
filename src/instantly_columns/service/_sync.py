"""Engagement sync: page through a campaign's leads, project each onto its rows' cells, and
checkpoint the cursor after every page; and the schedule of due syncs."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from itertools import repeat
from operator import attrgetter
from typing import Any

import attrs

from instantly_columns.api.core import EMPTY_PAGES_WITH_CURSOR, Cursors, after_empty_page
from instantly_columns.api.results import Page
from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES
from instantly_columns.domain.engagement import EngagementSubtype, project_all
from instantly_columns.domain.mapping import normalize_email
from instantly_columns.engine.effects import Flow, Outcome, blocking, gather, renewing
from instantly_columns.errors import InvalidColumnConfig
from instantly_columns.ports import CampaignLink, CellWrite, SyncRun
from instantly_columns.service._context import (
    Ctx,
    Link,
    api_for,
    ensure_engagement_columns,
    error_text,
    link_flow,
)
from instantly_columns.service._summary import summary_after_sync, summary_json
from instantly_columns.service.reports import ProgressEvent, SyncReport

DEFAULT_SYNC_INTERVAL = 900.0


class _Lease:
    """The run a sync holds: its checkpoints and heartbeats go through here, one at a time.

    A page's cells and its checkpoint are written in one transaction that also checks the
    lease (``update_run`` refuses a run that lost it), so a worker that stalled past its
    lease and was taken over writes nothing when it wakes up. Where the table and link stores
    cannot share a transaction, the lease is checked just before the cells are written.
    """

    def __init__(self, ctx: Ctx, run: SyncRun) -> None:
        self._ctx = ctx
        self._lock = threading.Lock()
        self.run = run

    def beat(self) -> None:
        with self._lock:
            run = attrs.evolve(self.run, heartbeat_at=self._ctx.clock.now())
            self._ctx.links.update_run(run)
            self.run = run

    def commit(
        self,
        table_id: str,
        writes: Sequence[CellWrite],
        advance: Callable[[SyncRun, int], SyncRun],
    ) -> int:
        with self._lock:
            unit = self._ctx.atomic()
            if unit is None:  # no shared transaction: check the lease just before writing
                checked = attrs.evolve(self.run, heartbeat_at=self._ctx.clock.now())
                self._ctx.links.update_run(checked)
                self.run = checked
            with unit or contextlib.nullcontext():
                written = self._ctx.tables.write_cells(table_id, writes) if writes else 0
                run = advance(self.run, written)
                self._ctx.links.update_run(run)
            self.run = run
            return written

    def close(self, **changes: Any) -> SyncRun:
        with self._lock:
            run = attrs.evolve(self.run, **changes)
            self._ctx.links.update_run(run)
            self.run = run
            return run


def sync_flow(
    ctx: Ctx,
    link_id: str,
    *,
    progress: Callable[[ProgressEvent], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    full: bool = False,
) -> Flow[SyncReport]:
    link = yield from link_flow(ctx, link_id)
    link, created = yield from ensure_engagement_columns(ctx, link)
    email_column = link.config.field_mapping.email
    if not email_column:
        raise InvalidColumnConfig("the link maps no email column", path="field_mapping.email")
    campaign_id = link.config.campaign_id

    resume_from: str | None = None
    if not full:
        runs = yield from blocking(ctx.links.runs, link.id, limit=20)
        previous = [r for r in runs if r.kind == "sync"][:1]  # a push is no checkpoint
        if previous and previous[0].status in ("failed", "cancelled", "running"):
            resume_from = previous[0].cursor
    now = ctx.clock.now()
    run = SyncRun(
        id=ctx.new_id(),
        link_id=link.id,
        started_at=now,
        heartbeat_at=now,
        cursor=resume_from,
    )
    run = (yield from blocking(ctx.links.start_run, run, stale_after=ctx.lease_seconds)) or run
    lease = _Lease(ctx, run)
    every = ctx.lease_seconds / 3

    def renew() -> Flow[None]:
        yield from blocking(lease.beat)

    columns = {s: c.id for s, c in link.engagement.items()}
    pages = 0
    cursors = Cursors(resume_from)
    stopped: str | None = None  # why the walk ended before the API said it was done
    try:
        core = yield from api_for(ctx, link.credential)

        def fetch(cursor: str | None) -> Flow[Page[Mapping[str, Any]]]:
            return renewing(core.lead_rows(campaign_id, cursor), renew, every)

        page = yield from fetch(resume_from)
        following_up = False
        while True:
            cursor = page.next_starting_after
            if not page.items and page.cursor_problem is None:
                # Normally the end; one in the middle of the campaign must not end the sync
                # as "ok", so its cursor is followed once more (see after_empty_page).
                step = after_empty_page(page, following_up=following_up)
                if step == "stuck":
                    stopped = EMPTY_PAGES_WITH_CURSOR
                if step != "follow":
                    break
                assert cursor is not None
                if cursor != page.starting_after:
                    cursors.check(cursor)
                following_up = True
                page = yield from fetch(cursor)
                continue
            following_up = False
            cursors.check(cursor)
            stopped = page.cursor_problem
            if not page.items:
                break
            pages += 1
            # Matching, projecting and writing a page (cells and checkpoint in one
            # transaction) is one store call, made while the next page is fetched: the
            # fetch, the critical path, never waits for this page's work.
            store = blocking(
                _store_page, ctx, lease, link, email_column, columns, page.items, cursor
            )
            next_page: Outcome[Page[Mapping[str, Any]]] | None = None
            if cursor is not None:
                fetched, stored = yield from gather(fetch(cursor), store)
                stored.unwrap()
                next_page = fetched  # a failed fetch raises after this page's checkpoint
            else:
                yield from store
            run = lease.run
            if progress is not None:
                progress(
                    ProgressEvent(
                        link.id, pages, run.leads_seen, run.rows_matched, run.cells_written
                    )
                )
            if next_page is None:
                break
            page = next_page.unwrap()
            if cancelled is not None and cancelled():
                run = yield from blocking(
                    lease.close, status="cancelled", finished_at=ctx.clock.now()
                )
                return SyncReport(link.id, run, None, resume_from, created)
    except (Exception, KeyboardInterrupt) as exc:
        # Close the run with its last checkpoint, so the next sync resumes from it (an
        # interrupted one is "cancelled": the lease is released at once).
        interrupted = isinstance(exc, KeyboardInterrupt)
        yield from blocking(
            lease.close,
            status="cancelled" if interrupted else "failed",
            finished_at=ctx.clock.now(),
            errors=(*lease.run.errors, "interrupted" if interrupted else error_text(exc)),
        )
        raise
    summary, problem = yield from summary_after_sync(ctx, link, core)
    problems = [problem] if problem else []
    if stopped is not None:
        problems.insert(
            0,
            f"stopped after {pages} page(s): {stopped}; "
            "the campaign may hold leads this sync did not read",
        )
    run = yield from blocking(
        lease.close,
        status="partial" if problems else "ok",
        errors=(*lease.run.errors, *problems),
        finished_at=ctx.clock.now(),
        cursor=None,
        summary=summary_json(summary),
    )
    if progress is not None:
        progress(
            ProgressEvent(
                link.id, pages, run.leads_seen, run.rows_matched, run.cells_written, done=True
            )
        )
    return SyncReport(link.id, run, summary, resume_from, created)


def release_flow(ctx: Ctx, link_id: str) -> Flow[list[SyncRun]]:
    """End every running sync of a link (an operator taking over after a crash); a worker
    still running it writes nothing more."""
    runs = yield from blocking(ctx.links.runs, link_id, limit=20)
    released: list[SyncRun] = []
    for run in runs:
        if run.status != "running":
            continue
        done = attrs.evolve(
            run,
            status="cancelled",
            finished_at=ctx.clock.now(),
            errors=(*run.errors, "released by an operator"),
        )
        yield from blocking(ctx.links.update_run, done)
        released.append(done)
    return released


def _store_page(
    ctx: Ctx,
    lease: _Lease,
    link: Link,
    email_column: str,
    columns: Mapping[EngagementSubtype, str],
    items: Sequence[Mapping[str, Any]],
    cursor: str | None,
) -> None:
    """Match a page's leads to rows, project them and write the cells together with the
    checkpoint (the page's cursor and counts) under the lease."""
    writes, (matched, unmatched, duplicates) = _page_writes(
        ctx, link.table_id, email_column, columns, items
    )
    seen = len(items)

    def advance(run: SyncRun, written: int) -> SyncRun:
        return attrs.evolve(
            run,
            leads_seen=run.leads_seen + seen,
            rows_matched=run.rows_matched + matched,
            leads_unmatched=run.leads_unmatched + unmatched,
            duplicate_rows=run.duplicate_rows + duplicates,
            cells_written=run.cells_written + written,
            cursor=cursor,
            heartbeat_at=ctx.clock.now(),
        )

    lease.commit(link.table_id, writes, advance)


_in_column_order = attrgetter(*ENGAGEMENT_SUBTYPES)
"""An `EngagementCells`' values in the order of `ENGAGEMENT_SUBTYPES` (its field names)."""


def _page_writes(
    ctx: Ctx,
    table_id: str,
    email_column: str,
    columns: Mapping[EngagementSubtype, str],
    items: Sequence[Mapping[str, Any]],
) -> tuple[list[CellWrite], tuple[int, int, int]]:
    by_email: dict[str, Mapping[str, Any]] = {}
    for lead in items:
        email = normalize_email(lead.get("email"))
        if email is not None:
            by_email[email] = lead
    index = ctx.tables.lookup_rows(table_id, email_column, list(by_email)) if by_email else {}
    column_ids = [columns[s] for s in ENGAGEMENT_SUBTYPES]
    writes: list[CellWrite] = []
    matched = unmatched = duplicates = 0
    unmatched += len(items) - len(by_email)
    for email, lead in by_email.items():
        row_ids = index.get(email)
        if not row_ids:
            unmatched += 1
            continue
        matched += len(row_ids)
        duplicates += len(row_ids) - 1
        values = _in_column_order(project_all(lead))
        for row_id in row_ids:
            writes += map(CellWrite, repeat(row_id), column_ids, values)
    return writes, (matched, unmatched, duplicates)


def due_flow(ctx: Ctx, table_id: str | None, now: datetime) -> Flow[list[CampaignLink]]:
    """Links whose last successful sync is older than their interval (``settings
    ["sync_interval_seconds"]``, default 15 minutes), oldest first; never-synced ones first."""
    links = yield from blocking(ctx.links.links, table_id)
    due: list[tuple[datetime | None, CampaignLink]] = []
    for item in links:
        interval = float(item.settings.get("sync_interval_seconds", DEFAULT_SYNC_INTERVAL))
        if interval <= 0:
            continue
        runs = yield from blocking(ctx.links.runs, item.id, limit=20)
        last = next(
            (
                r.finished_at
                for r in runs
                if r.status in ("ok", "partial") and r.kind == "sync"  # pushes are no sync
            ),
            None,
        )
        if last is None or last + timedelta(seconds=interval) <= now:
            due.append((last, item))
    due.sort(key=lambda pair: (pair[0] is not None, pair[0] or now, pair[1].id))
    return [item for _, item in due]
