"""The storage contract: pytest test classes, and a Hypothesis state machine, that any
implementation of the storage ports must pass.

Our three adapters run it; a host that writes its own `TableStore` (over its own tables)
runs it too. Subclass a contract class in a test module and override the `store`
fixture; every `test_*` method then runs against your store:

```python
import pytest
from instantly_columns.testing.storage_contract import TableStoreContract


class TestMyTables(TableStoreContract):
    @pytest.fixture
    def store(self):
        store = MyTableStore(connect_to_a_fresh_test_database())
        yield store
        store.drop_everything()

    # The suite creates tables and rows through these two hooks; override them
    # when your store has no create_table / insert_rows methods.
    def create_table(self, store, table):
        store.db.execute("INSERT INTO tables ...")

    def insert_rows(self, store, table, rows): ...
```

`TableStoreContract`, `IntegrationStoreContract` and `CredentialStoreContract` test one
port each; `UnitOfWorkContract` tests `atomic()` (and skips a store without one);
`StoreContract` is all of them. The race tests use a second handle on the same data when
you override the `store_twin` fixture (another connection or pool; by default the same
store). `storage_state_machine(factory)` returns a
`RuleBasedStateMachine` that runs random sequences of operations against your store and a
`MemoryStore` side by side, and fails on the first difference in a result or error type:

```python
TestMyTablesMachine = storage_state_machine(my_store_factory, ports=("table",)).TestCase
```

This module imports pytest and Hypothesis, which are test-time dependencies.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, TypeVar

import attrs
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from instantly_columns.domain.columns import CellValue, Column, Row
from instantly_columns.domain.engagement import EngagementSubtype
from instantly_columns.errors import (
    ConfigError,
    CredentialError,
    InstantlyColumnsError,
    RecordNotFound,
    SyncInProgress,
    VersionConflict,
)
from instantly_columns.ports import (
    ApiKey,
    CampaignLink,
    CellWrite,
    ColumnId,
    EngagementGroup,
    FullStore,
    LedgerEntry,
    RowId,
    RowLocking,
    RunStatus,
    SummaryColumns,
    SyncRun,
    TableId,
    UnitOfWork,
)
from instantly_columns.storage.capabilities import DerivedTableStore, with_capabilities
from instantly_columns.storage.memory import MemoryStore

__all__ = [
    "CredentialStoreContract",
    "FullStore",
    "LinkStoreContract",
    "Port",
    "StoreContract",
    "TableStoreContract",
    "UnitOfWorkContract",
    "recount_leads",
    "storage_state_machine",
]

Port = Literal["table", "integration", "credential"]
T = TypeVar("T")

_T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
_DAY = timedelta(days=1)
_ENGAGEMENT: dict[EngagementSubtype, str] = {
    "email_status": "es",
    "engagement_status": "en",
    "reply_count": "rc",
    "open_count": "oc",
    "last_contacted": "lc",
}


_SUMMARY = SummaryColumns(email="email", **_ENGAGEMENT)


class _TablesOnly:
    """A store seen through the five required ``TableStore`` methods only."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def columns(self, table: TableId) -> list[Column]:
        return list(self._store.columns(table))

    def save_columns(self, table: TableId, columns: Sequence[Column]) -> None:
        self._store.save_columns(table, columns)

    def delete_columns(self, table: TableId, column_ids: Collection[ColumnId]) -> int:
        return int(self._store.delete_columns(table, column_ids))

    def rows(
        self,
        table: TableId,
        fields: Sequence[ColumnId] | None = None,
        *,
        after: RowId | None = None,
        limit: int = 1000,
    ) -> list[Row]:
        return list(self._store.rows(table, fields, after=after, limit=limit))

    def write_cells(self, table: TableId, cells: Sequence[CellWrite]) -> int:
        return int(self._store.write_cells(table, cells))


def recount_leads(store: Any, table: TableId, columns: SummaryColumns) -> list[EngagementGroup]:
    """The summary aggregate per lead, recomputed from the rows the store returns (one
    pass, nothing kept): what a store's maintained ``lead_groups`` must always equal."""
    return DerivedTableStore(_TablesOnly(store)).lead_groups(table, "recount", columns)


def _canon(value: object) -> str:
    """A cell value as text that tells ``1``, ``1.0`` and ``true`` apart."""
    return json.dumps(value, sort_keys=True, ensure_ascii=True)


def _row_view(rows: Sequence[Row]) -> list[tuple[str, dict[str, str]]]:
    return [(r.id, {k: _canon(v) for k, v in r.cells.items()}) for r in rows]


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def _plain(column_id: str, name: str | None = None) -> Column:
    return Column(id=column_id, key=column_id, name=name or column_id.title())


def _campaign_column() -> Column:
    return Column.from_host(
        id="camp",
        name="Campaign",
        type="instantly",
        integration_config={
            "instantly_subtype": "campaign_config",
            "campaign_id": "cmp-1",
            "campaign_name": "Spring ✉",
            "sequence_mode": "map_variables",
            "field_mapping": {"email": "email", "custom_variables": {"plan": "name"}},
            "added_by_a_newer_host": {"kept": True},
        },
    )


def _link(item_id: str = "camp", table: str = "t", **changes: Any) -> CampaignLink:
    base = CampaignLink(
        id=item_id,
        table_id=table,
        campaign_id="cmp-1",
        campaign_name="Spring",
        sequence_mode="map_variables",
        field_mapping={"email": "email"},
        settings={"push": {"batch": 1000}, "note": "é\x00"},
    )
    return attrs.evolve(base, **changes)


def _run(run_id: str, at: datetime, link: str = "camp", **changes: Any) -> SyncRun:
    return attrs.evolve(SyncRun(id=run_id, link_id=link, started_at=at), **changes)


class _Harness:
    """Fixtures and hooks shared by the contract classes."""

    @pytest.fixture
    def store(self) -> Any:
        """Override: give a fresh, empty store (yield it to clean up afterwards)."""
        raise NotImplementedError("override the `store` fixture in your contract subclass")

    @pytest.fixture
    def store_twin(self, store: Any) -> Any:
        """Override: a second handle on the data of ``store`` (another connection or
        pool), for the race tests; by default ``store`` itself."""
        return store

    def create_table(self, store: Any, table: TableId) -> None:
        """Hook: create an empty table (default: ``store.create_table``)."""
        store.create_table(table, table)

    def insert_rows(self, store: Any, table: TableId, rows: Sequence[Row]) -> None:
        """Hook: add rows with their cells (default: ``store.insert_rows``)."""
        store.insert_rows(table, rows)

    def make_table(
        self,
        store: Any,
        table: TableId = "t",
        columns: Sequence[Column] = (),
        rows: Sequence[Row] = (),
    ) -> TableId:
        self.create_table(store, table)
        if columns:
            store.save_columns(table, list(columns))
        if rows:
            self.insert_rows(store, table, list(rows))
        return table


