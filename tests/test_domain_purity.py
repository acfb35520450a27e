"""The pure domain does no I/O: importing it loads no network, database or event-loop
library, and none of our own adapters."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

DOMAIN = [
    "instantly_columns",
    "instantly_columns.errors",
    "instantly_columns.domain.columns",
    "instantly_columns.domain.mapping",
    "instantly_columns.domain.sequences",
    "instantly_columns.domain.engagement",
    "instantly_columns.domain.summary",
    "instantly_columns.domain.webhooks",
]
FORBIDDEN = [
    "httpx",
    "sqlite3",
    "_sqlite3",
    "psycopg",
    "psycopg_pool",
    "asyncio",
    "anyio",
    "instantly_columns.api.client",
    "instantly_columns.transports",
    "instantly_columns.storage",
    "instantly_columns.testing",
    "instantly_columns.api._wire",
    "instantly_columns.api.core",
]


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
