"""Random operation sequences: each SQL adapter must agree with the memory model."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from hypothesis.stateful import run_state_machine_as_test

from instantly_columns.storage import SQLiteStore
from instantly_columns.testing.storage_contract import Port, storage_state_machine


@contextmanager
def _sqlite(path: Path) -> Iterator[SQLiteStore]:
    path.unlink(missing_ok=True)
    for extra in ("-wal", "-shm"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    with SQLiteStore(path) as store:
        yield store


@contextmanager
def _sqlite_memory() -> Iterator[SQLiteStore]:
    with SQLiteStore(":memory:") as store:
        yield store


def test_sqlite_file_agrees_with_the_model(tmp_path: Path) -> None:
    machine = storage_state_machine(functools.partial(_sqlite, tmp_path / "machine.db"))
    run_state_machine_as_test(machine, settings=machine.TestCase.settings)


TestSQLiteMemoryMachine = storage_state_machine(_sqlite_memory).TestCase


def test_postgres_agrees_with_the_model(
    postgres_factory: Callable[..., AbstractContextManager[Any]],
) -> None:
    machine = storage_state_machine(postgres_factory)
    run_state_machine_as_test(machine, settings=machine.TestCase.settings)


def test_a_table_only_store_runs_the_table_rules(tmp_path: Path) -> None:
    """``ports=`` restricts the machine; the hooks replace create_table / insert_rows."""
    created: list[str] = []

    def create(store: SQLiteStore, table: str) -> None:
        created.append(table)
        store.create_table(table, "host table")

    table_only: tuple[Port, ...] = ("table",)
    machine = storage_state_machine(
        functools.partial(_sqlite, tmp_path / "tables.db"), ports=table_only, create_table=create
    )
    run_state_machine_as_test(machine, settings=machine.TestCase.settings)
    assert created
    assert set(created) == {"t"}
