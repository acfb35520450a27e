"""Hostile input never escapes as an untyped exception: JSON nested thousands of levels deep
or holding integers of thousands of digits, from a webhook delivery or an API answer, and
odd constructor arguments, end in the library's own errors (or in a result)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _client_support import C1, Script, reply, run
from instantly_columns.asgi import webhook_app
from instantly_columns.domain.columns import Column
from instantly_columns.domain.webhooks import WebhookEvent, parse_event
from instantly_columns.errors import (
    ApiError,
    ApiResponseError,
    BadRequest,
    ConfigError,
    InvalidColumnConfig,
    Problem,
    ServerError,
    WebhookPayloadError,
)
from instantly_columns.ports import ApiKey
from instantly_columns.service.reports import WebhookReport

DEEP = st.integers(min_value=65, max_value=30_000)
"""Nesting depths past the limit (64), up to far past Python's recursion limit."""


def nested(depth: int, inner: str = "1", *, objects: bool = False) -> str:
    if objects:
        return '{"a":' * depth + inner + "}" * depth
    return "[" * depth + inner + "]" * depth


def deep_value(depth: int) -> Any:
    """A decoded JSON value nested ``depth`` levels, built without recursion."""
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def hostile_json(draw: st.DrawFn) -> str:
    """A JSON text (or almost): a plain value, deep nesting or a huge integer somewhere."""
    kind = draw(st.sampled_from(["plain", "deep", "deep_objects", "huge_int", "mangled"]))
    value = json.dumps(draw(json_values))
    if kind == "deep":
        value = nested(draw(DEEP), value)
    elif kind == "deep_objects":
        value = nested(draw(DEEP), value, objects=True)
    elif kind == "huge_int":
        value = "9" * draw(st.integers(min_value=4_301, max_value=20_000))
    elif kind == "mangled":
        value = value[: draw(st.integers(min_value=0, max_value=len(value)))]
    return value


def event_body(inner: str) -> bytes:
    return ('{"event_type":"email_opened","campaign_id":"c1","data":' + inner + "}").encode()


# --- webhook deliveries ----------------------------------------------------------------------


@given(DEEP, st.booleans())
def test_a_deeply_nested_delivery_is_a_payload_error(depth: int, objects: bool) -> None:
    with pytest.raises(WebhookPayloadError, match="nested"):
        parse_event(event_body(nested(depth, objects=objects)))
    with pytest.raises(WebhookPayloadError):
        parse_event(nested(depth, objects=objects).encode())


@given(DEEP)
def test_a_deeply_nested_decoded_delivery_is_a_payload_error(depth: int) -> None:
    with pytest.raises(WebhookPayloadError, match="nested"):
        parse_event({"event_type": "email_opened", "data": deep_value(depth)})


def test_a_huge_integer_in_a_delivery_is_a_payload_error() -> None:
    with pytest.raises(WebhookPayloadError):
        parse_event(event_body("9" * 5000))
    with pytest.raises(WebhookPayloadError):
        parse_event({"event_type": "email_opened", "data": 10**5000})


def test_a_delivery_as_deep_as_the_limit_is_read() -> None:
    event = parse_event(event_body(nested(63)))
    assert event.event_type == "email_opened"


@given(hostile_json())
def test_parse_event_returns_an_event_or_raises_a_payload_error(inner: str) -> None:
    for body in (event_body(inner), inner.encode()):
        with contextlib.suppress(WebhookPayloadError):
            assert isinstance(parse_event(body), WebhookEvent)


class _Receiver:
    """A service stand-in that parses each delivery as the real one does first."""

    def ingest_webhook(
        self, body: bytes, *, headers: Any = None, query: Any = None
    ) -> WebhookReport:
        event = parse_event(body)
        return WebhookReport(event.event_type, ignored="test receiver")


class _AsyncReceiver:
    async def ingest_webhook(
        self, body: bytes, *, headers: Any = None, query: Any = None
    ) -> WebhookReport:
        return _Receiver().ingest_webhook(body, headers=headers, query=query)


