"""The optional table-store capabilities that ``with_capabilities`` derives: the contract
run over host-like stores that implement only the required ``TableStore`` methods, and what
the wrapper promises on its own (one scan per index, writes keeping it right)."""

from __future__ import annotations

import ast
import functools
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instantly_columns.domain.columns import CellValue, Column, Row
from instantly_columns.errors import ConfigError, RecordNotFound
from instantly_columns.ports import (
    CapableTableStore,
    CellWrite,
    ColumnId,
    FullStore,
    RowId,
    RowLocking,
    RowLookup,
    TableId,
    TableStore,
    UnitOfWork,
)
from instantly_columns.storage import MemoryStore, SQLiteStore, capabilities
from instantly_columns.storage.capabilities import DerivedTableStore, with_capabilities
from instantly_columns.testing.storage_contract import (
    Port,
    TableStoreContract,
    UnitOfWorkContract,
    storage_state_machine,
)

_LINK_METHODS = frozenset(
    {
        "links",
        "link",
        "save_link",
        "delete_link",
        "start_run",
        "update_run",
        "runs",
        "ledger",
        "push_results",
        "write_ledger",
        "record_event",
    }
)


class HostTables:
    """A host's own table store: only the five required methods (over a ``MemoryStore``
    standing in for the host's database), plus the host's own ways to create tables and
    to add or delete rows. It records its ``rows`` calls."""

    def __init__(self, db: MemoryStore | None = None) -> None:
        self.db = db if db is not None else MemoryStore()
        self.scans: list[tuple[TableId, tuple[ColumnId, ...] | None, RowId | None, int]] = []

    def columns(self, table: TableId) -> list[Column]:
        return self.db.columns(table)

    def save_columns(self, table: TableId, columns: Sequence[Column]) -> None:
        self.db.save_columns(table, columns)

    def delete_columns(self, table: TableId, column_ids: Collection[ColumnId]) -> int:
        return self.db.delete_columns(table, column_ids)

    def rows(
        self,
        table: TableId,
        fields: Sequence[ColumnId] | None = None,
        *,
        after: RowId | None = None,
        limit: int = 1000,
    ) -> list[Row]:
        self.scans.append((table, None if fields is None else tuple(fields), after, limit))
        return self.db.rows(table, fields, after=after, limit=limit)

    def write_cells(self, table: TableId, cells: Sequence[CellWrite]) -> int:
        return self.db.write_cells(table, cells)

    # the host's own, outside the port

    def create_table(self, table: TableId, name: str = "") -> None:
        self.db.create_table(table, name)

    def insert_rows(self, table: TableId, rows: Sequence[Row]) -> int:
        return self.db.insert_rows(table, rows)

    def delete_rows(self, table: TableId, rows: Collection[RowId]) -> int:
        return self.db.delete_rows(table, rows)


class HostWithLookup(HostTables):
    """A host store with a lookup of its own (the wrapper must use it)."""

    def __init__(self, db: MemoryStore | None = None) -> None:
        super().__init__(db)
        self.lookups = 0

    def lookup_rows(
        self, table: TableId, column: ColumnId, values: Collection[str]
    ) -> dict[str, list[RowId]]:
        self.lookups += 1
        return self.db.lookup_rows(table, column, values)


class HostWithUnitOfWork(HostTables):
    """A host store whose tables and integrations share one database with transactions."""

    def atomic(self) -> AbstractContextManager[None]:
        return self.db.atomic()


HOSTS: dict[str, type[HostTables]] = {
    "required-only": HostTables,
    "own-lookup": HostWithLookup,
    "unit-of-work": HostWithUnitOfWork,
}


class Mounted:
    """What the contract drives: the wrapper for the table port, the host's own
    create/insert/delete (after which it tells the wrapper, as a host changing rows around
    the wrapper must), and the backing store for the integration port."""

    def __init__(self, host: HostTables) -> None:
        self.host = host
        capable = with_capabilities(host)
        assert isinstance(capable, DerivedTableStore)
        self.capable = capable

    def __getattr__(self, name: str) -> Any:
        if name in _LINK_METHODS:
            return getattr(self.host.db, name)
        return getattr(self.capable, name)

    def create_table(self, table: TableId, name: str = "") -> None:
        self.host.create_table(table, name)

    def insert_rows(self, table: TableId, rows: Sequence[Row]) -> int:
        try:
            return self.host.insert_rows(table, rows)
        finally:
            self.capable.invalidate(table)

    def delete_rows(self, table: TableId, rows: Collection[RowId]) -> int:
        try:
            return self.host.delete_rows(table, rows)
        finally:
            self.capable.invalidate(table)


