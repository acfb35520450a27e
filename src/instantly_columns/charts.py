"""Charts of a campaign's analytics panel, drawn with Altair (the ``charts`` extra).

- [`daily_chart`][instantly_columns.charts.daily_chart]: the daily series over time: emails
  sent, and the leads who opened, replied and clicked each day.
- [`funnel_chart`][instantly_columns.charts.funnel_chart]: leads → contacted → opened →
  replied → interested, as bars with their counts and shares.

Both take the [`AnalyticsPanel`][instantly_columns.service.reports.AnalyticsPanel] that
``service.analytics(link)`` returns and give an Altair chart: it shows itself in Jupyter,
``chart.save("daily.png")`` or ``.save("daily.svg")`` writes an image without a browser
(vl-convert, in the extra too), and ``chart.to_json()`` is its Vega-Lite specification.
No dataframe library is needed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from instantly_columns.service.reports import AnalyticsPanel

try:
    import altair as alt
except ImportError:  # pragma: no cover - the charts extra is not installed
    alt = None  # type: ignore[assignment]

__all__ = ["DAILY_SERIES", "FUNNEL_STAGES", "daily_chart", "funnel_chart"]

#: The lines of the daily chart: (label, ``AnalyticsDay`` field).
DAILY_SERIES: tuple[tuple[str, str], ...] = (
    ("sent", "sent"),
    ("opened", "unique_opened"),
    ("replied", "unique_replies"),
    ("clicked", "unique_clicks"),
)
#: The bars of the funnel: (label, ``AnalyticsPanel`` field).
FUNNEL_STAGES: tuple[tuple[str, str], ...] = (
    ("leads", "leads"),
    ("contacted", "contacted"),
    ("opened", "unique_opened"),
    ("replied", "unique_replied"),
    ("interested", "interested"),
)
_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756")
_WIDTH = 520


def _altair() -> Any:
    if alt is None:  # pragma: no cover - the charts extra is not installed
        raise ImportError(
            "instantly_columns.charts needs Altair: pip install 'instantly-columns[charts]'"
        )
    return alt


def _title(panel: AnalyticsPanel, what: str) -> str:
    return f"{panel.campaign_name}: {what}" if panel.campaign_name else what


def daily_chart(panel: AnalyticsPanel) -> alt.Chart:
    """A line per series of ``DAILY_SERIES`` over the panel's days: emails sent, and the
    leads who opened, replied and clicked that day (unique per day). Days are calendar
    days as Instantly reports them, shown as such in every time zone; a day the series
    leaves out (nothing happened) is drawn as zeros."""
    _altair()
    labels = [label for label, _ in DAILY_SERIES]
    values = [
        {"date": day, "series": label, "count": counts.get(field, 0)}
        for day, counts in _every_day(panel).items()
        for label, field in DAILY_SERIES
    ]
    chart: alt.Chart = (
        alt.Chart(alt.InlineData(values=values))
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", timeUnit="utcyearmonthdate", title=None),
            y=alt.Y("count:Q", title="per day"),
            color=alt.Color(
                "series:N",
                sort=labels,
                scale=alt.Scale(domain=labels, range=list(_COLOURS[: len(labels)])),
                title=None,
            ),
            tooltip=[
                alt.Tooltip("date:T", timeUnit="utcyearmonthdate", title="day"),
                alt.Tooltip("series:N", title="series"),
                alt.Tooltip("count:Q", title="count"),
            ],
        )
        .properties(title=_title(panel, "daily activity"), width=_WIDTH, height=220)
    )
    return chart


def _every_day(panel: AnalyticsPanel) -> dict[str, dict[str, int]]:
    """The panel's days from the first to the last, each with its counts (none: zeros)."""
    given = {
        date.fromisoformat(day.date[:10]): {f: getattr(day, f) for _, f in DAILY_SERIES}
        for day in panel.daily
    }
    if not given:
        return {}
    first, last = min(given), max(given)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return {day.isoformat(): given.get(day, {}) for day in days}


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def funnel_chart(panel: AnalyticsPanel) -> alt.LayerChart:
    """A bar per stage of ``FUNNEL_STAGES``: leads in the campaign, leads contacted, and
    of those the ones who opened, replied and were marked interested (the panel's unique
    counts). Each bar is labelled with its count and its share: contacted of all leads,
    the later stages of the leads contacted (the summary row's percentages)."""
    _altair()
    labels = [label for label, _ in FUNNEL_STAGES]
    values = []
    for i, (label, field) in enumerate(FUNNEL_STAGES):
        count = int(getattr(panel, field))
        if i == 0:
            text = f"{count:,}"
        elif i == 1:
            text = f"{count:,} · {_share(count, panel.leads)} of leads"
        else:
            text = f"{count:,} · {_share(count, panel.contacted)}"
        values.append({"stage": label, "count": count, "label": text})
    bars = (
        alt.Chart(alt.InlineData(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=labels, title=None),
            x=alt.X("count:Q", title="leads"),
            color=alt.Color(
                "stage:N",
                sort=labels,
                scale=alt.Scale(domain=labels, range=list(_COLOURS)),
                legend=None,
            ),
            tooltip=[alt.Tooltip("stage:N"), alt.Tooltip("count:Q"), alt.Tooltip("label:N")],
        )
    )
    text = bars.mark_text(align="left", baseline="middle", dx=4).encode(
        text="label:N", color=alt.value("#333333")
    )
    funnel: alt.LayerChart = (bars + text).properties(
        title=_title(panel, "engagement funnel"), width=_WIDTH - 120, height=180
    )
    return funnel
