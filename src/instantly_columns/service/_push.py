"""Push rows as leads: read → plan (pure, in `domain.push`) → send → record."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Mapping, Sequence

import attrs

from instantly_columns.api.core import ApiCore, bulk_add_body
from instantly_columns.domain.columns import CellValue, PushActionConfig
from instantly_columns.domain.mapping import normalize_email
from instantly_columns.domain.push import (
    BULK_LIMIT,
    Candidate,
    PushPlan,
    not_created_reason,
    patch_fields,
    plan_push,
    screen_row,
)
from instantly_columns.engine.effects import Flow, blocking, gather_all
from instantly_columns.errors import InvalidColumnConfig, PayloadTooLarge
from instantly_columns.ports import CellWrite, LedgerEntry
from instantly_columns.service._context import (
    LEAD_PAGE,
    ROW_PAGE,
    Ctx,
    Link,
    api_for,
    error_text,
    link_flow,
    reraise_auth,
)
from instantly_columns.service.reports import PushReport, PushRowReport


def push_flow(
    ctx: Ctx,
    link_id: str,
    *,
    rows: Collection[str] | None = None,
    where: Callable[[Mapping[str, CellValue]], bool] | None = None,
    dry_run: bool = False,
    force: bool = False,
    skip_if_in_campaign: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Flow[PushReport]:
    link = yield from link_flow(ctx, link_id)
    campaign_id = link.config.campaign_id

    # read: every selected row, screened as it is read
    results: dict[str, PushRowReport] = {}
    push_cells: dict[str, CellValue] = {}
    order, candidates, absent = yield from _screen_rows(ctx, link, rows, where, results, push_cells)
    known: dict[str, LedgerEntry] = {}
    if candidates and not force:
        for start in range(0, len(candidates), BULK_LIMIT):
            part = [c.email for c in candidates[start : start + BULK_LIMIT]]
            known.update((yield from blocking(ctx.links.ledger, link.id, part)))

    # plan
    plan = plan_push(candidates, known, campaign_id)
    for cand, entry in plan.unchanged:
        results[cand.row_id] = PushRowReport(
            cand.row_id, "already_in_campaign", cand.email, entry.lead_id, pushed_at=entry.pushed_at
        )
    found: dict[str, str] = {}
    if plan.uncertain and not dry_run:
        # A push stopped while sending these: Instantly may hold them already.
        core = yield from api_for(ctx, link.credential)
        found = yield from _find_leads(core, campaign_id, [c.email for c in plan.uncertain])
        now = ctx.clock.now()
        for cand in plan.uncertain:
            if cand.email in found:
                results[cand.row_id] = PushRowReport(
                    cand.row_id, "already_in_campaign", cand.email, found[cand.email], pushed_at=now
                )
        plan = attrs.evolve(
            plan, fresh=(*plan.fresh, *(c for c in plan.uncertain if c.email not in found))
        )
    elif plan.uncertain:
        plan = attrs.evolve(plan, fresh=(*plan.fresh, *plan.uncertain))
    chunks = plan.chunks(max_bytes=ctx.push_max_bytes)
    bodies = tuple(
        bulk_add_body(campaign_id, [c.lead for c in chunk], skip_if_in_campaign=skip_if_in_campaign)
        for chunk in chunks
    )
    patch_bodies = tuple(
        {"lead_id": lead_id, "fields": patch_fields(cand.lead)} for cand, lead_id in plan.updates
    )

    def report(dry: bool, requests: int) -> PushReport:
        return PushReport(
            link.id,
            campaign_id,
            dry,
            tuple(results[r] for r in order),
            requests,
            bodies,
            patch_bodies,
        )

    if dry_run:
        for cand in plan.fresh:
            results[cand.row_id] = PushRowReport(cand.row_id, "would_push", cand.email)
        for cand, lead_id in plan.updates:
            results[cand.row_id] = PushRowReport(cand.row_id, "would_update", cand.email, lead_id)
        return report(True, 0)

    # send
    pending = [
        LedgerEntry(link.id, c.row_id, c.email, "pending", payload_hash=c.digest)
        for c in plan.fresh
    ]
    if pending:
        yield from blocking(ctx.links.write_ledger, link.id, pending)
    requests = -(-len(plan.uncertain) // LEAD_PAGE)
    if plan.fresh or plan.updates:
        core = yield from api_for(ctx, link.credential)
        requests += yield from _send_new(
            ctx, core, campaign_id, chunks, skip_if_in_campaign, results, progress
        )
        requests += yield from _send_updates(ctx, core, plan, results)

    # record
    yield from _record(ctx, link, candidates, plan, absent, results, push_cells)
    return report(False, requests)


def _screen_rows(
    ctx: Ctx,
    link: Link,
    rows: Collection[str] | None,
    where: Callable[[Mapping[str, CellValue]], bool] | None,
    results: dict[str, PushRowReport],
    push_cells: dict[str, CellValue],
) -> Flow[tuple[list[str], list[Candidate], list[str]]]:
    push_cfg = link.push.config if link.push is not None else None
    mapping = link.config.field_mapping
    if isinstance(push_cfg, PushActionConfig) and not push_cfg.auto_field_mapping:
        assert link.push is not None
        if push_cfg.field_mapping is None:
            raise InvalidColumnConfig(
                "push_config.auto_field_mapping is false, so a field_mapping is required",
                path=f"columns[{link.push.id}].integration_config.field_mapping",
            )
        mapping = push_cfg.field_mapping
    steps = (
        {key: col.id for key, col in link.steps.items()}
        if link.config.sequence_mode == "author_steps"
        else {}
    )
    push_id = link.push.id if link.push is not None else None
    fields = sorted({*mapping.columns().values(), *steps.values(), *([push_id] if push_id else [])})
    wanted = set(rows) if rows is not None else None
    order: list[str] = []
    seen: dict[str, str] = {}
    candidates: list[Candidate] = []
    after: str | None = None
    while True:
        page = yield from blocking(
            ctx.tables.rows, link.table_id, fields, after=after, limit=ROW_PAGE
        )
        if not page:
            break
        after = page[-1].id
        for row in page:
            if wanted is not None and row.id not in wanted:
                continue
            cells = row.cells
            if push_id is not None and push_id in cells:
                cells = {k: v for k, v in cells.items() if k != push_id}
                push_cells[row.id] = row.cells[push_id]
            if where is not None and not where(cells):
                continue
            order.append(row.id)
            screened = screen_row(
                row.id,
                cells,
                mapping=mapping,
                steps=steps,
                campaign_id=link.config.campaign_id,
                seen=seen,
            )
            if screened.candidate is not None:
                candidates.append(screened.candidate)
            else:
                assert screened.status is not None
                results[row.id] = PushRowReport(
                    row.id, screened.status, screened.email, error=screened.error
                )
    absent = sorted(wanted - set(order)) if wanted is not None else []
    for row_id in absent:
        order.append(row_id)
        results[row_id] = PushRowReport(row_id, "failed", error="no such row")
    return order, candidates, absent


def _send_new(
    ctx: Ctx,
    core: ApiCore,
    campaign_id: str,
    chunks: Sequence[Sequence[Candidate]],
    skip_if_in_campaign: bool,
    results: dict[str, PushRowReport],
    progress: Callable[[int, int], None] | None = None,
) -> Flow[int]:
    now = ctx.clock.now()
    requests = 0
    step = max(1, ctx.push_concurrency)
    sent, total = 0, sum(len(chunk) for chunk in chunks)
    if progress is not None:
        progress(sent, total)  # (rows sent, rows to send): before the first bulk call, after each
    queue = list(chunks)
    while queue:
        group, queue = queue[:step], queue[step:]
        outcomes = yield from gather_all(
            [
                core.add_leads(
                    campaign_id, [c.lead for c in chunk], skip_if_in_campaign=skip_if_in_campaign
                )
                for chunk in group
            ]
        )
        requests += len(group)
        halves: list[Sequence[Candidate]] = []
        for chunk, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome.error, PayloadTooLarge):
                # Refused whole, before anything was added: send each half on its own,
                # down to the one row that is too large by itself.
                if len(chunk) > 1:
                    middle = (len(chunk) + 1) // 2
                    halves += [chunk[:middle], chunk[middle:]]
                else:
                    (cand,) = chunk
                    results[cand.row_id] = PushRowReport(
                        cand.row_id, "failed", cand.email, error=TOO_LARGE
                    )
                continue
            if outcome.error is not None:
                reraise_auth(outcome.error)
                for cand in chunk:
                    results[cand.row_id] = PushRowReport(
                        cand.row_id, "failed", cand.email, error=error_text(outcome.error)
                    )
                continue
            created = outcome.unwrap().created
            missing = [c for i, c in enumerate(chunk) if i not in created]
            existing: dict[str, str] = {}
            if missing:
                existing = yield from _find_leads(core, campaign_id, [c.email for c in missing])
                requests += -(-len(missing) // LEAD_PAGE)
            for i, cand in enumerate(chunk):
                if i in created:
                    results[cand.row_id] = PushRowReport(
                        cand.row_id, "pushed", cand.email, created[i], pushed_at=now
                    )
                elif cand.email in existing:
                    results[cand.row_id] = PushRowReport(
                        cand.row_id,
                        "already_in_campaign",
                        cand.email,
                        existing[cand.email],
                        pushed_at=now,
                    )
                else:
                    results[cand.row_id] = PushRowReport(
                        cand.row_id,
                        "failed",
                        cand.email,
                        error=not_created_reason(skip_if_in_campaign),
                    )
        queue = halves + queue
        sent += sum(len(chunk) for chunk in group) - sum(len(half) for half in halves)
        if progress is not None:
            progress(sent, total)
    return requests


TOO_LARGE = (
    "this lead alone is too large for Instantly's request size limit (HTTP 413): "
    "shorten its fields or its step copy"
)


def _send_updates(
    ctx: Ctx, core: ApiCore, plan: PushPlan, results: dict[str, PushRowReport]
) -> Flow[int]:
    if not plan.updates:
        return 0
    now = ctx.clock.now()
    # A row whose mapped fields were all cleared has nothing to send: Instantly has no way to
    # empty a lead's fields through an update, so its lead stays as it is, and so does it.
    sending = [(cand, lead_id) for cand, lead_id in plan.updates if patch_fields(cand.lead)]
    for cand, lead_id in plan.updates:
        if not patch_fields(cand.lead):
            results[cand.row_id] = PushRowReport(
                cand.row_id, "already_in_campaign", cand.email, lead_id, pushed_at=now
            )
    if not sending:
        return 0
    outcomes = yield from gather_all(
        [core.update_lead(lead_id, patch_fields(cand.lead)) for cand, lead_id in sending]
    )
    for (cand, lead_id), outcome in zip(sending, outcomes, strict=True):
        if outcome.error is not None:
            reraise_auth(outcome.error)
            results[cand.row_id] = PushRowReport(
                cand.row_id, "failed", cand.email, lead_id, error=error_text(outcome.error)
            )
        else:
            results[cand.row_id] = PushRowReport(
                cand.row_id, "updated", cand.email, lead_id, pushed_at=now
            )
    return len(sending)


def _find_leads(core: ApiCore, campaign_id: str, emails: Sequence[str]) -> Flow[dict[str, str]]:
    found: dict[str, str] = {}
    for start in range(0, len(emails), LEAD_PAGE):
        part = list(emails[start : start + LEAD_PAGE])
        page = yield from core.lead_page(campaign_id, None, contacts=part)
        for lead in page.items:
            email = normalize_email(lead.email)
            if email and lead.id:
                found[email] = lead.id
    return found


def _record(
    ctx: Ctx,
    link: Link,
    candidates: Sequence[Candidate],
    plan: PushPlan,
    absent: Sequence[str],
    results: Mapping[str, PushRowReport],
    push_cells: Mapping[str, CellValue],
) -> Flow[None]:
    digests = {c.row_id: c.digest for c in candidates}
    unchanged = {cand.row_id: entry for cand, entry in plan.unchanged}
    entries = [
        LedgerEntry(
            link.id,
            r.row_id,
            r.email,
            "pushed" if r.status == "updated" else r.status,  # type: ignore[arg-type]
            lead_id=r.lead_id,
            error=r.error,
            pushed_at=r.pushed_at,
            payload_hash=digests.get(r.row_id)
            if r.status in ("pushed", "updated", "already_in_campaign")
            else None,
        )
        for r in results.values()
        if (r.row_id in digests or r.status == "invalid") and r.row_id not in unchanged
    ]
    writes: list[CellWrite] = []
    if link.push is not None:
        for r in results.values():
            if r.row_id in absent:
                continue
            entry = unchanged.get(r.row_id)
            if entry is None:
                writes.append(CellWrite(r.row_id, link.push.id, r.as_cell()))
                continue
            # The ledger says it was pushed: its cell must say so too (a push that stopped
            # between the two left it empty).
            cell = PushRowReport(
                r.row_id,
                "already_in_campaign" if entry.status == "already_in_campaign" else "pushed",
                r.email,
                entry.lead_id,
                pushed_at=entry.pushed_at,
            ).as_cell()
            current = push_cells.get(r.row_id)
            if not isinstance(current, Mapping) or current.get("lead_id") != entry.lead_id:
                writes.append(CellWrite(r.row_id, link.push.id, cell))
    if entries or writes:
        yield from blocking(_write_results, ctx, link, entries, writes)


def _write_results(
    ctx: Ctx, link: Link, entries: Sequence[LedgerEntry], writes: Sequence[CellWrite]
) -> None:
    """The ledger and the push cells, in one transaction where the stores share one (a
    stop between the two would leave them disagreeing); else the ledger first, and the next
    push repairs cells from it."""
    with ctx.atomic() or contextlib.nullcontext():
        if entries:
            ctx.links.write_ledger(link.id, entries)
        if writes:
            ctx.tables.write_cells(link.table_id, writes)
