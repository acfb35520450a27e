"""``python -m instantly_columns``: see ``instantly_columns.cli``."""

from __future__ import annotations

from instantly_columns.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    raise SystemExit(main())