class TestDerivedCapabilities(TableStoreContract):
    @pytest.fixture(params=sorted(HOSTS))
    def store(self, request: pytest.FixtureRequest) -> Mounted:
        return Mounted(HOSTS[request.param]())


class TestDerivedUnitOfWork(UnitOfWorkContract):
    """A rolled-back block must also reset the wrapper's lookup index."""

    @pytest.fixture
    def store(self) -> Mounted:
        return Mounted(HostWithUnitOfWork())

    def test_locked_read_decide_write_units_take_turns(self, unit: Any, store_twin: Any) -> None:
        """The wrapper over a host's store never claims to lock rows it cannot lock: it is
        no ``RowLocking``, so the webhook flow does not count on a lock it does not have."""
        assert not isinstance(unit, RowLocking)
        assert isinstance(unit, UnitOfWork)


@contextmanager
def _mounted(kind: str) -> Iterator[Mounted]:
    yield Mounted(HOSTS[kind]())


_TABLE: tuple[Port, ...] = ("table",)
_TABLE_AND_LINKS: tuple[Port, ...] = ("table", "integration")
TestRequiredOnlyMachine = storage_state_machine(
    functools.partial(_mounted, "required-only"), ports=_TABLE
).TestCase
TestUnitOfWorkMachine = storage_state_machine(
    functools.partial(_mounted, "unit-of-work"), ports=_TABLE_AND_LINKS
).TestCase


# --- the wrapper on its own ----------------------------------------------------------------


def _email_table(host: HostTables, count: int, table: str = "t") -> None:
    host.create_table(table)
    host.save_columns(
        table, [Column(id="email", key="email", name="Email"), Column(id="n", key="n", name="N")]
    )
    host.insert_rows(
        table,
        [
            Row(id=f"r{k:05d}", cells={"email": f"Person{k}@Example.com", "n": k})
            for k in range(count)
        ],
    )


def test_a_store_with_every_capability_is_returned_unchanged() -> None:
    memory = MemoryStore()
    assert with_capabilities(memory) is memory
    with SQLiteStore(":memory:") as sqlite:
        assert with_capabilities(sqlite) is sqlite


def test_the_wrapper_is_a_unit_of_work_only_over_one() -> None:
    assert not isinstance(with_capabilities(HostTables()), UnitOfWork)
    assert isinstance(with_capabilities(HostWithUnitOfWork()), UnitOfWork)
    typed: CapableTableStore = with_capabilities(HostTables())
    assert isinstance(typed, DerivedTableStore)
    assert isinstance(typed.tables, HostTables)
    assert "HostTables" in repr(typed)
    with pytest.raises(ConfigError):
        DerivedTableStore(HostTables(), page_size=0)


def test_a_capability_the_store_has_is_used_as_it_is() -> None:
    host = HostWithLookup()
    _email_table(host, 10)
    tables = with_capabilities(host)
    host.scans.clear()
    assert tables.lookup_rows("t", "email", ["person3@example.com"]) == {
        "person3@example.com": ["r00003"]
    }
    assert host.lookups == 1
    assert host.scans == []  # no index of its own
    assert [r.id for r in tables.get_rows("t", ["r00002"])] == ["r00002"]  # derived
    assert host.scans


def test_the_index_is_built_once_by_one_keyset_scan() -> None:
    host = HostTables()
    _email_table(host, 2500)
    tables = with_capabilities(host, page_size=1000)
    host.scans.clear()
    assert tables.lookup_rows("t", "email", ["person7@example.com", "nobody@x.io"]) == {
        "person7@example.com": ["r00007"]
    }
    assert host.scans == [
        ("t", ("email",), None, 1000),
        ("t", ("email",), "r00999", 1000),
        ("t", ("email",), "r01999", 1000),
    ]
    host.scans.clear()
    for k in range(0, 2500, 250):
        email = f"person{k}@example.com"
        assert tables.lookup_rows("t", "email", [email]) == {email: [f"r{k:05d}"]}
    assert host.scans == []  # every later lookup is served by the index


