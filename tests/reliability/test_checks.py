"""The invariant checks themselves: what counts as lost, moved backwards, or a duplicate."""

from __future__ import annotations

import random
from typing import Any

import pytest

from instantly_columns.errors import StoreError
from instantly_columns.storage import MemoryStore

from ._support import Trip, TrippingStore, Tripwire, compare_cells, never_behind, store_failure


def test_a_cell_lower_than_before_is_backwards_and_a_missing_one_lost() -> None:
    before = {"r1": {"email_status": "Opened", "reply_count": 2, "last_contacted": "2026-01-06"}}
    after = {"r1": {"email_status": "Sent", "reply_count": 1}}
    check = never_behind(after, before)
    assert (check.backwards, check.lost) == (2, 1)


def test_sideways_moves_without_an_order_are_left_to_the_api() -> None:
    before = {"r1": {"email_status": "Unsubscribed", "engagement_status": "Interested"}}
    after = {"r1": {"email_status": "Bounced", "engagement_status": "Not Interested"}}
    assert never_behind(after, before).clean


def test_against_the_api_stale_is_backwards_and_ahead_is_a_problem() -> None:
    api: dict[str, dict[str, Any]] = {
        "r1": {"email_status": "Replied", "open_count": 3},
        "r2": {"email_status": "Sent"},
    }
    cells: dict[str, dict[str, Any]] = {"r1": {"email_status": "Opened", "open_count": 4}}
    check = compare_cells(cells, api)
    assert (check.backwards, check.lost) == (1, 1)
    assert any("ahead" in p for p in check.problems)


def test_the_tripwire_strikes_at_the_armed_call_only_once() -> None:
    wire = Tripwire()
    store = TrippingStore(MemoryStore(), wire)
    wire.arm(Trip("store", 2, after=True), store_failure)
    store.create_table("t", "T")
    with pytest.raises(StoreError):
        store.columns("t")  # call 2 ran, then failed
    store.columns("t")
    assert (wire.store_calls, wire.fired) == (3, 1)


def test_a_flaky_tripwire_strikes_at_about_its_rate() -> None:
    wire = Tripwire()
    store = TrippingStore(MemoryStore(), wire)
    store.create_table("t", "T")
    wire.flaky(0.2, random.Random(1), store_failure)
    failures = 0
    for _ in range(1000):
        try:
            store.columns("t")
        except StoreError:
            failures += 1
    assert 140 < failures < 260
