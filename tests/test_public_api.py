from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import instantly_columns

SRC = Path(instantly_columns.__file__).parent


def test_all_is_sorted_and_unique() -> None:
    names = instantly_columns.__all__
    assert list(names) == sorted(names)
    assert len(set(names)) == len(names)


def test_every_exported_name_resolves_to_a_public_definition() -> None:
    for name in instantly_columns.__all__:
        assert not name.startswith("_") or name == "__version__"
        value = getattr(instantly_columns, name)
        module = getattr(value, "__module__", None)
        if module is not None and module.startswith("instantly_columns"):
            parts = module.split(".")
            assert not any(p.startswith("_") for p in parts[1:]), f"{name} from {module}"
            assert name in importlib.import_module(module).__all__, f"{name} not in {module}"


def test_the_exports_are_complete() -> None:
    # Every name a public module exports is reachable from the package or its module.
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = rel.parts
        if any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        has_all = any(
            isinstance(node, ast.Assign | ast.AnnAssign)
            and any(
                getattr(t, "id", None) == "__all__"
                for t in [*getattr(node, "targets", []), getattr(node, "target", None)]
            )
            for node in tree.body
        )
        assert has_all, f"{path.name} defines no __all__"


def test_dir_matches_all() -> None:
    assert dir(instantly_columns) == instantly_columns.__all__


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        instantly_columns.no_such_name  # noqa: B018


def test_cold_import_loads_nothing_heavy() -> None:
    heavy = ("pydantic", "httpx", "instantly_columns.")
    code = (
        "import sys, instantly_columns; "
        f"print(sorted(m for m in sys.modules if m.startswith({heavy!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_importing_the_service_leaves_what_it_does_not_need() -> None:
    """``from instantly_columns import InstantlyColumns`` (to run it on SQLite, say) loads
    no database adapter or driver, no HTTP library, and neither the CLI nor the fake."""
    unwanted = (
        "psycopg",
        "psycopg_pool",
        "sqlite3",
        "httpx",
        "anyio",
        "cryptography",
        "pyrate_limiter",
        "importlib.abc",
        "instantly_columns.storage.postgres",
        "instantly_columns.storage.sqlite",
        "instantly_columns.storage.memory",
        "instantly_columns.storage._sql",
        "instantly_columns.cli",
        "instantly_columns.asgi",
        "instantly_columns.testing",
        "instantly_columns.transports",
        "instantly_columns.api.client",
    )
    code = (
        "import sys; from instantly_columns import InstantlyColumns; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {unwanted!r} "
        f"or any(m == u or m.startswith(u + '.') for u in {unwanted!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = "from instantly_columns.storage import PostgresStore; print(PostgresStore.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "PostgresStore"


def test_importing_the_service_loads_no_flow_model_or_api_core() -> None:
    """The service's import is its own module and the shared ports: the API core, the wire
    and column models (pydantic), the flows, the field-mapping detector, the notebook helpers
    and the progress bars load when a method needs them."""
    unwanted = (
        "pydantic",
        "rich",
        "instantly_columns.api.core",
        "instantly_columns.api._wire",
        "instantly_columns.api.results",
        "instantly_columns.domain.columns",
        "instantly_columns.domain.mapping",
        "instantly_columns.domain.sequences",
        "instantly_columns.domain.wizard",
        "instantly_columns.service._push",
        "instantly_columns.service._sync",
        "instantly_columns.service._wizard",
        "instantly_columns.service._webhooks",
        "instantly_columns.service._progress",
        "instantly_columns.charts",
        "instantly_columns.frames",
    )
    code = (
        "import sys; from instantly_columns import InstantlyColumns; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {unwanted!r} "
        f"or any(m == u or m.startswith(u + '.') for u in {unwanted!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_service_over_sqlite_loads_neither_postgres_nor_the_cli() -> None:
    """Made and used on SQLite, the service still loads no PostgreSQL adapter or driver, no
    CLI, no notebook helper and no flow it did not run."""
    unwanted = (
        "psycopg",
        "psycopg_pool",
        "instantly_columns.storage.postgres",
        "instantly_columns.cli",
        "instantly_columns.charts",
        "instantly_columns.frames",
        "instantly_columns.testing",
        "instantly_columns.service._push",
        "instantly_columns.service._wizard",
    )
    code = (
        "import sys\n"
        "from instantly_columns import InstantlyColumns\n"
        "from instantly_columns.storage import SQLiteStore\n"
        "with SQLiteStore(':memory:') as store, InstantlyColumns(store, api_key='k') as s:\n"
        "    assert s.due() == []\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {unwanted!r} "
        f"or any(m == u or m.startswith(u + '.') for u in {unwanted!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
