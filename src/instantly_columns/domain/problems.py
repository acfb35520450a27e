"""One way to turn pydantic validation errors into :class:`~instantly_columns.errors.Problem`
values, with one path style.

Field paths
-----------
A path names the place in the user's input, from the outside in:

- a field or mapping key is joined with a dot: ``push_config.campaign_id``,
  ``field_mapping.custom_variables.plan``;
- a list position (any integer) is written in brackets: ``steps[2].subject``,
  ``leads[0].email``;
- a key that is empty or holds anything but letters, digits, ``_`` and ``-`` (a dot, a
  bracket, a space, a colon...) is written in brackets as a JSON string, so the path stays
  unambiguous: ``custom_variables["Plan tier"]``;
- the prefix a caller gives is kept verbatim (``columns[col_1]`` names a column by its id);
- an error about the input as a whole has the prefix alone as its path, ``""`` without one.

Messages are pydantic's, without its ``Value error, `` / ``Assertion failed, `` prefixes, and
never hold the input value (errors are read with ``include_input=False``).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Collection, Iterable, Sequence
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from instantly_columns.errors import ConfigError, Problem

__all__ = [
    "did_you_mean",
    "input_problems",
    "join_path",
    "nest_problems",
    "problems_from_validation",
    "unknown_name",
]

_PLAIN = re.compile(r"[\w-]+")
_KEY_MARKER = "[key]"  # pydantic's loc element for an invalid mapping key
_NOISE = ("Value error, ", "Assertion failed, ")


def join_path(prefix: str, *parts: str | int) -> str:
    """``prefix`` followed by ``parts`` in the one path style.

    >>> join_path("sequences[0]", "steps", 1, "delay")
    'sequences[0].steps[1].delay'
    >>> join_path("", "custom_variables", "Plan tier")
    'custom_variables["Plan tier"]'
    """
    out = prefix
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def nest_problems(prefix: str, problems: Iterable[Problem]) -> list[Problem]:
    """The same problems with their paths moved under ``prefix`` (a path in the one style).

    >>> [p.path for p in nest_problems("schedule", [Problem("days[0]", "x"), Problem("", "y")])]
    ['schedule.days[0]', 'schedule']
    """
    out = []
    for problem in problems:
        path = problem.path
        if not prefix:
            nested = path
        elif not path:
            nested = prefix
        elif path.startswith("["):
            nested = prefix + path
        else:
            nested = f"{prefix}.{path}"
        out.append(Problem(nested, problem.message))
    return out


def problems_from_validation(
    error: ValidationError, prefix: str = "", *, root_tags: Collection[str] = ()
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, in pydantic's order.

    Paths follow the style described in this module's docstring: ``prefix`` verbatim, then
    ``.name`` per field or key and ``[n]`` per list position, e.g.
    ``columns[c1].push_config.campaign_id`` or ``sequences[0].steps[1].delay``.

    Args:
        error: what ``model_validate`` (or a ``TypeAdapter``) raised.
        prefix: where the validated value sits in the user's input (``""`` for the root).
        root_tags: the tags of a discriminated union that is the validated type itself.
            pydantic puts the chosen tag first in an error's location, but the user never
            typed it (they wrote ``{"instantly_subtype": "push_action", ...}``), so a first
            location element among ``root_tags`` is left out.
    """
    out = []
    for item in error.errors(include_input=False, include_url=False):
        loc = list(item["loc"])
        if loc and isinstance(loc[0], str) and loc[0] in root_tags:
            loc = loc[1:]
        out.append(_problem(prefix, loc, str(item["msg"])))
    return out


def _problem(prefix: str, loc: list[str | int], message: str) -> Problem:
    for noise in _NOISE:
        message = message.removeprefix(noise)
    if _KEY_MARKER in loc:
        loc = [part for part in loc if part != _KEY_MARKER]
        message = f"invalid key: {message}"
    return Problem(join_path(prefix, *loc), message)


def input_problems(
    error: ValidationError, model: type[BaseModel], prefix: str = ""
) -> list[Problem]:
    """Like ``problems_from_validation``, for our own closed inputs (``extra="forbid"``): an
    unknown key names the closest valid field names of the model it was given to, and a
    ``ConfigError`` raised while validating a nested value keeps its own problems, nested
    under that value's path."""
    out: list[Problem] = []
    for item in error.errors(include_input=False, include_url=False):
        loc = list(item["loc"])
        nested = (item.get("ctx") or {}).get("error")
        if isinstance(nested, ConfigError):
            out += nest_problems(join_path(prefix, *loc), nested.problems)
        elif item["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
            owner = _model_at(model, loc[:-1])
            valid = list(owner.model_fields) if owner is not None else []
            out.append(unknown_name(join_path(prefix, *loc), loc[-1], valid))
        else:
            out.append(_problem(prefix, loc, str(item["msg"])))
    return out


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model that validated the value at ``loc`` inside ``model``."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        found = _model_in(field.annotation) if field is not None else None
        if found is None:
            return None
        current = found
    return current


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """The closest valid names to a misspelt one, as a hint for a message.

    >>> did_you_mean("emial", ["email", "phone", "website"])
    "did you mean 'email'?"
    >>> did_you_mean("zzz", ["email", "phone"])
    "expected one of 'email', 'phone'"
    """
    names = sorted(set(valid))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "expected one of " + ", ".join(repr(n) for n in names)


def unknown_name(path: str, name: str, valid: Iterable[str], what: str = "field") -> Problem:
    """The problem of an unknown key: names it and the closest valid ones.

    >>> str(unknown_name("overrides.emial", "emial", ["email", "phone"]))
    "overrides.emial: unknown field 'emial'; did you mean 'email'?"
    """
    shown = name if len(name) <= 60 else name[:57] + "..."
    return Problem(path, f"unknown {what} {shown!r}; {did_you_mean(name, valid)}")
