"""Every case of the reliability suite at CI sizes: each count must be 0. (The same cases,
larger: ``python -m tests.reliability --full``, which writes ``docs/reliability.md``.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ._plan import CASES, CI, SEED, Case


def _param(case: Case) -> object:
    marks = [pytest.mark.postgres] if case.uses_postgres else []
    return pytest.param(case, marks=marks, id=case.id)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    if case.uses_postgres:
        from contract.conftest import resolve_dsn

        resolve_dsn(os.environ)  # a skip without a DSN locally, a failure on CI
    tally = case.run(CI, SEED, tmp_path)
    assert tally.trials > 0
    assert tally.clean, tally.summary()