class TableStoreContract(_Harness):
    """The ``TableStore`` contract: columns, rows, cells, lookups, engagement groups."""

    def test_unknown_table_is_record_not_found(self, store: Any) -> None:
        calls: list[Callable[[], object]] = [
            lambda: store.columns("nope"),
            lambda: store.rows("nope"),
            lambda: store.get_rows("nope", ["r"]),
            lambda: store.save_columns("nope", [_plain("a")]),
            lambda: store.write_cells("nope", [CellWrite("r", "a", 1)]),
            lambda: store.lookup_rows("nope", "a", ["x"]),
            lambda: store.engagement_groups("nope", _ENGAGEMENT),
        ]
        for call in calls:
            with pytest.raises(RecordNotFound):
                call()

    def test_columns_round_trip_with_unknown_config_keys(self, store: Any) -> None:
        table = self.make_table(store, columns=[_plain("email"), _campaign_column()])
        columns = store.columns(table)
        assert columns == [_plain("email"), _campaign_column()]
        host = columns[1].to_host()
        assert host["integration_config"]["added_by_a_newer_host"] == {"kept": True}
        assert host == _campaign_column().to_host()

    def test_columns_keep_the_hosts_own_keys(self, store: Any) -> None:
        """``Column.host_fields`` (a host record's ``width``, ``hidden``... and keys the
        library has never heard of) come back as they were saved, on plain and on
        ``instantly`` columns, and a later save replaces them."""
        plain = Column.from_host(
            id="email",
            name="Email",
            width=240,
            hidden=False,
            ratio=0.5,
            colour=None,
            style={"pinned": "left", "tags": ["a", 1, 2.0, True]},
            note="é ✉ \x00",
            host_fields={"nested": "a host key of that name is still its own"},
        )
        linked = Column.from_host(
            **{**_campaign_column().to_host(), "width": 180, "instantly_subtype": "not ours"}
        )
        table = self.make_table(store, columns=[plain, linked, _plain("bare")])
        assert store.columns(table) == [plain, linked, _plain("bare")]
        assert [c.to_host() for c in store.columns(table)] == [
            plain.to_host(),
            linked.to_host(),
            _plain("bare").to_host(),
        ]
        assert store.columns(table)[1].config == _campaign_column().config
        assert store.columns(table)[1].host_fields == {
            "width": 180,
            "instantly_subtype": "not ours",
        }

        store.save_columns(table, [Column.from_host(id="email", name="Email", width=90)])
        store.save_columns(table, [Column.from_host(**{**linked.to_host(), "width": None})])
        assert [c.host_fields for c in store.columns(table)] == [
            {"width": 90},
            {"width": None, "instantly_subtype": "not ours"},
            {},
        ]
        store.save_columns(table, [_plain("email", "Email")])
        assert store.columns(table)[0].host_fields == {}

    def test_save_columns_replaces_by_id_and_appends_new_ones(self, store: Any) -> None:
        table = self.make_table(store, columns=[_plain("a"), _plain("b")])
        store.save_columns(table, [_plain("c"), _plain("a", "Renamed")])
        assert [(c.id, c.name) for c in store.columns(table)] == [
            ("a", "Renamed"),
            ("b", "B"),
            ("c", "C"),
        ]

    def test_a_column_key_belongs_to_one_column(self, store: Any) -> None:
        table = self.make_table(store, columns=[_plain("a")])
        with pytest.raises(VersionConflict):
            store.save_columns(table, [Column(id="other", key="a", name="Other")])
        with pytest.raises(ConfigError):
            store.save_columns(table, [_plain("x"), Column(id="y", key="x", name="Y")])
        assert [c.id for c in store.columns(table)] == ["a"]

    def test_keys_may_move_between_columns_saved_together(self, store: Any) -> None:
        table = self.make_table(
            store, columns=[Column(id="a", key="k1", name="A"), Column(id="b", key="k2", name="B")]
        )
        store.save_columns(
            table, [Column(id="a", key="k2", name="A"), Column(id="b", key="k1", name="B")]
        )
        assert [(c.id, c.key) for c in store.columns(table)] == [("a", "k2"), ("b", "k1")]

    def test_racing_column_saves_neither_duplicate_nor_fail(self, store: Any) -> None:
        table = self.make_table(store)
        same = Column(id="instantly:camp:reply_count", key="instantly:camp:reply_count", name="R")
        outcomes = _race(6, lambda n: store.save_columns(table, [same]))
        assert outcomes == [None] * 6
        rivals = _race(
            6, lambda n: store.save_columns(table, [Column(id=f"c{n}", key="k", name="K")])
        )
        assert sum(o is None for o in rivals) == 1
        assert all(o is None or isinstance(o, VersionConflict) for o in rivals)
        assert [c.key for c in store.columns(table)] == [same.key, "k"]

    def test_delete_columns_deletes_their_cells(self, store: Any) -> None:
        table = self.make_table(
            store,
            columns=[_plain("a"), _plain("b")],
            rows=[Row(id="r1", cells={"a": 1, "b": 2})],
        )
        assert store.delete_columns(table, ["a", "missing"]) == 1
        assert [c.id for c in store.columns(table)] == ["b"]
        assert store.rows(table)[0].cells == {"b": 2}
        store.save_columns(table, [_plain("a")])  # a new column "a" starts empty
        assert store.rows(table)[0].cells == {"b": 2}

    def test_rows_page_by_id_in_code_point_order(self, store: Any) -> None:
        ids = ["b", "a", "B", "é", "a1", "Z", "aa", "😀", "ab"]
        table = self.make_table(store, columns=[_plain("c")], rows=[Row(id=i) for i in ids])
        expected = sorted(ids)
        seen: list[str] = []
        after = None
        while True:
            page = store.rows(table, after=after, limit=2)
            seen.extend(r.id for r in page)
            if len(page) < 2:
                break
            after = page[-1].id
        assert seen == expected
        assert [r.id for r in store.rows(table, after="a", limit=3)] == ["a1", "aa", "ab"]

    def test_rows_load_only_requested_fields(self, store: Any) -> None:
        table = self.make_table(
            store,
            columns=[_plain("a"), _plain("b")],
            rows=[Row(id="r1", cells={"a": "x", "b": "y"}), Row(id="r2", cells={"b": "z"})],
        )
        assert [r.cells for r in store.rows(table, ["a"])] == [{"a": "x"}, {}]
        assert [r.cells for r in store.rows(table, [])] == [{}, {}]
        with pytest.raises(RecordNotFound):
            store.rows(table, ["a", "missing"])
        with pytest.raises(ConfigError):
            store.rows(table, limit=0)

    def test_get_rows_by_id(self, store: Any) -> None:
        table = self.make_table(
            store,
            columns=[_plain("a"), _plain("b")],
            rows=[
                Row(id="r2", cells={"a": 1, "b": "x"}),
                Row(id="r1", cells={"b": [True]}),
                Row(id="r3"),
            ],
        )
        found = store.get_rows(table, ["r3", "ghost", "r2", "r1", "r2"])
        assert _row_view(found) == [
            ("r1", {"b": "[true]"}),
            ("r2", {"a": "1", "b": '"x"'}),
            ("r3", {}),
        ]
        assert _row_view(store.get_rows(table, ["r2", "r1"], ["a"])) == [
            ("r1", {}),
            ("r2", {"a": "1"}),
        ]
        assert store.get_rows(table, []) == []
        assert [r.cells for r in store.get_rows(table, ["r2"], [])] == [{}]
        with pytest.raises(RecordNotFound):
            store.get_rows(table, ["r1"], ["ghost"])
        with pytest.raises(RecordNotFound):
            store.get_rows("nope", ["r1"])

    def test_write_cells_counts_only_changes(self, store: Any) -> None:
        table = self.make_table(
            store, columns=[_plain("a"), _plain("b")], rows=[Row(id="r1"), Row(id="r2")]
        )
        writes = [CellWrite("r1", "a", "x"), CellWrite("r2", "a", 5), CellWrite("r2", "b", None)]
        assert store.write_cells(table, writes) == 2
        assert store.write_cells(table, writes) == 0
        assert store.write_cells(table, [CellWrite("r1", "a", "X")]) == 1
        assert store.write_cells(table, [CellWrite("r1", "a", None)]) == 1
        assert store.write_cells(table, [CellWrite("r1", "a", None)]) == 0
        assert store.write_cells(table, []) == 0
        assert _row_view(store.rows(table)) == [("r1", {}), ("r2", {"a": "5"})]

    def test_json_types_stay_apart(self, store: Any) -> None:
        table = self.make_table(store, columns=[_plain("a")], rows=[Row(id="r")])
        previous: object = None
        values: list[CellValue] = [1, 1.0, True, "1", [1], {"1": 1}, 0, False, 0.0, -0.0]
        for value in values:
            assert store.write_cells(table, [CellWrite("r", "a", value)]) == 1, (previous, value)
            stored = store.rows(table)[0].cells["a"]
            assert _canon(stored) == _canon(value)
            assert type(stored) is type(value)
            previous = value

    def test_last_write_of_a_cell_in_a_batch_wins(self, store: Any) -> None:
        table = self.make_table(store, columns=[_plain("a")], rows=[Row(id="r", cells={"a": "x"})])
        changed = store.write_cells(
            table, [CellWrite("r", "a", "y"), CellWrite("r", "a", None), CellWrite("r", "a", "x")]
        )
        assert changed == 0
        assert store.rows(table)[0].cells == {"a": "x"}

    def test_unknown_row_or_column_writes_nothing(self, store: Any) -> None:
        table = self.make_table(store, columns=[_plain("a")], rows=[Row(id="r", cells={"a": 1})])
        for bad in (CellWrite("ghost", "a", 2), CellWrite("r", "ghost", 2)):
            with pytest.raises(RecordNotFound) as caught:
                store.write_cells(table, [CellWrite("r", "a", 2), bad])
            assert "ghost" in str(caught.value)
            assert store.rows(table)[0].cells == {"a": 1}

    @pytest.mark.parametrize(
        "value",
        [
            {1, 2},
            float("nan"),
            float("inf"),
            b"bytes",
            (1, 2),
            {1: "int key"},
            object(),
            {"deep": _nested(100)},
        ],
        ids=["set", "nan", "inf", "bytes", "tuple", "int-key", "object", "too-deep"],
    )
    def test_non_json_values_are_rejected_before_any_write(self, store: Any, value: object) -> None:
        table = self.make_table(store, columns=[_plain("a")], rows=[Row(id="r", cells={"a": 1})])
        with pytest.raises(ConfigError) as caught:
            store.write_cells(table, [CellWrite("r", "a", 2), CellWrite("r", "a", value)])  # type: ignore[arg-type]
        assert caught.value.problems[0].path.startswith("cells[1].value")
        assert store.rows(table)[0].cells == {"a": 1}

    @pytest.mark.parametrize("bad", ["", "nul\x00id", "x" * 300, 7, None, "\ud800"], ids=repr)
    def test_invalid_ids_are_rejected(self, store: Any, bad: object) -> None:
        table = self.make_table(store, columns=[_plain("a")], rows=[Row(id="r")])
        with pytest.raises(ConfigError):
            store.write_cells(table, [CellWrite(bad, "a", 1)])  # type: ignore[arg-type]
        with pytest.raises(ConfigError):
            store.write_cells(table, [CellWrite("r", bad, 1)])  # type: ignore[arg-type]
        assert store.rows(table)[0].cells == {}

    def test_hard_values_round_trip_exactly(self, store: Any) -> None:
        values: list[object] = [
            "",
            " ",
            "nul\x00inside",
            "\x00",
            "\x1bstarts with escape",
            "emoji 😀 and 中文 and e\u0301",
            "lone \ud800 surrogate",
            "m" * 1_000_000,
            "é" * 300_000,
            2**63 - 1,
            -(2**63),
            2**63,
            10**40,
            0.1,
            1e300,
            -0.0,
            1e-7,
            [],
            {},
            {"nested": ["a\x00", {"z": None, "a": [True, 1.5]}], "": "empty key"},
        ]
        table = self.make_table(store, columns=[_plain("a")])
        self.insert_rows(store, table, [Row(id=f"r{n:02d}") for n in range(len(values))])
        writes = [CellWrite(f"r{n:02d}", "a", v) for n, v in enumerate(values)]  # type: ignore[arg-type]
        assert store.write_cells(table, writes) == len(values)
        assert store.write_cells(table, writes) == 0
        stored = [r.cells["a"] for r in store.rows(table)]
        assert [_canon(v) for v in stored] == [_canon(v) for v in values]
        assert [type(v) for v in stored] == [type(v) for v in values]

    def test_lookup_rows_matches_normalised_strings(self, store: Any) -> None:
        long_value = "Long." + "x" * 400 + "@Example.com"
        table = self.make_table(
            store,
            columns=[_plain("email"), _plain("other")],
            rows=[
                Row(id="r1", cells={"email": "  Ada@Example.COM "}),
                Row(id="r2", cells={"email": "ada@example.com"}),
                Row(id="r3", cells={"email": "grace@example.com", "other": "ada@example.com"}),
                Row(id="r4", cells={"email": 42}),
                Row(id="r5", cells={"email": long_value}),
                Row(id="r6", cells={"email": "nul\x00@example.com"}),
                Row(id="r7", cells={"email": ["ada@example.com"]}),
            ],
        )
        found = store.lookup_rows(
            table,
            "email",
            [
                "ada@example.com",
                "nobody@example.com",
                "42",
                long_value.lower(),
                "nul\x00@example.com",
            ],
        )
        assert found == {
            "ada@example.com": ["r1", "r2"],
            long_value.lower(): ["r5"],
            "nul\x00@example.com": ["r6"],
        }
        assert store.lookup_rows(table, "email", []) == {}
        with pytest.raises(RecordNotFound):
            store.lookup_rows(table, "ghost", ["a"])
        store.write_cells(table, [CellWrite("r1", "email", "new@example.com")])
        assert store.lookup_rows(table, "email", ["ada@example.com"]) == {"ada@example.com": ["r2"]}

    def test_lookups_follow_cell_writes_and_column_deletes(self, store: Any) -> None:
        table = self.make_table(
            store,
            columns=[_plain("email"), _plain("note")],
            rows=[
                Row(id="r1", cells={"email": "ada@example.com"}),
                Row(id="r2", cells={"email": "Grace@Example.com"}),
                Row(id="r3"),
            ],
        )
        wanted = ["ada@example.com", "grace@example.com", "alan@example.com"]
        assert store.lookup_rows(table, "email", wanted) == {
            "ada@example.com": ["r1"],
            "grace@example.com": ["r2"],
        }
        store.write_cells(
            table,
            [
                CellWrite("r1", "email", None),
                CellWrite("r2", "email", " ALAN@example.com"),
                CellWrite("r3", "email", "ada@example.com"),
                CellWrite("r3", "note", "grace@example.com"),
            ],
        )
        assert store.lookup_rows(table, "email", wanted) == {
            "ada@example.com": ["r3"],
            "alan@example.com": ["r2"],
        }
        store.write_cells(table, [CellWrite("r1", "email", "alan@example.com")])
        assert store.lookup_rows(table, "email", wanted) == {
            "ada@example.com": ["r3"],
            "alan@example.com": ["r1", "r2"],
        }
        with pytest.raises(RecordNotFound):  # a failed write changes nothing
            store.write_cells(
                table, [CellWrite("r3", "email", "x@example.com"), CellWrite("gh", "email", "y")]
            )
        assert store.lookup_rows(table, "email", ["ada@example.com"]) == {"ada@example.com": ["r3"]}
        assert store.delete_columns(table, ["email"]) == 1
        with pytest.raises(RecordNotFound):
            store.lookup_rows(table, "email", wanted)
        store.save_columns(table, [_plain("email")])  # back, and empty
        assert store.lookup_rows(table, "email", wanted) == {}
        store.write_cells(table, [CellWrite("r2", "email", "Ada@example.com")])
        assert store.lookup_rows(table, "email", wanted) == {"ada@example.com": ["r2"]}

    def test_engagement_groups_aggregate_per_status_pair(self, store: Any) -> None:
        columns = [_plain(c) for c in ("es", "en", "rc", "oc", "lc", "email")]
        rows = [
            Row(
                id="r1",
                cells={"es": "Active", "en": "Interested", "rc": 2, "oc": 3, "lc": "2026-03-01"},
            ),
            Row(
                id="r2",
                cells={"es": "Active", "en": "Interested", "rc": 1, "oc": 0, "lc": "2026-03-04"},
            ),
            Row(id="r3", cells={"es": "Active", "rc": "7", "oc": 2**40, "lc": 5}),
            Row(id="r4", cells={"en": 3, "rc": -1, "oc": 1}),
            Row(id="r5", cells={"en": "3", "oc": 2, "lc": "2026-01-01"}),
            Row(id="r6", cells={"rc": 9, "oc": 9, "email": "no status"}),
            Row(id="r7", cells={"es": True}),
        ]
        table = self.make_table(store, columns=columns, rows=rows)
        groups = store.engagement_groups(table, _ENGAGEMENT)
        assert groups == [
            EngagementGroup(None, "3", 2, 0, 3, 2, "2026-01-01"),
            EngagementGroup("Active", None, 1, 0, 0, 0, None),
            EngagementGroup("Active", "Interested", 2, 3, 3, 1, "2026-03-04"),
            EngagementGroup("true", None, 1, 0, 0, 0, None),
        ]
        only_status = store.engagement_groups(table, {"engagement_status": "en"})
        assert [(g.email_status, g.engagement_status, g.rows) for g in only_status] == [
            (None, "3", 2),
            (None, "Interested", 2),
        ]
        assert store.engagement_groups(table, {"reply_count": "rc"}) == []
        with pytest.raises(RecordNotFound):
            store.engagement_groups(table, {"email_status": "ghost"})

    def test_lead_groups_count_leads_and_stay_equal_to_a_recount(self, store: Any) -> None:
        """Rows sharing an email count once (with their first row's values); rows without
        an email do not count; every kind of write keeps the kept aggregate equal to a
        recount from the cells."""
        columns = [_plain(c) for c in ("email", "es", "en", "rc", "oc", "lc", "other")]
        rows = [
            Row(id="r1", cells={"email": "Ada@x.io", "es": "Replied", "rc": 2, "oc": 3}),
            Row(id="r2", cells={"email": " ada@X.io ", "es": "Replied", "rc": 2, "oc": 3}),
            Row(id="r3", cells={"email": "bo@x.io", "es": "Opened", "oc": 1, "lc": "2026-03-02"}),
            Row(id="r4", cells={"es": "Bounced"}),  # no email: no lead
            Row(id="r5", cells={"email": "", "en": "Interested"}),  # empty email: no lead
            Row(id="r6", cells={"email": "cy@x.io"}),  # a lead with no engagement yet
        ]
        table = self.make_table(store, columns=columns, rows=rows)
        tables = with_capabilities(store)
        key = "camp"

        def check() -> list[EngagementGroup]:
            kept = tables.lead_groups(table, key, _SUMMARY)
            assert kept == recount_leads(store, table, _SUMMARY)
            return kept

        assert check() == [
            EngagementGroup("Opened", None, 1, 0, 1, 1, "2026-03-02"),
            EngagementGroup("Replied", None, 1, 2, 3, 1, None),
        ]
        # The lead's values come from its first row; a later row that disagrees is ignored.
        store.write_cells(table, [CellWrite("r2", "es", "Bounced"), CellWrite("r2", "rc", 9)])
        assert [(g.email_status, g.rows, g.reply_total) for g in check()] == [
            ("Opened", 1, 0),
            ("Replied", 1, 2),
        ]
        store.write_cells(table, [CellWrite("r1", "es", None), CellWrite("r1", "rc", None)])
        assert [(g.email_status, g.rows, g.reply_total) for g in check()] == [
            ("Bounced", 1, 9),
            ("Opened", 1, 0),
        ]
        # An email that changes moves the row to another lead, or out of every lead.
        store.write_cells(table, [CellWrite("r3", "email", "cy@x.io")])
        check()
        store.write_cells(table, [CellWrite("r3", "email", None), CellWrite("r4", "email", "d@x")])
        assert sorted((g.email_status, g.rows) for g in check()) == [("Bounced", 2)]
        store.write_cells(table, [CellWrite("r6", "en", "Interested"), CellWrite("r6", "lc", 7)])
        check()
        assert store.delete_rows(table, ["r2", "r4"]) == 2
        assert [(g.email_status, g.engagement_status, g.rows) for g in check()] == [
            (None, "Interested", 1)
        ]
        self.insert_rows(
            store, table, [Row(id="r0", cells={"email": "CY@x.io", "es": "Sent", "oc": 0})]
        )
        assert [(g.email_status, g.engagement_status, g.rows) for g in check()] == [
            ("Sent", None, 1)
        ]
        store.write_cells(table, [CellWrite("r0", "other", "x")])  # not a summary column
        check()
        # Other columns: counted afresh; a deleted column ends the kept aggregate.
        remapped = SummaryColumns(email="email", engagement_status="en", reply_count="other")
        assert tables.lead_groups(table, key, remapped) == recount_leads(store, table, remapped)
        store.delete_columns(table, ["oc"])
        store.save_columns(table, [_plain("oc")])
        check()
        tables.drop_lead_groups(key)
        check()
        with pytest.raises(RecordNotFound):
            tables.lead_groups(table, key, SummaryColumns(email="ghost", email_status="es"))

    def test_insert_and_delete_rows(self, store: Any) -> None:
        table = self.make_table(store, columns=[_plain("a")])
        self.insert_rows(store, table, [Row(id="r1", cells={"a": "one"}), Row(id="r2")])
        self.insert_rows(store, table, [Row(id="r1", cells={"a": "two"})])
        assert _row_view(store.rows(table)) == [("r1", {"a": '"two"'}), ("r2", {})]
        assert store.delete_rows(table, ["r1", "ghost"]) == 1
        assert [r.id for r in store.rows(table)] == ["r2"]
        self.insert_rows(store, table, [Row(id="r1")])
        assert store.rows(table)[0].cells == {}  # a re-created row starts empty
        assert store.lookup_rows(table, "a", ["one", "two"]) == {}

    def test_large_batches_are_written_completely(self, store: Any) -> None:
        table = self.make_table(store, columns=[_plain("a"), _plain("b")])
        self.insert_rows(store, table, [Row(id=f"r{n:05d}") for n in range(1500)])
        writes = [CellWrite(f"r{n:05d}", c, f"{c}{n}") for n in range(1500) for c in "ab"]
        assert store.write_cells(table, writes) == 3000
        rows = store.rows(table, limit=5000)
        assert len(rows) == 1500
        assert rows[-1].cells == {"a": "a1499", "b": "b1499"}


