"""pytest plugin of instantly-columns: the ``fake_instantly`` fixtures, a ready service, and
the ``instantly`` marker.

Installed as a ``pytest11`` entry point, so any project that installs instantly-columns gets::

    def test_push(fake_instantly):                 # a fresh FakeInstantly, own FakeClock
        key = fake_instantly.create_api_key()
        ...

    def test_my_flow(instantly_columns_service):   # InstantlyColumns, connected to that fake
        instantly_columns_service.tables.create_table("leads", "Leads")
        ...

    def test_push(instantly_columns_service, instantly_columns_link):   # a linked table
        report = instantly_columns_service.push(instantly_columns_link)
        assert report.counts == {"pushed": 3}

    @pytest.mark.instantly(rate_limits=False, seed=7)   # FakeInstantly keyword arguments
    def test_bulk(fake_instantly): ...

The marker's keyword arguments go to the ``FakeInstantly`` constructor; the nearest marker
(function, then class, then module) wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from instantly_columns.domain.columns import CellValue
    from instantly_columns.service.facade import InstantlyColumns
    from instantly_columns.storage import MemoryStore
    from instantly_columns.testing import FakeInstantly

__all__ = [
    "fake_instantly",
    "fake_instantly_key",
    "instantly_columns_link",
    "instantly_columns_rows",
    "instantly_columns_service",
    "instantly_columns_store",
    "pytest_configure",
]

_MARKER_HELP = (
    "instantly(**kwargs): configure the fake_instantly fixture; keyword arguments go to "
    "FakeInstantly (rate_limits=False, seed=7, unpaid=True, edge_block=True, ...)"
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``instantly`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line("markers", _MARKER_HELP)


@pytest.fixture
def fake_instantly(request: pytest.FixtureRequest) -> Iterator[FakeInstantly]:
    """A fresh :class:`~instantly_columns.testing.FakeInstantly` with its own ``FakeClock``,
    configured by the nearest ``@pytest.mark.instantly(...)``.

    If the fake itself failed while answering (it then answers 500), the test errors at
    teardown with that exception, so a bug in the fake never passes for an API error.
    """
    from instantly_columns.testing import FakeClock, FakeInstantly

    marker = request.node.get_closest_marker("instantly")
    kwargs = dict(marker.kwargs) if marker is not None else {}
    if marker is not None and marker.args:
        raise pytest.UsageError("@pytest.mark.instantly takes keyword arguments only")
    kwargs.setdefault("clock", FakeClock())
    try:
        fake = FakeInstantly(**kwargs)
    except TypeError as exc:
        raise pytest.UsageError(f"@pytest.mark.instantly: {exc}") from None
    yield fake
    errors = fake.internal_errors
    if errors:
        raise RuntimeError(f"FakeInstantly failed while answering: {errors[0]!r}") from errors[0]


@pytest.fixture
def fake_instantly_key(fake_instantly: FakeInstantly) -> str:
    """A raw API key (all scopes) of the ``fake_instantly`` workspace."""
    return fake_instantly.create_api_key(name="pytest")


@pytest.fixture
def instantly_columns_store() -> Iterator[MemoryStore]:
    """A fresh, empty :class:`~instantly_columns.storage.MemoryStore` (tables, links and
    keys), closed after the test. Override this fixture in your ``conftest.py`` to run the
    service on another store (``SQLiteStore(tmp_path / "t.db")``, your own adapter)."""
    from instantly_columns.storage import MemoryStore

    store = MemoryStore()
    yield store
    store.close()


@pytest.fixture
def instantly_columns_service(
    instantly_columns_store: MemoryStore,
    fake_instantly: FakeInstantly,
    fake_instantly_key: str,
) -> Iterator[InstantlyColumns]:
    """An :class:`~instantly_columns.InstantlyColumns` on ``instantly_columns_store``,
    talking to ``fake_instantly`` (its httpx transport, on its clock) with
    ``fake_instantly_key`` connected as the ``"default"`` credential, so the wizard skips
    the connection step. Connecting made one request (``GET /api/v2/workspaces/current``).
    Closed after the test."""
    from instantly_columns.service.facade import InstantlyColumns

    service = InstantlyColumns(
        instantly_columns_store,
        transport=fake_instantly.httpx_transport(),
        clock=fake_instantly.clock,
    )
    service.connect(fake_instantly_key)
    yield service
    service.close()


@pytest.fixture
def instantly_columns_rows() -> list[dict[str, CellValue]]:
    """The rows of the table that ``instantly_columns_link`` links: three leads, with the
    columns ``Email``, ``First Name`` and ``Company``. Override it for other rows, in a
    ``conftest.py`` or for one test with
    ``@pytest.mark.parametrize("instantly_columns_rows", [[{"Email": ...}, ...]])``; each key
    becomes a column (id and name), and the rows get the ids ``r1``, ``r2``..."""
    return [
        {"Email": "ada@example.com", "First Name": "Ada", "Company": "Analytical Engines"},
        {"Email": "grace@example.com", "First Name": "Grace", "Company": "Compilers Inc"},
        {"Email": "linus@example.com", "First Name": "Linus", "Company": "Kernel BV"},
    ]


#: The one step of the campaign ``instantly_columns_link`` links.
_STEP = {
    "type": "email",
    "delay": 2,
    "variants": [{"subject": "Hi {{firstName}}", "body": "A quick question about {{companyName}}"}],
}


@pytest.fixture
def instantly_columns_link(
    instantly_columns_service: InstantlyColumns,
    fake_instantly: FakeInstantly,
    instantly_columns_rows: list[dict[str, CellValue]],
) -> str:
    """The id of a campaign link, ready to push and sync: the table ``"leads"`` of
    ``instantly_columns_store``, holding ``instantly_columns_rows``, linked by the wizard
    (:func:`~instantly_columns.testing.link_table`) to the campaign ``"Tests"`` on
    ``fake_instantly``, which has one email step and is active, so pushed leads are sent
    as the fake's time advances (``fake_instantly.advance(timedelta(days=3))``). Nothing is
    pushed yet."""
    from instantly_columns.testing import link_table

    campaign = fake_instantly.create_campaign("Tests", sequences=[{"steps": [_STEP]}])
    fake_instantly.activate(campaign["id"])
    return link_table(instantly_columns_service, instantly_columns_rows, campaign_id=campaign["id"])
