"""Storage adapters: each implements all three storage ports (``TableStore`` with every
optional capability, ``IntegrationStore``, ``CredentialStore``), ``UnitOfWork``
(``atomic()``), plus what a store of our own needs to be used on its own
(``create_table``, ``insert_rows``, ``delete_rows``, ``close``, ``with``).

- [`MemoryStore`][instantly_columns.storage.MemoryStore]: dictionaries; tests, demos.
- [`SQLiteStore`][instantly_columns.storage.SQLiteStore]: a file or ``":memory:"``.
- [`PostgresStore`][instantly_columns.storage.PostgresStore]: psycopg 3 with a connection
  pool (the ``postgres`` extra).

A host may implement ``TableStore`` over its own tables and keep one of these for the rest;
[`with_capabilities`][instantly_columns.storage.with_capabilities] derives the optional
capabilities its store lacks.

Each adapter's module is imported when its name is first used here, so that a program
using one of them (or none: the service needs only ``with_capabilities``) does not load
the others, nor ``sqlite3``, nor the PostgreSQL adapter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from instantly_columns.storage.capabilities import DerivedTableStore, with_capabilities

if TYPE_CHECKING:
    from instantly_columns.storage._crypto import generate_encryption_key
    from instantly_columns.storage.memory import MemoryStore
    from instantly_columns.storage.postgres import PostgresStore
    from instantly_columns.storage.sqlite import SQLiteStore

__all__ = [
    "DerivedTableStore",
    "MemoryStore",
    "PostgresStore",
    "SQLiteStore",
    "generate_encryption_key",
    "with_capabilities",
]

# public name -> the module (in this package) that defines it
_LAZY: dict[str, str] = {
    "MemoryStore": "memory",
    "PostgresStore": "postgres",
    "SQLiteStore": "sqlite",
    "generate_encryption_key": "_crypto",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