class LinkStoreContract(_Harness):
    """The ``IntegrationStore`` contract: links, versions, runs and leases, ledger, events."""

    def test_save_and_read_integrations(self, store: Any) -> None:
        saved = store.save_link(_link())
        assert saved.version == 1
        assert saved.created_at is not None
        assert saved.updated_at is not None
        other = store.save_link(_link("b-link", table="t2"))
        assert store.link("camp") == saved
        assert store.links() == [other, saved]
        assert store.links("t") == [saved]
        assert store.links("nothing") == []
        with pytest.raises(RecordNotFound):
            store.link("ghost")

    def test_optimistic_concurrency(self, store: Any) -> None:
        first = store.save_link(_link())
        with pytest.raises(VersionConflict):
            store.save_link(_link())  # insert of an existing id
        second = store.save_link(attrs.evolve(first, campaign_name="B"), version=1)
        assert (second.version, second.campaign_name) == (2, "B")
        assert second.created_at == first.created_at
        with pytest.raises(VersionConflict):
            store.save_link(attrs.evolve(first, campaign_name="C"), version=1)
        assert store.link("camp").campaign_name == "B"
        with pytest.raises(RecordNotFound):
            store.save_link(_link("ghost"), version=1)

    def test_concurrent_updates_let_exactly_one_win(self, store: Any) -> None:
        store.save_link(_link())
        outcomes = _race(8, lambda n: store.save_link(_link(campaign_name=f"w{n}"), version=1))
        assert sum(isinstance(o, CampaignLink) for o in outcomes) == 1
        assert all(isinstance(o, (CampaignLink, VersionConflict)) for o in outcomes)
        assert store.link("camp").version == 2

    def test_invalid_integrations_are_rejected(self, store: Any) -> None:
        for bad in (
            _link(settings={"x": {1, 2}}),
            _link(field_mapping={1: "a"}),
            _link(sequence_mode="sometimes"),
            _link(created_at=datetime(2026, 1, 1)),  # naive
            _link(""),
        ):
            with pytest.raises(ConfigError):
                store.save_link(bad)
        assert store.links() == []

    def test_delete_integration_takes_its_history(self, store: Any) -> None:
        store.save_link(_link())
        store.start_run(_run("run-1", _T0))
        store.write_ledger("camp", [LedgerEntry("camp", "r1", "a@x.io", "pushed")])
        store.delete_link("camp")
        store.delete_link("camp")  # no error the second time
        assert store.links() == []
        assert store.runs("camp") == []
        assert store.push_results("camp", ["r1"]) == {}
        store.save_link(_link())
        assert store.runs("camp") == []

    def test_a_live_run_holds_the_lease(self, store: Any) -> None:
        store.save_link(_link())
        first = store.start_run(_run("run-1", _T0))
        assert first.heartbeat_at == _T0
        with pytest.raises(SyncInProgress):
            store.start_run(_run("run-2", _T0 + timedelta(seconds=299)))
        store.update_run(attrs.evolve(first, heartbeat_at=_T0 + timedelta(seconds=250)))
        with pytest.raises(SyncInProgress):
            store.start_run(_run("run-2", _T0 + timedelta(seconds=500)))
        taken = store.start_run(_run("run-2", _T0 + timedelta(seconds=551)))
        assert taken.status == "running"
        old = {r.id: r for r in store.runs("camp")}["run-1"]
        assert old.status == "failed"
        assert old.finished_at == _T0 + timedelta(seconds=551)
        assert "run-2" in old.errors[-1]
        with pytest.raises(SyncInProgress):  # the old worker learns it lost the lease
            store.update_run(attrs.evolve(first, leads_seen=10))
        with pytest.raises(ConfigError):  # a run is checkpointed under its own link only
            store.update_run(attrs.evolve(taken, link_id="elsewhere"))
        store.update_run(attrs.evolve(first, errors=("stopped",), status="failed"))
        assert {r.id: r for r in store.runs("camp")}["run-1"].errors == ("stopped",)
        assert {r.id: r for r in store.runs("camp")}["run-2"] == taken
        store.update_run(attrs.evolve(taken, status="ok"))
        store.start_run(_run("run-3", _T0 + timedelta(seconds=552)))
        with pytest.raises(VersionConflict):
            store.start_run(_run("run-3", _T0 + timedelta(seconds=9999)))
        with pytest.raises(RecordNotFound):
            store.start_run(_run("run-9", _T0, link="ghost"))
        with pytest.raises(ConfigError):
            store.start_run(_run("run-10", _T0, status="ok"))

    def test_stale_after_is_configurable(self, store: Any) -> None:
        store.save_link(_link())
        store.start_run(_run("run-1", _T0))
        with pytest.raises(SyncInProgress):
            store.start_run(_run("run-2", _T0 + timedelta(seconds=10)), stale_after=10)
        store.start_run(_run("run-2", _T0 + timedelta(seconds=11)), stale_after=10)

    def test_concurrent_starts_grant_one_lease(self, store: Any, store_twin: Any) -> None:
        store.save_link(_link())
        handles = (store, store_twin)
        outcomes = _race(8, lambda n: handles[n % 2].start_run(_run(f"run-{n}", _T0)))
        assert sum(isinstance(o, SyncRun) for o in outcomes) == 1
        assert all(isinstance(o, (SyncRun, SyncInProgress)) for o in outcomes)
        assert [r.status for r in store.runs("camp")] == ["running"]
        assert [r.status for r in store_twin.runs("camp")] == ["running"]

    def test_racing_takeovers_of_a_stale_lease_grant_one(self, store: Any, store_twin: Any) -> None:
        store.save_link(_link())
        store.start_run(_run("run-stale", _T0))
        later = _T0 + timedelta(seconds=301)
        handles = (store, store_twin)
        outcomes = _race(8, lambda n: handles[n % 2].start_run(_run(f"run-{n}", later)))
        winners = [o for o in outcomes if isinstance(o, SyncRun)]
        assert len(winners) == 1
        assert all(isinstance(o, (SyncRun, SyncInProgress)) for o in outcomes)
        statuses = {r.id: r.status for r in store.runs("camp")}
        assert statuses == {"run-stale": "failed", winners[0].id: "running"}

    def test_runs_come_in_the_order_they_started_whatever_their_clocks(self, store: Any) -> None:
        # Runs started at the same instant, or by a clock that stepped back, are still in
        # start order: the last started is the one a resume continues.
        store.save_link(_link())
        ids = ["run-z", "run-a", "run-m", "run-b"]
        times = [_T0, _T0, _T0 - timedelta(seconds=5), _T0]
        for n, (run_id, at) in enumerate(zip(ids, times, strict=True)):
            run = store.start_run(_run(run_id, at))
            store.update_run(
                attrs.evolve(run, status="failed", finished_at=at, cursor=f"cursor-{n}")
            )
        found = store.runs("camp")
        assert [r.id for r in found] == list(reversed(ids))
        assert found[0].cursor == "cursor-3"
        assert [r.id for r in store.runs("camp", limit=1)] == ["run-b"]

    def test_runs_round_trip_newest_first(self, store: Any) -> None:
        store.save_link(_link())
        run = store.start_run(_run("run-1", _T0))
        done = attrs.evolve(
            run,
            status="partial",
            finished_at=_T0 + timedelta(minutes=3),
            heartbeat_at=_T0 + timedelta(minutes=2),
            leads_seen=120,
            rows_matched=100,
            leads_unmatched=20,
            duplicate_rows=3,
            cells_written=480,
            errors=("page 3: 502 Bad Gateway", "nul \x00 in a message"),
            cursor="cursor-\x00-é",
            summary={"label": "45% Interested", "numerator": 9, "denominator": 20},
        )
        store.update_run(done)
        later = store.start_run(_run("run-2", _T0 + timedelta(hours=1)))
        for n in range(3, 6):
            store.update_run(attrs.evolve(later, status="ok"))
            later = store.start_run(_run(f"run-{n}", _T0 + timedelta(hours=n)))
        history = store.runs("camp", limit=10)
        assert [r.id for r in history] == ["run-5", "run-4", "run-3", "run-2", "run-1"]
        assert history[-1] == done
        assert [r.id for r in store.runs("camp", limit=2)] == ["run-5", "run-4"]
        with pytest.raises(RecordNotFound):
            store.update_run(_run("ghost", _T0))
        local = timezone(timedelta(hours=2))
        store.update_run(attrs.evolve(later, heartbeat_at=datetime(2026, 3, 2, 20, tzinfo=local)))
        assert store.runs("camp", limit=1)[0].heartbeat_at == datetime(
            2026, 3, 2, 18, tzinfo=timezone.utc
        )

    def test_ledger_upserts_and_picks_one_entry_per_email(self, store: Any) -> None:
        store.save_link(_link())
        store.save_link(_link("other"))
        entries = [
            LedgerEntry("camp", "r1", "a@x.io", "failed", error="timeout", pushed_at=_T0),
            LedgerEntry("camp", "r2", "a@x.io", "pushed", lead_id="L2", pushed_at=_T0),
            LedgerEntry("camp", "r3", "a@x.io", "pushed", lead_id="L3", pushed_at=_T0 + _DAY),
            LedgerEntry("camp", "r4", "b@x.io", "pending"),
            LedgerEntry("camp", "r5", "b@x.io", "pending"),
            LedgerEntry("camp", "r6", None, "invalid", error="no email \x00"),
        ]  # fmt: skip
        store.write_ledger("camp", entries)
        store.write_ledger("other", [LedgerEntry("other", "r1", "a@x.io", "pushed", lead_id="O")])
        found = store.ledger("camp", ["a@x.io", "b@x.io", "c@x.io", "A@x.io"])
        assert found == {"a@x.io": entries[2], "b@x.io": entries[3]}
        assert store.push_results("camp", ["r6", "r9"]) == {"r6": entries[5]}
        update = LedgerEntry(
            "camp", "r1", "a@x.io", "pushed", lead_id="L1", pushed_at=_T0 + timedelta(2)
        )
        store.write_ledger("camp", [update])
        assert store.ledger("camp", ["a@x.io"]) == {"a@x.io": update}
        assert store.push_results("camp", ["r1"]) == {"r1": update}
        with pytest.raises(RecordNotFound):
            store.write_ledger("ghost", [LedgerEntry("ghost", "r1", None, "pending")])
        with pytest.raises(ConfigError):
            store.write_ledger("camp", [LedgerEntry("other", "r1", None, "pending")])
        with pytest.raises(ConfigError):
            store.write_ledger("camp", [LedgerEntry("camp", "r1", None, "exploded")])  # type: ignore[arg-type]

    def test_record_event_detects_replays(self, store: Any) -> None:
        assert store.record_event("evt-1", _T0) is True
        assert store.record_event("evt-1", _T0 + timedelta(1)) is False
        assert store.record_event("evt-2", _T0) is True
        long_key = "k" * 5000 + "\x00"
        assert store.record_event(long_key, _T0) is True
        assert store.record_event(long_key, _T0) is False
        with pytest.raises(ConfigError):
            store.record_event("evt-3", datetime(2026, 1, 1))


