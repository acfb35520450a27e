"""``push``, ``sync``, ``summary``, ``analytics``, ``history`` and ``links``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from instantly_columns.cli._app import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PARTIAL,
    app,
    db_option,
    fake_option,
    handled,
    link_option,
    table_option,
)
from instantly_columns.cli._output import TONES, Output, plain, status_text, styled
from instantly_columns.cli._session import open_session
from instantly_columns.domain.summary import campaign_status_badge
from instantly_columns.service._summary import SummarySource
from instantly_columns.service.reports import ProgressEvent, PushReport

__all__ = [
    "analytics_command",
    "history_command",
    "links_command",
    "push_command",
    "summary_command",
    "sync_command",
]

_NOT_PUSHED = ("invalid", "failed")


def _many(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def _counts(counts: dict[str, int]) -> str:
    return " · ".join(f"{status} {n}" for status, n in counts.items()) or "no rows"


def _push_data(report: PushReport) -> dict[str, Any]:
    data: dict[str, Any] = {
        "link": report.link_id,
        "campaign_id": report.campaign_id,
        "dry_run": report.dry_run,
        "counts": report.counts,
        "requests": report.requests,
        "rows": list(report.rows),  # read back from the report's spool
    }
    if report.dry_run:
        data["bodies"] = list(report.bodies)
        data["updates"] = list(report.updates)
    return data


@app.command("push")
@table_option
@link_option
@click.option("--yes", "--send", "send", is_flag=True, help="Send. Without it: a dry run.")
@click.option("--force", is_flag=True, help="Push rows again that were pushed before.")
@click.option("--row", "rows", multiple=True, metavar="ROW_ID", help="Only these rows.")
@click.option("--show", default=20, show_default=True, help="Rows listed.")
@db_option
@fake_option
@handled
def push_command(
    out: Output,
    table: str,
    link_id: str | None,
    send: bool,
    force: bool,
    rows: tuple[str, ...],
    show: int,
    db: str,
    fake: bool,
) -> int:
    """Push the table's rows to the campaign as leads, a result per row.

    Without --yes (or --send) it is a dry run: it shows what would be sent, and sends
    nothing. Exit code 3 when rows were invalid or failed.
    """
    with open_session(db, fake=fake) as session:
        link = session.link(table, link_id)
        report = session.service.push(link.id, rows=rows or None, dry_run=not send, force=force)
    if out.as_json:
        out.data(_push_data(report))
    title = "Dry run: nothing was sent." if report.dry_run else "Pushed."
    out.say(f"[bold]{title}[/] Campaign {escape(link.campaign_name)!r}: {_counts(report.counts)}")
    # Only the rows shown are read back from the report (a push of 100,000 rows lists 20).
    out.table(
        ["row", "email", "status", "lead id / error"],
        [
            (r.row_id, r.email, status_text(r.status), r.error or r.lead_id)
            for r in report.rows[: max(show, 0)]
        ],
    )
    if len(report.rows) > max(show, 0):
        more = len(report.rows) - max(show, 0)
        out.say(f"[dim]… {more} more rows (--show {len(report.rows)} shows all)[/]")
    if report.dry_run:
        leads = sum(len(body.get("leads", [])) for body in report.bodies)
        if leads or report.updates:
            out.say(
                f"Run again with [bold]--yes[/] to send {_many(leads, 'new lead')} in "
                f"{_many(len(report.bodies), 'request')} and "
                f"{_many(len(report.updates), 'lead update')}."
            )
        return EXIT_OK
    return EXIT_PARTIAL if any(report.counts.get(s) for s in _NOT_PUSHED) else EXIT_OK


@contextmanager
def _progress(out: Output) -> Iterator[Callable[[ProgressEvent], None]]:
    """A progress bar on stderr while a person watches; nothing otherwise."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=out.errors,
        transient=True,
        disable=not out.interactive,
    ) as bar:
        task = bar.add_task("syncing", total=None)

        def update(event: ProgressEvent) -> None:
            bar.update(
                task,
                description=(
                    f"page {event.pages}: {event.leads_seen} leads, "
                    f"{event.rows_matched} rows, {event.cells_written} cells"
                ),
            )

        yield update


@app.command("sync")
@table_option
@link_option
@click.option("--full", is_flag=True, help="Start over instead of resuming a cut-short run.")
@click.option(
    "--simulate",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="DAYS",
    help="With --fake: let the campaign run DAYS days first (sends, opens, replies).",
)
@db_option
@fake_option
@handled
def sync_command(
    out: Output,
    table: str,
    link_id: str | None,
    full: bool,
    simulate: float | None,
    db: str,
    fake: bool,
) -> int:
    """Fill the engagement columns from Instantly, with a progress bar.

    Exit code 3 when the run ended partial or was cancelled (the next sync resumes it).
    """
    if simulate is not None and not fake:
        raise click.UsageError("--simulate needs --fake: it lets the fake's campaign run")
    simulated = None
    with open_session(db, fake=fake) as session:
        link = session.link(table, link_id)
        if simulate is not None and session.fake is not None:
            if session.fake.campaign(link.campaign_id)["status"] in (0, 2):
                session.fake.activate(link.campaign_id)
            simulated = session.fake.advance(timedelta(days=simulate))
        with _progress(out) as progress:
            report = session.service.sync(link.id, progress=progress, full=full)
        names = {c.id: c.name for c in session.service.columns_of(link.id)}
    run = report.run
    summary = report.summary.cells if report.summary is not None else {}
    out.data(
        {
            "link": link.id,
            "status": run.status,
            "run": run,
            "simulated": simulated,
            "summary": {names.get(k, k): str(v) for k, v in summary.items()},
        }
    )
    if simulated is not None:
        counts = {
            k: v for k, v in plain(simulated).items() if isinstance(v, int) and v and k != "events"
        }
        happened = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
        out.say(
            f"[dim]The fake campaign ran {simulate:g} days: {happened or 'nothing happened'}.[/]"
        )
    out.say(
        f"Sync {run.status}: {run.leads_seen} leads, {run.rows_matched} rows matched, "
        f"{run.leads_unmatched} unmatched, {run.duplicate_rows} duplicate rows, "
        f"{run.cells_written} cells written."
    )
    for error in run.errors:
        out.warn(error)
    out.table(["column", "summary"], [(names.get(k, k), str(v)) for k, v in summary.items()])
    if run.status == "ok":
        return EXIT_OK
    return EXIT_ERROR if run.status == "failed" else EXIT_PARTIAL


