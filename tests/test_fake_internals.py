"""Properties of the fake's building blocks: validator, limiter, ids, pagination."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instantly_columns.testing._fake_report import SlidingLimiter
from instantly_columns.testing._fake_routes import _page, query_dict
from instantly_columns.testing._fake_schema import (
    CAMPAIGN_PATCH,
    LEAD_PATCH,
    TIMEZONES,
    SchemaViolation,
    validate,
)
from instantly_columns.testing._fake_state import EVERY, IdMaker, Lead, LeadTable

START = datetime(2026, 1, 5, tzinfo=timezone.utc)


def test_the_zone_enum_is_the_documented_102() -> None:
    assert len(TIMEZONES) == len(set(TIMEZONES)) == 102
    assert "America/Detroit" in TIMEZONES
    assert not {"America/New_York", "America/Los_Angeles", "Europe/London", "UTC"} & set(TIMEZONES)


_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


@given(extra=st.dictionaries(_names, st.integers(), min_size=1, max_size=4))
def test_closed_bodies_refuse_or_drop_unknown_keys(extra: dict[str, int]) -> None:
    known = LEAD_PATCH["properties"]
    unknown = {k: v for k, v in extra.items() if k not in known}
    body: dict[str, Any] = {"first_name": "Ada", **unknown}
    if unknown:
        with pytest.raises(SchemaViolation, match=r"^body must NOT have additional properties$"):
            validate(body, LEAD_PATCH, root="body")
    kept = validate(body, LEAD_PATCH, root="body", extra_keys="drop")
    assert kept == {"first_name": "Ada"}


@given(value=st.integers(-1000, 1000))
def test_query_integers_are_coerced_and_bounded(value: int) -> None:
    schema = {
        "type": "object",
        "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": 100}},
    }
    if 1 <= value <= 100:
        assert validate({"limit": str(value)}, schema, root="querystring", coerce=True) == {
            "limit": value
        }
    else:
        with pytest.raises(SchemaViolation) as problem:
            validate({"limit": str(value)}, schema, root="querystring", coerce=True)
        assert problem.value.message.startswith("querystring/limit must be ")


def test_query_coercion_of_booleans_arrays_and_repeats() -> None:
    schema = {
        "type": "object",
        "properties": {
            "flag": {"type": "boolean"},
            "ids": {"type": "array", "items": {"type": "string"}},
            "limit": {"type": "integer"},
        },
    }
    parsed = validate(
        query_dict([("flag", "true"), ("ids", "a")]), schema, root="querystring", coerce=True
    )
    assert parsed == {"flag": True, "ids": ["a"]}
    with pytest.raises(SchemaViolation, match="querystring/limit must be integer"):
        validate(
            query_dict([("limit", "1"), ("limit", "2")]), schema, root="querystring", coerce=True
        )
    with pytest.raises(SchemaViolation, match="querystring/flag must be boolean"):
        validate({"flag": "yes"}, schema, root="querystring", coerce=True)


def test_patch_needs_one_property_and_types_are_named() -> None:
    with pytest.raises(SchemaViolation, match=r"^body must NOT have fewer than 1 properties$"):
        validate({}, CAMPAIGN_PATCH, root="body")
    with pytest.raises(SchemaViolation, match=r"^body/open_tracking must be boolean$"):
        validate({"open_tracking": None}, CAMPAIGN_PATCH, root="body")
    with pytest.raises(SchemaViolation, match=r"^body must be object$"):
        validate(None, CAMPAIGN_PATCH, root="body")


# binary fractions, so that the brute-force check below is exact
@given(
    gaps=st.lists(st.sampled_from([0.0, 1 / 1024, 1 / 64, 0.25, 0.5, 1.0, 3.0, 30.0]), max_size=300)
)
def test_the_limiter_never_admits_too_many_in_any_window(gaps: list[float]) -> None:
    limiter = SlidingLimiter(per_second=5, per_minute=20)
    now = 0.0
    admitted: list[float] = []
    for gap in gaps:
        now += gap
        wait = limiter.admit(now)
        if wait is None:
            admitted.append(now)
        else:
            assert wait > 0
    for t in admitted:  # brute force: every window that starts at an admitted request
        assert sum(1 for u in admitted if t <= u < t + 1.0) <= 5
        assert sum(1 for u in admitted if t <= u < t + 60.0) <= 20


def test_the_limiter_meets_window_edges_despite_float_sums() -> None:
    limiter = SlidingLimiter(per_second=1, per_minute=100)
    now = 0.0
    assert limiter.admit(now) is None
    for _ in range(10):
        now += 0.1  # 0.9999999999999999 after ten steps
    assert limiter.admit(now) is None
    assert limiter.admit(now + 0.5) == 0.5


@given(
    steps=st.lists(st.integers(0, 5), min_size=1, max_size=200),
    seed=st.integers(0, 2**32),
)
def test_ids_are_uuid7_and_sort_in_creation_order(steps: list[int], seed: int) -> None:
    maker = IdMaker(seed)
    moment = START
    ids = []
    for ms in steps:
        moment += timedelta(milliseconds=ms)
        ids.append(maker.new(moment))
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    assert int(ids[0].replace("-", "")[:12], 16) == int(START.timestamp() * 1000) + steps[0]


@given(count=st.integers(0, 60), limit=st.integers(1, 25))
def test_paging_visits_everything_once_and_ends_on_empty_or_short(count: int, limit: int) -> None:
    items = [{"id": f"{i:04d}"} for i in reversed(range(count))]
    seen: list[str] = []
    after = None
    calls = 0
    while True:
        page = _page(items, limit, after, lambda item: item["id"], dict)
        calls += 1
        seen += [item["id"] for item in page["items"]]
        if not page["items"] or "next_starting_after" not in page:
            break
        after = page["next_starting_after"]
    assert seen == sorted(item["id"] for item in items)
    assert calls == count // limit + 1  # an exact multiple costs one empty page


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["add", "remove"]),
            st.integers(0, 30),
            st.sampled_from(["c1", "c2", None]),
            st.sampled_from(["a@x.co", "B@x.co ", None]),
        ),
        max_size=60,
    ),
    st.sampled_from(["c1", "c2", None, "all"]),
    st.integers(0, 31),
)
def test_the_lead_index_agrees_with_a_scan(
    steps: list[tuple[str, int, str | None, str | None]], campaign: str | None, after: int
) -> None:
    """LeadTable's ordered lists and email index (with removed ids left behind and
    re-added) give what filtering and sorting every lead gives."""
    table = LeadTable()
    for action, n, campaign_id, email in steps:
        lead_id = f"{n:03d}"
        if action == "add":
            table[lead_id] = Lead(lead_id, email, START, START, campaign_id=campaign_id)
        elif lead_id in table:
            del table[lead_id]
    every = list(table.values())
    wanted = EVERY if campaign == "all" else campaign
    start = f"{after:03d}"
    expected = sorted(
        (x for x in every if wanted is EVERY or x.campaign_id == wanted), key=lambda x: x.id
    )
    assert list(table.ordered(wanted)) == expected
    assert list(table.ordered(wanted, after=start)) == [x for x in expected if x.id > start]
    for key in ("a@x.co", "b@x.co", None):
        assert table.with_key(key) == [x for x in every if x.key == key and key is not None]


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300)
@given(_JSON_VALUES)
def test_the_fake_encodes_any_json_value_that_reads_back_the_same(value: object) -> None:
    from instantly_columns.testing._fake_routes import encode_json

    assert json.loads(encode_json(value)) == value


def test_the_fake_writes_utf8_as_instantly_does_and_escapes_what_utf8_cannot_hold() -> None:
    from instantly_columns.testing._fake_routes import encode_json

    assert encode_json({"name": "Zoë", "n": [1, 2.5]}) == '{"name":"Zoë","n":[1,2.5]}'.encode()
    assert encode_json({"bad": "\ud800"}) == b'{"bad":"\\ud800"}'