class CredentialStoreContract(_Harness):
    """The ``CredentialStore`` contract: keys in and out as ``ApiKey``."""

    def test_keys_round_trip(self, store: Any) -> None:
        assert store.get_key("default") is None
        store.set_key("default", ApiKey("sk-live-1"))
        store.set_key("tenant-2", ApiKey("sk-live-2 é"))
        assert store.get_key("default") == ApiKey("sk-live-1")
        store.set_key("default", ApiKey("sk-live-3"))
        assert store.get_key("default") == ApiKey("sk-live-3")
        assert store.get_key("tenant-2") == ApiKey("sk-live-2 é")
        store.delete_key("default")
        store.delete_key("default")
        assert store.get_key("default") is None
        with pytest.raises(CredentialError):
            store.set_key("default", "sk-live-plain-string")

    def test_keys_stay_out_of_everything_else(self, store: Any) -> None:
        canary = "sk-canary-5f1e0c"
        store.set_key("default", ApiKey(canary))
        text = repr(store)
        if hasattr(store, "save_integration"):
            store.save_link(_link())
            text += repr(store.links()) + repr(store.runs("camp"))
        assert canary not in text
        assert canary not in repr(store.get_key("default"))


class _Rollback(Exception):
    """Raised inside ``atomic()`` blocks by the tests, to roll them back."""


