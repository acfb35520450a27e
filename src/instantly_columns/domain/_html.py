"""The one HTML table behind every ``_repr_html_`` (notebook display).

Pure, and importable from every layer. Every header, caption and cell is escaped with
:func:`html.escape`, so a lead's name or a header like ``<script>`` shows as text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

__all__ = ["html_table"]


def _cell(tag: str, value: object) -> str:
    text = "" if value is None else str(value)
    return f"<{tag}>{html.escape(text)}</{tag}>"


def html_table(
    rows: Sequence[Sequence[object]],
    *,
    headers: Sequence[str] = (),
    caption: str | None = None,
    row_headers: bool = False,
    limit: int | None = None,
) -> str:
    """A ``<table>`` of ``rows``, every value escaped (``None`` shows as an empty cell).

    Args:
        rows: the body, one sequence of values per row; values are shown with ``str``.
        headers: the column headers (a ``<thead>``); none by default.
        caption: a ``<caption>`` above the table.
        row_headers: the first value of each row is its header (``<th>``), as in a
            two-column "name, value" table.
        limit: show at most this many rows and say how many more there are after the table.
    """
    shown = rows if limit is None else rows[: max(limit, 0)]
    parts = ["<table>"]
    if caption is not None:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    if headers:
        parts.append("<thead><tr>" + "".join(_cell("th", h) for h in headers) + "</tr></thead>")
    parts.append("<tbody>")
    for row in shown:
        cells = [_cell("th" if row_headers and n == 0 else "td", v) for n, v in enumerate(row)]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    hidden = len(rows) - len(shown)
    if hidden:
        parts.append(f"<p>… {hidden} more row{'s' if hidden != 1 else ''}</p>")
    return "".join(parts)
