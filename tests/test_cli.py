"""The command line, through its entry points: click's runner on the command group that
``main`` runs, and ``python -m instantly_columns`` in a subprocess.

Everything that needs Instantly runs with ``--fake``: its workspace is kept in a file beside
the database, so the commands of one test see each other's campaigns and leads.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from instantly_columns.cli import app, detect_csv, run_demo, sample_rows
from instantly_columns.cli._session import shown
from instantly_columns.testing import FakeInstantly

EXPORTS = Path(__file__).parent / "data" / "exports"
Cli = Callable[..., Result]

LEADS = (
    "Email;First Name;Company;Industry\n"
    "ada@engines.example;Ada;Analytical Engines;Computing\n"
    "grace@cobol.example;Grace;Cobol & Co;Software\n"
    "not-an-address;Linus;Kernel BV;Systems\n"
)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Invoke the command group in an empty working directory (the default database)."""
    monkeypatch.chdir(tmp_path)
    for name in ("INSTANTLY_API_KEY", "INSTANTLY_COLUMNS_DB", "INSTANTLY_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), input=input, env=env)

    return invoke


def data(result: Result) -> Any:
    assert result.stdout.strip(), result.output
    return json.loads(result.stdout)


def one_line_error(result: Result) -> str:
    """The one ``error:`` line on stderr (prompts may come before it, a hint after)."""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.output
    return errors[0]


@pytest.fixture
def linked(cli: Cli, tmp_path: Path) -> Cli:
    """A table of three rows (one invalid email) linked to the fake's draft campaign."""
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    assert cli("import", "leads.csv").exit_code == 0
    done = cli(
        "link", "--fake", "--campaign", "founders outreach", "--mode", "map_variables",
        "--bind", "industry=Industry",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    return cli


# --- the demo and the entry points -------------------------------------------------------


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
    assert "No such command 'nope'" in bad.stderr


def test_the_demo_command_and_its_json(cli: Cli) -> None:
    assert "== 10. Sync history ==" in cli("demo", "--rows", "8").stdout
    figures = data(cli("demo", "--rows", "8", "--json"))
    assert figures["replay"] is True


def test_usage_errors_exit_2(cli: Cli) -> None:
    assert cli("push", "--no-such-flag").exit_code == 2
    assert cli("sync", "--simulate", "3").exit_code == 2  # --simulate needs --fake
    assert cli("link", "--campaign-id", "x", "--create", "y").exit_code == 2


# --- mapping and import: real exports ----------------------------------------------------


def test_mapping_of_a_csv_export(tmp_path: Path) -> None:
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
    report = json.loads(out.getvalue())
    mapping = report["mapping"]
    assert report["file"]["encoding"] == "UTF-8 with BOM"
    assert mapping["email"] == "Kontakt"  # decided by the values
    assert (mapping["first_name"], mapping["last_name"]) == ("Vorname", "Nachname")
    assert mapping["company_name"] == "Firma"
    assert mapping["phone"] == "Telefon"
    text = io.StringIO()
    assert detect_csv(str(path), out=text) == 0
    assert "Kontakt" in text.getvalue()
    assert detect_csv(str(tmp_path / "missing.csv"), out=io.StringIO()) == 1


def test_a_windows_1252_french_export(cli: Cli) -> None:
    result = cli("mapping", str(EXPORTS / "french-cp1252.csv"))
    assert result.exit_code == 0, result.output
    assert "Windows-1252, semicolon-separated" in result.stdout
    report = data(cli("mapping", str(EXPORTS / "french-cp1252.csv"), "--json"))
    assert report["file"]["encoding"] == "Windows-1252"
    assert report["mapping"]["email"] == "Adresse e-mail"
    assert report["mapping"]["first_name"] == "Prénom"
    assert report["mapping"]["company_name"] == "Société"


def test_linkedin_connections_below_their_notes(cli: Cli) -> None:
    report = data(cli("mapping", str(EXPORTS / "Connections.csv"), "--json"))
    assert report["file"]["header_line"] == 4
    assert report["file"]["skipped_lines"] == 3
    assert report["mapping"]["email"] == "Email Address"
    assert report["mapping"]["first_name"] == "First Name"
    assert "3 lines above it skipped" in cli("mapping", str(EXPORTS / "Connections.csv")).stdout


def test_an_apollo_export_below_its_title(cli: Cli) -> None:
    report = data(cli("mapping", str(EXPORTS / "apollo-people.csv"), "--json"))
    assert (report["file"]["header_line"], report["file"]["skipped_lines"]) == (2, 1)
    assert report["mapping"]["email"] == "Email"
    assert report["mapping"]["job_title"] == "Title"


def test_a_file_without_an_email_column_fails_clearly(cli: Cli) -> None:
    result = cli("mapping", str(EXPORTS / "no-email.csv"))
    assert result.exit_code == 1
    assert "no column holds email addresses" in one_line_error(result)
    as_json = cli("mapping", str(EXPORTS / "no-email.csv"), "--json")
    assert as_json.exit_code == 1
    assert "no column holds email" in data(as_json)["error"]["message"]
    assert cli("import", str(EXPORTS / "no-email.csv")).exit_code == 1


def test_errors_are_one_line_unless_debug(cli: Cli) -> None:
    result = cli("mapping", "missing.csv")
    assert result.exit_code == 1
    assert one_line_error(result) == "error: missing.csv: No such file or directory"
    debug = cli("mapping", "missing.csv", "--debug")
    assert debug.exit_code == 1
    assert isinstance(debug.exception, FileNotFoundError)


def test_import_into_a_table_and_replace_it(cli: Cli, tmp_path: Path) -> None:
    shutil.copy(EXPORTS / "Connections.csv", tmp_path)
    first = data(cli("import", "Connections.csv", "--table", "people", "--json"))
    assert first["rows"] == 3
    assert [c["name"] for c in first["columns"]][:2] == ["First Name", "Last Name"]
    assert (tmp_path / "instantly-columns.db").exists()
    again = cli("import", "Connections.csv", "--table", "people")
    assert again.exit_code == 1
    assert "already exists" in one_line_error(again)
    replaced = cli("import", str(EXPORTS / "french-cp1252.csv"), "--table", "people", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "Imported 3 rows and 5 columns into table people" in replaced.stdout


def test_a_postgresql_url_is_shown_without_credentials() -> None:
    url = "postgresql://app:hunter2@db.internal:5433/leads?sslmode=require"
    assert shown(url) == "postgresql://db.internal:5433/leads"
    assert shown("data/leads.db") == "data/leads.db"


# --- connect, campaigns -------------------------------------------------------------------


def test_connect_with_the_fake(cli: Cli) -> None:
    result = data(cli("connect", "--fake", "--json"))
    assert result["workspace"]["name"] == "Fake Workspace"
    assert len(result["key"]) == 12  # a fingerprint, never the key


def test_connect_over_http_from_the_environment_or_a_hidden_prompt(cli: Cli) -> None:
    fake = FakeInstantly()
    key = fake.create_api_key()
    with fake.serve() as url:
        env = {"INSTANTLY_BASE_URL": url, "INSTANTLY_API_KEY": key}
        from_env = cli("connect", env=env)
        assert from_env.exit_code == 0, from_env.output
        assert "Connected to workspace Fake Workspace" in from_env.stdout
        prompted = cli("connect", "--json", input=key + "\n", env={"INSTANTLY_BASE_URL": url})
        assert prompted.exit_code == 0, prompted.output
        assert data(prompted)["workspace"]["id"] == fake.workspace_id
        wrong = cli("connect", input="not-a-key\n", env={"INSTANTLY_BASE_URL": url})
        assert wrong.exit_code == 1
        assert "401" in one_line_error(wrong)
        assert "instantly-columns connect" in wrong.stderr  # the hint
    for result in (from_env, prompted, wrong):
        assert key not in result.output
        assert "not-a-key" not in result.output


def test_campaigns_with_badges_and_search(cli: Cli) -> None:
    listed = cli("campaigns", "--fake")
    assert listed.exit_code == 0
    assert "Welcome series" in listed.stdout
    assert "Active" in listed.stdout
    assert "Founders outreach" in listed.stdout
    assert "Draft" in listed.stdout
    assert "\x1b[" not in listed.stdout  # not a terminal: no colour
    found = data(cli("campaigns", "--fake", "--search", "found", "--json"))["campaigns"]
    assert [(c["name"], c["label"], c["tone"]) for c in found] == [
        ("Founders outreach", "Draft", "draft")
    ]


def test_without_a_key_the_error_says_what_to_do(cli: Cli) -> None:
    result = cli("campaigns")
    assert result.exit_code == 1
    assert "no API key is stored" in one_line_error(result)
    assert "instantly-columns connect" in result.stderr


# --- link: scripted and interactive -------------------------------------------------------


def test_link_by_flags_shows_the_preview(linked: Cli) -> None:
    links = data(linked("links", "--fake", "--json"))["links"]
    assert [(i["table_id"], i["campaign_name"], i["sequence_mode"]) for i in links] == [
        ("leads", "Founders outreach", "map_variables")
    ]
    assert links[0]["field_mapping"]["custom_variables"]["industry"] == "c3"


def test_link_from_an_answers_file_creating_a_campaign(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    cli("import", "leads.csv")
    answers: dict[str, dict[str, Any]] = {
        "campaign": {"create": {"name": "Q3 founders", "schedule": {"timezone": "Europe/Paris"}}},
        "sequence": {"mode": "use_existing"},
        "mapping": {"overrides": {"company_name": "Company"}},
        "review": {"push_column": True, "engagement_columns": False},
    }
    (tmp_path / "answers.json").write_text(json.dumps(answers), encoding="utf-8")
    # a new campaign has no steps: use_existing must say it knows, else nothing is created
    refused = cli("link", "--fake", "--answers", "answers.json", "--json")
    assert refused.exit_code == 1
    (problem,) = data(refused)["error"]["problems"]
    assert problem["path"] == "mode"
    assert "would never send" in problem["message"]
    names = [c["name"] for c in data(cli("campaigns", "--fake", "--json"))["campaigns"]]
    assert "Q3 founders" not in names
    answers["sequence"]["confirm_no_steps"] = True
    (tmp_path / "answers.json").write_text(json.dumps(answers), encoding="utf-8")
    result = cli("link", "--fake", "--answers", "answers.json", "--json")
    assert result.exit_code == 0, result.output
    done = data(result)
    assert done["campaign"]["name"] == "Q3 founders"
    assert done["campaign"]["created"]
    assert done["columns"] == ["Q3 founders", "Push · Q3 founders"]
    assert "has no steps yet" in result.stderr  # a new campaign sends nothing until it has
    # the fake workspace is kept beside the database: the next command sees the campaign
    names = [c["name"] for c in data(cli("campaigns", "--fake", "--json"))["campaigns"]]
    assert "Q3 founders" in names
    assert (tmp_path / "instantly-columns.db.fake.json").exists()


def test_link_problems_and_wrong_columns(cli: Cli, tmp_path: Path) -> None:
    assert cli("link", "--fake").exit_code == 1  # no table yet
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    cli("import", "leads.csv")
    campaigns = data(cli("campaigns", "--fake", "--json"))["campaigns"]
    welcome = campaigns[0]["id"]
    no_campaign = cli("link", "--fake", "--no-interactive")
    assert no_campaign.exit_code == 2
    assert "--campaign NAME_OR_ID" in one_line_error(no_campaign)
    bad_column = cli("link", "--fake", "--campaign-id", welcome, "--map", "phone=Fax")
    assert bad_column.exit_code == 2
    assert "no column 'Fax'" in one_line_error(bad_column)
    bad_bind = cli(
        "link", "--fake", "--campaign-id", welcome, "--mode", "map_variables",
        "--bind", "plan=Company", "--json",
    )  # fmt: skip
    assert bad_bind.exit_code == 1
    problems = data(bad_bind)["error"]["problems"]
    assert problems == [
        {"path": "bindings.plan", "message": "the campaign does not use this variable"}
    ]


def test_the_interactive_wizard_with_scripted_input(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    cli("import", "leads.csv")
    answers = [
        "9",  # no such campaign: asked again
        "2",  # Founders outreach
        "map_variables",
        "Industry",  # {{industry}}
        "y",  # the preview looks right
        "company_name=Fax",  # no such column: asked again
        "company_name=company",  # by header, ignoring case
        "",  # accept the mapping
        "y",  # create the columns
    ]
    result = cli("link", "--fake", "--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    shown = result.stdout
    assert "Founders outreach" in shown
    assert "Draft" in shown
    assert "Preview, step 1" in shown
    assert "how does Analytical Engines handle Computing today?" in shown
    assert "no campaign number 9" in result.stderr
    assert "no column 'Fax'" in result.stderr
    assert "Campaign Founders outreach linked to table 'leads'" in shown
    link = data(cli("links", "--fake", "--json"))["links"][0]
    assert link["field_mapping"]["company_name"] == "c2"
    assert link["field_mapping"]["custom_variables"] == {"industry": "c3"}


def test_the_interactive_wizard_creates_a_campaign_with_step_columns(
    cli: Cli, tmp_path: Path
) -> None:
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    cli("import", "leads.csv")
    answers = ["Spring launch", "Europe/Berlin", "author_steps", "2", "y", "", "y"]
    result = cli("link", "--fake", "--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "created and linked" in result.stdout
    assert "Step 2 Body" in result.stdout
    cancelled = cli("link", "--fake", "--interactive", input="1\nuse_existing\n\nn\n")
    assert cancelled.exit_code == 1  # answered no at the review
    assert len(data(cli("links", "--fake", "--json"))["links"]) == 1


# --- push, sync and what follows ----------------------------------------------------------


def test_push_is_a_dry_run_until_yes(linked: Cli) -> None:
    dry = linked("push", "--fake")
    assert dry.exit_code == 0
    assert "Dry run: nothing was sent." in dry.stdout
    assert "would_push" in dry.stdout
    assert "--yes" in dry.stdout
    report = data(linked("push", "--fake", "--json"))
    assert report["dry_run"] is True
    assert report["counts"] == {"invalid": 1, "would_push": 2}
    assert [lead["email"] for lead in report["bodies"][0]["leads"]] == [
        "ada@engines.example",
        "grace@cobol.example",
    ]
    sent = linked("push", "--fake", "--yes", "--json")
    assert sent.exit_code == 3  # one row was invalid
    assert data(sent)["counts"] == {"invalid": 1, "pushed": 2}
    again = data(linked("push", "--fake", "--send", "--json"))
    assert again["counts"] == {"already_in_campaign": 2, "invalid": 1}


def test_sync_lets_the_fake_campaign_run_and_fills_the_columns(linked: Cli) -> None:
    linked("push", "--fake", "--yes")
    result = linked("sync", "--fake", "--simulate", "7", "--json")
    assert result.exit_code == 0, result.output
    sync = data(result)
    assert sync["status"] == "ok"
    assert sync["run"]["leads_seen"] == 2
    assert sync["run"]["rows_matched"] == 2
    assert sync["simulated"]["sent"] == 2
    assert sync["summary"]["Founders outreach"] == '"Founders outreach" Completed'
    human = linked("sync", "--fake")
    assert "Sync ok: 2 leads" in human.stdout
    summary = data(linked("summary", "--fake", "--json"))
    assert summary["by_subtype"]["campaign_config"] == '"Founders outreach" Completed'
    assert summary["aggregate"]["contacted"] == 2
    from_api = data(linked("summary", "--fake", "--source", "api", "--json"))
    assert from_api["source"] == "api"
    panel = data(linked("analytics", "--fake", "--json"))
    assert panel["leads"] == 2
    assert panel["emails_sent"] == 2
    assert "reply_rate" in panel["rates"]
    assert "emails sent" in linked("analytics", "--fake").stdout
    runs = data(linked("history", "--fake", "--json"))["runs"]
    assert [r["status"] for r in runs] == ["ok", "ok", "ok"]  # two syncs, after the push
    assert [r["id"].startswith("push-") for r in runs] == [False, False, True]
    assert "leads" in linked("history", "--fake").stdout


def test_two_links_need_link_and_unknown_links_fail(linked: Cli) -> None:
    welcome = data(linked("campaigns", "--fake", "--json"))["campaigns"][0]["id"]
    assert linked("link", "--fake", "--campaign-id", welcome).exit_code == 0
    ambiguous = linked("push", "--fake")
    assert ambiguous.exit_code == 2
    assert "has 2 links: pass --link" in one_line_error(ambiguous)
    link = data(linked("links", "--fake", "--json"))["links"][1]["id"]
    assert linked("push", "--fake", "--link", link).exit_code == 0
    assert linked("history", "--fake", "--link", "nope").exit_code == 1


def test_commands_before_any_link_say_what_to_do(cli: Cli) -> None:
    assert "No links yet" in cli("links", "--fake").stdout
    result = cli("push", "--fake")
    assert result.exit_code == 1
    assert "has no campaign link yet" in one_line_error(result)
    assert "instantly-columns link" in result.stderr


# --- webhooks serve ------------------------------------------------------------------------


def test_serve_without_uvicorn_says_how_to_get_it(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn raises ImportError
    result = cli("webhooks", "serve", "--fake")
    assert result.exit_code == 1
    assert "needs uvicorn" in one_line_error(result)
    assert "instantly-columns[serve]" in result.stderr


def test_serve_hands_the_receiver_to_uvicorn(linked: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    result = linked("webhooks", "serve", "--fake", "--port", "9911", "--json")
    assert result.exit_code == 0, result.output
    started = data(result)
    assert started["url"] == "http://127.0.0.1:9911/"
    assert started["token"]
    assert (served["host"], served["port"]) == ("127.0.0.1", 9911)
    assert callable(served["app"])
    quiet = linked("webhooks", "serve", "--fake", env={"INSTANTLY_COLUMNS_WEBHOOK_SECRET": "s3"})
    assert "s3" not in quiet.stdout  # a secret given is not echoed


def test_serve_receives_deliveries_on_a_loopback_port(tmp_path: Path) -> None:
    import signal
    import socket
    import time

    import httpx

    with socket.socket() as probe:  # a free port on the loopback interface
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = str(tmp_path / "hooks.db")
    command = [sys.executable, "-m", "instantly_columns", "webhooks", "serve", "--fake"]
    server = subprocess.Popen(
        [*command, "--db", db, "--port", str(port), "--secret", "s3cret"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    event = {
        "event_type": "email_opened",
        "timestamp": "2026-01-05T10:00:00Z",
        "lead_email": "a@b.co",
    }
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                refused = httpx.post(url, json=event, timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert refused.status_code == 401
        accepted = httpx.post(url, params={"token": "s3cret"}, json=event, timeout=5)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["event_type"] == "email_opened"
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert f"{url}?token=<secret>" in out
    assert "s3cret" not in out
    assert Path(db + ".fake.json").exists()


@pytest.mark.postgres
def test_a_postgresql_database(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import uuid

    from contract.conftest import _drop_schema, resolve_dsn

    dsn = resolve_dsn(os.environ)
    schema = f"ic_cli_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("INSTANTLY_COLUMNS_PG_SCHEMA", schema)
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    try:
        imported = cli("import", "leads.csv", "--db", dsn)
        assert imported.exit_code == 0, imported.output
        assert f"of {shown(dsn)}." in imported.stdout
        assert "@" not in imported.stdout  # no user or password
        done = cli("link", "--fake", "--db", dsn, "--campaign", "Welcome series")
        assert done.exit_code == 0, done.output
        sent = data(cli("push", "--fake", "--db", dsn, "--yes", "--json"))
        assert sent["counts"] == {"invalid": 1, "pushed": 2}
        assert (tmp_path / "instantly-columns.fake.json").exists()  # in the working directory
    finally:
        _drop_schema(dsn, schema)


def test_ctrl_c_exits_130(linked: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from instantly_columns.service.facade import InstantlyColumns

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(InstantlyColumns, "sync", interrupted)
    result = linked("sync", "--fake")
    assert result.exit_code == 130
    assert one_line_error(result) == "error: interrupted"


def test_colours_follow_the_terminal(cli: Cli) -> None:
    assert "\x1b[" not in cli("campaigns", "--fake").stdout  # piped: plain text
    forced = cli("campaigns", "--fake", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout
