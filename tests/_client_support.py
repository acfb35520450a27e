"""Helpers for the client tests: a scripted transport and a runner for both clients."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

import anyio

from instantly_columns.api.client import AsyncInstantlyClient, InstantlyClient
from instantly_columns.ports import ApiRequest, ApiResponse
from instantly_columns.testing.clock import FakeClock

KEY = "canary-key-7f3a9c1e5b"
KINDS = ("sync", "async")

# Instantly's ids are UUIDs, and the client refuses anything else before sending.
C1 = "01990000-0000-7000-8000-0000000000c1"  # a campaign
C2 = "01990000-0000-7000-8000-0000000000c2"  # another campaign
L1 = "01990000-0000-7000-8000-0000000000a1"  # a lead
W1 = "01990000-0000-7000-8000-0000000000b1"  # a webhook

Step = ApiResponse | Exception | Callable[[ApiRequest], "ApiResponse | Exception"]


def reply(
    status: int = 200, body: Any = None, *, text: str | None = None, **headers: str
) -> ApiResponse:
    raw = json.dumps(body).encode() if body is not None else b""
    if text is not None:
        raw = text.encode()
    return ApiResponse(
        status=status, headers={k.replace("_", "-"): v for k, v in headers.items()}, body=raw
    )


def envelope(status: int, message: str, **headers: str) -> ApiResponse:
    return reply(status, {"statusCode": status, "error": "Error", "message": message}, **headers)


class Script:
    """A `Transport` that answers from a list of steps (the last one repeats) and records
    every request."""

    def __init__(self, *steps: Step, route: Callable[[ApiRequest], Step] | None = None) -> None:
        self.steps = list(steps)
        self.route = route
        self.requests: list[ApiRequest] = []

    def answer(self, request: ApiRequest) -> ApiResponse:
        self.requests.append(request)
        if self.route is not None:
            step: Any = self.route(request)
        else:
            step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if callable(step) and not isinstance(step, ApiResponse):
            step = step(request)
        if isinstance(step, Exception):
            raise step
        assert isinstance(step, ApiResponse)
        return step

    def send(self, request: ApiRequest) -> ApiResponse:
        return self.answer(request)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.requests]


class AsyncScript:
    def __init__(self, script: Script) -> None:
        self.script = script

    async def send(self, request: ApiRequest) -> ApiResponse:
        await anyio.lowlevel.checkpoint()
        return self.script.answer(request)


def client_for(kind: str, script: Script, **kwargs: Any) -> Any:
    kwargs.setdefault("clock", FakeClock())
    if kind == "sync":
        return InstantlyClient(KEY, transport=script, **kwargs)
    return AsyncInstantlyClient(KEY, transport=AsyncScript(script), **kwargs)


def settle(kind: str, result: Any) -> Any:
    """Finish a client call: iterate iterators, await awaitables (the async ones inside an
    event loop)."""
    if kind == "sync":
        return list(result) if isinstance(result, Iterator) else result

    async def go() -> Any:
        value = result
        if isinstance(value, AsyncIterator):
            return [item async for item in value]
        if inspect.isawaitable(value):
            return await value
        return value

    return anyio.run(go)


def run(kind: str, script: Script, call: Callable[[Any], Any], **kwargs: Any) -> Any:
    client = client_for(kind, script, **kwargs)
    return settle(kind, call(client))


def body(request: ApiRequest) -> Mapping[str, Any]:
    assert isinstance(request.json, Mapping)
    return request.json
