"""The storage contract, run against each of our adapters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from instantly_columns.storage import MemoryStore, PostgresStore, SQLiteStore
from instantly_columns.testing.storage_contract import StoreContract


class TestStoreContract(StoreContract):
    @pytest.fixture(
        params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
    )
    def store(self, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
        if request.param == "memory":
            store: Any = MemoryStore()
        elif request.param == "sqlite":
            store = SQLiteStore(tmp_path / "store.db")
        else:
            dsn = request.getfixturevalue("pg_dsn")
            store = PostgresStore(dsn, schema=request.getfixturevalue("pg_schema"))
        with store:
            yield store

    @pytest.fixture
    def store_twin(self, store: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
        """Another connection (SQLite) or pool (PostgreSQL) on the same database; a
        MemoryStore is its only handle."""
        if isinstance(store, SQLiteStore):
            twin: Any = SQLiteStore(request.getfixturevalue("tmp_path") / "store.db")
        elif isinstance(store, PostgresStore):
            dsn = request.getfixturevalue("pg_dsn")
            twin = PostgresStore(dsn, schema=request.getfixturevalue("pg_schema"), pool_size=2)
        else:
            yield store
            return
        with twin:
            yield twin
