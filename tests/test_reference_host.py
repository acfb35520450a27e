"""The reference host (examples/ops_table) in a real browser: headless Chromium driven by
Playwright through the whole journey a host's user takes, asserting on what the page shows.

It takes the screenshots that docs/host.md shows: into a temporary folder on an ordinary run,
into docs/images/host/ when ``INSTANTLY_COLUMNS_SCREENSHOTS=1`` (``make docs-images``), so a
test run leaves the tree as it found it. Locally it skips when
Chromium or Playwright is missing; under CI (``CI`` set) a missing browser fails instead.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ops_table"
DOCS_SHOTS = ROOT / "docs" / "images" / "host"
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000


# -- the example uses the public API only ------------------------------------------------------


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def test_the_example_imports_only_public_modules_of_the_library() -> None:
    files = sorted(EXAMPLE.rglob("*.py"))
    assert len(files) >= 4
    private = []
    for path in files:
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "instantly_columns" and any(p.startswith("_") for p in parts[1:]):
                private.append(f"{path.relative_to(ROOT)}: {name}")
    assert private == []
    # and it does use the library (the check above would pass on an example importing none)
    used = {n for p in files for n in _imports(p) if n.startswith("instantly_columns")}
    assert {"instantly_columns", "instantly_columns.asgi", "instantly_columns.storage"} <= used


def test_the_private_import_check_catches_a_private_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from instantly_columns.service._wizard import advance_flow\nimport instantly_columns._x\n",
        encoding="utf-8",
    )
    assert _imports(bad) == [
        "instantly_columns.service._wizard",
        "instantly_columns.service._wizard.advance_flow",
        "instantly_columns._x",
    ]


# -- the browser -------------------------------------------------------------------------------


def _chromium() -> str | None:
    for path in CHROMIUM_PATHS:
        if os.path.exists(path):
            return path
    return shutil.which("chromium")


def _need_browser() -> str:
    executable = _chromium()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        executable = None
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium (apt-get install chromium) and playwright")
        pytest.skip("needs Chromium (apt-get install chromium) and the playwright package")
    return executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serve(host: Any) -> Iterator[str]:
    """The app of ``host`` on uvicorn, on a free loopback port, in a thread; its URL."""
    import uvicorn
    from examples.ops_table import create_app

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(host, public_url=url),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the ops table did not start")
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The ops table on embedded defaults (no key in the environment: the fake workspace)."""
    _need_browser()
    from examples.ops_table import Host

    host = Host.create(db=str(tmp_path_factory.mktemp("host") / "ops.db"), environ={})
    try:
        with _serve(host) as url:
            yield url, host
    finally:
        host.close()


def _summary_text(page: Any, link: str) -> str:
    cells = page.locator(f"tr.summary td[data-link='{link}']")
    return " | ".join(t.strip() for t in cells.all_inner_texts())


