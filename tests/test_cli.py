from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

from instantly_columns.cli import detect_csv, run_demo, sample_rows


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


def test_mapping_of_a_csv_export(tmp_path: Any) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "\ufeffVorname;Nachname;Firma;Kontakt;Telefon\n"
        "Ada;Lovelace;Engines GmbH;ada@engines.de;+49 30 1234567\n"
        "Grace;Hopper;Cobol AG;grace@cobol.de;+49 89 7654321\n"
        "Linus;Torvalds;Kernel AG;linus@kernel.de;+49 40 1112223\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    assert detect_csv(str(path), out=out, as_json=True) == 0
    mapping = json.loads(out.getvalue())
    assert mapping["email"] == "Kontakt"  # decided by the values
    assert (mapping["first_name"], mapping["last_name"]) == ("Vorname", "Nachname")
    assert mapping["company_name"] == "Firma"
    assert mapping["phone"] == "Telefon"
    text = io.StringIO()
    assert detect_csv(str(path), out=text) == 0
    assert "Kontakt" in text.getvalue()
    assert detect_csv(str(tmp_path / "missing.csv"), out=io.StringIO()) == 1
