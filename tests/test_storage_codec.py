"""Properties of the cell and text encodings every adapter shares."""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.domain.columns import CellValue, Column
from instantly_columns.errors import ConfigError
from instantly_columns.ports import CellWrite, EngagementGroup, LedgerEntry
from instantly_columns.storage import _codec as codec

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
cell_values = json_values.filter(lambda v: v is not None)


def canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=True)


def shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [shuffled(v, rng) for v in value]
    return value


@given(cell_values)
def test_cells_decode_to_what_was_encoded(value: Any) -> None:
    encoded = codec.encode_cell(value, "v")
    decoded = codec.decode_cell(encoded.s, encoded.i, encoded.j)
    assert canon(decoded) == canon(value)
    assert type(decoded) is type(value)


@given(cell_values)
def test_exactly_one_representation_and_storable_text(value: Any) -> None:
    encoded = codec.encode_cell(value, "v")
    assert sum(x is not None for x in encoded.triple) == 1
    for text in (encoded.s, encoded.j, encoded.norm):
        assert text is None or not _UNSTORABLE.search(text)
    if encoded.i is not None:
        assert -(2**63) <= encoded.i < 2**63
        assert type(value) is int
    assert (encoded.norm is not None) == isinstance(value, str)


@given(cell_values, st.randoms(use_true_random=False))
def test_equal_values_encode_equally(value: Any, rng: random.Random) -> None:
    assert codec.encode_cell(shuffled(value, rng), "v") == codec.encode_cell(value, "v")


@given(cell_values, cell_values)
def test_different_values_encode_differently(a: Any, b: Any) -> None:
    if canon(a) != canon(b):
        assert codec.encode_cell(a, "v") != codec.encode_cell(b, "v")


@given(st.text())
def test_norm_key_depends_only_on_the_normalised_text(text: str) -> None:
    key = codec.norm_key(text)
    assert key == codec.norm_key(text.strip().lower())
    assert key == codec.norm_key(f" \t{text}\n ")
    assert not _UNSTORABLE.search(key)
    assert len(key) <= codec.NORM_MAX_LENGTH or key.startswith("\x1b")


@given(st.text(), st.text())
def test_norm_keys_of_different_normalised_texts_differ(a: str, b: str) -> None:
    if a.strip().lower() != b.strip().lower():
        assert codec.norm_key(a) != codec.norm_key(b)


def test_long_and_unstorable_texts_get_hashed_keys() -> None:
    assert codec.norm_key("  Ada@Example.COM ") == "ada@example.com"
    for text in ("x" * 201, "a\x00b", "\x1bescape", "lone \ud800"):
        key = codec.norm_key(text)
        assert key.startswith("\x1b")
        assert len(key) == 65


@given(st.text())
def test_free_text_round_trips(text: str) -> None:
    stored = codec.encode_text(text)
    assert codec.decode_text(stored) == text
    assert not _UNSTORABLE.search(stored)
    assert codec.encode_text(None) is None


@given(st.text(min_size=1), st.text(min_size=1))
def test_event_keys_are_stable_and_distinct(a: str, b: str) -> None:
    assert codec.event_key(a) == codec.event_key(a)
    if a != b:
        assert codec.event_key(a) != codec.event_key(b)
    assert len(codec.event_key(a * 300)) <= codec.ID_MAX_LENGTH


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["r1", "r2"]),
            st.sampled_from(["a", "b"]),
            st.none() | st.integers(0, 3) | st.text(max_size=2),
        ),
        max_size=12,
    )
)
def test_last_write_of_each_cell_wins(writes: list[tuple[str, str, Any]]) -> None:
    prepared = codec.prepare_writes([CellWrite(r, c, v) for r, c, v in writes])
    expected: dict[tuple[str, str], Any] = {}
    for r, c, v in writes:
        expected[(r, c)] = v
    assert {
        k: None if e is None else codec.decode_cell(*e[:3]) for k, e in prepared.items()
    } == expected


