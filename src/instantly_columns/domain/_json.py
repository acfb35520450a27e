"""Reading JSON that comes from outside (webhook deliveries, API answers) within fixed limits.

`json.loads` raises `RecursionError` for input nested about a thousand levels deep (where
exactly depends on how deep the caller's stack already is), and `ValueError` for an integer
of more than 4,300 digits; a value nested a few hundred levels deep decodes but breaks later
code (`copy.deepcopy`, `json.dumps`). So input is held to a depth that does not depend on
the stack, [`MAX_DEPTH`][instantly_columns.domain._json.MAX_DEPTH], and every way it can
fail is one exception, [`JsonLimitError`][instantly_columns.domain._json.JsonLimitError], or
`json.JSONDecodeError` for text that is not JSON at all.
"""

from __future__ import annotations

import json
from itertools import compress
from typing import Any, Final

from pydantic_core import from_json

__all__ = ["MAX_DEPTH", "JsonLimitError", "check_json_limits", "loads_limited"]

MAX_DEPTH: Final = 64
"""Deepest nesting of arrays and objects read (the stores hold cells to the same depth).
Instantly's JSON nests fewer than ten levels."""


class JsonLimitError(ValueError):
    """JSON nested deeper than `MAX_DEPTH`, or holding an integer too long to convert."""


def check_json_limits(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """Raise `JsonLimitError` if the decoded ``value`` nests lists and dicts more than
    ``max_depth`` levels deep (``[]`` is one level) or holds an integer that cannot be
    written out as text. Walks without recursion, so any depth is safe to check."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            if isinstance(item, int) and not isinstance(item, bool):
                _check_int(item)
            continue
        if depth >= max_depth:
            raise JsonLimitError(f"the JSON is nested more than {max_depth} levels deep")
        stack.extend((child, depth + 1) for child in children)


def loads_limited(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads` within the limits: `JsonLimitError` for nesting deeper than ``max_depth``
    or an integer of more than 4,300 digits, `json.JSONDecodeError` (a `ValueError`) for
    text that is not JSON, `UnicodeDecodeError` for bytes that are not UTF-8.

    Text is read by pydantic-core's parser (pydantic depends on it), about twice as fast
    as `json.loads` on an API's pages, which gives the same values for any text it
    accepts. It refuses some text that `json.loads` reads (lone surrogates in escapes, a
    byte-order mark, other encodings than UTF-8, nesting past 200 levels); `json.loads`
    then reads it, or says why it cannot."""
    try:
        data = from_json(text, allow_inf_nan=True)
    except ValueError:
        data = _loads(text, max_depth)
    _check_depth(data, max_depth)
    return data


def _loads(text: str | bytes, max_depth: int) -> Any:
    try:
        return json.loads(text)  # it refuses integers of too many digits itself
    except RecursionError:
        raise JsonLimitError(f"the JSON is nested more than {max_depth} levels deep") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise
    except ValueError:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        raise JsonLimitError(
            f"the JSON holds an integer of more than {_MAX_DIGITS} digits"
        ) from None


_CONTAINERS: Final = frozenset({dict, list})
_IS_CONTAINER: Final = _CONTAINERS.__contains__


def _check_depth(value: Any, max_depth: int) -> None:
    """`check_json_limits` for what `json.loads` returns (plain dicts, lists and scalars):
    only the depth is checked, one level at a time, and a container whose children are all
    scalars costs no Python-level step per child."""
    level = [value] if type(value) in _CONTAINERS else []
    depth = 0
    while level:
        if depth >= max_depth:
            raise JsonLimitError(f"the JSON is nested more than {max_depth} levels deep")
        below: list[Any] = []
        for item in level:
            children = item.values() if type(item) is dict else item
            below.extend(compress(children, map(_IS_CONTAINER, map(type, children))))
        level = below
        depth += 1


_MAX_DIGITS: Final = 4300
_TOO_LONG: Final = 10**_MAX_DIGITS  # the least integer of more than 4300 digits
_FAST_BITS: Final = 14_000  # fewer bits than this means fewer than 4300 digits


def _check_int(value: int) -> None:
    if value.bit_length() > _FAST_BITS and abs(value) >= _TOO_LONG:
        raise JsonLimitError(f"the JSON holds an integer of more than {_MAX_DIGITS} digits")
