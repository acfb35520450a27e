"""The ``instantly-columns`` command line (also ``python -m instantly_columns``).

Commands, each on the database named by ``--db`` (a SQLite file, by default
``instantly-columns.db`` in the current directory, or a ``postgresql://`` URL), and each with
``--json`` (one JSON document on stdout) and ``--debug`` (tracebacks):

- ``mapping FILE`` / ``import FILE``: read a CSV export (encoding, delimiter and header row
  found as described in ``instantly_columns.csvfile``), show the field mapping, import it
  into a lead table.
- ``connect``, ``campaigns``, ``link``: store a key, list campaigns, run the add-column
  wizard (prompts in a terminal, flags or ``--answers`` in scripts).
- ``push`` (a dry run unless ``--yes``), ``sync``, ``summary``, ``analytics``, ``history``,
  ``links``, ``webhooks serve``.
- ``demo``: every flow on SQLite and a fake Instantly.

``--fake`` runs a command against a fake Instantly whose workspace is kept beside the
database (``<db>.fake.json``), so a whole session works without a key or a network.

Exit codes: 0 done; 1 error (one line on stderr); 2 usage (a wrong or missing option, or a
link or column the options name that does not exist); 3 done in part (a push with invalid or
failed rows, a sync that ended partial or was cancelled); 130 interrupted.
"""

from __future__ import annotations

from typing import TextIO

from instantly_columns.cli import _demo, _runs, _tables, _webhooks, _wizard
from instantly_columns.cli._app import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    app,
    main,
    run,
)
from instantly_columns.cli._demo import run_demo, sample_rows
from instantly_columns.cli._output import Output

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_USAGE",
    "app",
    "detect_csv",
    "main",
    "run_demo",
    "sample_rows",
]

_COMMANDS = (_demo, _runs, _tables, _webhooks, _wizard)  # imported to register their commands


def detect_csv(
    path: str, *, samples: int = 100, out: TextIO | None = None, as_json: bool = False
) -> int:
    """Print the field mapping detected for a CSV export, as ``instantly-columns mapping``
    does; returns the exit code."""
    return run(
        Output(as_json=as_json, file=out),
        _tables.mapping_report,
        {"path": path, "samples": samples},
    )
