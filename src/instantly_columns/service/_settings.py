"""Settings edits and deletion of a campaign link."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from instantly_columns.domain.columns import Column
from instantly_columns.domain.link_edit import check_settings, edit_link
from instantly_columns.engine.effects import Flow, blocking
from instantly_columns.ports import CellWrite
from instantly_columns.service._context import (
    ROW_PAGE,
    Ctx,
    api_for,
    campaign_or_not_found,
    link_flow,
)
from instantly_columns.service.reports import DeletionReport, SettingsChange


def update_link_flow(
    ctx: Ctx,
    link_id: str,
    *,
    field_mapping: Mapping[str, Any] | None = None,
    sequence_mode: str | None = None,
    push_config: Mapping[str, Any] | None = None,
    campaign_name: str | None = None,
    campaign_id: str | None = None,
    sync_interval_seconds: float | None = None,
    unknown: Mapping[str, object] | None = None,
) -> Flow[SettingsChange]:
    # Our own input: every value is checked before anything is read or written.
    check_settings(
        field_mapping=field_mapping,
        sequence_mode=sequence_mode,
        push_config=push_config,
        campaign_name=campaign_name,
        campaign_id=campaign_id,
        sync_interval_seconds=sync_interval_seconds,
        unknown=unknown,
    )
    link = yield from link_flow(ctx, link_id)
    columns = yield from blocking(ctx.tables.columns, link.table_id)
    edit = edit_link(
        table=columns,
        link=link.column,
        engagement=link.engagement,
        steps=link.steps,
        push=link.push,
        field_mapping=field_mapping,
        sequence_mode=sequence_mode,
        push_config=push_config,
        campaign_name=campaign_name,
        campaign_id=campaign_id,
    )
    changed = list(edit.changed)
    notes = list(edit.notes)
    cleared = 0
    if edit.switched:
        # The one check that needs Instantly, made before the first write.
        core = yield from api_for(ctx, link.credential)
        yield from campaign_or_not_found(core, edit.config.campaign_id)
        # Engagement cells and push results described the old campaign: clear them.
        clear_ids = [c.id for c in link.engagement.values()]
        if link.push is not None:
            clear_ids.append(link.push.id)
        cleared = yield from _clear_columns(ctx, link.table_id, clear_ids)
        notes.append(
            f"switched campaign: cleared {cleared} engagement and push cells of the old "
            "campaign; the next sync fills them for the new one, and rows must be pushed again"
        )
    yield from blocking(ctx.tables.save_columns, link.table_id, list(edit.columns))
    settings = dict(link.record.settings)
    if sync_interval_seconds is not None:
        settings["sync_interval_seconds"] = float(sync_interval_seconds)
        changed.append("sync_interval_seconds")
    if edit.push_config is not None:
        settings["push_config"] = dict(edit.push_config)
    item = attrs.evolve(
        link.record,
        campaign_id=edit.config.campaign_id,
        campaign_name=edit.config.campaign_name or link.record.campaign_name,
        sequence_mode=edit.config.sequence_mode,
        field_mapping=edit.config.field_mapping.model_dump(mode="json", exclude_unset=True),
        settings=settings,
    )
    yield from blocking(ctx.links.save_link, item, version=link.record.version)
    return SettingsChange(link.id, tuple(changed), cells_cleared=cleared, notes=tuple(notes))


def _clear_columns(ctx: Ctx, table_id: str, column_ids: Sequence[str]) -> Flow[int]:
    if not column_ids:
        return 0
    total = 0
    after = None
    while True:
        page = yield from blocking(
            ctx.tables.rows, table_id, list(column_ids), after=after, limit=ROW_PAGE
        )
        if not page:
            return total
        after = page[-1].id
        writes = [
            CellWrite(row.id, cid, None)
            for row in page
            for cid in column_ids
            if row.cells.get(cid) is not None
        ]
        if writes:
            total += yield from blocking(ctx.tables.write_cells, table_id, writes)


def delete_link_flow(
    ctx: Ctx, link_id: str, *, keep_step_columns: bool = True
) -> Flow[DeletionReport]:
    """Delete a link: its ``campaign_config``, ``push_action`` and engagement columns go with
    their cells; step columns hold the user's copy, so by default they are kept as plain text
    columns with their values."""
    link = yield from link_flow(ctx, link_id)
    removed = [link.column.id, *(c.id for c in link.engagement.values())]
    if link.push is not None:
        removed.append(link.push.id)
    detached: list[Column] = []
    for (_number, _field), col in sorted(link.steps.items()):
        if keep_step_columns:
            detached.append(
                Column(
                    id=col.id, key=col.key, name=col.name, type="text", host_fields=col.host_fields
                )
            )
        else:
            removed.append(col.id)
    if detached:
        yield from blocking(ctx.tables.save_columns, link.table_id, detached)
    yield from blocking(ctx.tables.delete_columns, link.table_id, removed)
    yield from blocking(ctx.links.delete_link, link.id)
    notes = [f"removed {len(removed)} columns and their cells"]
    if detached:
        notes.append(f"kept {len(detached)} step columns as plain text columns")
    return DeletionReport(link.id, tuple(removed), tuple(c.id for c in detached), tuple(notes))
