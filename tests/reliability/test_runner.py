"""The runner writes the page from a real run, and the page says what it measured."""

from __future__ import annotations

from pathlib import Path

from .__main__ import main
from ._plan import CASES, GROUPS
from ._report import table
from ._support import Check, Tally


def test_the_runner_writes_a_page_with_the_table(tmp_path: Path) -> None:
    out = tmp_path / "reliability.md"
    assert main(["--only", "Chaos", "--chaos", "20", "--seed", "3", "--out", str(out)]) == 0
    text = out.read_text()
    assert (
        "| Case | Trials | Failures | Duplicate leads | Lost cells | Cells moved backwards |"
        in text
    )
    assert "| chaos | 1 | 0 | 0 | 0 | 0 |" in text
    assert "python -m tests.reliability --only Chaos --chaos 20 --seed 3" in text
    assert "Seed: 3" in text


def test_counts_a_case_cannot_see_read_na_and_failures_show() -> None:
    blind = Tally("fuzz target", "Fuzz", measured=frozenset())
    blind.add(Check(problems=["raised ValueError"]), "example")
    rows = table([blind]).splitlines()
    assert rows[-1] == "| fuzz target | 1 | 1 | n/a | n/a | n/a |"
    assert not blind.clean


def test_every_group_has_cases_and_ids_are_unique() -> None:
    assert {c.group for c in CASES} == set(GROUPS)
    assert len({c.id for c in CASES}) == len(CASES)
