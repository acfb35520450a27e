"""The push plan is pure: which rows become new leads, which update their lead, which are
unchanged, invalid or duplicates."""

from __future__ import annotations

import itertools
import json
from datetime import datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.domain.columns import FieldMappingConfig
from instantly_columns.domain.push import (
    BULK_LIMIT,
    BULK_MAX_BYTES,
    Candidate,
    ChunkBuffer,
    PushPlan,
    lead_size,
    payload_digest,
    plan_push,
    screen_row,
)
from instantly_columns.errors import ConfigError


@attrs.frozen
class Entry:
    status: str
    lead_id: str | None
    payload_hash: str | None
    pushed_at: datetime | None = None


emails = st.sampled_from([f"p{i}@acme.co" for i in range(8)])
statuses = st.sampled_from(["pushed", "already_in_campaign", "failed", "pending", "invalid"])
campaigns = st.sampled_from(["c1", "c2"])


@st.composite
def candidates_and_ledger(
    draw: st.DrawFn,
) -> tuple[list[Candidate], dict[str, Entry], str]:
    campaign = draw(campaigns)
    seen: set[str] = set()
    cands: list[Candidate] = []
    for n, email in enumerate(draw(st.lists(emails, max_size=8))):
        if email in seen:
            continue
        seen.add(email)
        lead = {"email": email, "first_name": draw(st.sampled_from(["A", "B"]))}
        cands.append(Candidate(f"r{n}", email, lead, payload_digest(campaign, lead)))
    ledger: dict[str, Entry] = {}
    for email in draw(st.lists(emails, max_size=8)):
        other = draw(campaigns)
        lead = {"email": email, "first_name": draw(st.sampled_from(["A", "B"]))}
        ledger[email] = Entry(
            draw(statuses), draw(st.sampled_from([None, "L1"])), payload_digest(other, lead)
        )
    return cands, ledger, campaign


@given(candidates_and_ledger())
def test_every_candidate_gets_exactly_one_fate(
    case: tuple[list[Candidate], dict[str, Entry], str],
) -> None:
    cands, ledger, campaign = case
    plan = plan_push(cands, ledger, campaign)
    fresh = [c.row_id for c in plan.fresh]
    updated = [c.row_id for c, _ in plan.updates]
    same = [c.row_id for c, _ in plan.unchanged]
    unsure = [c.row_id for c in plan.uncertain]
    assert sorted(fresh + updated + same + unsure) == sorted(c.row_id for c in cands)
    for cand in cands:
        entry = ledger.get(cand.email)
        if (
            entry is not None
            and entry.status == "pending"
            and (entry.payload_hash or "").startswith(f"{campaign}:")
        ):
            assert cand.row_id in unsure  # being sent when a push stopped: look it up first
            continue
        pushed_here = (
            entry is not None
            and entry.lead_id is not None
            and entry.status in ("pushed", "already_in_campaign")
            and (entry.payload_hash or "").startswith(f"{campaign}:")
        )
        if not pushed_here:
            assert cand.row_id in fresh
        elif entry is not None and entry.payload_hash == cand.digest:
            assert cand.row_id in same
        else:
            assert (cand, "L1") in plan.updates
    assert [c for chunk in plan.chunks(3) for c in chunk] == list(plan.fresh)
    assert all(len(chunk) <= 3 for chunk in plan.chunks(3))


@st.composite
def plans_with_limits(draw: st.DrawFn) -> tuple[PushPlan, int, int]:
    copies = st.text(alphabet=st.sampled_from('ab é\u4e2d\n<>"\\'), max_size=300)
    fresh = tuple(
        Candidate(
            f"r{n}",
            f"p{n}@acme.co",
            lead := {"email": f"p{n}@acme.co", "custom_variables": {"step_1_body": body}},
            payload_digest("c1", lead),
        )
        for n, body in enumerate(draw(st.lists(copies, max_size=40)))
    )
    return (
        PushPlan(fresh, (), ()),
        draw(st.integers(min_value=1, max_value=12)),
        draw(st.integers(min_value=1, max_value=4_000)),
    )