def test_the_whole_journey_in_a_browser(served: tuple[str, Any], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, host = served
    secret_key = host.demo_key
    assert secret_key
    keep = os.environ.get("INSTANTLY_COLUMNS_SCREENSHOTS") == "1"
    shots = DOCS_SHOTS if keep else tmp_path / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    seen_bodies: list[str] = []
    failures: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_need_browser(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 950})
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)

        def on_response(response: Any) -> None:
            if response.status >= 500:
                failures.append(f"{response.status} {response.url}")
            if response.request.resource_type in ("document", "fetch", "xhr"):
                with contextlib.suppress(Exception):  # a redirect has no body
                    seen_bodies.append(response.text())

        page.on("response", on_response)

        def shot(name: str, *, whole: bool = False, upto: str | None = None) -> None:
            """``whole``: the whole page, the columns right of the window included; ``upto``:
            the page from its left edge to the end of that link's group of columns."""
            clip: Any = None  # playwright's FloatRect
            if upto is not None:
                page.evaluate("window.scrollTo(0, 0)")  # boxes are measured in the window
                group = table = None
                for _ in range(50):  # the table may be being swapped for a fresher one
                    page.wait_for_timeout(100)
                    group = page.locator(f"th.group[data-link='{upto}']").bounding_box()
                    table = page.locator("table.grid").bounding_box()
                    if group is not None and table is not None:
                        break
                assert group is not None
                assert table is not None
                clip = {
                    "x": 0,
                    "y": 0,
                    "width": group["x"] + group["width"] + 12,
                    "height": table["y"] + table["height"] + 12,
                }
            page.screenshot(
                path=str(shots / f"{name}.png"), full_page=whole or upto is not None, clip=clip
            )

        # 1. The lead table, imported from the sample CSV; no Instantly column yet.
        page.goto(url + "/")
        expect(page.locator("tbody tr")).to_have_count(12)
        expect(page.locator("tr.names th")).to_contain_text(["Email", "First name", "Company"])
        expect(page.get_by_text("No Instantly columns yet")).to_be_visible()

        # 2. The wizard, map_variables: a wrong key first, shown next to the key field.
        page.click("#add-column")
        expect(page.locator("#wizard")).to_have_attribute("data-step", "connection")
        page.fill("#api_key", "not-a-real-key")
        page.click("#connect")
        error = page.locator(".field-error[data-path='api_key']")
        expect(error).to_contain_text("Instantly rejected the API key")
        expect(page.locator("#api_key")).to_have_value("")  # never echoed back
        shot("01-wizard-key-error")
        page.click("#use-demo-key")
        expect(page.locator("#wizard")).to_have_attribute("data-step", "campaign")
        page.fill("#campaign-search", "tech")
        page.click("#search-button")
        choices = page.locator("#campaign-list li")
        expect(choices).to_have_count(1)
        expect(choices.first).to_contain_text("TechCorp Outreach")
        expect(choices.first.locator(".badge")).to_have_text("Active")
        choices.first.locator("input").check()
        shot("02-wizard-campaign")
        page.click("#wizard-next")
        expect(page.locator("#wizard")).to_have_attribute("data-step", "sequence")
        expect(page.locator(".card")).to_have_count(3)
        expect(page.locator("input[name=mode][value=map_variables]")).to_be_checked()
        page.select_option("select[name=bind_industry]", label="Industry")  # reloads the preview
        expect(page.locator("select[name=bind_industry]")).to_have_value(re.compile(r"^c\d+$"))
        preview = page.locator("#preview .preview-row")
        expect(preview).to_have_count(3)
        expect(preview.first).to_contain_text(
            "how does Analytical Engines GmbH handle Fintech leads today?"
        )
        shot("03-wizard-map-variables")
        page.click("#wizard-next")
        expect(page.locator("#wizard")).to_have_attribute("data-step", "mapping")
        expect(page.locator("#map_email option:checked")).to_have_text("Email")
        expect(page.locator("#map_first_name option:checked")).to_have_text("First name")
        page.select_option("#map_job_title", label="Job title")  # an adjustment
        shot("04-wizard-mapping")
        page.click("#wizard-next")
        expect(page.locator("#wizard")).to_have_attribute("data-step", "review")
        page.click("#wizard-next")
        expect(page.locator("#wizard-done")).to_contain_text("Created 7 columns")
        page.click("#wizard-close")
        techcorp = host.links()[0].id
        expect(page.locator(f"th.group[data-link='{techcorp}']")).to_contain_text(
            "TechCorp Outreach"
        )

        # 3. The wizard, use_existing, on a second campaign of the same table.
        page.click("#add-column")
        page.click("#use-stored")  # connected already: the stored key
        page.locator("#campaign-list li", has_text="Partner Nurture").locator("input").check()
        expect(
            page.locator("#campaign-list li", has_text="Partner Nurture").locator(".badge")
        ).to_have_text("Paused")
        page.click("#wizard-next")
        page.locator("input[name=mode][value=use_existing]").check()
        expect(page.locator(".mode-panel[data-for=use_existing]")).to_contain_text("Hello")
        page.click("#wizard-next")
        page.click("#wizard-next")
        page.click("#wizard-next")
        expect(page.locator("#wizard-done")).to_contain_text("Partner Nurture")
        page.click("#wizard-close")

        # 4. The wizard, author_steps, on a new campaign: a bad time zone first.
        page.click("#add-column")
        page.click("#use-stored")
        page.fill("#new-name", "Q3 Founders")
        page.fill("#new-timezone", "Mars/Olympus_Mons")
        page.click("#wizard-next")
        tz_error = page.locator(".field-error[data-path='create.schedule.timezone']")
        expect(tz_error).to_contain_text("Mars/Olympus_Mons")
        expect(page.locator("#new-name")).to_have_value("Q3 Founders")  # kept for a retry
        expect(page.locator("#choice-create")).to_be_checked()
        shot("05-wizard-bad-timezone")
        page.fill("#new-timezone", "Europe/Berlin")
        page.click("#wizard-next")
        expect(page.locator("#wizard")).to_have_attribute("data-step", "sequence")
        page.locator("input[name=mode][value=author_steps]").check()
        page.fill("#step-count", "2")
        expect(page.locator("#scaffold-names")).to_have_text(
            "Step 1 Subject, Step 1 Body, Step 2 Subject, Step 2 Body"
        )
        shot("06-wizard-author-steps")
        page.click("#wizard-next")
        page.click("#wizard-next")
        page.click("#wizard-next")
        expect(page.locator("#wizard-done")).to_contain_text("Q3 Founders")
        expect(page.locator("#wizard")).to_contain_text("2-step template")
        page.click("#wizard-close")

        # Three campaigns on one table, each group of columns apart.
        groups = page.locator("th.group")
        expect(groups).to_have_count(3)
        expect(groups.nth(2)).to_contain_text("Q3 Founders")
        expect(page.locator("tr.names th")).to_contain_text(["Step 1 Subject", "Step 2 Body"])

        # 5. A sequence_step cell edited in place, kept across a reload.
        cell = page.locator("tr[data-row='r000001'] td.editable").first
        cell.click()
        page.keyboard.type("Ada, about your ledgers")
        page.keyboard.press("Enter")
        expect(cell).to_have_class(re.compile("saved"))
        page.reload()
        expect(page.locator("tr[data-row='r000001'] td.editable").first).to_have_text(
            "Ada, about your ledgers"
        )

        # 6. Push one row from its push cell, then a selection.
        push_cell = page.locator("tr[data-row='r000001'] td.cell-push").first
        push_cell.locator("button.push-row").click()
        results = page.locator("#push-results")
        expect(results.locator("tbody tr")).to_have_count(1)
        expect(results.locator("tr[data-row='r000001']")).to_contain_text("pushed")
        expect(page.locator("tr[data-row='r000001'] td.cell-push").first).to_contain_text("pushed")
        page.check("#select-all")
        page.locator(f"th.group[data-link='{techcorp}'] details.menu summary").click()
        page.locator(f"th.group[data-link='{techcorp}'] .push-selected").click()
        expect(results.locator("tbody tr")).to_have_count(12)
        expect(results.locator("tr[data-row='r000012']")).to_contain_text("invalid")
        expect(results.locator("tr[data-row='r000002']")).to_contain_text("pushed")
        expect(results.locator("tr[data-row='r000001']")).not_to_contain_text("failed")
        shot("07-push-selection", upto=techcorp)

        # 7. Webhooks from the fake's simulated sending update cells live (no reload).
        page.goto(url + "/")
        page.evaluate("window.__stillHere = true")
        status_cells = page.locator("tbody td[data-subtype='email_status'] .badge")
        page.click("#simulate")
        expect(page.locator("#simulate-status")).to_contain_text("sent=")
        expect(status_cells.first).to_be_visible()
        expect(page.locator("td[data-changed='1']").first).to_be_attached()
        assert page.evaluate("window.__stillHere") is True  # the cells changed in place
        assert any(d.status == 200 for d in host.fake.deliveries)
        shot("08-live-webhook-cells", upto=techcorp)

        # 8. Sync now, from the column header menu, with its progress indicator.
        page.locator(f"th.group[data-link='{techcorp}'] details.menu summary").click()
        page.locator(f"th.group[data-link='{techcorp}'] .sync-now").click()
        sync_box = page.locator(f".sync-status[data-link='{techcorp}']")
        expect(sync_box.locator("progress")).to_be_attached()
        expect(sync_box).to_contain_text("Synced:", timeout=30_000)

        # 9. The pinned summary row, exactly in the mission's format, with source and time.
        page.reload()
        summary = _summary_text(page, techcorp)
        assert re.fullmatch(
            r'"TechCorp Outreach" Active \| — \| (\d+% Interested|—) \| (\d+% Opened|—) \| — '
            r"\| \d+ total \| \d+ total",
            summary,
        ), summary
        expect(page.locator(f"tr.provenance td[data-link='{techcorp}']")).to_contain_text(
            re.compile(r"Summary from Instantly analytics, as of \d{4}-\d\d-\d\d \d\d:\d\d UTC")
        )
        expect(
            page.locator("tbody td[data-subtype='last_contacted'] time").first
        ).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$"))
        shot("09-summary-row", upto=techcorp)

        # 10. Clicking the summary row opens the analytics panel: counters, daily, funnel.
        page.locator(f"tr.summary td[data-link='{techcorp}'] a").nth(2).click()
        panel = page.locator("#analytics")
        expect(panel).to_contain_text("TechCorp Outreach")
        expect(panel.locator("#daily-chart svg")).to_be_attached()
        expect(panel.locator("#funnel-chart svg")).to_be_attached()
        expect(panel.locator("#funnel-chart")).to_contain_text("contacted")
        shot("10-analytics")

        # 11. The settings dialog: a bad value next to its field, then a rename; the history.
        page.goto(url + f"/?settings={techcorp}")
        dialog = page.locator("#settings")
        expect(dialog.locator("#history tbody tr").first).to_contain_text("ok")
        page.fill("#sync_interval_seconds", "-5")
        page.click("#settings-save")
        expect(
            page.locator("#settings-form label", has=page.locator("#sync_interval_seconds"))
        ).to_contain_text("must be a number of seconds above 0")
        page.fill("#sync_interval_seconds", "900")
        page.fill("#campaign_name", "TechCorp Outreach EU")
        page.click("#settings-save")
        expect(page.locator("#settings-saved")).to_contain_text("campaign_name")
        shot("11-settings")
        page.goto(url + "/")
        expect(page.locator(f"th.group[data-link='{techcorp}']")).to_contain_text(
            "TechCorp Outreach EU"
        )
        shot("00-table", whole=True)
        browser.close()

    assert failures == []
    assert seen_bodies
    leaked = [b for b in seen_bodies if secret_key in b]
    assert leaked == [], "the API key was sent to the browser"


