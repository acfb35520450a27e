"""The pytest plugin: the ``fake_instantly`` fixtures and the ``instantly`` marker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from instantly_columns.domain.columns import Column, Row
from instantly_columns.errors import ConfigError
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.storage import MemoryStore
from instantly_columns.testing import FakeClock, FakeInstantly, link_table

pytest_plugins = ["pytester"]


def test_the_fixture_gives_a_fresh_fake_with_its_own_clock(
    fake_instantly: FakeInstantly, fake_instantly_key: str
) -> None:
    assert isinstance(fake_instantly.clock, FakeClock)
    assert fake_instantly.campaigns() == []
    assert fake_instantly.rate_limits is True
    assert fake_instantly_key
    fake_instantly.revoke_api_key(fake_instantly_key)  # it belongs to this workspace


@pytest.mark.instantly(rate_limits=False, seed=9, unpaid=True)
def test_the_marker_configures_it(fake_instantly: FakeInstantly) -> None:
    assert fake_instantly.rate_limits is False
    assert fake_instantly.seed == 9
    assert fake_instantly.unpaid is True


def test_marker_is_registered_and_errors_are_usage_errors(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.instantly(seed=4)
        class TestClassLevel:
            def test_seed(self, fake_instantly):
                assert fake_instantly.seed == 4

            @pytest.mark.instantly(seed=5)
            def test_nearest_wins(self, fake_instantly):
                assert fake_instantly.seed == 5

        @pytest.mark.instantly(no_such_option=True)
        def test_bad_option(fake_instantly):
            pass

        @pytest.mark.instantly(False)
        def test_positional(fake_instantly):
            pass

        def test_fresh_each_time_a(fake_instantly):
            fake_instantly.create_campaign("only here")

        def test_fresh_each_time_b(fake_instantly):
            assert fake_instantly.campaigns() == []

        def test_a_bug_in_the_fake_surfaces(fake_instantly, monkeypatch):
            def broken(*args):
                raise KeyError("oops")

            monkeypatch.setattr(fake_instantly._api, "dispatch", broken)
            key = fake_instantly.create_api_key()
            transport = fake_instantly.httpx_transport()
            import httpx
            with httpx.Client(transport=transport, base_url="https://api.instantly.ai") as http:
                answer = http.get("/api/v2/campaigns", headers={"Authorization": f"Bearer {key}"})
            assert answer.status_code == 500
        """
    )
    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, errors=3)
    result.stdout.fnmatch_lines(["*FakeInstantly failed while answering: KeyError('oops')*"])
    result.stdout.fnmatch_lines(["*@pytest.mark.instantly*no_such_option*"])
    pytester.runpytest("--markers").stdout.fnmatch_lines(["@pytest.mark.instantly(**kwargs)*"])


# --- the ready service ---------------------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "testing.md"


def test_the_service_fixture_is_connected_to_the_fake(
    instantly_columns_service: InstantlyColumns,
    instantly_columns_store: MemoryStore,
    fake_instantly: FakeInstantly,
) -> None:
    assert instantly_columns_service.tables is instantly_columns_store
    assert instantly_columns_store.get_key("default") is not None
    assert [(r.method, r.path, r.status) for r in fake_instantly.requests] == [
        ("GET", "/api/v2/workspaces/current", 200)
    ]
    assert instantly_columns_service.links() == []


@pytest.mark.instantly(seed=21, rate_limits=False)
def test_the_marker_configures_the_services_fake(
    instantly_columns_service: InstantlyColumns, fake_instantly: FakeInstantly
) -> None:
    assert fake_instantly.seed == 21
    assert fake_instantly.rate_limits is False


def test_the_package_authors_example_in_the_docs_passes(pytester: pytest.Pytester) -> None:
    # Exactly the ```py block of docs/testing.md, as a downstream project's test file.
    blocks = re.findall(r"^```py\n(.*?)^```", DOCS.read_text(encoding="utf-8"), re.S | re.M)
    assert len(blocks) == 1
    pytester.makepyfile(test_my_app=blocks[0])
    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_the_three_line_tests_are_three_lines() -> None:
    (block,) = re.findall(r"^```py\n(.*?)^```", DOCS.read_text(encoding="utf-8"), re.S | re.M)
    tests = re.findall(r"^def test_\w+\(.*?\):\n((?:    .*\n)+)", block, re.M)
    assert len(tests) == 3
    assert [len(body.splitlines()) for body in tests] == [2, 3, 2]


