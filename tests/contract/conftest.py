"""Fixtures for the storage tests: PostgreSQL comes from INSTANTLY_COLUMNS_TEST_DSN."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from instantly_columns.storage import PostgresStore

DSN_VARIABLE = "INSTANTLY_COLUMNS_TEST_DSN"

PostgresFactory = Callable[..., AbstractContextManager[PostgresStore]]


def _on_ci(environ: Mapping[str, str]) -> bool:
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _drop_schema(dsn: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def resolve_dsn(environ: Mapping[str, str]) -> str:
    """The test server's DSN. Missing: a failure on CI, a skip (with a hint) elsewhere."""
    dsn = environ.get(DSN_VARIABLE, "").strip()
    if dsn:
        return dsn
    message = (
        f"{DSN_VARIABLE} is not set, so the PostgreSQL tests cannot run; start a throwaway "
        f'server with `export {DSN_VARIABLE}="$(scripts/pg-throwaway.sh start)"`'
    )
    if _on_ci(environ):
        pytest.fail(message + " (on CI these tests must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """The DSN from the environment (see ``resolve_dsn``)."""
    return resolve_dsn(os.environ)


@pytest.fixture
def dsn_resolver() -> Callable[[Mapping[str, str]], str]:
    """``resolve_dsn`` itself, for testing the rule."""
    return resolve_dsn


@pytest.fixture
def pg_schema(pg_dsn: str) -> Iterator[str]:
    """A schema name no other test uses; dropped afterwards."""
    schema = f"ic_test_{uuid.uuid4().hex[:16]}"
    yield schema
    _drop_schema(pg_dsn, schema)


@pytest.fixture
def postgres_factory(pg_dsn: str) -> PostgresFactory:
    """Opens a PostgresStore on a schema of its own, dropped when the store is left."""

    @contextmanager
    def fresh(**options: Any) -> Iterator[PostgresStore]:
        schema = f"ic_test_{uuid.uuid4().hex[:16]}"
        try:
            with PostgresStore(pg_dsn, schema=schema, **options) as store:
                yield store
        finally:
            _drop_schema(pg_dsn, schema)

    return fresh