# -- the public names the host needed ------------------------------------------------------------


def test_the_campaign_status_badge_and_variable_kinds_are_public() -> None:
    from instantly_columns import StatusBadge, campaign_status_badge, classify_variable

    assert campaign_status_badge(1) == StatusBadge("Active", "active")
    assert campaign_status_badge(2).label == "Paused"
    assert campaign_status_badge(None) == StatusBadge("Unknown", "unknown")
    assert campaign_status_badge(42).label == "Unknown (42)"
    assert [classify_variable(v) for v in ("firstName", "industry", "accountSignature")] == [
        "core",
        "custom",
        "sender",
    ]


# -- the host without the browser ----------------------------------------------------------------


def test_with_a_key_in_the_environment_the_host_starts_connected(tmp_path: Path) -> None:
    """``INSTANTLY_API_KEY`` (here a served fake's, reached through ``INSTANTLY_BASE_URL``)
    is checked and stored at start-up, so the wizard starts connected; no fake is made."""
    from examples.ops_table import Host

    from instantly_columns.testing import FakeInstantly

    fake = FakeInstantly()
    fake.create_campaign("Real campaign")
    with fake.serve() as base_url:
        key = fake.create_api_key(name="env")
        host = Host.create(
            db=str(tmp_path / "ops.db"),
            environ={"INSTANTLY_API_KEY": key, "INSTANTLY_BASE_URL": base_url},
        )
        try:
            assert host.fake is None
            assert host.demo_key is None
            wizard = host.service.start_wizard("leads")
            assert host.service.wizard_view(wizard).connected
            campaigns = host.service.wizard_view(wizard.moved("campaign")).campaigns
            assert [c.name for c in campaigns] == ["Real campaign"]
            assert len(host.rows()) == 12
        finally:
            host.close()