@given(plans_with_limits())
def test_chunks_keep_every_lead_in_order_within_both_limits(
    case: tuple[PushPlan, int, int],
) -> None:
    plan, size, max_bytes = case
    chunks = plan.chunks(size, max_bytes=max_bytes)
    assert [c for chunk in chunks for c in chunk] == list(plan.fresh)  # all, in order, once
    for chunk in chunks:
        assert 1 <= len(chunk) <= size
        used = sum(lead_size(c.lead) for c in chunk)
        assert used <= max_bytes or len(chunk) == 1  # only a lone lead may exceed the bytes
    # and a chunk is closed only when the next lead would not fit
    for chunk, after in itertools.pairwise(chunks):
        used = sum(lead_size(c.lead) for c in chunk)
        assert len(chunk) == size or used + lead_size(after[0].lead) > max_bytes


@given(plans_with_limits(), st.lists(st.integers(min_value=0, max_value=15), max_size=8))
def test_a_push_read_page_by_page_cuts_the_same_chunks(
    case: tuple[PushPlan, int, int], cuts: list[int]
) -> None:
    """A push feeds its chunk buffer a page at a time and takes the closed chunks after each
    page; wherever the pages fall, it sends the chunks of the whole plan, and the buffer
    never holds more than one unfinished chunk."""
    plan, size, max_bytes = case
    buffer = ChunkBuffer(size, max_bytes=max_bytes)
    sent: list[tuple[Candidate, ...]] = []
    left = list(plan.fresh)
    for cut in [*cuts, len(left)]:
        page, left = left[:cut], left[cut:]
        for cand in page:
            sent += buffer.add(cand)
        assert len(buffer) < size
    sent += buffer.flush()
    assert buffer.flush() == []
    assert not left
    assert sent == plan.chunks(size, max_bytes=max_bytes)


def test_the_chunk_buffer_refuses_impossible_limits() -> None:
    with pytest.raises(ConfigError):
        ChunkBuffer(0)
    with pytest.raises(ConfigError):
        ChunkBuffer(max_bytes=0)


def test_lead_size_bounds_the_bytes_sent() -> None:
    lead = {"email": "a@x.co", "custom_variables": {"body": "é中" * 10}}
    sent = json.dumps(lead, separators=(",", ":"), ensure_ascii=False).encode()
    assert len(sent) < lead_size(lead)
    plan = PushPlan((Candidate("r0", "a@x.co", lead, "d"),), (), ())
    with pytest.raises(ConfigError):
        plan.chunks(0)
    with pytest.raises(ConfigError):
        plan.chunks(max_bytes=0)


def test_the_plan_is_empty_without_candidates() -> None:
    plan = plan_push([], {}, "c1")
    assert not plan.fresh
    assert not plan.updates
    assert not plan.unchanged
    assert plan.chunks() == []
    assert BULK_LIMIT == 1000
    assert BULK_MAX_BYTES == 512 * 1024


@given(st.lists(st.sampled_from(["a@x.co", "A@x.co ", "b@x.co", "", "nope"]), max_size=12))
def test_screening_keeps_the_first_row_of_each_email(cells: list[str]) -> None:
    mapping = FieldMappingConfig(email="e")
    seen: dict[str, str] = {}
    first: dict[str, str] = {}
    for n, value in enumerate(cells):
        screened = screen_row(
            f"r{n}", {"e": value}, mapping=mapping, steps=None, campaign_id="c", seen=seen
        )
        if screened.status == "invalid":
            assert screened.candidate is None
            assert screened.error in ("missing email", "invalid email")
        elif screened.status == "skipped_duplicate":
            assert screened.email in first
            assert screened.error == f"same email as row {first[screened.email]}"
        else:
            assert screened.candidate is not None
            assert screened.email not in first
            first[screened.candidate.email] = f"r{n}"
    assert seen == first


def test_a_digest_is_scoped_by_campaign_and_stable() -> None:
    lead = {"email": "a@x.co", "custom_variables": {"b": 1, "a": 2}}
    assert payload_digest("c1", lead) == payload_digest("c1", dict(reversed(list(lead.items()))))
    assert payload_digest("c1", lead) != payload_digest("c2", lead)
    assert payload_digest("c1", lead).startswith("c1:")
