"""docs/notebook.ipynb runs from top to bottom in a Jupyter kernel, and shows what it says."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("altair")
pytest.importorskip("vl_convert")
pytest.importorskip("narwhals")
pytest.importorskip("pandas")

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebook.ipynb"


def code_cells(nb: Any) -> list[Any]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def test_the_notebook_is_kept_without_outputs() -> None:
    # The docs build and this test run it; a saved output would only go stale.
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in code_cells(nb):
        assert cell.outputs == [], cell.source[:60]
        assert cell.execution_count is None


def test_the_notebook_runs_without_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INSTANTLY_COLUMNS_PROGRESS", raising=False)
    # The kernel is a child process: it must import this checkout's package, as the docs
    # build's kernel does.
    src = str(NOTEBOOK.parent.parent / "src")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    )
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        allow_errors=False,  # any cell that raises fails the test with its traceback
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()

    outputs = [cell.outputs for cell in code_cells(nb)]
    assert all(o.output_type != "error" for cell in outputs for o in cell)
    by_source = {cell.source.splitlines()[0]: cell.outputs for cell in code_cells(nb)}

    # The push and the sync drew their progress bars: one HTML output each, in its last state.
    pushed = by_source["report = service.push(link)"]
    bar = next(o for o in pushed if o.output_type == "display_data")
    assert (
        '<progress style="width: 14em; vertical-align: middle" max="38" value="38">'
        in (bar.data["text/html"])
    )
    assert (
        bar.data["text/plain"] == "✓ Push · Q3 founders: 1 invalid, 38 pushed, 1 skipped duplicate"
    )
    synced = by_source['fake.activate(campaign["id"])']
    bar = next(o for o in synced if o.output_type == "display_data")
    assert bar.data["text/plain"].startswith("✓ Sync · Q3 founders: 38 leads · 39 rows matched")

    # The table came back as a dataframe with its engagement columns.
    table = by_source['leads = table_frame(service, "leads")'][0].data["text/html"]
    assert "Email Status · Q3 founders" in table
    assert "Last Contacted · Q3 founders" in table

    # The summary row, and both charts as PNG images.
    summary = by_source["service.summary(link)"][0].data["text/plain"]
    assert summary.startswith('<SummaryRow api: "Q3 founders"')  # the last sync's analytics
    for first_line in ("daily_chart(panel)", "funnel_chart(panel)"):
        image = by_source[first_line][0].data["image/png"]
        assert len(image) > 5_000
