"""The one HTML table behind the notebook displays."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.api.results import Campaign, ResultList
from instantly_columns.domain._html import html_table
from instantly_columns.domain.summary import Aggregate
from instantly_columns.domain.wizard import WizardState
from instantly_columns.errors import Problem
from instantly_columns.service.reports import PushReport, PushRowReport

SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def test_a_plain_table() -> None:
    page = html_table([["a", 1], ["b", None]], headers=["name", "count"])
    assert page == (
        "<table><thead><tr><th>name</th><th>count</th></tr></thead>"
        "<tbody><tr><td>a</td><td>1</td></tr><tr><td>b</td><td></td></tr></tbody></table>"
    )


def test_every_cell_header_and_caption_is_escaped() -> None:
    page = html_table([[SCRIPT, SCRIPT]], headers=[SCRIPT, "x"], caption=SCRIPT, row_headers=True)
    assert "<script>" not in page
    assert f"<caption>{ESCAPED}</caption>" in page
    assert f"<th>{ESCAPED}</th><th>x</th>" in page
    assert f"<tr><th>{ESCAPED}</th><td>{ESCAPED}</td></tr>" in page


@given(st.lists(st.lists(st.text(), max_size=3), max_size=4), st.text())
def test_no_text_can_open_a_tag(rows: list[list[str]], caption: str) -> None:
    page = html_table(rows, headers=["h"], caption=caption)
    allowed = {"table", "caption", "thead", "tbody", "tr", "th", "td"}
    tags = {part.split(">", 1)[0].lstrip("/") for part in page.split("<")[1:]}
    assert tags <= allowed


def test_a_caption_and_row_headers() -> None:
    page = html_table([("leads", 2), ("opened", 1)], caption="Aggregate", row_headers=True)
    assert page.startswith("<table><caption>Aggregate</caption><tbody>")
    assert "<thead>" not in page
    assert "<tr><th>leads</th><td>2</td></tr>" in page


def test_truncation_says_how_many_rows_are_left_out() -> None:
    rows = [[n] for n in range(25)]
    page = html_table(rows, headers=["n"], limit=20)
    assert page.count("<tr>") == 21
    assert "<td>19</td>" in page
    assert "<td>20</td>" not in page
    assert page.endswith("</table><p>… 5 more rows</p>")
    assert html_table(rows[:21], limit=20).endswith("<p>… 1 more row</p>")
    assert "more" not in html_table(rows[:20], limit=20)
    assert "more" not in html_table(rows)
    assert html_table(rows, limit=0).endswith("<tbody></tbody></table><p>… 25 more rows</p>")


# --- the displays that use it ----------------------------------------------------------------


def test_push_reports_show_twenty_rows() -> None:
    rows = tuple(PushRowReport(row_id=f"r{n}", status="pushed") for n in range(23))
    report = PushReport(link_id="i", campaign_id="c", dry_run=False, rows=rows, requests=1)
    page = report._repr_html_()
    assert page.startswith("<p>&lt;PushReport 23 rows")
    assert "<th>lead id</th>" in page
    assert "<td>r19</td>" in page
    assert "<td>r20</td>" not in page
    assert page.endswith("<p>… 3 more rows</p>")


def test_result_lists_escape_campaign_names() -> None:
    campaigns: ResultList[Campaign] = ResultList((Campaign(id="c1", name=SCRIPT, status=1),))
    page = campaigns._repr_html_()
    assert "<script>" not in page
    assert f"<td>{ESCAPED}</td><td>Active</td>" in page


def test_aggregates_keep_their_name_value_rows() -> None:
    page = Aggregate(leads=2, by_engagement_status={SCRIPT: 1})._repr_html_()
    assert "<caption>Aggregate</caption>" in page
    assert "<th>leads</th><td>2</td>" in page
    assert f"<th>engagement: {ESCAPED}</th><td>1</td>" in page


def test_wizard_problems_are_escaped() -> None:
    state = WizardState(table_id="t").with_problems(
        [Problem("overrides.email", f"header {SCRIPT!r} is not a column")]
    )
    page = state._repr_html_()
    assert page.startswith("<p><b>connection</b> → ")
    assert "<script>" not in page
    assert "<th>field</th><th>problem</th>" in page
    assert "<td>overrides.email</td>" in page
    assert "<table>" not in WizardState(table_id="t")._repr_html_()
