"""Connecting a key, and applying webhook deliveries to the cells."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from instantly_columns.domain.engagement import project_all
from instantly_columns.domain.mapping import normalize_email
from instantly_columns.domain.webhooks import parse_event, plan_updates
from instantly_columns.engine.effects import Flow, blocking
from instantly_columns.ports import ApiKey, CellWrite
from instantly_columns.service._context import (
    Ctx,
    api_for,
    ensure_engagement_columns,
    link_flow,
)
from instantly_columns.service.reports import WebhookResult


def connect_flow(ctx: Ctx, credential: str, key: ApiKey) -> Flow[Mapping[str, Any]]:
    """Validate a key against the API, then store it. A rejected key is not stored."""
    check = yield from ctx.core(key).check_key()
    yield from blocking(ctx.credentials.set_key, credential, key)
    return {"id": check.workspace_id, "name": check.workspace_name}


def webhook_flow(ctx: Ctx, body: bytes | Mapping[str, Any]) -> Flow[WebhookResult]:
    """Apply one delivery (already authenticated) to every link of its campaign."""
    event = parse_event(body)
    fresh = yield from blocking(ctx.integrations.record_event, event.key, ctx.clock.now())
    if not fresh:
        return WebhookResult(event.event_type, replay=True)
    links = yield from blocking(ctx.integrations.integrations, None)
    targets = [i for i in links if i.campaign_id == event.campaign_id]
    if not targets or event.lead_email is None:
        return WebhookResult(event.event_type, ignored="no link for this campaign or lead")
    written = 0
    refreshed = False
    ignored = None
    for integration in targets:
        link = yield from link_flow(ctx, integration.id)
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
        found = yield from blocking(
            ctx.tables.get_rows, link.table_id, row_ids, list(columns.values())
        )
        rows = {r.id: r for r in found}
        writes: list[CellWrite] = []
        for row_id in row_ids:
            row = rows.get(row_id)
            current = {s: row.cells.get(cid) for s, cid in columns.items()} if row else {}
            outcome = plan_updates(event, current)
            ignored = outcome.ignored
            if outcome.refresh_lead:
                core = yield from api_for(ctx, integration.credential_id)
                page = yield from core.lead_page(
                    integration.campaign_id, None, contacts=[event.lead_email]
                )
                refreshed = True
                for lead in page.items:
                    if normalize_email(lead.email) == event.lead_email:
                        cells = project_all(lead.raw).as_dict()
                        writes.extend(CellWrite(row_id, columns[s], cells[s]) for s in columns)
            else:
                writes.extend(CellWrite(row_id, columns[s], v) for s, v in outcome.updates.items())
        if writes:
            written += yield from blocking(ctx.tables.write_cells, link.table_id, writes)
    return WebhookResult(
        event.event_type, cells_written=written, refreshed=refreshed, ignored=ignored
    )
