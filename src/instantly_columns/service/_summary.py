"""The pinned summary row (from the cells or from Instantly's analytics) and the analytics
panel."""

from __future__ import annotations

from typing import Any, Literal

from instantly_columns.api.core import ApiCore
from instantly_columns.api.results import AnalyticsOverview, CampaignAnalytics
from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES, Column, InstantlySubtype
from instantly_columns.domain.summary import Aggregate, render
from instantly_columns.engine.effects import Flow, blocking, gather
from instantly_columns.errors import ApiError
from instantly_columns.service._context import (
    Ctx,
    Link,
    api_for,
    error_text,
    link_flow,
    reraise_auth,
)
from instantly_columns.service.reports import AnalyticsDay, AnalyticsPanel, SummaryRow


def summary_json(row: SummaryRow | None) -> dict[str, Any] | None:
    """What a sync run keeps of the summary row it ended with."""
    if row is None:
        return None
    return {
        "source": row.source,
        "campaign_name": row.campaign_name,
        "campaign_status": row.campaign_status,
        "cells": {k: str(v) for k, v in row.cells.items()},
        "by_subtype": {k: str(v) for k, v in row.by_subtype.items()},
    }


def summary_after_sync(ctx: Ctx, link: Link, core: ApiCore) -> Flow[tuple[SummaryRow, str | None]]:
    local = yield from local_aggregate(ctx, link)
    status: int | None = None
    name = link.config.campaign_name
    problem = None
    try:
        campaign = yield from core.get_campaign(link.config.campaign_id)
        status = campaign.status if isinstance(campaign.status, int) else None
        name = str(campaign.name or name)
    except ApiError as exc:
        reraise_auth(exc)
        problem = f"campaign status unavailable: {error_text(exc)}"
    return build_summary(link, local, "local", name, status), problem


def local_aggregate(ctx: Ctx, link: Link) -> Flow[Aggregate]:
    columns = {s: c.id for s, c in link.engagement.items()}
    if not columns:
        return Aggregate.EMPTY
    groups = yield from blocking(ctx.tables.engagement_groups, link.table_id, columns)
    total = Aggregate.EMPTY
    for g in groups:
        total = total + Aggregate.from_group(
            email_status=g.email_status,
            engagement_status=g.engagement_status,
            rows=g.rows,
            reply_total=g.reply_total,
            open_total=g.open_total,
            opened_rows=g.opened_rows,
            last_contacted=g.last_contacted,
        )
    return total


def build_summary(
    link: Link,
    aggregate: Aggregate,
    source: Literal["api", "local"],
    campaign_name: str | None,
    campaign_status: int | None,
) -> SummaryRow:
    by_subtype: dict[InstantlySubtype, Any] = {}
    cells: dict[str, Any] = {}
    owned: list[tuple[InstantlySubtype, Column]] = [("campaign_config", link.column)]
    if link.push is not None:
        owned.append(("push_action", link.push))
    owned += [(s, c) for s, c in link.engagement.items()]
    owned += [("sequence_step", c) for _, c in sorted(link.steps.items())]
    shown: tuple[InstantlySubtype, ...] = ("campaign_config", "push_action", *ENGAGEMENT_SUBTYPES)
    for subtype in shown:
        by_subtype[subtype] = render(
            aggregate, subtype, campaign_name=campaign_name, campaign_status=campaign_status
        )
    for subtype, col in owned:
        cells[col.id] = render(
            aggregate, subtype, campaign_name=campaign_name, campaign_status=campaign_status
        )
    return SummaryRow(
        link.id,
        link.config.campaign_id,
        source,
        aggregate,
        cells,
        by_subtype,
        campaign_name=campaign_name,
        campaign_status=campaign_status,
    )


def summary_flow(ctx: Ctx, link_id: str, source: Literal["api", "local"]) -> Flow[SummaryRow]:
    link = yield from link_flow(ctx, link_id)
    if source == "local":
        aggregate = yield from local_aggregate(ctx, link)
        runs = yield from blocking(ctx.links.runs, link.id, limit=5)
        status = next(
            (
                r.summary["campaign_status"]
                for r in runs
                if r.summary and r.summary.get("campaign_status") is not None
            ),
            None,
        )
        return build_summary(link, aggregate, "local", link.config.campaign_name, status)
    core = yield from api_for(ctx, link.credential)
    rows = yield from core.campaign_analytics(link.config.campaign_id)
    overview = yield from core.analytics_overview(link.config.campaign_id)
    row = rows[0] if rows else None
    aggregate = Aggregate.from_analytics(row.raw, overview.raw) if row else Aggregate.EMPTY
    status = _code(row.campaign_status) if row else None
    name = row.campaign_name if row else None
    if status is None or name is None:
        campaign = yield from core.get_campaign(link.config.campaign_id)
        status = _code(campaign.status) if status is None else status
        name = campaign.name if name is None else name
    return build_summary(link, aggregate, "api", name or link.config.campaign_name, status)


def _code(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _n(*values: int | float | None) -> int:
    """The first counter given, floored at 0 (0 when none is)."""
    for value in values:
        if value is not None and not isinstance(value, bool):
            return max(0, int(value))
    return 0


def analytics_flow(
    ctx: Ctx, link_id: str, start_date: str | None, end_date: str | None
) -> Flow[AnalyticsPanel]:
    link = yield from link_flow(ctx, link_id)
    core = yield from api_for(ctx, link.credential)
    cid = link.config.campaign_id
    rows_out, overview_out, daily_out = yield from gather(
        core.campaign_analytics(cid, start_date=start_date, end_date=end_date),
        core.analytics_overview(cid, start_date=start_date, end_date=end_date),
        core.daily_analytics(cid, start_date=start_date, end_date=end_date),
    )
    rows = rows_out.unwrap()
    row = rows[0] if rows else CampaignAnalytics()
    over: AnalyticsOverview | None = overview_out.unwrap()
    if over is not None and not over.raw:
        over = None
    days = tuple(
        AnalyticsDay(
            date=str(d.date),
            sent=_n(d.sent),
            contacted=_n(d.contacted),
            opened=_n(d.opened),
            unique_opened=_n(d.unique_opened),
            replies=_n(d.replies),
            unique_replies=_n(d.unique_replies),
            clicks=_n(d.clicks),
            unique_clicks=_n(d.unique_clicks),
        )
        for d in daily_out.unwrap()
    )
    return AnalyticsPanel(
        campaign_id=cid,
        campaign_name=row.campaign_name or link.config.campaign_name,
        campaign_status=_code(row.campaign_status),
        start_date=start_date,
        end_date=end_date,
        leads=_n(row.leads_count),
        contacted=_n(row.contacted_count),
        emails_sent=_n(row.emails_sent_count),
        opened=_n(over.open_count) if over else _n(row.open_count),
        unique_opened=_n(row.open_count_unique, row.open_count),
        replied=_n(over.reply_count) if over else _n(row.reply_count),
        unique_replied=_n(row.reply_count_unique, row.reply_count),
        clicked=_n(row.link_click_count_unique, row.link_click_count),
        bounced=_n(row.bounced_count),
        unsubscribed=_n(row.unsubscribed_count),
        completed=_n(row.completed_count),
        interested=_n(over.total_interested) if over else 0,
        meetings_booked=_n(over.total_meeting_booked) if over else 0,
        daily=days,
    )
