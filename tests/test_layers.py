"""The architecture is written down as import contracts in pyproject.toml
(``[tool.importlinter]``) and checked by import-linter, which reads imports the way Python
resolves them: ``from instantly_columns import api`` is an import of the ``api`` subpackage,
``from ..api import core`` one of ``api.core``.

These tests run ``lint-imports`` on this tree (every contract kept), then on copies of it
with one forbidden import planted, spelled each way Python allows (the contract breaks).
"""

from __future__ import annotations

import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from importlinter import configuration
from importlinter.application.use_cases import read_user_options

import instantly_columns

PKG = "instantly_columns"
SRC = Path(instantly_columns.__file__).parent
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

# The console script, minus the dependency on where it was installed.
_LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command as m; sys.exit(m())"


def contracts() -> dict[str, dict[str, Any]]:
    """The contracts in pyproject.toml, by id, as import-linter reads them."""
    configuration.configure()
    options = read_user_options(str(PYPROJECT))
    return {str(c["id"]): c for c in options.contracts_options}


def lint_imports(src: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports with `src` alone on the path: the package found there is checked."""
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "400", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", _LINT_IMPORTS, "--no-cache", "--no-logo", str(config)],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def broken(result: subprocess.CompletedProcess[str]) -> set[str]:
    """Ids of the contracts the run reports broken."""
    by_name = {str(c["name"]): contract_id for contract_id, c in contracts().items()}
    names = {
        line.removesuffix(" BROKEN").strip()
        for line in result.stdout.splitlines()
        if line.rstrip().endswith(" BROKEN")
    }
    unknown = names - by_name.keys()
    assert not unknown, f"unparsed contract names {unknown} in:\n{result.stdout}"
    return {by_name[name] for name in names}


def test_contracts_are_kept() -> None:
    result = lint_imports(SRC.parent, PYPROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts())} kept, 0 broken." in result.stdout


def test_every_root_module_and_subpackage_is_in_a_layer() -> None:
    layers = contracts()["layers"]
    # exhaustive: a new root module or subpackage breaks the contract until it is placed.
    assert str(layers["exhaustive"]).lower() == "true"
    assert layers["containers"] == [PKG]
    placed = {
        name.strip().strip("()")
        for layer in layers["layers"]
        for name in re.split(r"[|:]", str(layer))
    }
    children = {info.name for info in pkgutil.iter_modules([str(SRC)])}
    assert children - placed == set()
    assert placed - children == set()


# --- planted imports, on a copy of the tree ----------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and of pyproject.toml; returns the copy's root."""
    shutil.copytree(SRC, tmp_path / "src" / PKG, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    return tmp_path


def plant(tree: Path, module: str, line: str) -> Path:
    path = tree / "src" / PKG / module
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\n{line}  # planted\n")
    return path


def lint_copy(tree: Path) -> subprocess.CompletedProcess[str]:
    return lint_imports(tree / "src", tree / "pyproject.toml")


def test_the_copy_is_checked_and_clean(tree: Path) -> None:
    # A baseline: what breaks below breaks because of the planted line.
    result = lint_copy(tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("line", "imported"),
    [
        ("from instantly_columns.api import client", "instantly_columns.api.client"),
        ("from instantly_columns import api", "instantly_columns.api"),
        ("import instantly_columns.service", "instantly_columns.service"),
        ("from ..api import core", "instantly_columns.api.core"),
    ],
    ids=["from-package-import-module", "from-root-import-package", "import-dotted", "relative"],
)
def test_the_fake_importing_the_client_or_service_is_caught_however_spelled(
    tree: Path, line: str, imported: str
) -> None:
    plant(tree, "testing/fake.py", line)
    result = lint_copy(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert {"fake-stands-alone", "layers"} <= broken(result), result.stdout
    assert f"instantly_columns.testing.fake -> {imported} " in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "expected"),
    [
        ("domain/__init__.py", "import sqlite3", {"domain-pure"}),
        ("domain/__init__.py", "from anyio import sleep", {"domain-pure"}),
        ("domain/__init__.py", "from instantly_columns import ports", {"domain-pure", "layers"}),
        ("domain/__init__.py", "from .. import config", {"domain-pure", "layers"}),
        # a lazy re-export from the root: the facade, which reaches every layer
        ("domain/__init__.py", "from instantly_columns import Row", {"root-facade", "layers"}),
        ("storage/__init__.py", "from instantly_columns.api import client", {"adapters", "layers"}),
        ("transports/__init__.py", "import instantly_columns.engine", {"adapters", "layers"}),
        (
            "storage/__init__.py",
            "from instantly_columns.testing import clock",
            {"adapters", "layers", "production-code-skips-test-doubles"},
        ),
        (
            "api/__init__.py",
            "from instantly_columns.testing.clock import FakeClock",
            {"production-code-skips-test-doubles"},
        ),
        ("engine/__init__.py", "from ..storage import memory", {"engine-through-ports"}),
        ("engine/__init__.py", "from instantly_columns import service", {"layers"}),
        ("ports.py", "from instantly_columns.api import results", {"layers"}),
    ],
)
def test_each_contract_catches_its_forbidden_import(
    tree: Path, module: str, line: str, expected: set[str]
) -> None:
    plant(tree, module, line)
    result = lint_copy(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    # At least these: through the modules it reaches, one import can break more contracts.
    assert expected <= broken(result), result.stdout


def test_a_new_root_module_must_be_placed_in_a_layer(tree: Path) -> None:
    (tree / "src" / PKG / "extras.py").write_text('"""Not in any layer yet."""\n')
    result = lint_copy(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken(result) == {"layers"}, result.stdout
    assert "instantly_columns.extras" in result.stdout
