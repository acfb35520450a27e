"""Charts of the analytics panel: the daily series and the engagement funnel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

alt = pytest.importorskip("altair")

from _scenario import run_campaign  # noqa: E402
from instantly_columns.charts import DAILY_SERIES, FUNNEL_STAGES, daily_chart, funnel_chart  # noqa: E402
from instantly_columns.service.reports import AnalyticsDay, AnalyticsPanel  # noqa: E402


def panel(**counts: Any) -> AnalyticsPanel:
    fields: dict[str, Any] = dict.fromkeys(
        (
            "leads",
            "contacted",
            "emails_sent",
            "opened",
            "unique_opened",
            "replied",
            "unique_replied",
            "clicked",
            "bounced",
            "unsubscribed",
            "completed",
            "interested",
            "meetings_booked",
        ),
        0,
    )
    fields.update(counts)
    return AnalyticsPanel(
        campaign_id="c1",
        campaign_name=fields.pop("campaign_name", "Q3 founders"),
        campaign_status=1,
        start_date=None,
        end_date=None,
        **fields,
    )


def values(chart: Any) -> list[dict[str, Any]]:
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    data = spec.get("data") or spec["layer"][0]["data"]
    inline = data["values"] if "values" in data else spec["datasets"][data["name"]]
    return list(inline)


def test_the_daily_chart_draws_every_day_and_a_line_per_series() -> None:
    days = (
        AnalyticsDay("2026-01-05", sent=20, unique_opened=9, unique_replies=2, unique_clicks=1),
        AnalyticsDay("2026-01-07", sent=15, unique_opened=7),
    )
    chart = daily_chart(panel(daily=days))
    spec = chart.to_dict()
    assert spec["title"] == "Q3 founders: daily activity"
    assert spec["mark"] == {"type": "line", "point": True}
    assert spec["encoding"]["x"]["timeUnit"] == "utcyearmonthdate"
    got = {(v["date"], v["series"]): v["count"] for v in values(chart)}
    assert got == {
        ("2026-01-05", "sent"): 20,
        ("2026-01-05", "opened"): 9,
        ("2026-01-05", "replied"): 2,
        ("2026-01-05", "clicked"): 1,
        # a day the series leaves out is drawn as zeros
        ("2026-01-06", "sent"): 0,
        ("2026-01-06", "opened"): 0,
        ("2026-01-06", "replied"): 0,
        ("2026-01-06", "clicked"): 0,
        ("2026-01-07", "sent"): 15,
        ("2026-01-07", "opened"): 7,
        ("2026-01-07", "replied"): 0,
        ("2026-01-07", "clicked"): 0,
    }
    assert [label for label, _ in DAILY_SERIES] == spec["encoding"]["color"]["sort"]


def test_the_funnel_labels_counts_and_shares() -> None:
    chart = funnel_chart(
        panel(leads=40, contacted=32, unique_opened=24, unique_replied=8, interested=3)
    )
    assert [(v["stage"], v["count"], v["label"]) for v in values(chart)] == [
        ("leads", 40, "40"),
        ("contacted", 32, "32 · 80% of leads"),
        ("opened", 24, "24 · 75%"),
        ("replied", 8, "8 · 25%"),
        ("interested", 3, "3 · 9%"),
    ]
    spec = chart.to_dict()
    assert spec["title"] == "Q3 founders: engagement funnel"
    assert [label for label, _ in FUNNEL_STAGES] == spec["layer"][0]["encoding"]["y"]["sort"]


def test_a_campaign_that_has_not_sent_still_charts() -> None:
    quiet = panel(campaign_name=None, leads=5)
    assert values(daily_chart(quiet)) == []
    assert daily_chart(quiet).to_dict()["title"] == "daily activity"
    assert [v["label"] for v in values(funnel_chart(quiet))] == [
        "5",
        "0 · 0% of leads",
        "0 · —",
        "0 · —",
        "0 · —",
    ]


def test_charts_of_a_real_panel_render_to_png_without_a_browser(tmp_path: Path) -> None:
    pytest.importorskip("vl_convert")
    campaign = run_campaign(n=20, days=6)
    analytics = campaign.service.analytics(campaign.link)
    assert analytics.daily
    for name, chart in (("daily", daily_chart(analytics)), ("funnel", funnel_chart(analytics))):
        path = tmp_path / f"{name}.png"
        chart.save(path)
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert path.stat().st_size > 5_000