def _rolled_back(store: Any, body: Callable[[], object]) -> None:
    """Run ``body`` in a ``store.atomic()`` block that then raises, so it is rolled back."""

    def block() -> None:
        with store.atomic():
            body()
            raise _Rollback

    with pytest.raises(_Rollback):
        block()


class UnitOfWorkContract(_Harness):
    """The ``UnitOfWork`` contract: inside ``atomic()``, calls on the table and the
    integration ports are one transaction. Skipped for a store without ``atomic()``."""

    @pytest.fixture
    def unit(self, store: Any) -> Any:
        if not isinstance(store, UnitOfWork):
            pytest.skip("the store has no atomic() (UnitOfWork is optional)")
        return store

    def _setup(self, store: Any) -> SyncRun:
        self.make_table(
            store,
            columns=[_plain("email"), _plain("note")],
            rows=[Row(id="r1", cells={"email": "ada@example.com"}), Row(id="r2")],
        )
        store.save_link(_link())
        return store.start_run(_run("run-1", _T0))  # type: ignore[no-any-return]

    def _state(self, store: Any) -> tuple[Any, ...]:
        emails = ["ada@example.com", "grace@example.com"]
        return (
            [c.id for c in store.columns("t")],
            _row_view(store.rows("t")),
            store.lookup_rows("t", "email", emails),
            [_integration_view(i) for i in store.links()],
            store.runs("camp"),
            store.push_results("camp", ["r1", "r2"]),
            store.ledger("camp", emails),
        )

    def _work(self, store: Any, run: SyncRun) -> None:
        """Cells, ledger, a run checkpoint, a column and a link edit: what a flow step
        writes together."""
        store.write_cells(
            "t", [CellWrite("r1", "email", "grace@example.com"), CellWrite("r2", "note", "x")]
        )
        store.write_ledger(
            "camp", [LedgerEntry("camp", "r1", "grace@example.com", "pushed", lead_id="L1")]
        )
        store.update_run(
            attrs.evolve(run, leads_seen=5, cursor="page-2", summary={"label": "50% Opened"})
        )
        store.save_columns("t", [_plain("extra")])
        store.save_link(_link(campaign_name="Renamed"), version=1)

    def test_a_failure_inside_atomic_leaves_both_stores_unchanged(self, unit: Any) -> None:
        run = self._setup(unit)
        before = self._state(unit)

        def work() -> None:
            self._work(unit, run)
            # Reads inside the block see its writes.
            assert unit.rows("t", ["note"])[1].cells == {"note": "x"}
            assert unit.lookup_rows("t", "email", ["grace@example.com"]) == {
                "grace@example.com": ["r1"]
            }
            assert unit.runs("camp")[0].cursor == "page-2"

        _rolled_back(unit, work)
        assert self._state(unit) == before

    def test_atomic_keeps_everything_when_the_block_ends(self, unit: Any) -> None:
        run = self._setup(unit)
        with unit.atomic():
            self._work(unit, run)
        columns, rows, found, links, runs, results, ledger = self._state(unit)
        assert columns == ["email", "note", "extra"]
        assert rows == [("r1", {"email": '"grace@example.com"'}), ("r2", {"note": '"x"'})]
        assert found == {"grace@example.com": ["r1"]}
        assert [(i.campaign_name, i.version) for i in links] == [("Renamed", 2)]
        assert [(r.cursor, r.leads_seen) for r in runs] == [("page-2", 5)]
        assert set(results) == {"r1"}
        assert ledger["grace@example.com"].lead_id == "L1"

    def test_a_lease_taken_in_a_failed_block_is_not_kept(self, unit: Any) -> None:
        unit.save_link(_link())
        _rolled_back(unit, lambda: unit.start_run(_run("run-1", _T0)))
        assert unit.runs("camp") == []
        assert unit.start_run(_run("run-2", _T0)).status == "running"

    def test_every_chunk_of_a_large_write_is_undone(self, unit: Any) -> None:
        table = self.make_table(unit, columns=[_plain("a"), _plain("b")])
        self.insert_rows(unit, table, [Row(id=f"r{n:05d}") for n in range(1500)])
        writes = [CellWrite(f"r{n:05d}", c, n) for n in range(1500) for c in "ab"]
        _rolled_back(unit, lambda: unit.write_cells(table, writes))
        assert all(row.cells == {} for row in unit.rows(table, limit=5000))

    def test_an_error_caught_inside_the_block_undoes_only_its_call(self, unit: Any) -> None:
        self._setup(unit)
        with unit.atomic():
            unit.write_cells("t", [CellWrite("r1", "note", "kept")])
            with pytest.raises(RecordNotFound):
                unit.write_cells("t", [CellWrite("r2", "note", "lost"), CellWrite("gh", "note", 1)])
            with pytest.raises(VersionConflict):
                unit.save_link(_link())
            with pytest.raises(SyncInProgress):
                unit.start_run(_run("run-2", _T0 + timedelta(seconds=1)))
            unit.write_ledger("camp", [LedgerEntry("camp", "r2", None, "invalid")])
        assert _row_view(unit.rows("t", ["note"])) == [("r1", {"note": '"kept"'}), ("r2", {})]
        assert set(unit.push_results("camp", ["r1", "r2"])) == {"r2"}
        assert [r.id for r in unit.runs("camp")] == ["run-1"]

    def test_locked_read_decide_write_units_take_turns(self, unit: Any, store_twin: Any) -> None:
        """With ``RowLocking``: two units that each lock a row, read a counter cell, wait,
        and write it plus one, both count (no lost update); unknown ids are skipped."""
        if not isinstance(unit, RowLocking):
            pytest.skip("the store has no lock_rows() (RowLocking is optional)")
        self.make_table(unit, columns=[_plain("n")], rows=[Row(id="r1", cells={"n": 0})])
        start = threading.Barrier(2, timeout=10)

        def bump(handle: Any) -> None:
            start.wait()  # both start together (a store may serialise atomic() itself)
            with handle.atomic():
                handle.lock_rows("t", ["r1", "no-such-row"])
                (row,) = handle.get_rows("t", ["r1"], ["n"])
                value = row.cells["n"]
                threading.Event().wait(0.05)  # a slow decision, so an unlocked race loses
                handle.write_cells("t", [CellWrite("r1", "n", value + 1)])

        threads = [threading.Thread(target=bump, args=(h,)) for h in (unit, store_twin)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        (row,) = store_twin.get_rows("t", ["r1"], ["n"])
        assert row.cells["n"] == 2

    def test_nested_blocks_join_the_outer_one(self, unit: Any) -> None:
        self._setup(unit)
        before = self._state(unit)

        def inner_block() -> None:
            with unit.atomic():
                unit.write_cells("t", [CellWrite("r2", "note", "inner")])
                unit.write_ledger("camp", [LedgerEntry("camp", "r2", None, "invalid")])

        _rolled_back(unit, inner_block)  # raised after the inner block ended: it goes too
        assert self._state(unit) == before
        with unit.atomic():
            unit.write_cells("t", [CellWrite("r1", "note", "outer")])
            _rolled_back(unit, lambda: unit.write_cells("t", [CellWrite("r2", "note", "inner")]))
            unit.write_cells("t", [CellWrite("r1", "email", "grace@example.com")])
        assert _row_view(unit.rows("t")) == [
            ("r1", {"email": '"grace@example.com"', "note": '"outer"'}),
            ("r2", {}),
        ]


class StoreContract(
    TableStoreContract, LinkStoreContract, CredentialStoreContract, UnitOfWorkContract
):
    """All three ports (and ``atomic()`` when the store has it), for a store like ours
    that implements them together."""


def _race(n: int, action: Callable[[int], T]) -> list[T | BaseException]:
    """Run ``action(k)`` in ``n`` threads released together; results or exceptions."""
    barrier = threading.Barrier(n)
    results: list[T | BaseException] = [RuntimeError("did not run")] * n

    def work(k: int) -> None:
        barrier.wait()
        try:
            results[k] = action(k)
        except InstantlyColumnsError as exc:
            results[k] = exc

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --- the state machine ---------------------------------------------------------------------

_ROW_IDS = ("r0", "r1", "r2", "r3", "R1", "é", "r10")
_COLUMN_IDS = ("email", "es", "en", "rc", "oc", "lc")
_TEXTS = (
    "",
    " a ",
    "A",
    "a",
    "Ada@Example.com",
    "ada@example.com",
    "Active",
    "Bounced",
    "Interested",
    "3",
    "2026-03-01T10:00:00Z",
    "2026-03-02T09:00:00Z",
    "nul\x00",
    "😀",
    "\x1bx",
    "lone \udc80",
    "w" * 300,
)
_cell_values: st.SearchStrategy[CellValue] = st.one_of(
    st.none(),
    st.sampled_from(_TEXTS),
    st.integers(-2, 5),
    st.sampled_from([2**31, 2**63, 1.0, 0.5, True, False]),
    st.lists(st.sampled_from([0, "a"]), max_size=2),
    st.dictionaries(st.sampled_from(["b", "a"]), st.integers(0, 1), max_size=2),
)
_emails = st.sampled_from(["a@x.io", "b@x.io", "c@x.io"])
_texts = st.sampled_from(_TEXTS)
_STATUSES: tuple[RunStatus, ...] = ("running", "ok", "failed")


def _outcome(call: Callable[[], T]) -> tuple[str, T | str]:
    try:
        return ("ok", call())
    except InstantlyColumnsError as exc:
        return ("error", type(exc).__name__)


def _integration_view(item: CampaignLink) -> CampaignLink:
    return attrs.evolve(item, created_at=None, updated_at=None)


def storage_state_machine(
    factory: Callable[[], AbstractContextManager[Any]],
    *,
    ports: Collection[Port] = ("table", "integration", "credential"),
    create_table: Callable[[Any, TableId], None] | None = None,
    insert_rows: Callable[[Any, TableId, Sequence[Row]], None] | None = None,
    settings: hypothesis_settings | None = None,
) -> type[RuleBasedStateMachine]:
    """A state machine that drives ``factory()``'s store and a ``MemoryStore`` with the
    same operations and fails on the first difference.

    ``factory`` returns a context manager giving a fresh, empty store (entered at the
    start of each example, exited at its end). ``ports`` limits the operations to the
    ports the store implements; ``create_table`` / ``insert_rows`` replace the store's
    own methods of those names. Run it with ``TestX = storage_state_machine(...).TestCase``.
    """
    wanted = frozenset(ports)
    make_table = create_table or (lambda store, table: store.create_table(table, table))
    add_rows = insert_rows or (lambda store, table, rows: store.insert_rows(table, rows))

    class StorageMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model = MemoryStore()
            self._context = factory()
            self.real: Any = self._context.__enter__()
            self.now = _T0
            self.runs: dict[str, SyncRun] = {}
            self.versions: dict[str, int] = {}
            self.counter = 0
            self.summaries: dict[str, SummaryColumns] = {"i0": _SUMMARY}
            # Start from a populated table and a saved link, so that most operations
            # act on existing records; the rules still delete and re-create them.
            if "table" in wanted:
                columns = [Column(id=c, key=c, name=c.title()) for c in _COLUMN_IDS]
                rows = [Row(id=r) for r in _ROW_IDS[:5]]
                self.model.create_table("t", "t")
                self.model.save_columns("t", columns)
                self.model.insert_rows("t", rows)
                make_table(self.real, "t")
                self.real.save_columns("t", columns)
                add_rows(self.real, "t", rows)
            if "integration" in wanted:
                self.both(lambda s: s.save_link(_link("i0")).version)
                self.versions["i0"] = 1

        def teardown(self) -> None:
            self._context.__exit__(None, None, None)

        def both(self, call: Callable[[Any], T]) -> tuple[str, T | str]:
            expected = _outcome(lambda: call(self.model))
            actual = _outcome(lambda: call(self.real))
            assert actual == expected, f"store gave {actual!r}, model gave {expected!r}"
            return expected

        # tables ---------------------------------------------------------------------------

        @precondition(lambda self: "table" in wanted)
        @rule(
            column=st.sampled_from(_COLUMN_IDS),
            key=st.sampled_from(["own", "k1", "k2"]),
            name=st.sampled_from(["Name", "é \x00"]),
            host=st.sampled_from([{}, {"width": 120}, {"hidden": True, "note": "é \x00"}]),
        )
        def save_column(self, column: str, key: str, name: str, host: dict[str, Any]) -> None:
            col = Column(
                id=column, key=column if key == "own" else key, name=name, host_fields=host
            )
            self.both(lambda s: s.save_columns("t", [col]))

        @precondition(lambda self: "table" in wanted)
        @rule(columns=st.lists(st.sampled_from(_COLUMN_IDS), max_size=2))
        def remove_columns(self, columns: list[str]) -> None:
            self.both(lambda s: s.delete_columns("t", columns))

        @precondition(lambda self: "table" in wanted)
        @rule(
            rows=st.lists(
                st.tuples(
                    st.sampled_from(_ROW_IDS),
                    st.dictionaries(st.sampled_from(_COLUMN_IDS), _cell_values, max_size=2),
                ),
                max_size=3,
            )
        )
        def insert_rows(self, rows: list[tuple[str, dict[str, Any]]]) -> None:
            new = [Row(id=r, cells=c) for r, c in rows]
            expected = _outcome(lambda: self.model.insert_rows("t", new))
            actual = _outcome(lambda: add_rows(self.real, "t", new))
            assert actual[0] == expected[0], (actual, expected)

        @precondition(lambda self: "table" in wanted)
        @rule(rows=st.lists(st.sampled_from(_ROW_IDS), max_size=2))
        def remove_rows(self, rows: list[str]) -> None:
            self.both(lambda s: s.delete_rows("t", rows))

        @precondition(lambda self: "table" in wanted)
        @rule(
            cells=st.lists(
                st.builds(
                    CellWrite,
                    st.sampled_from(_ROW_IDS),
                    st.sampled_from(_COLUMN_IDS),
                    _cell_values,
                ),
                max_size=6,
            )
        )
        def write_cells(self, cells: list[CellWrite]) -> None:
            self.both(lambda s: s.write_cells("t", cells))

        @precondition(lambda self: "table" in wanted)
        @rule(
            rows=st.lists(
                st.tuples(
                    st.sampled_from(_ROW_IDS),
                    st.sampled_from(["Active", "Bounced", 3, None]),
                    st.sampled_from(["Interested", "3", None]),
                    st.sampled_from([0, 1, 2, -1, 2**31, "2", None]),
                    st.sampled_from([0, 1, 5, 2**40, None]),
                    st.sampled_from(["2026-03-01T10:00:00Z", "2026-03-02", "2026-03", 7, None]),
                ),
                min_size=1,
                max_size=5,
            )
        )
        def add_engagement_rows(self, rows: list[tuple[Any, ...]]) -> None:
            """Make sure the engagement columns and these rows exist, then fill them."""
            columns = [Column(id=c, key=c, name=c.upper()) for c in _ENGAGEMENT.values()]
            self.both(lambda s: s.save_columns("t", columns))
            new = [Row(id=row[0]) for row in rows]
            self.model.insert_rows("t", new)
            add_rows(self.real, "t", new)
            cells = [
                CellWrite(row[0], column, value)
                for row in rows
                for column, value in zip(("es", "en", "rc", "oc", "lc"), row[1:], strict=True)
            ]
            self.both(lambda s: s.write_cells("t", cells))

        @precondition(lambda self: "table" in wanted and isinstance(self.real, UnitOfWork))
        @rule(
            cells=st.lists(
                st.builds(
                    CellWrite,
                    st.sampled_from(_ROW_IDS),
                    st.sampled_from(_COLUMN_IDS),
                    _cell_values,
                ),
                max_size=4,
            ),
            email=_emails,
            fail=st.booleans(),
        )
        def unit_of_work(self, cells: list[CellWrite], email: str, fail: bool) -> None:
            """Cells (and a ledger entry) in one ``atomic()`` block, kept or rolled back."""

            def work(store: Any) -> int:
                try:
                    with store.atomic():
                        changed = int(store.write_cells("t", cells))
                        if "integration" in wanted:
                            entry = LedgerEntry("i0", "r0", email, "pushed", lead_id="L9")
                            store.write_ledger("i0", [entry])
                        if fail:
                            raise _Rollback
                except _Rollback:
                    return -1
                return changed

            self.both(work)

        @precondition(lambda self: "table" in wanted)
        @rule(row=st.sampled_from(_ROW_IDS), column=st.sampled_from(_COLUMN_IDS))
        def rewrite_same_value(self, row: str, column: str) -> None:
            found = self.model.rows("t", after=None, limit=100)
            current = {r.id: r.cells for r in found}.get(row, {})
            if column in current:
                again = [CellWrite(row, column, current[column])]
                assert self.both(lambda s: s.write_cells("t", again)) == ("ok", 0)

        @precondition(lambda self: "table" in wanted)
        @rule(
            column=st.sampled_from(_COLUMN_IDS),
            values=st.lists(st.sampled_from(_TEXTS), max_size=3),
        )
        def lookup(self, column: str, values: list[str]) -> None:
            self.both(lambda s: s.lookup_rows("t", column, values))

        @precondition(lambda self: "table" in wanted)
        @invariant()
        def same_groups(self) -> None:
            self.both(lambda s: s.engagement_groups("t", _ENGAGEMENT))

        @precondition(lambda self: "table" in wanted)
        @rule(
            rows=st.lists(
                st.tuples(st.sampled_from(_ROW_IDS), st.one_of(st.none(), _emails, _texts)),
                min_size=1,
                max_size=4,
            )
        )
        def set_emails(self, rows: list[tuple[str, str | None]]) -> None:
            """Give rows an email (often one another row has), or take it away."""
            cells = [CellWrite(row, "email", email) for row, email in rows]
            self.both(lambda s: s.write_cells("t", cells))

        @precondition(lambda self: "table" in wanted)
        @rule(
            key=st.sampled_from(["i0", "i1"]),
            email=st.sampled_from(["email", "lc"]),
            subtypes=st.sets(st.sampled_from(sorted(_ENGAGEMENT)), min_size=1),
        )
        def remap_summary(self, key: str, email: str, subtypes: set[EngagementSubtype]) -> None:
            """Count a summary over other columns (a settings change)."""
            self.summaries[key] = SummaryColumns(
                email=email, **{k: _ENGAGEMENT[k] for k in subtypes}
            )

        @precondition(lambda self: "table" in wanted)
        @rule(key=st.sampled_from(["i0", "i1"]))
        def drop_summary(self, key: str) -> None:
            self.both(lambda s: with_capabilities(s).drop_lead_groups(key))

        @precondition(lambda self: "table" in wanted)
        @invariant()
        def kept_summaries_equal_a_recount(self) -> None:
            for key, columns in sorted(self.summaries.items()):

                def read(s: Any, k: str = key, c: SummaryColumns = columns) -> Any:
                    return with_capabilities(s).lead_groups("t", k, c)

                kept = self.both(read)
                if kept[0] == "ok":
                    assert kept[1] == recount_leads(self.real, "t", columns)

        @precondition(lambda self: "table" in wanted)
        @rule(subtypes=st.sets(st.sampled_from(sorted(_ENGAGEMENT))))
        def groups(self, subtypes: set[EngagementSubtype]) -> None:
            self.both(lambda s: s.engagement_groups("t", {k: _ENGAGEMENT[k] for k in subtypes}))

        @precondition(lambda self: "table" in wanted)
        @rule(
            fields=st.one_of(st.none(), st.lists(st.sampled_from(_COLUMN_IDS), max_size=2)),
            after=st.one_of(st.none(), st.sampled_from(_ROW_IDS)),
            limit=st.integers(1, 4),
        )
        def page(self, fields: list[str] | None, after: str | None, limit: int) -> None:
            self.both(lambda s: _row_view(s.rows("t", fields, after=after, limit=limit)))

        @precondition(lambda self: "table" in wanted)
        @rule(
            ids=st.lists(st.sampled_from(_ROW_IDS), max_size=4),
            fields=st.one_of(st.none(), st.lists(st.sampled_from(_COLUMN_IDS), max_size=2)),
        )
        def get_rows(self, ids: list[str], fields: list[str] | None) -> None:
            self.both(lambda s: _row_view(s.get_rows("t", ids, fields)))

        @precondition(lambda self: "table" in wanted)
        @invariant()
        def same_table(self) -> None:
            self.both(lambda s: (_row_view(s.rows("t", limit=100)), s.columns("t")))

        # integrations ---------------------------------------------------------------------

        @precondition(lambda self: "integration" in wanted)
        @rule(
            item=st.sampled_from(["i0", "i1"]),
            version=st.sampled_from(["none", "current", "stale"]),
            name=st.sampled_from(["A", "B \x00"]),
        )
        def save_link(self, item: str, version: str, name: str) -> None:
            current = self.versions.get(item)
            given = {"none": None, "current": current, "stale": (current or 0) + 5}[version]
            result = self.both(
                lambda s: _integration_view(
                    s.save_link(_link(item, campaign_name=name), version=given)
                )
            )
            if result[0] == "ok" and isinstance(result[1], CampaignLink):
                self.versions[item] = result[1].version

        @precondition(lambda self: "integration" in wanted)
        @rule(item=st.sampled_from(["i0", "i1"]))
        def remove_integration(self, item: str) -> None:
            self.both(lambda s: s.delete_link(item))
            self.versions.pop(item, None)

        @precondition(lambda self: "integration" in wanted)
        @rule(seconds=st.sampled_from([1, 100, 400]))
        def tick(self, seconds: int) -> None:
            self.now += timedelta(seconds=seconds)

        @precondition(lambda self: "integration" in wanted)
        @rule(item=st.sampled_from(["i0", "i1"]))
        def start_run(self, item: str) -> None:
            self.counter += 1
            run = _run(f"run-{self.counter}", self.now, link=item)
            result = self.both(lambda s: s.start_run(run))
            if result[0] == "ok" and isinstance(result[1], SyncRun):
                self.runs[run.id] = result[1]

        @precondition(lambda self: "integration" in wanted and bool(self.runs))
        @rule(
            data=st.data(),
            status=st.sampled_from(_STATUSES),
            seen=st.integers(0, 3),
        )
        def update_run(self, data: st.DataObject, status: RunStatus, seen: int) -> None:
            run_id = data.draw(st.sampled_from(sorted(self.runs)))
            run = attrs.evolve(
                self.runs[run_id], status=status, heartbeat_at=self.now, leads_seen=seen
            )
            self.both(lambda s: s.update_run(run))

        @precondition(lambda self: "integration" in wanted)
        @rule(
            item=st.sampled_from(["i0", "i1"]),
            gap=st.sampled_from([0, 150, 299, 300, 301, 599, 601]),
            heartbeat=st.sampled_from([None, 0, 200]),
        )
        def contend_for_lease(self, item: str, gap: int, heartbeat: int | None) -> None:
            """Start a run, maybe beat, and start another ``gap`` seconds later."""
            self.counter += 1
            first = _run(f"run-{self.counter}a", self.now, link=item)
            if self.both(lambda s: s.start_run(first))[0] != "ok":
                return
            self.runs[first.id] = first
            if heartbeat is not None:
                beat = attrs.evolve(first, heartbeat_at=self.now + timedelta(seconds=heartbeat))
                self.both(lambda s: s.update_run(beat))
            second = _run(f"run-{self.counter}b", self.now + timedelta(seconds=gap), link=item)
            if self.both(lambda s: s.start_run(second))[0] == "ok":
                self.runs[second.id] = second
            self.now += timedelta(seconds=gap + 1)

        @precondition(lambda self: "integration" in wanted)
        @rule(
            item=st.sampled_from(["i0", "i1"]),
            entries=st.lists(
                st.tuples(
                    st.sampled_from(["r0", "r1", "r2"]),
                    st.one_of(st.none(), _emails),
                    st.sampled_from(["pending", "pushed", "failed"]),
                    st.sampled_from([None, "L1", "L2"]),
                    st.sampled_from([None, 0, 60]),
                ),
                max_size=3,
            ),
        )
        def write_ledger(
            self, item: str, entries: list[tuple[str, str | None, Any, str | None, int | None]]
        ) -> None:
            ledger = [
                LedgerEntry(
                    item,
                    row,
                    email,
                    status,
                    lead_id=lead,
                    pushed_at=None if at is None else _T0 + timedelta(seconds=at),
                )
                for row, email, status, lead, at in entries
            ]
            self.both(lambda s: s.write_ledger(item, ledger))

        @precondition(lambda self: "integration" in wanted)
        @rule(key=st.sampled_from(["e1", "e2", "é\x00"]))
        def record_event(self, key: str) -> None:
            self.both(lambda s: s.record_event(key, self.now))

        @precondition(lambda self: "integration" in wanted)
        @invariant()
        def same_integration_records(self) -> None:
            emails = ["a@x.io", "b@x.io", "c@x.io"]
            rows = ["r0", "r1", "r2"]
            self.both(
                lambda s: (
                    [_integration_view(i) for i in s.links()],
                    [s.runs(i, limit=4) for i in ("i0", "i1")],
                    [(s.ledger(i, emails), s.push_results(i, rows)) for i in ("i0", "i1")],
                )
            )

        # credentials ----------------------------------------------------------------------

        @precondition(lambda self: "credential" in wanted)
        @rule(
            credential=st.sampled_from(["default", "w2"]),
            secret=st.sampled_from(["sk-1", "sk-2 é", None]),
        )
        def set_or_delete_key(self, credential: str, secret: str | None) -> None:
            if secret is None:
                self.both(lambda s: s.delete_key(credential))
            else:
                self.both(lambda s: s.set_key(credential, ApiKey(secret)))
            self.both(lambda s: s.get_key(credential))

    # Hypothesis tries rules with fewer arguments, then alphabetically earlier ones, first;
    # the names above keep a productive rule (add_engagement_rows) in front.
    StorageMachine.TestCase.settings = settings or hypothesis_settings(
        max_examples=20,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    return StorageMachine


def __getattr__(name: str) -> Any:
    # The old name of LinkStoreContract, kept for one release.
    if name == "IntegrationStoreContract":
        import warnings

        warnings.warn(
            "IntegrationStoreContract is now LinkStoreContract", DeprecationWarning, stacklevel=2
        )
        return LinkStoreContract
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
