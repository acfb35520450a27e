"""The one converter from pydantic errors to problems, and its one path style."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
    field_validator,
)

from instantly_columns.domain.columns import Column, parse_integration_config
from instantly_columns.domain.problems import (
    did_you_mean,
    input_problems,
    join_path,
    nest_problems,
    problems_from_validation,
)
from instantly_columns.errors import ConfigError, InvalidColumnConfig, Problem

# --- the path grammar ------------------------------------------------------------------------

NAME = r"[\w-]+"
INDEX = r"\[-?\d+\]"
QUOTED = r'\["(?:[^"\\]|\\.)*"\]'
TOKEN = re.compile(rf"(?P<dot>\.)?(?:(?P<name>{NAME})|(?P<index>{INDEX})|(?P<quoted>{QUOTED}))")


def parse_path(path: str) -> list[str | int]:
    """The parts of a path in the one style; fails on anything else."""
    parts: list[str | int] = []
    at = 0
    while at < len(path):
        match = TOKEN.match(path, at)
        assert match, f"{path!r} is not well-formed at {at}"
        if match["name"] is not None:
            assert bool(match["dot"]) == bool(parts), f"{path!r}: a name is dotted iff not first"
            parts.append(match["name"])
        else:
            assert not match["dot"], f"{path!r}: no dot before brackets"
            if match["index"] is not None:
                parts.append(int(match["index"][1:-1]))
            else:
                key = json.loads(match["quoted"][1:-1])
                assert not re.fullmatch(NAME, key), f"{path!r}: {key!r} needs no quotes"
                parts.append(key)
        at = match.end()
    return parts


def expected_parts(loc: tuple[str | int, ...]) -> list[str | int]:
    return [part for part in loc if part != "[key]"]


# --- arbitrary nested models -----------------------------------------------------------------

IDENTIFIERS = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda s: s not in {"model_config", "copy", "json", "dict", "schema", "validate"}
)
_counter = iter(range(10**9))


def model_of(fields: dict[str, Any]) -> type[BaseModel]:
    spec: dict[str, Any] = {name: (kind, ...) for name, kind in fields.items()}
    model: type[BaseModel] = create_model(f"M{next(_counter)}", **spec)
    return model


def tagged_union(branches: list[Any]) -> Any:
    models = [
        model_of({"kind": Literal[f"k{n}"], "value": branch}) for n, branch in enumerate(branches)
    ]
    union: Any = models[0]
    for model in models[1:]:
        union = union | model
    return Annotated[union, Field(discriminator="kind")]


LEAVES: st.SearchStrategy[Any] = st.sampled_from(
    [int, str, bool, float, Literal["a", "b"], Annotated[int, Field(ge=0)]]
)

TYPES: st.SearchStrategy[Any] = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        inner.map(lambda t: list[t]),  # type: ignore[valid-type]
        inner.map(lambda t: dict[str, t]),  # type: ignore[valid-type]
        inner.map(lambda t: tuple[t, ...]),  # type: ignore[valid-type]
        st.dictionaries(IDENTIFIERS, inner, min_size=1, max_size=3).map(model_of),
        st.lists(inner, min_size=2, max_size=3).map(tagged_union),
    ),
    max_leaves=8,
)

JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.sampled_from(["a", "k0"]),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.one_of(IDENTIFIERS, st.text(max_size=6), st.sampled_from(["kind", "value"])),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)

PREFIXES = st.sampled_from(["", "leads[3]", "columns[c1]", "sequences[0]", "overrides"])


def validation_error(kind: Any, data: Any) -> ValidationError | None:
    try:
        TypeAdapter(kind).validate_python(data)
    except ValidationError as exc:
        return exc
    return None


@given(TYPES, JSON, PREFIXES)
def test_every_path_is_well_formed_and_names_the_location(
    kind: Any, data: Any, prefix: str
) -> None:
    error = validation_error(kind, data)
    if error is None:
        return
    problems = problems_from_validation(error, prefix)
    items = error.errors(include_input=False, include_url=False)
    assert len(problems) == len(items)
    for problem, item in zip(problems, items, strict=True):
        assert problem.path.startswith(prefix)
        rest = problem.path[len(prefix) :]
        if prefix and rest:
            assert rest[0] in ".[", problem.path
            rest = rest.removeprefix(".")
        assert parse_path(rest) == expected_parts(item["loc"])
        assert problem.message
        assert not problem.message.startswith(("Value error, ", "Assertion failed, "))


@given(TYPES, JSON, PREFIXES)
def test_the_error_message_mentions_every_path(kind: Any, data: Any, prefix: str) -> None:
    error = validation_error(kind, data)
    if error is None:
        return
    problems = problems_from_validation(error, prefix)
    text = str(ConfigError(problems))
    for problem in problems:
        assert problem.path in text
        assert str(problem) in text


@given(st.lists(st.one_of(st.integers(), st.text()), max_size=5), PREFIXES)
def test_join_path_round_trips(parts: list[str | int], prefix: str) -> None:
    path = join_path(prefix, *parts)
    rest = path[len(prefix) :]
    if prefix and rest:
        rest = rest.removeprefix(".")
    assert path.startswith(prefix)
    assert parse_path(rest) == parts


@given(st.lists(st.one_of(st.integers(), st.text()), max_size=4), PREFIXES)
def test_nesting_a_problem_is_joining_its_path(parts: list[str | int], prefix: str) -> None:
    inner = Problem(join_path("", *parts), "bad")
    (nested,) = nest_problems(prefix, [inner])
    if prefix:
        assert nested == Problem(join_path(prefix, *parts), "bad")
    else:
        assert nested == inner


# --- examples --------------------------------------------------------------------------------


class Step(BaseModel):
    subject: str
    delay: Annotated[int, Field(ge=0)] = 0

    @field_validator("subject")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a subject cannot be blank")
        return value


class Sequence(BaseModel):
    steps: list[Step]
    variables: dict[str, int] = {}


def problems(data: Any, prefix: str = "") -> list[Problem]:
    try:
        Sequence.model_validate(data)
    except ValidationError as exc:
        return problems_from_validation(exc, prefix)
    raise AssertionError("expected a validation error")


def test_list_positions_are_bracketed_and_fields_dotted() -> None:
    found = problems({"steps": [{"subject": "hi"}, {"subject": "x", "delay": -1}]}, "sequences[0]")
    assert [p.path for p in found] == ["sequences[0].steps[1].delay"]


def test_value_error_prefix_is_dropped() -> None:
    (problem,) = problems({"steps": [{"subject": "  "}]})
    assert problem == Problem("steps[0].subject", "a subject cannot be blank")


def test_odd_keys_are_quoted_and_bad_keys_say_so() -> None:
    found = problems({"steps": [], "variables": {"Plan tier": "x", "ok": 1}})
    assert [str(p) for p in found] == [
        'variables["Plan tier"]: Input should be a valid integer, unable to parse string as an '
        "integer"
    ]
    with pytest.raises(ValidationError) as info:
        TypeAdapter(dict[int, int]).validate_python({"seven": 1})
    (problem,) = problems_from_validation(info.value, "days")
    assert problem.path == "days.seven"
    assert problem.message.startswith("invalid key: ")


def test_errors_about_the_whole_input_have_the_prefix_as_path() -> None:
    assert [p.path for p in problems("not a mapping")] == [""]
    assert [p.path for p in problems("not a mapping", "leads[2]")] == ["leads[2]"]


def test_input_values_are_never_echoed() -> None:
    secret = "sk-live-do-not-print"
    found = problems({"steps": [{"subject": 5, "delay": secret}], "variables": {"a": secret}})
    assert found
    assert secret not in str(ConfigError(found))


def test_root_tags_are_left_out_only_in_first_place() -> None:
    class A(BaseModel):
        kind: Literal["a"]
        a: int

    class B(BaseModel):
        kind: Literal["b"]
        inner: A

    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[A | B, Field(discriminator="kind")])
    with pytest.raises(ValidationError) as info:
        adapter.validate_python({"kind": "b", "inner": {"kind": "a", "a": "x"}})
    untagged = problems_from_validation(info.value, root_tags={"a", "b"})
    assert [p.path for p in untagged] == ["inner.a"]
    assert [p.path for p in problems_from_validation(info.value)] == ["b.inner.a"]


def test_nest_problems() -> None:
    found = [Problem("days[0]", "x"), Problem("[2]", "y"), Problem("", "z")]
    assert [p.path for p in nest_problems("create.schedule", found)] == [
        "create.schedule.days[0]",
        "create.schedule[2]",
        "create.schedule",
    ]
    assert nest_problems("", found) == found


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"instantly_subtype": "push_action", "push_config": "c1"}, "push_config"),
        (
            {"instantly_subtype": "push_action", "push_config": {"campaign_id": 5}},
            "push_config.campaign_id",
        ),
    ],
)
def test_column_configs_use_the_one_converter(data: dict[str, Any], path: str) -> None:
    with pytest.raises(InvalidColumnConfig) as info:
        parse_integration_config(data)
    assert [p.path for p in info.value.problems] == [path]


def test_host_columns_are_prefixed_with_their_id() -> None:
    with pytest.raises(InvalidColumnConfig) as info:
        Column.from_host(id="c 1", name="Plan", type="instantly")
    assert [str(p) for p in info.value.problems] == [
        "columns[c 1]: an 'instantly' column needs a config"
    ]


def test_closed_inputs_name_the_closest_field() -> None:
    class Inner(BaseModel):
        model_config = ConfigDict(extra="forbid")
        timezone: str = "UTC"

    class Outer(BaseModel):
        model_config = ConfigDict(extra="forbid")
        schedule: Inner | None = None
        items: list[Inner] = []

    with pytest.raises(ValidationError) as info:
        Outer.model_validate({"shedule": {}, "items": [{"timezon": "x"}], "zzz": 1})
    assert sorted(str(p) for p in input_problems(info.value, Outer, "create")) == [
        "create.items[0].timezon: unknown field 'timezon'; did you mean 'timezone'?",
        "create.shedule: unknown field 'shedule'; did you mean 'schedule'?",
        "create.zzz: unknown field 'zzz'; expected one of 'items', 'schedule'",
    ]
    assert did_you_mean("sequnce_mode", ["sequence_mode", "campaign_id"]) == (
        "did you mean 'sequence_mode'?"
    )
