"""The command group, the options every command shares, errors and exit codes."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

from instantly_columns.cli._output import Output
from instantly_columns.cli._session import DEFAULT_DB, Failure
from instantly_columns.errors import (
    ApiConnectionError,
    InstantlyColumnsError,
    MissingApiKey,
    RateLimited,
    Unauthorized,
)

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_USAGE",
    "app",
    "db_option",
    "fake_option",
    "handled",
    "link_option",
    "main",
    "run",
    "table_option",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130

Command = Callable[..., "int | None"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def app() -> None:
    """Instantly.ai cold-email campaigns as columns of your lead tables.

    Every command works on one database (--db: a SQLite file, created when missing, or a
    postgresql:// URL). Add --fake to run against a fake Instantly kept beside the database:
    no key, no network.

    \b
    A first hour:
      instantly-columns import leads.csv
      instantly-columns link --fake
      instantly-columns push --fake --yes
      instantly-columns sync --fake --simulate 7
      instantly-columns summary --fake

    Exit codes: 0 done, 1 error, 2 usage, 3 done in part (rows invalid or failed, a sync
    cut short), 130 interrupted.
    """


db_option = click.option(
    "--db",
    default=DEFAULT_DB,
    envvar="INSTANTLY_COLUMNS_DB",
    show_default=True,
    help="SQLite file or postgresql:// URL [env: INSTANTLY_COLUMNS_DB]",
)
fake_option = click.option(
    "--fake",
    is_flag=True,
    help="Use a fake Instantly kept in <db>.fake.json: no key, no network.",
)
table_option = click.option("--table", default="leads", show_default=True, help="The lead table.")
link_option = click.option(
    "--link", "link_id", default=None, help="A link id (default: the table's only link)."
)


def _hint(exc: InstantlyColumnsError) -> str | None:
    if isinstance(exc, MissingApiKey):
        return "connect a key: instantly-columns connect (or try it all with --fake)"
    if isinstance(exc, Unauthorized):
        return "Instantly rejected the key: instantly-columns connect with a working one"
    if isinstance(exc, RateLimited):
        return "Instantly's rate limit: wait a moment and run it again"
    if isinstance(exc, ApiConnectionError):
        return "Instantly could not be reached: check the network (or try it with --fake)"
    return None


def run(out: Output, command: Command, kwargs: Mapping[str, Any]) -> int:
    """Run a command's body; errors become one line on stderr and an exit code."""
    try:
        return command(out, **kwargs) or EXIT_OK
    except KeyboardInterrupt:
        if out.debug:
            raise
        out.error("interrupted")
        return EXIT_INTERRUPTED
    except Failure as exc:
        if out.debug:
            raise
        out.error(exc, hint=exc.hint)
        return exc.code
    except InstantlyColumnsError as exc:
        if out.debug:
            raise
        out.error(exc, hint=_hint(exc))
        return EXIT_ERROR
    except OSError as exc:
        if out.debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        out.error(f"{where}{exc.strerror or exc}")
        return EXIT_ERROR


def handled(command: Command) -> Callable[..., None]:
    """Give a command ``--json`` and ``--debug``, an `Output` as first argument, and the
    error handling and exit code of `run`."""

    @click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
    @click.option("--debug", is_flag=True, help="Show tracebacks.")
    @functools.wraps(command)
    def wrapper(as_json: bool, debug: bool, **kwargs: Any) -> None:
        code = run(Output(as_json=as_json, debug=debug), command, kwargs)
        if code:
            click.get_current_context().exit(code)

    return wrapper


def main(argv: Sequence[str] | None = None) -> int:
    """The ``instantly-columns`` console script; returns the exit code."""
    try:
        app.main(args=None if argv is None else list(argv), prog_name="instantly-columns")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_ERROR)
    return EXIT_OK