def test_the_link_fixture_is_a_wizard_made_link_ready_to_push(
    instantly_columns_service: InstantlyColumns,
    instantly_columns_link: str,
    instantly_columns_store: MemoryStore,
    fake_instantly: FakeInstantly,
) -> None:
    link = instantly_columns_service.link_store.link(instantly_columns_link)
    assert link.table_id == "leads"
    (campaign,) = fake_instantly.campaigns()
    assert (campaign["id"], campaign["name"], campaign["status"]) == (link.campaign_id, "Tests", 1)
    assert [r.id for r in instantly_columns_store.rows("leads")] == ["r1", "r2", "r3"]
    assert link.field_mapping["email"] == "Email"
    assert link.field_mapping["first_name"] == "First Name"
    assert fake_instantly.leads(link.campaign_id) == []  # nothing pushed yet
    report = instantly_columns_service.push(instantly_columns_link)
    assert report.counts == {"pushed": 3}
    ada = fake_instantly.lead_by_email("ada@example.com", link.campaign_id)
    assert ada is not None
    assert (ada["first_name"], ada["company_name"]) == ("Ada", "Analytical Engines")


@pytest.mark.parametrize("instantly_columns_rows", [[{"Work Email": "x@example.com"}]])
def test_the_rows_fixture_can_be_parametrized(
    instantly_columns_service: InstantlyColumns, instantly_columns_link: str
) -> None:
    assert instantly_columns_service.push(instantly_columns_link).counts == {"pushed": 1}


def test_link_table_names_the_refused_step(
    instantly_columns_service: InstantlyColumns, instantly_columns_store: MemoryStore
) -> None:
    rows = [{"Email": "ada@example.com"}]
    with pytest.raises(ConfigError) as unknown:
        link_table(
            instantly_columns_service, rows, campaign_id="0199c5a5-0000-7000-8000-000000000000"
        )
    assert [p.path for p in unknown.value.problems] == ["campaign.campaign_id"]
    with pytest.raises(ConfigError) as no_table:
        link_table(instantly_columns_service, table_id="nowhere")
    assert [p.path for p in no_table.value.problems] == ["connection.table_id"]
    with pytest.raises(ConfigError) as bad_override:
        link_table(instantly_columns_service, overrides={"email": "nope"})
    assert [p.path for p in bad_override.value.problems] == ["mapping.overrides.email"]
    assert instantly_columns_service.links() == []  # nothing was linked on the way


def test_link_table_links_an_existing_table_of_a_store_without_create_table(
    fake_instantly: FakeInstantly, fake_instantly_key: str
) -> None:
    class HostTables:
        """A host's table store: the port's methods only (no create_table)."""

        def __init__(self, inner: MemoryStore) -> None:
            self._inner = inner

        def __getattr__(self, name: str) -> object:
            if name in ("create_table", "insert_rows"):
                raise AttributeError(name)
            return getattr(self._inner, name)

    inner = MemoryStore()
    inner.create_table("people", "People")
    inner.save_columns("people", [Column(id="mail", key="mail", name="E-mail")])
    inner.insert_rows("people", [Row(id="p1", cells={"mail": "ada@example.com"})])
    service = InstantlyColumns(
        tables=HostTables(inner),  # type: ignore[arg-type]
        links=inner,
        credentials=inner,
        api_key=fake_instantly_key,
        transport=fake_instantly.as_transport(),
        clock=fake_instantly.clock,
    )
    with pytest.raises(ConfigError) as cannot:
        link_table(service, [{"Email": "x@example.com"}], table_id="other")
    assert [p.path for p in cannot.value.problems] == ["rows"]
    link = link_table(service, table_id="people", campaign_name="Host")
    assert service.push(link).counts == {"pushed": 1}


def test_the_store_fixture_can_be_overridden(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest
        from instantly_columns.storage import SQLiteStore

        @pytest.fixture
        def instantly_columns_store(tmp_path):
            store = SQLiteStore(tmp_path / "app.db")
            yield store
            store.close()
        """
    )
    pytester.makepyfile(
        """
        from instantly_columns.storage import SQLiteStore

        def test_sqlite(instantly_columns_service):
            assert isinstance(instantly_columns_service.tables, SQLiteStore)
            assert instantly_columns_service.tables.get_key("default") is not None
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
