"""The engine: one vocabulary of effects, one sync and one async driver for every flow."""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

import instantly_columns
from instantly_columns.engine.drivers import AsyncDriver, SyncDriver
from instantly_columns.engine.effects import (
    Flow,
    blocking,
    collect,
    emit,
    gather,
    gather_all,
    wait,
)
from instantly_columns.errors import ApiConnectionError
from instantly_columns.ports import ApiRequest, ApiResponse
from instantly_columns.testing import FakeClock

SRC = Path(instantly_columns.__file__).parent


class Echo:
    """A transport that answers every request with its path, or fails on `/down`."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, request: ApiRequest) -> ApiResponse:
        self.sent.append(request.path)
        if request.path == "/down":
            raise ApiConnectionError("down")
        return ApiResponse(200, {}, request.path.encode())


class AsyncEcho:
    def __init__(self) -> None:
        self.inner = Echo()

    async def send(self, request: ApiRequest) -> ApiResponse:
        return self.inner.send(request)


def req(path: str) -> ApiRequest:
    return ApiRequest("GET", path, retry_safe=True)


def fetch(path: str) -> Flow[str]:
    from instantly_columns.engine.effects import call

    response = yield from call(req(path))
    return response.body.decode()


def mixed(log: list[str]) -> Flow[tuple[str, int]]:
    body = yield from fetch("/a")
    yield from wait(2.5)
    size = yield from blocking(len, log)
    try:
        yield from fetch("/down")
    except ApiConnectionError:
        log.append("caught")
    return body, size


def test_the_sync_driver_performs_every_kind_of_effect() -> None:
    clock = FakeClock()
    echo = Echo()
    log: list[str] = ["x"]
    start = clock.monotonic()
    assert SyncDriver(echo, clock).run(mixed(log)) == ("/a", 1)
    assert clock.monotonic() - start == pytest.approx(2.5)
    assert log == ["x", "caught"]  # the transport error was thrown into the flow
    assert echo.sent == ["/a", "/down"]


def test_the_async_driver_performs_every_kind_of_effect() -> None:
    clock = FakeClock()
    echo = AsyncEcho()
    log: list[str] = ["x"]

    async def main() -> tuple[str, int]:
        return await AsyncDriver(echo, clock).run(mixed(log))

    assert anyio.run(main) == ("/a", 1)
    assert log == ["x", "caught"]


def pages(n: int) -> Flow[None]:
    for i in range(n):
        yield from emit(i)


def test_streams_are_lazy_and_run_refuses_emitted_values() -> None:
    driver = SyncDriver(None, FakeClock())
    stream: Iterator[Any] = driver.stream(pages(3))
    assert next(stream) == 0
    assert list(stream) == [1, 2]
    with pytest.raises(TypeError, match="stream"):
        driver.run(pages(1))
    assert driver.run(collect(pages(3))) == [0, 1, 2]


def test_a_flow_that_sends_without_a_transport_gets_a_clear_error() -> None:
    with pytest.raises(TypeError, match="no transport"):
        SyncDriver(None, FakeClock()).run(fetch("/a"))


def boom() -> Flow[int]:
    yield from wait(0)
    raise ValueError("boom")


def test_gather_gives_one_outcome_per_flow_in_order() -> None:
    def flow() -> Flow[tuple[str, int, str]]:
        a, b, c = yield from gather(fetch("/1"), boom(), fetch("/3"))
        assert isinstance(b.error, ValueError)
        with pytest.raises(ValueError, match="boom"):
            b.unwrap()
        return a.unwrap(), 0, c.unwrap()

    driver = SyncDriver(Echo(), FakeClock(), concurrency=2)
    try:
        assert driver.run(flow()) == ("/1", 0, "/3")
    finally:
        driver.close()

    async def main() -> tuple[str, int, str]:
        return await AsyncDriver(AsyncEcho(), FakeClock()).run(flow())

    assert anyio.run(main) == ("/1", 0, "/3")


def test_sync_gather_runs_concurrently_and_nested_gathers_do_not_deadlock() -> None:
    barrier = threading.Barrier(2, timeout=5)

    def meet() -> Flow[str]:
        # Both flows must be running at once to pass the barrier.
        yield from blocking(barrier.wait)
        inner = yield from gather_all([fetch("/x"), fetch("/y")])
        return ",".join(o.unwrap() for o in inner)

    def outer() -> Flow[list[str]]:
        found = yield from gather_all([meet(), meet()])
        return [o.unwrap() for o in found]

    driver = SyncDriver(Echo(), FakeClock(), concurrency=2)
    try:
        assert driver.run(outer()) == ["/x,/y", "/x,/y"]
        # The calling thread is not marked as a pool thread: a later gather is concurrent too.
        assert driver.run(outer()) == ["/x,/y", "/x,/y"]
    finally:
        driver.close()


def test_an_interrupt_reaches_the_flow_so_it_can_close_its_work() -> None:
    closed: list[str] = []

    def interrupt() -> None:
        raise KeyboardInterrupt

    def flow() -> Flow[None]:
        try:
            yield from blocking(interrupt)
        except KeyboardInterrupt:
            closed.append("closed")
            raise

    with pytest.raises(KeyboardInterrupt):
        SyncDriver(None, FakeClock()).run(flow())
    assert closed == ["closed"]


def _raw_yields(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Yield)]


def test_flows_never_yield_a_raw_effect() -> None:
    # Only the engine's typed helpers receive an untyped effect result: every flow of the
    # service and the API core goes through them (`yield from`), so mypy checks each result.
    flows = [*sorted((SRC / "service").rglob("*.py")), SRC / "api" / "core.py"]
    offenders = {str(p.relative_to(SRC)): lines for p in flows if (lines := _raw_yields(p))}
    assert offenders == {}
