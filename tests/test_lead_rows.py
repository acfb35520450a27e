"""`ApiCore.lead_rows`, the sync's page of leads: the JSON objects as sent, checked as
`lead_page` checks each lead, with the same error when a page fails the check; and the JSON
depth check that every API answer goes through."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _client_support import C1, KEY, Script, reply
from instantly_columns.api.core import ApiCore
from instantly_columns.api.ratelimit import WorkspaceLimiter
from instantly_columns.config import ClientSettings
from instantly_columns.domain._json import JsonLimitError, check_json_limits, loads_limited
from instantly_columns.engine.drivers import SyncDriver
from instantly_columns.errors import ApiResponseError
from instantly_columns.ports import ApiKey
from instantly_columns.testing.clock import FakeClock


def _core() -> tuple[ApiCore, FakeClock]:
    clock = FakeClock()
    core = ApiCore(ApiKey(KEY), settings=ClientSettings(), clock=clock, limiter=WorkspaceLimiter())
    return core, clock


def _outcome(flow_name: str, body: Any) -> Any:
    core, clock = _core()
    driver = SyncDriver(Script(reply(200, body)), clock)
    try:
        return driver.run(getattr(core, flow_name)(C1, "after"))
    except ApiResponseError as exc:
        return ("error", str(exc))


LEADS = [
    {"id": "l1", "email": "ada@example.com", "payload": {"x": [1, {"y": None}]}, "extra": 1},
    {"id": "l2", "email": None, "email_open_count": "3"},
]


def test_a_page_of_leads_is_the_json_as_sent_with_its_cursors() -> None:
    page = _outcome("lead_rows", {"items": LEADS, "next_starting_after": 17})
    assert page.items == tuple(LEADS)
    assert (page.starting_after, page.next_starting_after, page.cursor_problem) == (
        "after",
        "17",
        None,
    )
    typed = _outcome("lead_page", {"items": LEADS, "next_starting_after": 17})
    assert [dict(lead.raw) for lead in typed.items] == list(page.items)


def test_the_request_is_the_one_lead_page_sends() -> None:
    core, clock = _core()
    script = Script(reply(200, {"items": []}))
    SyncDriver(script, clock).run(core.lead_rows(C1, "after"))
    SyncDriver(script, clock).run(core.lead_page(C1, "after"))
    first, second = script.requests
    assert (first.method, first.path, first.json) == (second.method, second.path, second.json)


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "text",
        {"next_starting_after": "x"},
        {"items": {"id": "l1"}},
        {"items": [1]},
        {"items": [{"email": "a@b.co"}]},
        {"items": [{"id": 7}]},
        {"items": [{"id": None}]},
        {"items": [{"id": "l1"}, ["l2"]]},
        {"items": [{"id": "l1"}], "next_starting_after": True},
        {"items": [], "next_starting_after": {"a": 1}},
    ],
)
def test_a_page_that_fails_the_check_raises_what_lead_page_raises(body: Any) -> None:
    rows, typed = _outcome("lead_rows", body), _outcome("lead_page", body)
    if isinstance(typed, tuple):
        assert rows == typed
    else:
        assert not isinstance(rows, tuple)
        assert rows.items == tuple(dict(lead.raw) for lead in typed.items)
        assert rows.cursor_problem == typed.cursor_problem


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=30,
)


@settings(max_examples=300)
@given(json_values, st.integers(min_value=1, max_value=6))
def test_loads_limited_refuses_exactly_what_the_full_check_refuses(value: Any, depth: int) -> None:
    text = json.dumps(value)
    try:
        check_json_limits(json.loads(text), depth)
    except JsonLimitError:
        with pytest.raises(JsonLimitError):
            loads_limited(text, depth)
    else:
        assert loads_limited(text, depth) == json.loads(text)


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types and key order throughout (1 is not 1.0, nor True)."""
    return json.dumps(a) == json.dumps(b)


any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.floats()
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=40,
)


@settings(max_examples=400)
@given(any_json, st.booleans(), st.booleans())
def test_loads_limited_reads_any_json_as_json_loads_does(
    value: Any, ascii_only: bool, spaced: bool
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=1 if spaced else None)
    for given_as in (text, text.encode("utf-8")):
        assert _same(loads_limited(given_as, 10_000), json.loads(given_as))


numbers = st.from_regex(r"\A-?(0|[1-9][0-9]{0,40})(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?\Z")


@settings(max_examples=500)
@given(numbers)
def test_loads_limited_reads_any_number_as_json_loads_does(text: str) -> None:
    assert _same(loads_limited(f"[{text}]"), json.loads(f"[{text}]"))


@settings(max_examples=500)
@given(st.text(max_size=40) | st.binary(max_size=40))
def test_loads_limited_fails_where_json_loads_fails_and_agrees_elsewhere(text: str | bytes) -> None:
    try:
        expected = json.loads(text)
    except (ValueError, RecursionError) as exc:
        with pytest.raises(type(exc) if isinstance(exc, ValueError) else JsonLimitError):
            loads_limited(text)
    else:
        assert _same(loads_limited(text), expected)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "\\ud800"}',  # a lone surrogate, escaped: json.loads keeps it
        "\ufeff[1]",
        b"\xef\xbb\xbf[1]",
        "[1, 2]".encode("utf-16"),
        '{"a": 1, "a": 2}',
        "[NaN, Infinity, -Infinity, 1e400]",
        "[" * 150 + "]" * 150,
        "1" * 4300,
    ],
)
def test_text_the_fast_parser_refuses_is_read_as_json_loads_reads_it(text: str | bytes) -> None:
    try:
        expected = json.loads(text)
    except ValueError as exc:
        with pytest.raises(type(exc)):
            loads_limited(text, 200)
    else:
        assert repr(loads_limited(text, 200)) == repr(expected)


def test_loads_limited_refuses_deep_nesting_and_long_integers() -> None:
    with pytest.raises(JsonLimitError):
        loads_limited("[" * 65 + "]" * 65)
    assert loads_limited("[" * 64 + "]" * 64) is not None
    with pytest.raises(JsonLimitError):
        loads_limited("1" * 5000)


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def canonical_shaped(draw: st.DrawFn) -> str:
    def d(n: int) -> str:
        return "".join(draw(digits) for _ in range(n))

    return f"{d(4)}-{d(2)}-{d(2)}T{d(2)}:{d(2)}:{d(2)}.{d(3)}Z"


@settings(max_examples=500)
@given(st.one_of(canonical_shaped(), st.datetimes().map(lambda m: m.isoformat() + "Z")))
def test_a_canonical_timestamp_takes_the_short_way_to_the_same_answer(text: str) -> None:
    from instantly_columns.domain.engagement import _normalize_any, normalize_timestamp

    assert normalize_timestamp(text) == _normalize_any(text)