def test_relative_times_and_badge_tones() -> None:
    from datetime import datetime, timezone

    from examples.ops_table.app import exact, relative, tone

    now = datetime(2026, 1, 7, 12, 0, tzinfo=timezone.utc)
    assert relative("2026-01-07T11:59:30Z", now) == "just now"
    assert relative("2026-01-07T09:00:00.000Z", now) == "3 h ago"
    assert relative("2026-01-05T12:00:00+00:00", now) == "2 d ago"
    assert relative("2026-01-07T12:30:00Z", now) == "in 30 min"
    assert relative(None, now) == relative("not a time", now) == "—"
    assert exact("2026-01-07T09:00:00Z") == "2026-01-07 09:00:00 UTC"
    assert (tone("Interested"), tone("Bounced"), tone("Sent"), tone(None)) == (
        "good",
        "bad",
        "info",
        "muted",
    )


def test_settings_switch_the_campaign_change_the_mode_and_delete_over_http(
    tmp_path: Path,
) -> None:
    """The settings dialog's other edits, through the app's routes (no browser)."""
    import httpx
    from examples.ops_table import Host

    from instantly_columns import (
        CampaignAnswer,
        ConnectAnswer,
        CreateAnswer,
        MappingAnswer,
        SequenceAnswer,
    )

    host = Host.create(db=str(tmp_path / "ops.db"), environ={})
    try:
        service = host.service
        assert host.fake is not None
        ids = {c["name"]: str(c["id"]) for c in host.fake.campaigns()}
        state = service.start_wizard("leads")
        for answer in (
            ConnectAnswer(api_key=host.demo_key),
            CampaignAnswer(campaign_id=ids["Partner Nurture"]),
            SequenceAnswer(mode="use_existing"),
            MappingAnswer(),
            CreateAnswer(),
        ):
            state = service.wizard_advance(state, answer)
        assert state.step == "done"
        link = state.link_id
        assert link is not None
        with _serve(host) as url, httpx.Client(base_url=url, follow_redirects=True) as client:
            page = client.get(f"/?settings={link}")
            assert page.status_code == 200
            assert "Spring Webinar (Draft)" in page.text
            # an unknown column for a lead field: the library's error, next to the field
            bad = client.post(
                f"/links/{link}/settings",
                data={"campaign_name": "Partner Nurture", "map_email": "no-such-column"},
            )
            assert bad.status_code == 400
            assert 'data-path="field_mapping.email"' in bad.text
            assert "no column with id &#39;no-such-column&#39;" in bad.text
            saved = client.post(
                f"/links/{link}/settings",
                data={
                    "campaign_name": "Webinar follow-up",
                    "sequence_mode": "map_variables",
                    "campaign_id": ids["Spring Webinar"],
                    "map_email": "c0",
                    "auto_field_mapping": "1",
                },
            )
            assert saved.status_code == 200
            assert "Saved:" in saved.text
            (current,) = service.links("leads")
            assert (current.campaign_id, current.campaign_name, current.sequence_mode) == (
                ids["Spring Webinar"],
                "Webinar follow-up",
                "map_variables",
            )
            gone = client.post(f"/links/{link}/delete")
            assert gone.status_code == 200
            assert "Campaign link deleted" in gone.text
            assert service.links("leads") == []
            # a bad wizard id or an unknown link is a page, not a server error
            assert client.get("/?settings=nope").status_code == 200
            assert client.post("/simulate", data={"days": "soon"}).status_code == 400
    finally:
        host.close()


def test_a_missing_browser_skips_locally_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(f"{__name__}.CHROMIUM_PATHS", ("/nonexistent/chromium",))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        _need_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have Chromium"):
        _need_browser()