tricky_texts = st.text() | st.sampled_from(
    ["", " A@B.c ", "x\x00y", "\x1bkey", " \x1bkey", "\udfff", "É" * 201, "a" * 201, "ǅ\x85"]
)
tricky_ids = st.sampled_from(["r", "é", "r\x00", "", "x" * 256, "\udfff"]) | st.integers(0, 1)


@given(
    st.lists(
        st.tuples(
            tricky_ids,
            tricky_ids,
            st.none() | tricky_texts | st.integers() | st.integers(-(2**64), 2**64) | json_values,
        ),
        max_size=8,
    )
)
def test_the_fast_path_encodes_and_rejects_like_the_full_check(
    writes: list[tuple[Any, Any, Any]],
) -> None:
    """prepare_writes takes a fast path for regular batches; it must agree with encoding
    each cell by encode_cell and with the full check's problems."""
    cells = [CellWrite(r, c, v) for r, c, v in writes]
    problems: list[Any] = []
    try:
        codec._prepare_checked(cells, "cells")
    except ConfigError as exc:
        problems = list(exc.problems)
    if problems:
        with pytest.raises(ConfigError) as caught:
            codec.prepare_writes(cells)
        assert list(caught.value.problems) == problems
        return
    prepared = codec.prepare_writes(cells)
    expected = {(r, c): None if v is None else codec.encode_cell(v, "v") for r, c, v in writes}
    assert prepared == expected
    batch = codec.prepare_batch(cells)
    assert batch.rows == {r for r, _ in expected}
    assert batch.columns == {c for _, c in expected}


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"a": [1, {2, 3}]}, "cells[0].value.a[1]"),
        ({"a": float("nan")}, "cells[0].value.a"),
        ([{1: 2}], "cells[0].value[0]"),
        (b"x", "cells[0].value"),
    ],
)
def test_rejections_name_the_offending_path(value: Any, path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        codec.prepare_writes([CellWrite("r", "c", value)])
    assert caught.value.problems[0].path == path


def test_every_problem_is_reported_at_once() -> None:
    writes = [CellWrite("", "c", 1), CellWrite("r", "c", {1}), CellWrite("r", "c\x00", 1)]  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as caught:
        codec.prepare_writes(writes)
    assert [p.path for p in caught.value.problems] == [
        "cells[0].row_id",
        "cells[1].value",
        "cells[2].column_id",
    ]
    with pytest.raises(ConfigError):
        codec.prepare_writes("not a list")  # type: ignore[arg-type]


raw_groups = st.lists(
    st.tuples(
        st.sampled_from(["Active", "3", None]),
        st.sampled_from([3, None]),
        st.sampled_from(['"3"', "true", None]),
        st.sampled_from(["Interested", None]),
        st.none(),
        st.none(),
        st.integers(1, 5),
        st.integers(0, 9),
        st.integers(0, 9),
        st.integers(0, 5),
        st.sampled_from(["2026-01-01", "2026-02-01", None]),
    ),
    max_size=8,
)


@given(raw_groups, st.randoms(use_true_random=False))
def test_folding_groups_ignores_their_order(raw: list[Any], rng: random.Random) -> None:
    again = list(raw)
    rng.shuffle(again)
    folded = codec.fold_groups(raw)
    assert folded == codec.fold_groups(again)
    assert sum(g.rows for g in folded) == sum(r[6] for r in raw)
    keys = [(g.email_status, g.engagement_status) for g in folded]
    assert len(keys) == len(set(keys))


def test_status_keys_of_other_types_are_their_json() -> None:
    folded = codec.fold_groups(
        [
            ("3", None, None, None, None, None, 1, 1, 0, 0, "2026-01-01"),
            (None, 3, None, None, None, None, 2, 0, 4, 1, "2026-02-01"),
            (None, None, '"3"', None, None, None, 1, 0, 0, 0, None),
            (None, None, "[1]", None, None, '"a\\u0000"', 1, 0, 0, 0, None),
        ]
    )
    assert folded == [
        EngagementGroup("3", None, 4, 1, 4, 1, "2026-02-01"),
        EngagementGroup("[1]", "a\x00", 1, 0, 0, 0, None),
    ]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["r1", "r2", "r10", "r3"]),
            st.sampled_from([None, "L1"]),
            st.sampled_from([None, 0, 1]),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    ),
    st.randoms(use_true_random=False),
)
def test_the_ledger_winner_does_not_depend_on_order(
    entries: list[tuple[str, str | None, int | None]], rng: random.Random
) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    ledger = [
        LedgerEntry(
            "i",
            row,
            "a@x.io",
            "pushed",
            lead_id=lead,
            pushed_at=None if d is None else t0 + timedelta(d),
        )
        for row, lead, d in entries
    ]
    winner = codec.ledger_winner(ledger)
    rng.shuffle(ledger)
    assert codec.ledger_winner(ledger) == winner
    if any(e.lead_id for e in ledger):
        assert winner.lead_id is not None


