from __future__ import annotations

import io
import subprocess
import sys

from instantly_columns.cli import run_demo, sample_rows


def test_the_demo_runs_every_flow_and_its_figures_add_up() -> None:
    out = io.StringIO()
    figures = run_demo(rows=16, out=out)
    text = out.getvalue()
    for section in range(1, 11):
        assert f"== {section}." in text
    rows = sample_rows(16)
    assert figures["invalid"] == 2  # one malformed, one empty address
    assert figures["duplicates"] == 1  # the same person twice, other casing
    assert figures["pushed"] + figures["invalid"] + figures["duplicates"] == len(rows)
    assert "pushed" not in figures["again"]  # a second push sends nothing
    assert figures["leads_seen"] == figures["pushed"]
    assert figures["replay"] is True
    assert figures["summary"]["campaign_config"].startswith('"TechCorp Outreach" ')


def test_the_module_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "instantly_columns", "demo", "--rows", "8"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "== 10. Sync history ==" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "instantly_columns", "nope"], capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "invalid choice" in bad.stderr
