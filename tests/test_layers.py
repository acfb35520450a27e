"""Import edges between our modules follow the architecture: the pure domain imports only
the domain; ports import the domain; adapters import ports and the domain, never the flows or
the client; the fake spells its own JSON and never imports the wire models."""

from __future__ import annotations

import ast
from pathlib import Path

import instantly_columns

SRC = Path(instantly_columns.__file__).parent
PKG = "instantly_columns"

DOMAIN = {"errors", "domain"}
DOMAIN_THIRD_PARTY = {"attrs", "pydantic", "typing_extensions"}
ADAPTER_PACKAGES = {"storage", "transports", "testing"}
FLOW_MODULES = {"api", "engine", "service", "cli", "__main__"}


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([PKG, *parts])


def imports(path: Path) -> set[str]:
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:
                    found.update(f"{target}.{a.name}" for a in node.names)
                else:
                    found.add(target)
            else:
                found.add(node.module or "")
    return found


def internal(name: str) -> str | None:
    if name == PKG or not name.startswith(PKG + "."):
        return None
    return name.split(".")[1]


def test_layers() -> None:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        me = module_name(path)
        parts = me.split(".")
        top = parts[1] if len(parts) > 1 else ""
        for target in sorted(imports(path)):
            first = internal(target)
            root = target.split(".")[0]
            if top in DOMAIN:
                if first is not None and first not in DOMAIN:
                    problems.append(f"{me} (domain) imports {target}")
                if first is None and root not in DOMAIN_THIRD_PARTY and root != PKG:
                    import sys

                    if root not in sys.stdlib_module_names:
                        problems.append(f"{me} (domain) imports third-party {target}")
                    if root in {"sqlite3", "asyncio", "socket", "http", "urllib"}:
                        problems.append(f"{me} (domain) imports I/O module {target}")
            elif top == "ports":
                if first is not None and first not in DOMAIN:
                    problems.append(f"{me} imports {target}")
            elif top in ADAPTER_PACKAGES and first in FLOW_MODULES:
                problems.append(f"{me} (adapter) imports {target}")
            if top == "testing" and first == "api":
                problems.append(f"{me} (the fake) imports the wire layer {target}")
    assert problems == []


def test_the_walker_sees_relative_imports() -> None:
    found = imports(SRC / "domain" / "columns.py")
    assert "instantly_columns.errors" in found
    assert "instantly_columns.domain.engagement" in found
