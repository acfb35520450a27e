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
    "instantly_columns.columns",
    "instantly_columns.mapping",
    "instantly_columns.sequences",
    "instantly_columns.engagement",
    "instantly_columns.summary",
    "instantly_columns.webhooks",
]
FORBIDDEN = [
    "httpx",
    "sqlite3",
    "_sqlite3",
    "psycopg",
    "psycopg_pool",
    "asyncio",
    "anyio",
    "instantly_columns.client",
    "instantly_columns.transports",
    "instantly_columns.storage",
    "instantly_columns.testing",
    "instantly_columns._wire",
    "instantly_columns._core",
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