def asgi_status(app: Any, body: bytes) -> tuple[int, dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": [], "query_string": b""}
    anyio.run(app, scope, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"])


@pytest.mark.parametrize("receiver", [_Receiver(), _AsyncReceiver()], ids=["sync", "async"])
@pytest.mark.parametrize("depth", [100, 1_000, 100_000])
def test_the_asgi_app_answers_400_to_a_deeply_nested_body(receiver: Any, depth: int) -> None:
    app = webhook_app(receiver)
    status, payload = asgi_status(app, event_body(nested(depth)))
    assert status == 400
    assert "nested" in payload["error"]


@given(hostile_json())
def test_the_asgi_app_answers_200_or_400(inner: str) -> None:
    status, _ = asgi_status(webhook_app(_AsyncReceiver()), event_body(inner))
    assert status in (200, 400)


# --- API answers -----------------------------------------------------------------------------

OPERATIONS = {
    "get_campaign": lambda c: c.get_campaign(C1),
    "get_sequences": lambda c: c.get_sequences(C1),
    "iter_leads": lambda c: c.iter_leads(C1),
    "list_campaigns": lambda c: c.list_campaigns(),
    "analytics": lambda c: c.campaign_analytics(C1),
}


def answer(status: int, text: str) -> Any:
    return reply(status, text=text)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("depth", [100, 500, 1_000, 100_000])
def test_a_deeply_nested_answer_is_a_response_error(operation: str, depth: int) -> None:
    bodies = {
        "get_campaign": '{"id":"c1","sequences":' + nested(depth) + "}",
        "get_sequences": '{"id":"c1","sequences":[{"steps":' + nested(depth) + "}]}",
        "iter_leads": '{"items":[{"id":"l1","x":' + nested(depth) + "}]}",
        "list_campaigns": '{"items":[{"id":"c1","x":' + nested(depth) + "}]}",
        "analytics": "[" + nested(depth, objects=True) + "]",
    }
    script = Script(answer(200, bodies[operation]))
    with pytest.raises(ApiResponseError, match="nested"):
        run("sync", script, OPERATIONS[operation])


@pytest.mark.parametrize("status", [400, 500])
def test_a_deeply_nested_error_answer_keeps_its_status_class(status: int) -> None:
    script = Script(answer(status, nested(100_000, objects=True)))
    expected = BadRequest if status == 400 else ServerError
    with pytest.raises(expected):
        run("sync", script, OPERATIONS["get_campaign"])


def test_a_huge_integer_in_an_answer_is_a_response_error() -> None:
    script = Script(answer(200, '{"id":"c1","daily_limit":' + "9" * 5000 + "}"))
    with pytest.raises(ApiResponseError, match="digits"):
        run("sync", script, OPERATIONS["get_campaign"])


@given(st.sampled_from(sorted(OPERATIONS)), st.sampled_from([200, 400, 404, 500]), hostile_json())
def test_any_answer_gives_a_result_or_an_api_error(operation: str, status: int, text: str) -> None:
    script = Script(answer(status, text))
    with contextlib.suppress(ApiError):
        run("sync", script, OPERATIONS[operation])


# --- constructors ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_api_key_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError) as info:
        ApiKey(value)
    assert isinstance(info.value, ValueError)  # as before
    assert info.value.problems[0].path == "api_key"


def test_a_non_string_api_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        ApiKey(42)  # type: ignore[arg-type]


column_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": json_scalars,
        "key": json_scalars,
        "name": json_scalars,
        "type": st.sampled_from(["text", "instantly", "number"]) | json_scalars,
        "config": json_values
        | st.fixed_dictionaries(
            {"instantly_subtype": st.sampled_from(["reply_count", "push_action", "nope"])},
            optional={"campaign_id": json_scalars, "integration_id": json_scalars},
        ),
        "extra": json_values,
    },
)


@given(column_fields)
def test_column_raises_invalid_column_config_with_paths(fields: dict[str, Any]) -> None:
    def construct() -> Column:
        return Column(**fields)

    def validate() -> Column:
        return Column.model_validate(fields)

    for build in (construct, validate):
        problems: tuple[Problem, ...] = ()
        try:
            column = build()
        except InvalidColumnConfig as exc:
            problems = exc.problems
        else:
            assert isinstance(column, Column)
            continue
        assert problems
        assert all(isinstance(p.path, str) and p.message for p in problems)


def test_column_problems_name_their_fields() -> None:
    with pytest.raises(InvalidColumnConfig) as info:
        Column(id="", key="k", name=5)
    assert {p.path for p in info.value.problems} == {"id", "name"}
    with pytest.raises(InvalidColumnConfig) as info:
        Column(id="c", key="c", name="C", type="instantly")
    assert [p.message for p in info.value.problems] == ["an 'instantly' column needs a config"]
    with pytest.raises(InvalidColumnConfig) as info:
        Column.model_validate({"id": "c", "key": "c", "name": "C", "bogus": 1})
    assert [p.path for p in info.value.problems] == ["bogus"]
    with pytest.raises(InvalidColumnConfig) as info:
        Column.model_validate_json('{"id": "c", "key": "c"}')
    assert [p.path for p in info.value.problems] == ["name"]
    with pytest.raises(InvalidColumnConfig) as info:
        Column.from_host(id="c1", name=None)  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == ["columns[c1].name"]


@pytest.mark.parametrize("value", ["", "   "])
def test_connecting_an_empty_key_is_a_config_error(value: str) -> None:
    from instantly_columns.service.facade import InstantlyColumns
    from instantly_columns.storage import MemoryStore

    with pytest.raises(ConfigError) as info:
        InstantlyColumns(MemoryStore()).connect(value)
    assert info.value.problems[0].path == "api_key"
