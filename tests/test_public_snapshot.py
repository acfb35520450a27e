"""Every public name, and the path users import it from, is pinned by a snapshot.

A move or a rename inside the package must keep each (module, name) pair of
``tests/snapshots/public_api.json`` importable and pointing at the same kind of object; a
module that moved keeps its old path as a deprecated alias for a release. Regenerate the
snapshot (only when a public name is added on purpose) with
``python -m tests.test_public_snapshot`` (it adds new names and never drops one).
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import warnings
from pathlib import Path
from typing import Any

import pytest

import instantly_columns

SNAPSHOT = Path(__file__).parent / "snapshots" / "public_api.json"


def _kind(value: Any) -> str:
    if inspect.isclass(value):
        return "class"
    if inspect.isfunction(value) or inspect.isbuiltin(value):
        return "function"
    if inspect.ismodule(value):
        return "module"
    return "value"


def _public_modules() -> list[str]:
    names = ["instantly_columns"]
    for info in pkgutil.walk_packages(instantly_columns.__path__, "instantly_columns."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        names.append(info.name)
    return sorted(names)


def current() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name in _public_modules():
        module = importlib.import_module(name)
        exported = getattr(module, "__all__", None)
        if exported is None:
            continue
        out[name] = {attr: _kind(getattr(module, attr)) for attr in sorted(exported)}
    return out


def test_every_pinned_name_still_imports_from_its_path() -> None:
    pinned: dict[str, dict[str, str]] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    missing: list[str] = []
    for module_name, names in pinned.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                missing.append(f"{module_name} (module)")
                continue
            for attr, kind in names.items():
                if not hasattr(module, attr):
                    missing.append(f"{module_name}.{attr}")
                elif _kind(getattr(module, attr)) != kind:
                    missing.append(f"{module_name}.{attr} is no longer a {kind}")
    assert missing == []


def test_the_package_root_exports_the_pinned_names_or_keeps_them_as_deprecated() -> None:
    pinned = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    exported = set(instantly_columns.__all__)
    deprecated = set(instantly_columns._DEPRECATED)
    assert set(pinned["instantly_columns"]) <= exported | deprecated
    assert exported <= set(pinned["instantly_columns"])  # a new name is pinned on purpose
    for name in deprecated:
        with pytest.warns(DeprecationWarning, match=name):
            assert getattr(instantly_columns, name) is not None


def test_an_old_module_path_warns_and_gives_the_new_module() -> None:
    import sys

    from instantly_columns.domain import columns

    sys.modules.pop("instantly_columns.columns", None)
    with pytest.warns(DeprecationWarning, match="instantly_columns.domain.columns"):
        old = importlib.import_module("instantly_columns.columns")
    assert old is columns


def pin_new_names() -> None:
    """Add the names exported today that are not pinned yet; never drops a pinned one."""
    pinned: dict[str, dict[str, str]] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for module, names in current().items():
        pinned.setdefault(module, {}).update(
            {n: k for n, k in names.items() if n not in pinned.get(module, {})}
        )
    SNAPSHOT.write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    pin_new_names()