def test_writes_through_the_wrapper_keep_the_index_right() -> None:
    host = HostTables()
    _email_table(host, 5)
    tables = with_capabilities(host)
    wanted = ["person0@example.com", "person1@example.com", "new@example.com"]
    assert set(tables.lookup_rows("t", "email", wanted)) == set(wanted[:2])
    host.scans.clear()
    changed = tables.write_cells(
        "t",
        [
            CellWrite("r00000", "email", None),
            CellWrite("r00001", "email", "NEW@example.com "),
            CellWrite("r00002", "email", "new@example.com"),
            CellWrite("r00003", "n", "person1@example.com"),  # another column
            CellWrite("r00004", "email", 42),
        ],
    )
    assert changed == 5
    assert tables.lookup_rows("t", "email", [*wanted, "person4@example.com", "42"]) == {
        "new@example.com": ["r00001", "r00002"]
    }
    assert host.scans == []
    fresh = with_capabilities(host)  # a new wrapper scans again and agrees
    assert fresh.lookup_rows("t", "email", wanted) == {"new@example.com": ["r00001", "r00002"]}


def test_a_failed_write_drops_the_index() -> None:
    host = HostTables()
    _email_table(host, 3)
    tables = with_capabilities(host)
    tables.lookup_rows("t", "email", ["person0@example.com"])
    with pytest.raises(RecordNotFound):
        tables.write_cells(
            "t", [CellWrite("r00000", "email", "x@example.com"), CellWrite("ghost", "n", 1)]
        )
    host.scans.clear()
    assert tables.lookup_rows("t", "email", ["person0@example.com"]) == {
        "person0@example.com": ["r00000"]
    }
    assert len(host.scans) == 1  # scanned again


def test_deleting_the_column_drops_its_index() -> None:
    host = HostTables()
    _email_table(host, 3)
    tables = with_capabilities(host)
    tables.lookup_rows("t", "email", ["person0@example.com"])
    assert tables.delete_columns("t", ["email"]) == 1
    with pytest.raises(RecordNotFound):
        tables.lookup_rows("t", "email", ["person0@example.com"])
    tables.save_columns("t", [Column(id="email", key="email", name="Email")])
    assert tables.lookup_rows("t", "email", ["person0@example.com"]) == {}


def test_changes_behind_the_wrapper_are_seen_after_invalidate() -> None:
    host = HostTables()
    _email_table(host, 2)
    tables = with_capabilities(host)
    assert isinstance(tables, DerivedTableStore)
    assert tables.lookup_rows("t", "email", ["late@example.com"]) == {}
    host.insert_rows("t", [Row(id="r9", cells={"email": "late@example.com"})])
    assert tables.lookup_rows("t", "email", ["late@example.com"]) == {}  # one index per run
    tables.invalidate("t")
    assert tables.lookup_rows("t", "email", ["late@example.com"]) == {"late@example.com": ["r9"]}
    tables.invalidate()
    assert tables.lookup_rows("t", "email", ["late@example.com"]) == {"late@example.com": ["r9"]}


def test_the_derived_lookup_reads_addresses_like_the_domain() -> None:
    host = HostTables()
    host.create_table("t")
    host.save_columns("t", [Column(id="email", key="email", name="Email")])
    host.insert_rows(
        "t",
        [
            Row(id="r1", cells={"email": "mailto:Ada@Example.com"}),
            Row(id="r2", cells={"email": "Ada Lovelace <ada@example.com>"}),
            Row(id="r3", cells={"email": " ADA@example.com"}),
            Row(id="r4", cells={"email": "  Not An Address "}),
        ],
    )
    tables = with_capabilities(host)
    assert tables.lookup_rows("t", "email", ["ada@example.com", "not an address"]) == {
        "ada@example.com": ["r1", "r2", "r3"],
        "not an address": ["r4"],
    }
    # The stripped, lower-cased text still matches, as it does in every store.
    assert tables.lookup_rows("t", "email", ["mailto:ada@example.com"]) == {
        "mailto:ada@example.com": ["r1"]
    }
    with pytest.raises(ConfigError):
        tables.lookup_rows("t", "email", "ada@example.com")
    with pytest.raises(ConfigError):
        tables.lookup_rows("t", "email", [7])  # type: ignore[list-item]


def test_get_rows_stops_once_every_id_is_found() -> None:
    host = HostTables()
    _email_table(host, 3000)
    tables = with_capabilities(host, page_size=1000)
    host.scans.clear()
    found = tables.get_rows("t", ["r00010", "r00005", "r00010"], ["n"])
    assert [(r.id, r.cells) for r in found] == [("r00005", {"n": 5}), ("r00010", {"n": 10})]
    assert host.scans == [("t", ("n",), None, 1000)]
    host.scans.clear()
    assert [r.id for r in tables.get_rows("t", ["r02500", "ghost"])] == ["r02500"]
    assert len(host.scans) == 4  # an unknown id costs the whole pass
    host.scans.clear()
    assert tables.get_rows("t", []) == []
    assert host.scans == [("t", None, None, 1)]  # still checks the table exists
    with pytest.raises(ConfigError):
        tables.get_rows("t", "r00001")