def test_naive_datetimes_and_bad_limits_are_rejected() -> None:
    with pytest.raises(ConfigError):
        codec.to_utc(datetime(2026, 1, 1), "at")
    for limit in (0, -1, True, 1.5, "3"):
        with pytest.raises(ConfigError):
            codec.check_limit(limit)
    assert codec.to_utc(
        datetime(2026, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))), "at"
    ) == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_the_aggregate_sql_uses_the_same_count_bound() -> None:
    from instantly_columns.storage._sql import _GROUPS_SQL

    assert _GROUPS_SQL.count(f"AND {codec.COUNT_MAX} THEN") == 3


def test_an_integer_too_long_to_write_out_is_a_config_error_not_a_value_error() -> None:
    from instantly_columns.errors import ConfigError
    from instantly_columns.storage._codec import encode_cell

    huge = 10**5000
    values: list[CellValue] = [huge, {"a": [1, -huge]}]
    for value, path in ((v, "cells[0]") for v in values):
        with pytest.raises(ConfigError, match="4300 digits") as info:
            encode_cell(value, path)
        assert info.value.problems[0].path.startswith("cells[0]")
    assert encode_cell(10**4000, "x").j == str(10**4000)  # long, but still fine


_RECORD_KEYS = {"id", "key", "name", "type", "integration_config", "config"}
_LINK_CONFIG = {
    "instantly_subtype": "campaign_config",
    "campaign_id": "c1",
    "field_mapping": {"email": "email"},
    "from_a_newer_host": [1, {"x": None}],
}


@given(
    st.dictionaries(
        st.text(max_size=8).filter(lambda k: k not in _RECORD_KEYS), json_values, max_size=4
    ),
    st.booleans(),
)
def test_a_columns_host_keys_round_trip_through_its_record(
    host: dict[str, Any], linked: bool
) -> None:
    record = {"id": "c", "name": "C", **host}
    if linked:
        record.update(type="instantly", integration_config=_LINK_CONFIG)
    column = Column.from_host(**record)
    (stored,) = codec.column_records([column])
    back = codec.column_from_record(*stored)
    assert back == column
    assert canon(back.to_host()) == canon(column.to_host())


def test_a_column_without_host_keys_is_stored_as_it_always_was() -> None:
    # Records written before host keys were kept must read the same, and a column without
    # host keys must still be written in that form (NULL or the flat integration_config).
    plain = Column(id="a", key="a", name="A")
    linked = Column.from_host(id="b", name="B", type="instantly", integration_config=_LINK_CONFIG)
    records = codec.column_records([plain, linked])
    assert records[0][4] is None
    assert records[1][4] is not None
    assert json.loads(records[1][4]) == _LINK_CONFIG
    assert [codec.column_from_record(*r) for r in records] == [plain, linked]
    old_record = ("b", "b", "B", "instantly", json.dumps(_LINK_CONFIG))
    assert codec.column_from_record(*old_record) == linked


def test_host_keys_that_cannot_be_stored_are_a_config_error_naming_them() -> None:
    column = Column.from_host(id="a", name="A", big=10**5000)
    with pytest.raises(ConfigError) as caught:
        codec.column_records([column])
    assert [p.path for p in caught.value.problems] == ["columns[0].host_fields.big"]
