"""Write the chart images of docs/notebooks.md: run the page's Python blocks, as the test
suite does, and save the charts they make as PNG files beside the page (docs/img/).

    .venv/bin/python scripts/docs-images.py      # or: make docs-images
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGE = DOCS / "notebooks.md"
IMAGES = {"daily": "daily-chart.png", "funnel": "funnel-chart.png"}


def main() -> None:
    namespace: dict[str, object] = {"__name__": "docs_notebooks"}
    for code in re.findall(r"^```python[^\n]*\n(.*?)^```", PAGE.read_text("utf-8"), re.S | re.M):
        exec(compile(code, str(PAGE), "exec"), namespace)  # noqa: S102 - our own page
    for name, file in IMAGES.items():
        chart = namespace[name]
        target = DOCS / "img" / file
        target.parent.mkdir(exist_ok=True)
        chart.save(str(target), scale_factor=2)  # type: ignore[attr-defined]
        print(f"wrote {target.relative_to(DOCS.parent)}")


if __name__ == "__main__":
    main()
