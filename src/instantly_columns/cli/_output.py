"""What the commands print: rich tables for people, one JSON document with ``--json``.

Colours follow the terminal: none when the output is not a terminal or ``NO_COLOR`` is set
(rich decides). Values from the user's data are never read as markup.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TextIO

import attrs
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from instantly_columns.errors import ConfigError, InstantlyColumnsError

__all__ = ["TONES", "Output", "plain"]

#: Badge tone -> rich style.
TONES = {
    "active": "green",
    "paused": "yellow",
    "draft": "blue",
    "completed": "cyan",
    "error": "red",
    "unknown": "magenta",
}
_PIPE_WIDTH = 160
_STATUS_STYLES = {
    "ok": "green",
    "pushed": "green",
    "updated": "green",
    "would_push": "cyan",
    "would_update": "cyan",
    "already_in_campaign": "dim",
    "skipped_duplicate": "yellow",
    "partial": "yellow",
    "cancelled": "yellow",
    "running": "blue",
    "invalid": "red",
    "failed": "red",
}


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: attrs classes and pydantic models as objects, datetimes
    in ISO 8601, tuples and sets as lists."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if attrs.has(type(value)):
        return {
            f.name: plain(getattr(value, f.name))
            for f in attrs.fields(type(value))
            if not f.name.startswith("_")
        }
    if isinstance(value, datetime | date):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def styled(value: object, style: str | None = None) -> Text:
    """A cell of user data, never parsed as markup."""
    return Text("" if value is None else str(value), style=style or "")


def status_text(status: str) -> Text:
    return styled(status, _STATUS_STYLES.get(status))


class Output:
    """Where a command's results go. Human text to stdout, errors and progress to stderr;
    with ``as_json`` stdout holds exactly one JSON document (the result, or the error)."""

    def __init__(
        self, *, as_json: bool = False, debug: bool = False, file: TextIO | None = None
    ) -> None:
        self.as_json = as_json
        self.debug = debug
        self.console = Console(file=file, highlight=False)
        if not self.console.is_terminal and "COLUMNS" not in os.environ:
            self.console.width = _PIPE_WIDTH  # room for ids when piped
        self.errors = Console(stderr=True, highlight=False)
        self._file = file

    @property
    def interactive(self) -> bool:
        """Whether a person is reading: stdout and stderr are terminals and not ``--json``."""
        return not self.as_json and self.errors.is_terminal

    def data(self, payload: Any) -> None:
        """The command's result, with ``--json``."""
        if self.as_json:
            text = json.dumps(plain(payload), indent=2, ensure_ascii=False)
            (self._file or sys.stdout).write(text + "\n")

    def say(self, markup: str) -> None:
        """A line for people (rich markup; escape user data with `escape`)."""
        if not self.as_json:
            self.console.print(markup, soft_wrap=True)

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        title: str | None = None,
        limit: int | None = None,
    ) -> None:
        """A table for people; cells that are not `Text` are shown as plain text."""
        if self.as_json:
            return
        grid = Table(title=title, title_justify="left", header_style="bold")
        for header in headers:
            grid.add_column(header, overflow="fold")
        shown = list(rows)
        for row in shown[:limit]:
            grid.add_row(*(c if isinstance(c, Text) else styled(c) for c in row))
        self.console.print(grid)
        if limit is not None and len(shown) > limit:
            self.say(f"[dim]… {len(shown) - limit} more rows (--show {len(shown)} shows all)[/]")

    def warn(self, message: str) -> None:
        """A warning on stderr (with ``--json`` too: stdout stays one JSON document)."""
        self.errors.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)

    def error(self, exc: BaseException | str, *, hint: str | None = None) -> None:
        """One line on stderr (and the error as JSON on stdout with ``--json``)."""
        message = str(exc) if str(exc) else type(exc).__name__
        self.errors.print(f"[red]error:[/] {escape(message)}", soft_wrap=True)
        if hint:
            self.errors.print(f"[dim]{escape(hint)}[/]", soft_wrap=True)
        if self.as_json:
            body: dict[str, Any] = {"message": message}
            if isinstance(exc, InstantlyColumnsError):
                body["type"] = type(exc).__name__
            if isinstance(exc, ConfigError):
                body["problems"] = [{"path": p.path, "message": p.message} for p in exc.problems]
            if hint:
                body["hint"] = hint
            self.data({"error": body})
