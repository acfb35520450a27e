"""Progress bars for long work: rich in a terminal, an HTML line updated in place in Jupyter.

``progress=`` on ``sync``, ``sync_table`` and ``push`` takes ``None`` (a bar in interactive
use: stderr is a terminal, or the code runs in a Jupyter kernel; none in scripts), ``True``
(a bar anyway), ``False`` (none) or a callable (your own, called with each event; no bar).
The environment variable ``INSTANTLY_COLUMNS_PROGRESS`` (``0`` or ``1``) overrides the
``None`` choice, for CI logs or a terminal that wants quiet.
"""

from __future__ import annotations

import html
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from instantly_columns.service.reports import ProgressEvent, PushProgress, PushReport

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

__all__ = ["ENV", "Bars", "PushBar", "PushWatch", "bars_for", "in_notebook", "interactive"]

ENV = "INSTANTLY_COLUMNS_PROGRESS"

#: Seconds between two redraws of a notebook display (the last state is always drawn).
_HTML_EVERY = 0.1


def in_notebook() -> bool:
    """Whether this code runs in a Jupyter kernel (IPython with a kernel attached)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # an IPython half imported or shut down: not a notebook
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def interactive() -> bool:
    """Whether ``progress=None`` shows a bar: ``INSTANTLY_COLUMNS_PROGRESS`` when set, else
    a Jupyter kernel or a terminal on stderr."""
    setting = os.environ.get(ENV, "").strip().lower()
    if setting in ("0", "false", "no", "off"):
        return False
    if setting in ("1", "true", "yes", "on"):
        return True
    if in_notebook():
        return True
    stream = sys.stderr
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


@attrs.define
class _Task:
    label: str
    completed: int = 0
    total: int | None = None
    detail: str = ""
    finished: bool = False

    def text(self) -> str:
        mark = "✓ " if self.finished else ""
        return f"{mark}{self.label}: {self.detail}" if self.detail else f"{mark}{self.label}"


class _Renderer(Protocol):
    def start(self) -> None: ...

    def add(self, task: _Task) -> None: ...

    def draw(self, task: _Task, *, force: bool) -> None: ...

    def stop(self) -> None: ...


class _RichRenderer:
    """A rich ``Progress`` on stderr: live in a terminal, printed once at the end elsewhere."""

    def __init__(self, console: Console | None = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
        )
        self._ids: dict[int, TaskID] = {}

    def start(self) -> None:
        self._progress.start()

    def add(self, task: _Task) -> None:
        self._ids[id(task)] = self._progress.add_task(
            task.label, total=task.total, detail=task.detail
        )

    def draw(self, task: _Task, *, force: bool) -> None:
        self._progress.update(
            self._ids[id(task)], completed=task.completed, total=task.total, detail=task.detail
        )
        if force:
            self._progress.refresh()

    def stop(self) -> None:
        self._progress.stop()


Publish = Callable[[dict[str, str], bool], None]
"""Shows a MIME bundle: first call (``True``) creates the output, later ones replace it."""


def _ipython_publisher() -> Publish:
    from IPython.display import display

    handle: list[Any] = []

    def publish(bundle: dict[str, str], first: bool) -> None:
        if first or not handle:
            handle[:] = [display(bundle, raw=True, display_id=True)]  # type: ignore[no-untyped-call]
        else:
            handle[0].update(bundle, raw=True)

    return publish


class _HtmlRenderer:
    """One notebook output, replaced in place: an HTML ``<progress>`` per task (it stays in
    the saved notebook as its last state), with a text twin for plain-text front ends."""

    def __init__(self, publish: Publish | None = None) -> None:
        self._publish = publish or _ipython_publisher()
        self._tasks: list[_Task] = []
        self._lock = threading.Lock()
        self._drawn = 0.0
        self._started = False

    def start(self) -> None:
        pass  # the output appears with the first task

    def add(self, task: _Task) -> None:
        with self._lock:
            self._tasks.append(task)
            self._show(first=not self._started)
            self._started = True

    def draw(self, task: _Task, *, force: bool) -> None:
        with self._lock:
            if force or time.monotonic() - self._drawn >= _HTML_EVERY:
                self._show(first=False)

    def stop(self) -> None:
        with self._lock:
            if self._started:
                self._show(first=False)

    def _show(self, *, first: bool) -> None:
        self._drawn = time.monotonic()
        lines = "".join(_html_line(t) for t in self._tasks)
        bundle = {
            "text/html": f'<div class="instantly-columns-progress">{lines}</div>',
            "text/plain": "\n".join(t.text() for t in self._tasks),
        }
        self._publish(bundle, first)


def _html_line(task: _Task) -> str:
    if task.total is None:
        bar = "<progress></progress>"  # no value: the browser shows it as busy
    else:
        bar = f'<progress max="{max(task.total, 1)}" value="{task.completed}"></progress>'
    bar = bar.replace("<progress", '<progress style="width: 14em; vertical-align: middle"', 1)
    mark = " ✓" if task.finished else ""
    detail = (
        f' <span style="opacity: 0.75">{html.escape(task.detail)}</span>' if task.detail else ""
    )
    return (
        f'<div style="font-family: monospace">{bar} '
        f"<b>{html.escape(task.label)}</b>{detail}{mark}</div>"
    )


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}"


def sync_detail(event: ProgressEvent) -> str:
    return " · ".join(
        (
            _count(event.leads_seen, "leads"),
            _count(event.rows_matched, "rows matched"),
            _count(event.cells_written, "cells written"),
            _count(event.pages, "pages" if event.pages != 1 else "page"),
        )
    )


class Bars:
    """A live display of one or more tasks, shown between ``__enter__`` and ``__exit__``."""

    def __init__(self, renderer: _Renderer) -> None:
        self._renderer = renderer
        self._lock = threading.Lock()

    def __enter__(self) -> Bars:
        self._renderer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._renderer.stop()

    def _task(self, label: str, detail: str) -> _Task:
        task = _Task(label, detail=detail)
        with self._lock:
            self._renderer.add(task)
        return task

    def _draw(self, task: _Task, *, force: bool = False) -> None:
        with self._lock:
            self._renderer.draw(task, force=force)

    def sync(self, label: str) -> Callable[[ProgressEvent], None]:
        """A task for one sync; returns the callback its flow reports pages to. A sync knows
        no total in advance, so the bar is busy until the last page."""
        task = self._task(label, "starting")

        def on_page(event: ProgressEvent) -> None:
            task.completed = event.leads_seen
            task.detail = sync_detail(event)
            if event.done:
                task.total = task.completed = max(event.leads_seen, 1)
                task.finished = True
            self._draw(task, force=event.done)

        return on_page

    def push(self, label: str) -> PushBar:
        """A task for one push: rows sent out of rows to send."""
        return PushBar(self, self._task(label, "reading rows"))


class PushBar:
    """The bar of one push: fed ``PushProgress`` events, finished with the report's counts."""

    def __init__(self, bars: Bars, task: _Task) -> None:
        self._bars = bars
        self._task = task

    def __call__(self, event: PushProgress) -> None:
        task = self._task
        task.total = event.rows_total
        task.completed = event.rows_done
        task.detail = f"{event.rows_done:,}/{event.rows_total:,} rows sent"
        self._bars._draw(task, force=event.rows_done == 0)

    def finish(self, report: PushReport) -> None:
        task = self._task
        task.detail = ", ".join(
            f"{n:,} {status.replace('_', ' ')}" for status, n in report.counts.items()
        )
        task.total = task.completed = max(task.total or 0, 1)
        task.finished = True
        self._bars._draw(task, force=True)


class PushWatch:
    """What the push flow calls with (rows sent, rows to send): turned into ``PushProgress``
    events for the caller's callback and the bar, and a last ``done`` event at the end."""

    def __init__(
        self,
        link_id: str,
        callback: Callable[[PushProgress], None] | None,
        bar: PushBar | None,
    ) -> None:
        self._id = link_id
        self._callback = callback
        self._bar = bar
        self._last = (0, 0)

    def __call__(self, done: int, total: int) -> None:
        self._last = (done, total)
        event = PushProgress(self._id, done, total)
        if self._callback is not None:
            self._callback(event)
        if self._bar is not None:
            self._bar(event)

    def finish(self, report: PushReport) -> None:
        done, total = self._last
        if self._callback is not None:
            self._callback(PushProgress(self._id, done, total, done=True))
        if self._bar is not None:
            self._bar.finish(report)


def _renderer() -> _Renderer:
    return _HtmlRenderer() if in_notebook() else _RichRenderer()


def bars_for(progress: object) -> Bars | None:
    """A display when ``progress`` asks for one: ``True``, or ``None`` in interactive use."""
    if progress is True or (progress is None and interactive()):
        return Bars(_renderer())
    return None
