"""The summary aggregate per lead, as every store counts it (see ``LeadSummaries``).

A lead is the normalised email (the lookup key: stripped, lower-cased) of a row's email
cell; a row whose email cell is missing, empty or not a string belongs to no lead. A lead's
*contribution* is the engagement of its first row (smallest row id) that has an email status
or an engagement status cell; a lead without one contributes nothing. Syncs write the same
values to every row of an email, so the choice only matters when rows were edited apart.

The aggregate is a sum of contributions, so a store keeps it by remembering each lead's
current contribution and adding ``new - old`` whenever a write changes it: the cost of a
write is the rows of the leads it touches, never the table.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, TypeAlias

from instantly_columns.ports import ColumnId, EngagementGroup, RowId, SummaryColumns
from instantly_columns.storage import _codec as codec

__all__ = [
    "Contribution",
    "GroupKey",
    "Tally",
    "add_delta",
    "encoded_contribution",
    "group_order",
    "key_in",
    "key_out",
    "lead_contribution",
    "summary_columns",
    "to_groups",
    "tracked_ids",
]

Contribution: TypeAlias = tuple[str | None, str | None, int, int, str | None]
"""One lead's share: (email status key, engagement status key, replies, opens, last
contacted)."""
GroupKey: TypeAlias = tuple[str | None, str | None]
Deltas: TypeAlias = dict[GroupKey, list[int]]
"""Per group: [leads, replies, opens, opened] to add."""

_MISSING: Final = ""
_PRESENT: Final = "="


def key_in(key: str | None) -> str:
    """A status key as the SQL stores keep it (``NOT NULL``, so an index serves it)."""
    return _MISSING if key is None else _PRESENT + key


def key_out(stored: str) -> str | None:
    return None if stored == _MISSING else stored[1:]


def encoded_contribution(
    cells: Mapping[ColumnId, Sequence[Any]], columns: SummaryColumns
) -> Contribution | None:
    """One row's contribution from its stored cells ``(s, i, j)``, by the rules of the
    stores' ``GROUP BY`` (``engagement_groups``); ``None`` without a status cell."""
    es = cells.get(columns.email_status) if columns.email_status is not None else None
    en = cells.get(columns.engagement_status) if columns.engagement_status is not None else None
    if es is None and en is None:
        return None
    rc = cells.get(columns.reply_count) if columns.reply_count is not None else None
    oc = cells.get(columns.open_count) if columns.open_count is not None else None
    lc = cells.get(columns.last_contacted) if columns.last_contacted is not None else None
    return (
        None if es is None else codec.status_key(es[0], es[1], es[2]),
        None if en is None else codec.status_key(en[0], en[1], en[2]),
        0 if rc is None else codec.count_value(rc[1]),
        0 if oc is None else codec.count_value(oc[1]),
        None if lc is None else lc[0],
    )


def lead_contribution(rows: Iterable[tuple[RowId, Contribution | None]]) -> Contribution | None:
    """The contribution of a lead from its rows' own: the first row's (by id) that has one."""
    best: tuple[RowId, Contribution] | None = None
    for row, value in rows:
        if value is not None and (best is None or row < best[0]):
            best = (row, value)
    return None if best is None else best[1]


def add_delta(deltas: Deltas, old: Contribution | None, new: Contribution | None) -> None:
    """Record ``new - old`` per group."""
    if old == new:
        return
    for value, sign in ((old, -1), (new, 1)):
        if value is None:
            continue
        acc = deltas.setdefault((value[0], value[1]), [0, 0, 0, 0])
        acc[0] += sign
        acc[1] += sign * value[2]
        acc[2] += sign * value[3]
        acc[3] += sign if value[3] > 0 else 0


def group_order(key: GroupKey) -> tuple[bool, str, bool, str]:
    return (key[0] is not None, key[0] or "", key[1] is not None, key[1] or "")


