"""The sync and async faces agree: every public method of the async service and client has the
sync one's name, parameters and return type (awaited), and a docstring."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, get_type_hints

import pytest

from instantly_columns import (
    AsyncInstantlyClient,
    AsyncInstantlyColumns,
    InstantlyClient,
    InstantlyColumns,
)
from instantly_columns.service.facade import annotation_namespace

# The few names that differ on purpose: closing, and the context-manager protocols.
LIFECYCLE = {"close", "aclose", "__enter__", "__exit__", "__aenter__", "__aexit__"}


def public(cls: type) -> dict[str, Callable[..., Any]]:
    return {
        name: member
        for name, member in inspect.getmembers(cls, callable)
        if not name.startswith("_") and name not in LIFECYCLE
    }


def _strip_async(annotation: object) -> str:
    text = str(annotation)
    for old, new in (
        ("AsyncIterator", "Iterator"),
        ("AsyncTransport", "Transport"),
        ("AsyncBaseTransport", "BaseTransport"),
        ("AsyncInstantlyColumns", "InstantlyColumns"),
        ("AsyncInstantlyClient", "InstantlyClient"),
    ):
        text = text.replace(old, new)
    return text


PAIRS = [(InstantlyColumns, AsyncInstantlyColumns), (InstantlyClient, AsyncInstantlyClient)]


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=["service", "client"])
def test_the_same_methods_with_the_same_parameters(sync: type, async_: type) -> None:
    mine, theirs = public(sync), public(async_)
    assert sorted(mine) == sorted(theirs)
    for name, method in mine.items():
        twin = theirs[name]
        a, b = inspect.signature(method), inspect.signature(twin)
        assert [(p.name, p.kind, p.default) for p in a.parameters.values()] == [
            (p.name, p.kind, p.default) for p in b.parameters.values()
        ], name
        # The service imports its annotations' types for type checkers only (a light
        # import); annotation_namespace() resolves them.
        hints_a = get_type_hints(method, localns=annotation_namespace())
        hints_b = get_type_hints(twin, localns=annotation_namespace())
        for param in a.parameters:
            if param == "self":
                continue
            assert _strip_async(hints_a.get(param)) == _strip_async(hints_b.get(param)), (
                f"{name}({param})"
            )
        assert _strip_async(hints_a.get("return")) == _strip_async(hints_b.get("return")), name


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=["service", "client"])
def test_async_methods_are_awaited_and_everything_is_documented(sync: type, async_: type) -> None:
    for name, method in public(async_).items():
        assert inspect.getdoc(method), f"{async_.__name__}.{name} has no docstring"
        sync_method = public(sync)[name]
        assert inspect.getdoc(sync_method), f"{sync.__name__}.{name} has no docstring"
        if inspect.iscoroutinefunction(sync_method) or name.startswith("iter_"):
            continue
        if name in ("start_wizard", "from_env"):  # no I/O: plain methods in both faces
            continue
        assert inspect.iscoroutinefunction(method), f"{async_.__name__}.{name} is not async"


def test_every_client_operation_takes_per_call_timeout_and_retries() -> None:
    for cls in (InstantlyClient, AsyncInstantlyClient):
        for name, method in public(cls).items():
            if name == "close":
                continue
            params = inspect.signature(method).parameters
            for option in ("timeout", "max_retries"):
                assert option in params, f"{cls.__name__}.{name} lacks {option}="
                assert params[option].kind is inspect.Parameter.KEYWORD_ONLY
                assert params[option].default is None


def test_the_constructors_agree_but_for_the_transport_kind() -> None:
    a = inspect.signature(InstantlyColumns.__init__)
    b = inspect.signature(AsyncInstantlyColumns.__init__)
    assert list(a.parameters) == list(b.parameters)


def test_a_cancel_function_still_works_for_a_release_with_a_warning() -> None:
    import threading

    from instantly_columns.service.facade import _cancelled

    event = threading.Event()
    check = _cancelled(event)
    assert check is not None
    assert check() is False
    event.set()
    assert check() is True
    with pytest.warns(DeprecationWarning, match="is_set"):
        legacy = _cancelled(lambda: True)  # type: ignore[arg-type]
    assert legacy is not None
    assert legacy() is True
    assert _cancelled(None) is None
