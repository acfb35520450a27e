"""Progress on long work: bars in a terminal and in a notebook, on by default only in
interactive use, and the callbacks of sync and push."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from flows.conftest import TABLE, Service, make_rows, setup_table, wizard_link
from instantly_columns.service import _progress
from instantly_columns.service.facade import AsyncInstantlyColumns, InstantlyColumns
from instantly_columns.service.reports import ProgressEvent, PushProgress
from instantly_columns.storage import MemoryStore
from instantly_columns.testing import FakeClock, FakeInstantly


@pytest.fixture(autouse=True)
def _no_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_progress.ENV, raising=False)


@pytest.fixture
def fake() -> FakeInstantly:
    return FakeInstantly(clock=FakeClock(), seed=5)


@pytest.fixture
def store() -> Iterator[MemoryStore]:
    made = MemoryStore()
    yield made
    made.close()


@pytest.fixture(params=["sync", "async"])
def service(request: pytest.FixtureRequest, store: MemoryStore, fake: FakeInstantly) -> Service:
    if request.param == "sync":
        return Service(InstantlyColumns(store, transport=fake.as_transport(), clock=fake.clock))
    return Service(
        AsyncInstantlyColumns(store, transport=fake.as_async_transport(), clock=fake.clock)
    )


def linked(service: Service, store: MemoryStore, fake: FakeInstantly, rows: int) -> str:
    setup_table(store, make_rows(rows))
    return wizard_link(service, fake.create_api_key(), name="Q3 founders")


class FakeNotebook:
    """An IPython kernel as far as the progress display can tell: ``get_ipython()`` has a
    kernel, and ``display(..., display_id=True)`` hands back a handle whose updates replace
    the output."""

    def __init__(self) -> None:
        self.outputs: list[dict[str, str]] = []
        self.updates = 0

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        shell = types.SimpleNamespace(kernel=object())
        ipython = types.ModuleType("IPython")
        ipython.get_ipython = lambda: shell  # type: ignore[attr-defined]
        display_module = types.ModuleType("IPython.display")
        display_module.display = self.display  # type: ignore[attr-defined]
        ipython.display = display_module  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "IPython", ipython)
        monkeypatch.setitem(sys.modules, "IPython.display", display_module)

    def display(self, bundle: dict[str, str], *, raw: bool, display_id: bool) -> Any:
        assert raw
        assert display_id
        self.outputs.append(bundle)
        index = len(self.outputs) - 1
        notebook = self

        class Handle:
            def update(self, new: dict[str, str], *, raw: bool) -> None:
                assert raw
                notebook.outputs[index] = new
                notebook.updates += 1

        return Handle()


# --- callbacks -----------------------------------------------------------------------------


def test_a_sync_callback_still_gets_every_page_and_no_bar_is_drawn(
    service: Service, store: MemoryStore, fake: FakeInstantly, capsys: pytest.CaptureFixture[str]
) -> None:
    link = linked(service, store, fake, 250)
    report = service.push(link)
    fake.activate(report.campaign_id)
    fake.advance(timedelta(days=3))
    events: list[ProgressEvent] = []
    sync = service.sync(link, progress=events.append)
    assert sync.ok
    assert [e.pages for e in events] == [1, 2, 3, 3]
    assert events[-1].done
    assert events[-1].leads_seen == 250
    assert capsys.readouterr().err == ""


def test_push_reports_rows_sent_before_the_first_bulk_call_after_each_and_at_the_end(
    fake: FakeInstantly, store: MemoryStore
) -> None:
    service = Service(
        InstantlyColumns(store, transport=fake.as_transport(), clock=fake.clock, concurrency=1)
    )
    link = linked(service, store, fake, 2500)
    events: list[PushProgress] = []
    report = service.push(link, progress=events.append)
    assert report.counts == {"pushed": 2500}
    assert report.requests == 3
    # Rows are read a page at a time, so the total grows as the push finds rows to send.
    assert [(e.rows_done, e.rows_total, e.done) for e in events] == [
        (0, 1000, False),
        (1000, 1000, False),
        (2000, 2000, False),
        (2500, 2500, False),
        (2500, 2500, True),
    ]
    assert {e.link_id for e in events} == {link}


def test_bulk_calls_sent_together_report_once_per_group(
    service: Service, store: MemoryStore, fake: FakeInstantly
) -> None:
    link = linked(service, store, fake, 2500)  # three bulk calls, four at a time
    events: list[PushProgress] = []
    service.push(link, progress=events.append)
    assert [(e.rows_done, e.done) for e in events] == [(0, False), (2500, False), (2500, True)]
    again: list[PushProgress] = []
    service.push(link, progress=again.append)  # nothing left to send
    assert [(e.rows_done, e.rows_total, e.done) for e in again] == [(0, 0, True)]


def test_a_dry_run_sends_nothing_and_draws_no_bar(
    service: Service, store: MemoryStore, fake: FakeInstantly, capsys: pytest.CaptureFixture[str]
) -> None:
    link = linked(service, store, fake, 3)
    events: list[PushProgress] = []
    service.push(link, dry_run=True, progress=events.append)
    assert [(e.rows_done, e.rows_total, e.done) for e in events] == [(0, 0, True)]
    service.push(link, dry_run=True, progress=True)
    assert capsys.readouterr().err == ""


# --- when a bar is shown ---------------------------------------------------------------------


def test_scripts_get_no_bar_unless_asked(
    service: Service, store: MemoryStore, fake: FakeInstantly, capsys: pytest.CaptureFixture[str]
) -> None:
    link = linked(service, store, fake, 5)
    service.push(link)
    service.sync(link)
    assert capsys.readouterr().err == ""  # stderr is no terminal here
    service.push(link, force=True, progress=True)
    service.sync(link, progress=True)
    err = capsys.readouterr().err
    assert "Push · Q3 founders" in err
    assert "5 already in campaign" in err
    assert "Sync · Q3 founders" in err
    assert "5 leads" in err


def test_the_setting_overrides_the_automatic_choice_only(
    service: Service,
    store: MemoryStore,
    fake: FakeInstantly,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    link = linked(service, store, fake, 5)
    monkeypatch.setenv(_progress.ENV, "1")
    service.sync(link)
    assert "Sync · Q3 founders" in capsys.readouterr().err
    service.sync(link, progress=False)
    assert capsys.readouterr().err == ""
    monkeypatch.setenv(_progress.ENV, "0")
    service.sync(link)
    assert capsys.readouterr().err == ""
    service.sync(link, progress=True)
    assert "Sync · Q3 founders" in capsys.readouterr().err


def test_interactive_means_a_terminal_on_stderr_or_a_jupyter_kernel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Stream:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.setattr(sys, "stderr", Stream(False))
    assert not _progress.interactive()
    monkeypatch.setattr(sys, "stderr", Stream(True))
    assert _progress.interactive()
    monkeypatch.setenv(_progress.ENV, "off")
    assert not _progress.interactive()
    monkeypatch.delenv(_progress.ENV)
    monkeypatch.setattr(sys, "stderr", Stream(False))
    FakeNotebook().install(monkeypatch)
    assert _progress.in_notebook()
    assert _progress.interactive()
    # A terminal IPython has no kernel: not a notebook.
    sys.modules["IPython"].get_ipython = lambda: types.SimpleNamespace()  # type: ignore[attr-defined]
    assert not _progress.in_notebook()


# --- the notebook display ------------------------------------------------------------------


def test_in_a_notebook_push_and_sync_draw_one_html_output_each(
    service: Service, store: MemoryStore, fake: FakeInstantly, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = FakeNotebook()
    notebook.install(monkeypatch)
    link = linked(service, store, fake, 1200)
    report = service.push(link)  # progress=None: on, since this is a notebook
    fake.activate(report.campaign_id)
    fake.advance(timedelta(days=2))
    service.sync(link)
    assert len(notebook.outputs) == 2
    assert notebook.updates >= 2
    pushed, synced = notebook.outputs
    assert (
        '<progress style="width: 14em; vertical-align: middle" max="1200" value="1200">'
        in (pushed["text/html"])
    )
    assert pushed["text/plain"] == "✓ Push · Q3 founders: 1,200 pushed"
    assert "<b>Sync · Q3 founders</b>" in synced["text/html"]
    assert synced["text/plain"].startswith("✓ Sync · Q3 founders: 1,200 leads · 1,200 rows")


def test_sync_table_draws_a_bar_per_link_in_one_display(
    service: Service, store: MemoryStore, fake: FakeInstantly, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = FakeNotebook()
    notebook.install(monkeypatch)
    setup_table(store, make_rows(30))
    key = fake.create_api_key()
    first = wizard_link(service, key, name="Alpha")
    second = wizard_link(service, key, name="Beta")
    service.push(first, progress=False)
    service.push(second, progress=False, skip_if_in_campaign=False)
    assert notebook.outputs == []
    reports = service.sync_table(TABLE)
    assert sorted(r.link_id for r in reports) == sorted([first, second])
    assert len(notebook.outputs) == 1
    lines = notebook.outputs[0]["text/plain"].splitlines()
    assert sorted(" · ".join(line.split(" · ")[:3]) for line in lines) == [
        "✓ Sync · Alpha: 30 leads · 30 rows matched",
        "✓ Sync · Beta: 30 leads · 30 rows matched",
    ]


def test_the_notebook_display_redraws_at_most_ten_times_a_second_but_always_the_end() -> None:
    shown: list[tuple[dict[str, str], bool]] = []
    bars = _progress.Bars(
        _progress._HtmlRenderer(lambda bundle, first: shown.append((bundle, first)))
    )
    with bars:
        on_page = bars.sync("Sync · x")
        for page in range(1, 51):
            on_page(ProgressEvent("x", page, page * 100, page * 100, page * 500))
        on_page(ProgressEvent("x", 50, 5000, 5000, 25000, done=True))
    assert shown[0][1] is True
    assert all(not first for _, first in shown[1:])
    assert len(shown) < 10
    last = shown[-1][0]
    assert last["text/plain"] == (
        "✓ Sync · x: 5,000 leads · 5,000 rows matched · 25,000 cells written · 50 pages"
    )
    assert 'max="5000" value="5000"' in last["text/html"]


def test_labels_are_escaped_in_html() -> None:
    shown: list[dict[str, str]] = []
    bars = _progress.Bars(_progress._HtmlRenderer(lambda bundle, first: shown.append(bundle)))
    with bars:
        bars.sync("Sync · <b>Q3</b> & co")
    assert "Sync · &lt;b&gt;Q3&lt;/b&gt; &amp; co" in shown[-1]["text/html"]
    assert "<progress" in shown[-1]["text/html"]
    assert "max=" not in shown[-1]["text/html"]