def to_groups(
    counts: Mapping[GroupKey, tuple[int, int, int, int]], lasts: Mapping[GroupKey, str | None]
) -> list[EngagementGroup]:
    return [
        EngagementGroup(
            email_status=key[0],
            engagement_status=key[1],
            rows=acc[0],
            reply_total=acc[1],
            open_total=acc[2],
            opened_rows=acc[3],
            last_contacted=lasts.get(key),
        )
        for key, acc in sorted(counts.items(), key=lambda item: group_order(item[0]))
        if acc[0] > 0
    ]


class _Desc:
    """A string that orders backwards, for a max-heap on ``heapq``."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __lt__(self, other: _Desc) -> bool:
        return self.text > other.text


class Tally:
    """An aggregate held in memory: the contribution of each lead, the groups' sums, and
    each group's latest ``last_contacted`` (a max-heap with lazy deletion, so removing the
    latest one costs no scan)."""

    def __init__(self, columns: SummaryColumns) -> None:
        self.columns = columns
        self.leads: dict[str, Contribution] = {}
        self.counts: dict[GroupKey, list[int]] = {}
        self._lasts: dict[GroupKey, dict[str, int]] = {}
        self._heaps: dict[GroupKey, list[_Desc]] = {}

    def copy(self) -> Tally:
        other = Tally(self.columns)
        other.leads = dict(self.leads)
        other.counts = {k: list(v) for k, v in self.counts.items()}
        other._lasts = {k: dict(v) for k, v in self._lasts.items()}
        other._heaps = {k: list(v) for k, v in self._heaps.items()}
        return other

    def set(self, email: str, new: Contribution | None) -> None:
        old = self.leads.get(email)
        if old == new:
            return
        deltas: Deltas = {}
        add_delta(deltas, old, new)
        for key, (leads, replies, opens, opened) in deltas.items():
            acc = self.counts.setdefault(key, [0, 0, 0, 0])
            acc[0] += leads
            acc[1] += replies
            acc[2] += opens
            acc[3] += opened
            if acc[0] == 0:
                del self.counts[key]
        if old is not None:
            del self.leads[email]
            if old[4] is not None:
                seen = self._lasts[(old[0], old[1])]
                seen[old[4]] -= 1
                if not seen[old[4]]:
                    del seen[old[4]]
        if new is not None:
            self.leads[email] = new
            if new[4] is not None:
                key = (new[0], new[1])
                seen = self._lasts.setdefault(key, {})
                if new[4] not in seen:
                    heapq.heappush(self._heaps.setdefault(key, []), _Desc(new[4]))
                seen[new[4]] = seen.get(new[4], 0) + 1

    def _latest(self, key: GroupKey) -> str | None:
        seen, heap = self._lasts.get(key), self._heaps.get(key)
        if not seen or not heap:
            return None
        while heap[0].text not in seen:  # drop entries whose leads have gone
            heapq.heappop(heap)
        return heap[0].text

    def groups(self) -> list[EngagementGroup]:
        counts = {key: (a[0], a[1], a[2], a[3]) for key, a in self.counts.items()}
        return to_groups(counts, {key: self._latest(key) for key in counts})


def summary_columns(columns: Any) -> SummaryColumns:
    """``columns`` checked: a ``SummaryColumns`` whose ids are non-empty strings."""
    from instantly_columns.errors import ConfigError, Problem

    if not isinstance(columns, SummaryColumns):
        raise ConfigError([Problem("columns", "expected SummaryColumns")])
    for name in (
        "email",
        "email_status",
        "engagement_status",
        "reply_count",
        "open_count",
        "last_contacted",
    ):
        value = getattr(columns, name)
        if (value is not None or name == "email") and (not isinstance(value, str) or not value):
            raise ConfigError([Problem(f"columns.{name}", "must be a non-empty string")])
    return columns


def tracked_ids(columns: SummaryColumns) -> frozenset[ColumnId]:
    """Every column whose cells the aggregate reads."""
    return frozenset({columns.email, *columns.engagement().values()})