def test_engagement_groups_check_their_mapping() -> None:
    host = HostTables()
    _email_table(host, 1)
    tables = with_capabilities(host)
    with pytest.raises(ConfigError):
        tables.engagement_groups("t", {"not_a_subtype": "n"})  # type: ignore[dict-item]
    with pytest.raises(ConfigError):
        tables.engagement_groups("t", ["email_status"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        tables.engagement_groups("t", {"email_status": ""})


def test_threads_sharing_a_wrapper_keep_the_index_right() -> None:
    host = HostTables()
    _email_table(host, 200)
    tables = with_capabilities(host, page_size=50)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for n in range(k, 200, 4):
                tables.write_cells("t", [CellWrite(f"r{n:05d}", "email", f"moved{n}@x.io")])
                tables.lookup_rows("t", "email", [f"moved{n}@x.io"])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    wanted = [f"moved{n}@x.io" for n in range(200)]
    assert tables.lookup_rows("t", "email", wanted) == with_capabilities(host).lookup_rows(
        "t", "email", wanted
    )
    assert len(tables.lookup_rows("t", "email", wanted)) == 200


_hard_values: st.SearchStrategy[CellValue] = st.one_of(
    st.sampled_from(
        ["Active", "Interested", "3", "", " a", "nul\x00", "lone \ud800", "😀", "2026-03-01"]
    ),
    st.text(max_size=4),
    st.integers(-3, 5),
    st.sampled_from([2**31 - 1, 2**31, 2**63, -(2**63), True, False, 0.0, -0.0, 1.5, 3.0]),
    st.lists(st.sampled_from([0, "a", "\ud800", None]), max_size=2),
    st.dictionaries(st.sampled_from(["b", "a"]), st.integers(0, 1), max_size=2),
)
_SUBTYPES = ("email_status", "engagement_status", "reply_count", "open_count", "last_contacted")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.dictionaries(st.sampled_from(_SUBTYPES), st.one_of(st.none(), _hard_values)),
        max_size=8,
    ),
    mapped=st.sets(st.sampled_from(_SUBTYPES)),
)
def test_folded_groups_equal_the_database_groups(
    rows: list[dict[str, CellValue]], mapped: set[str]
) -> None:
    columns = [Column(id=s, key=s, name=s) for s in _SUBTYPES]
    data = [
        Row(id=f"r{n}", cells={k: v for k, v in cells.items() if v is not None})
        for n, cells in enumerate(rows)
    ]
    mapping: Any = {s: s for s in mapped}
    with SQLiteStore(":memory:") as sqlite:
        stores: list[Any] = [MemoryStore(), sqlite]
        for store in stores:
            store.create_table("t")
            store.save_columns("t", columns)
            store.insert_rows("t", data)
        host = HostTables(stores[0])
        folded = with_capabilities(host, page_size=3).engagement_groups("t", mapping)
        for store in stores:
            assert folded == store.engagement_groups("t", mapping)


def test_the_wrapper_depends_only_on_ports_domain_and_errors() -> None:
    tree = ast.parse(Path(capabilities.__file__).read_text(encoding="utf-8"))
    ours = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            ours.add(node.module)
        elif isinstance(node, ast.Import):
            ours.update(alias.name for alias in node.names)
    internal = {m for m in ours if m.startswith("instantly_columns")}
    assert internal
    assert all(
        m == "instantly_columns.ports"
        or m == "instantly_columns.errors"
        or m.startswith("instantly_columns.domain.")
        for m in internal
    ), internal


def test_a_table_store_needs_only_the_required_methods() -> None:
    host: TableStore = HostTables()  # type-checked: five methods are enough
    assert not hasattr(host, "lookup_rows")


def test_the_adapters_are_full_stores_and_units_of_work() -> None:
    memory: FullStore = MemoryStore()
    unit: UnitOfWork = MemoryStore()
    assert isinstance(memory, UnitOfWork)
    assert isinstance(unit, RowLookup)
    with SQLiteStore(":memory:") as sqlite:
        full: FullStore = sqlite
        atomic: UnitOfWork = sqlite
        assert with_capabilities(full) is sqlite
        with atomic.atomic():
            sqlite.create_table("t")
        assert full.columns("t") == []
