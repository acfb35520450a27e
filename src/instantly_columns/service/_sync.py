"""Engagement sync: page through a campaign's leads, project each onto its rows' cells, and
checkpoint the cursor after every page; and the schedule of due syncs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

import attrs

from instantly_columns.api.core import EMPTY_PAGES_WITH_CURSOR, Cursors, after_empty_page
from instantly_columns.api.results import Lead, Page
from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES
from instantly_columns.domain.engagement import EngagementSubtype, project_all
from instantly_columns.domain.mapping import normalize_email
from instantly_columns.engine.effects import Flow, Outcome, blocking, gather
from instantly_columns.errors import InvalidColumnConfig
from instantly_columns.ports import CellWrite, Integration, SyncRun
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


def sync_flow(
    ctx: Ctx,
    integration_id: str,
    *,
    progress: Callable[[ProgressEvent], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    full: bool = False,
) -> Flow[SyncReport]:
    link = yield from link_flow(ctx, integration_id)
    link, created = yield from ensure_engagement_columns(ctx, link)
    email_column = link.config.field_mapping.email
    if not email_column:
        raise InvalidColumnConfig("the link maps no email column", path="field_mapping.email")
    campaign_id = link.config.campaign_id

    resume_from: str | None = None
    if not full:
        previous = yield from blocking(ctx.integrations.runs, link.id, limit=1)
        if previous and previous[0].status in ("failed", "cancelled", "running"):
            resume_from = previous[0].cursor
    now = ctx.clock.now()
    run = SyncRun(
        id=ctx.new_id(),
        integration_id=link.id,
        started_at=now,
        heartbeat_at=now,
        cursor=resume_from,
    )
    run = (yield from blocking(ctx.integrations.start_run, run, stale_after=ctx.stale_after)) or run
    columns = {s: c.id for s, c in link.engagement.items()}
    pages = 0
    cursors = Cursors(resume_from)
    stopped: str | None = None  # why the walk ended before the API said it was done
    try:
        core = yield from api_for(ctx, link.credential)
        page = yield from core.lead_page(campaign_id, resume_from)
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
                page = yield from core.lead_page(campaign_id, cursor)
                continue
            following_up = False
            cursors.check(cursor)
            stopped = page.cursor_problem
            if not page.items:
                break
            pages += 1
            writes, stats = yield from _page_writes(ctx, link, email_column, columns, page.items)
            next_page: Outcome[Page[Lead]] | None = None
            if cursor is not None:
                # The next page is fetched while this one is written.
                fetched, stored = yield from gather(
                    core.lead_page(campaign_id, cursor),
                    blocking(ctx.tables.write_cells, link.table_id, writes),
                )
                written = stored.unwrap()
                next_page = fetched  # a failed fetch raises after this page's checkpoint
            else:
                written = yield from blocking(ctx.tables.write_cells, link.table_id, writes)
            run = attrs.evolve(
                run,
                leads_seen=run.leads_seen + len(page.items),
                rows_matched=run.rows_matched + stats[0],
                leads_unmatched=run.leads_unmatched + stats[1],
                duplicate_rows=run.duplicate_rows + stats[2],
                cells_written=run.cells_written + written,
                cursor=cursor,
                heartbeat_at=ctx.clock.now(),
            )
            yield from blocking(ctx.integrations.update_run, run)
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
                run = attrs.evolve(run, status="cancelled", finished_at=ctx.clock.now())
                yield from blocking(ctx.integrations.update_run, run)
                return SyncReport(link.id, run, None, resume_from, created)
    except (Exception, KeyboardInterrupt) as exc:
        # Close the run with its last checkpoint, so the next sync resumes from it (an
        # interrupted one is "cancelled": the lease is released at once).
        interrupted = isinstance(exc, KeyboardInterrupt)
        run = attrs.evolve(
            run,
            status="cancelled" if interrupted else "failed",
            finished_at=ctx.clock.now(),
            errors=(*run.errors, "interrupted" if interrupted else error_text(exc)),
        )
        yield from blocking(ctx.integrations.update_run, run)
        raise
    summary, problem = yield from summary_after_sync(ctx, link, core)
    problems = [problem] if problem else []
    if stopped is not None:
        problems.insert(
            0,
            f"stopped after {pages} page(s): {stopped}; "
            "the campaign may hold leads this sync did not read",
        )
    run = attrs.evolve(
        run,
        status="partial" if problems else "ok",
        errors=(*run.errors, *problems),
        finished_at=ctx.clock.now(),
        cursor=None,
        summary=summary_json(summary),
    )
    yield from blocking(ctx.integrations.update_run, run)
    if progress is not None:
        progress(
            ProgressEvent(
                link.id, pages, run.leads_seen, run.rows_matched, run.cells_written, done=True
            )
        )
    return SyncReport(link.id, run, summary, resume_from, created)


def _page_writes(
    ctx: Ctx,
    link: Link,
    email_column: str,
    columns: Mapping[EngagementSubtype, str],
    items: Sequence[Lead],
) -> Flow[tuple[list[CellWrite], tuple[int, int, int]]]:
    by_email: dict[str, Lead] = {}
    for lead in items:
        email = normalize_email(lead.email)
        if email is not None:
            by_email[email] = lead
    index: Mapping[str, list[str]] = (
        (yield from blocking(ctx.tables.lookup_rows, link.table_id, email_column, list(by_email)))
        if by_email
        else {}
    )
    writes: list[CellWrite] = []
    matched = unmatched = duplicates = 0
    unmatched += len(items) - len(by_email)
    for email, lead in by_email.items():
        row_ids = index.get(email, [])
        if not row_ids:
            unmatched += 1
            continue
        matched += len(row_ids)
        duplicates += len(row_ids) - 1
        cells = project_all(lead.raw).as_dict()
        for row_id in row_ids:
            writes.extend(CellWrite(row_id, columns[s], cells[s]) for s in ENGAGEMENT_SUBTYPES)
    return writes, (matched, unmatched, duplicates)


def due_flow(ctx: Ctx, table_id: str | None, now: datetime) -> Flow[list[Integration]]:
    """Links whose last successful sync is older than their interval (``settings
    ["sync_interval_seconds"]``, default 15 minutes), oldest first; never-synced ones first."""
    links = yield from blocking(ctx.integrations.integrations, table_id)
    due: list[tuple[datetime | None, Integration]] = []
    for item in links:
        interval = float(item.settings.get("sync_interval_seconds", DEFAULT_SYNC_INTERVAL))
        if interval <= 0:
            continue
        runs = yield from blocking(ctx.integrations.runs, item.id, limit=20)
        last = next((r.finished_at for r in runs if r.status in ("ok", "partial")), None)
        if last is None or last + timedelta(seconds=interval) <= now:
            due.append((last, item))
    due.sort(key=lambda pair: (pair[0] is not None, pair[0] or now, pair[1].id))
    return [item for _, item in due]
