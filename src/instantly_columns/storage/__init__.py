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
"""

from __future__ import annotations

from instantly_columns.storage._crypto import generate_encryption_key
from instantly_columns.storage.capabilities import DerivedTableStore, with_capabilities
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