@app.command("summary")
@table_option
@link_option
@click.option(
    "--source",
    type=click.Choice(["stored", "api", "local"]),
    default="stored",
    show_default=True,
    help="As the last sync stored it, from Instantly's analytics now, or from the cells now.",
)
@db_option
@fake_option
@handled
def summary_command(
    out: Output, table: str, link_id: str | None, source: str, db: str, fake: bool
) -> int:
    """The pinned summary row: "45% Interested", "82% Opened", "23 total"."""
    with open_session(db, fake=fake) as session:
        link = session.link(table, link_id)
        chosen: SummarySource = (
            "api" if source == "api" else "local" if source == "local" else "stored"
        )
        row = session.service.summary(link.id, source=chosen)
        names = {c.id: c.name for c in session.service.columns_of(link.id)}
    out.data(
        {
            "link": link.id,
            "source": row.source,
            "as_of": row.as_of.isoformat() if row.as_of else None,
            "campaign": {"name": row.campaign_name, "status": row.campaign_status},
            "cells": {names.get(k, k): str(v) for k, v in row.cells.items()},
            "by_subtype": {k: str(v) for k, v in row.by_subtype.items()},
            "aggregate": row.aggregate,
        }
    )
    badge = campaign_status_badge(row.campaign_status)
    out.say(
        f"[bold]{escape(row.campaign_name or link.campaign_name)}[/] "
        f"[{TONES.get(badge.tone, '')}]{badge.label}[/] ({row.provenance})"
    )
    out.table(["column", "summary"], [(names.get(k, k), str(v)) for k, v in row.cells.items()])
    return EXIT_OK


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@app.command("analytics")
@table_option
@link_option
@click.option("--start-date", default=None, metavar="YYYY-MM-DD", help="First day.")
@click.option("--end-date", default=None, metavar="YYYY-MM-DD", help="Last day.")
@db_option
@fake_option
@handled
def analytics_command(
    out: Output,
    table: str,
    link_id: str | None,
    start_date: str | None,
    end_date: str | None,
    db: str,
    fake: bool,
) -> int:
    """The campaign's analytics panel: counters, rates and the daily series."""
    with open_session(db, fake=fake) as session:
        link = session.link(table, link_id)
        panel = session.service.analytics(link.id, start_date=start_date, end_date=end_date)
    out.data({**plain(panel), "rates": panel.rates})
    rates = panel.rates
    badge = campaign_status_badge(panel.campaign_status)
    out.say(
        f"[bold]{escape(panel.campaign_name or link.campaign_name)}[/] "
        f"[{TONES.get(badge.tone, '')}]{badge.label}[/]"
    )
    out.table(
        ["", "count", "rate"],
        [
            ("leads", panel.leads, ""),
            ("contacted", panel.contacted, ""),
            ("emails sent", panel.emails_sent, ""),
            ("opened", panel.unique_opened, _rate(rates["open_rate"])),
            ("replied", panel.unique_replied, _rate(rates["reply_rate"])),
            ("clicked", panel.clicked, _rate(rates["click_rate"])),
            ("bounced", panel.bounced, _rate(rates["bounce_rate"])),
            ("unsubscribed", panel.unsubscribed, _rate(rates["unsubscribe_rate"])),
            ("interested", panel.interested, _rate(rates["interested_rate"])),
            ("meetings booked", panel.meetings_booked, ""),
        ],
    )
    if panel.daily:
        out.table(
            ["day", "sent", "opened", "replies", "clicks"],
            [
                (d.date, d.sent, d.unique_opened, d.unique_replies, d.unique_clicks)
                for d in panel.daily
            ],
            title="Daily",
        )
    return EXIT_OK


@app.command("history")
@table_option
@link_option
@click.option("--limit", default=20, show_default=True, help="Runs shown, newest first.")
@db_option
@fake_option
@handled
def history_command(
    out: Output, table: str, link_id: str | None, limit: int, db: str, fake: bool
) -> int:
    """Sync runs of a link, newest first."""
    with open_session(db, fake=fake) as session:
        link = session.link(table, link_id)
        runs = session.service.history(link.id, limit=limit)
    out.data({"link": link.id, "runs": runs})
    if not runs:
        out.say("No sync yet: [bold]instantly-columns sync[/]")
        return EXIT_OK
    out.table(
        ["started", "status", "leads", "matched", "unmatched", "cells", "errors"],
        [
            (
                f"{r.started_at:%Y-%m-%d %H:%M}",
                status_text(r.status),
                r.leads_seen,
                r.rows_matched,
                r.leads_unmatched,
                r.cells_written,
                "; ".join(r.errors),
            )
            for r in runs
        ],
    )
    return EXIT_OK


@app.command("links")
@click.option("--table", default=None, help="Only this table's links.")
@db_option
@fake_option
@handled
def links_command(out: Output, table: str | None, db: str, fake: bool) -> int:
    """Campaign links of every table (or one)."""
    with open_session(db, fake=fake) as session:
        links = session.links(table)
    out.data({"links": links})
    if not links:
        out.say("No links yet: [bold]instantly-columns link[/]")
        return EXIT_OK
    out.table(
        ["link", "table", "campaign", "campaign id", "mode", "created"],
        [
            (
                i.id,
                i.table_id,
                i.campaign_name,
                i.campaign_id,
                i.sequence_mode,
                styled(f"{i.created_at:%Y-%m-%d %H:%M}" if i.created_at else ""),
            )
            for i in links
        ],
    )
    return EXIT_OK
