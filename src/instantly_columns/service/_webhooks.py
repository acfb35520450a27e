"""Connecting a key, and applying webhook deliveries to the cells."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from instantly_columns.domain.engagement import EngagementSubtype, project_all
from instantly_columns.domain.mapping import normalize_email
from instantly_columns.domain.webhooks import (
    SECRET_HEADER,
    WebhookEvent,
    parse_event,
    plan_updates,
)
from instantly_columns.engine.effects import Flow, blocking
from instantly_columns.errors import ConfigError
from instantly_columns.ports import ApiKey, CellWrite, RowLocking
from instantly_columns.service._context import (
    Ctx,
    api_for,
    ensure_engagement_columns,
    link_flow,
)
from instantly_columns.service.reports import WebhookReport

if TYPE_CHECKING:
    from instantly_columns.api.results import Webhook


def connect_flow(ctx: Ctx, credential: str, key: ApiKey) -> Flow[Mapping[str, Any]]:
    """Validate a key against the API, then store it. A rejected key is not stored."""
    check = yield from ctx.core(key).check_key()
    yield from blocking(ctx.credentials.set_key, credential, key)
    return {"id": check.workspace_id, "name": check.workspace_name}


def subscribe_flow(
    ctx: Ctx,
    target_url: str,
    secret: str | None,
    *,
    event_type: str,
    campaign_id: str | None,
    name: str | None,
    credential: str,
) -> Flow[Webhook]:
    """Subscribe ``target_url`` with the shared secret in the header the receiver checks."""
    if not secret:
        raise ConfigError(
            "the service has no webhook_secret: give one, so that deliveries can be checked",
            path="webhook_secret",
        )
    if not target_url.startswith(("https://", "http://")):
        raise ConfigError("must be an http(s) URL", path="target_url")
    core = yield from api_for(ctx, credential)
    return (
        yield from core.create_webhook(
            target_url,
            event_type,
            campaign_id=campaign_id,
            name=name,
            headers={SECRET_HEADER: secret},
        )
    )


def webhook_flow(ctx: Ctx, body: bytes | Mapping[str, Any]) -> Flow[WebhookReport]:
    """Apply one delivery (already authenticated) to every link of its campaign.

    The event is recorded as seen only with its cells, in one transaction where the stores
    share one: a delivery whose work failed (a lead refresh the API refused) leaves no
    trace, so Instantly's retry does the work instead of being taken for a replay. The
    planned changes only move cells forward, so applying a delivery twice is harmless.
    """
    event = parse_event(body)
    links = yield from blocking(ctx.links.links, None)
    targets = [i for i in links if i.campaign_id == event.campaign_id]
    if not targets or event.lead_email is None:
        fresh = yield from blocking(ctx.links.record_event, event.key, ctx.clock.now())
        if not fresh:
            return WebhookReport(event.event_type, replay=True)
        return WebhookReport(event.event_type, ignored="no link for this campaign or lead")
    refreshed = False
    ignored = None
    # What to plan against, per table: its rows of this lead and their engagement columns.
    # The plan is made where the cells are written (`_apply`), against the cells as they are
    # then, so two deliveries for one lead at once cannot undo each other.
    targets_rows: list[tuple[str, list[str], dict[EngagementSubtype, str], Mapping[str, Any]]] = []
    for target in targets:
        link = yield from link_flow(ctx, target.id)
        link, _ = yield from ensure_engagement_columns(ctx, link)
        email_col = link.config.field_mapping.email
        if not email_col:
            continue
        index = yield from blocking(
            ctx.tables.lookup_rows, link.table_id, email_col, [event.lead_email]
        )
        row_ids = index.get(event.lead_email, [])
        if not row_ids:
            continue
        columns = {s: c.id for s, c in link.engagement.items()}
        refresh: Mapping[str, Any] = {}
        if plan_updates(event, {}).refresh_lead:  # depends on the event only
            core = yield from api_for(ctx, target.credential_id)
            page = yield from core.lead_page(target.campaign_id, None, contacts=[event.lead_email])
            refreshed = True
            for lead in page.items:
                if normalize_email(lead.email) == event.lead_email:
                    refresh = {str(k): v for k, v in project_all(lead.raw).as_dict().items()}
        targets_rows.append((link.table_id, row_ids, columns, refresh))
    applied = yield from blocking(_apply, ctx, event, targets_rows)
    if applied is None:
        return WebhookReport(event.event_type, replay=True)
    written, ignored = applied
    return WebhookReport(
        event.event_type, cells_written=written, refreshed=refreshed, ignored=ignored
    )


def _apply(
    ctx: Ctx,
    event: WebhookEvent,
    targets: Sequence[tuple[str, list[str], dict[EngagementSubtype, str], Mapping[str, Any]]],
) -> tuple[int, str | None] | None:
    """Plan against the cells as they are, write, and record the event, in one transaction
    where the stores share one; ``None`` when the event was seen already.

    The rows are locked first where the store can (``RowLocking``: ``SELECT ... FOR UPDATE``
    on PostgreSQL), in one order, so that deliveries for one lead applied at once by several
    workers take turns: each plans against the cells the one before it wrote, and a cell never
    moves backwards whatever order they arrive in."""
    unit = ctx.atomic()
    with unit or contextlib.nullcontext():
        if unit is not None and not ctx.links.record_event(event.key, ctx.clock.now()):
            return None
        ordered = sorted(targets, key=lambda target: target[0])
        if unit is not None and isinstance(ctx.tables, RowLocking):
            for table_id, row_ids, _, _ in ordered:
                ctx.tables.lock_rows(table_id, row_ids)
        written = 0
        ignored = None
        for table_id, row_ids, columns, refresh in ordered:
            found = ctx.tables.get_rows(table_id, row_ids, list(columns.values()))
            rows = {r.id: r for r in found}
            writes: list[CellWrite] = []
            for row_id in row_ids:
                row = rows.get(row_id)
                current = {s: row.cells.get(cid) for s, cid in columns.items()} if row else {}
                outcome = plan_updates(event, current)
                ignored = outcome.ignored
                if outcome.refresh_lead:
                    writes.extend(
                        CellWrite(row_id, columns[s], refresh[s]) for s in columns if refresh
                    )
                else:
                    writes.extend(
                        CellWrite(row_id, columns[s], v) for s, v in outcome.updates.items()
                    )
            if writes:
                written += ctx.tables.write_cells(table_id, writes)
        if unit is None and not ctx.links.record_event(event.key, ctx.clock.now()):
            return None  # applied again: harmless, the changes only move cells forward
        return written, ignored
