"""The pure domain does no I/O: importing any of its modules loads no network, database or
event-loop library, and nothing of ours outside the domain but errors.

This is the runtime side of the `domain-pure` import contract in pyproject.toml: the contract
reads the source, this imports it (and so also sees what attrs and pydantic pull in)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import instantly_columns.domain

# Every module under instantly_columns.domain, found on disk: a module split into a package
# brings its new submodules along.
DOMAIN = [
    "instantly_columns",
    "instantly_columns.errors",
    "instantly_columns.domain",
    *sorted(
        info.name
        for info in pkgutil.walk_packages(
            instantly_columns.domain.__path__, prefix="instantly_columns.domain."
        )
    ),
]
FORBIDDEN = [
    "httpx",
    "sqlite3",
    "_sqlite3",
    "psycopg",
    "psycopg_pool",
    "asyncio",
    "anyio",
    # everything of ours outside the domain but errors
    "instantly_columns.api",
    "instantly_columns.asgi",
    "instantly_columns.cli",
    "instantly_columns.clock",
    "instantly_columns.config",
    "instantly_columns.engine",
    "instantly_columns.ports",
    "instantly_columns.pytest_plugin",
    "instantly_columns.service",
    "instantly_columns.storage",
    "instantly_columns.testing",
    "instantly_columns.transports",
]


def test_the_domain_list_is_discovered() -> None:
    assert {"instantly_columns.domain.columns", "instantly_columns.domain.wizard"} <= set(DOMAIN)


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_imports_no_io(module: str) -> None:
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out))
    leaked = sorted(
        name for name in loaded if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    )
    assert leaked == [], f"{module} imported {leaked}"
