"""Dataframes in and out through narwhals, with pandas and with polars."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Literal

import pytest

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
nw = pytest.importorskip("narwhals.stable.v2")

from _scenario import TABLE, Campaign, run_campaign  # noqa: E402
from instantly_columns.domain.columns import Column, Row  # noqa: E402
from instantly_columns.errors import ConfigError  # noqa: E402
from instantly_columns.frames import (  # noqa: E402
    LoadedTable,
    daily_frame,
    history_frame,
    load_csv,
    load_frame,
    push_frame,
    table_frame,
)
from instantly_columns.storage import MemoryStore  # noqa: E402

Library = Literal["pandas", "polars"]
BACKENDS: list[Library] = ["pandas", "polars"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Library:
    lib: Library = request.param
    return lib


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return run_campaign()


def native(backend: Library, data: dict[str, list[Any]]) -> Any:
    return pd.DataFrame(data) if backend == "pandas" else pl.DataFrame(data, strict=False)


def _plain(value: Any) -> Any:
    if value is None or type(value).__name__ in ("NaTType", "NAType"):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return value


def records(frame: Any) -> list[dict[str, Any]]:
    """A frame's rows as plain Python values, whichever library made it."""
    rows = nw.from_native(frame, eager_only=True).iter_rows(named=True)
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def schema(frame: Any) -> dict[str, Any]:
    return dict(nw.from_native(frame, eager_only=True).schema)


def is_native(frame: Any, backend: Library) -> bool:
    return isinstance(frame, pd.DataFrame if backend == "pandas" else pl.DataFrame)


# --- in ----------------------------------------------------------------------------------


def test_a_frame_becomes_a_table_with_a_column_per_frame_column(backend: Library) -> None:
    store = MemoryStore()
    frame = native(
        backend,
        {
            "E-Mail-Adresse": ["ada@example.com", None, "grace@example.com"],
            "Vorname": ["Ada", "Bob", ""],
            "Mitarbeiter": [12, None, 30],
            "Kunde": [True, False, None],
        },
    )
    loaded = load_frame(store, "leads", frame, name="Leads")
    assert loaded == LoadedTable(
        "leads",
        (
            Column(id="c0", key="c0", name="E-Mail-Adresse"),
            Column(id="c1", key="c1", name="Vorname"),
            Column(id="c2", key="c2", name="Mitarbeiter"),
            Column(id="c3", key="c3", name="Kunde"),
        ),
        3,
    )
    assert repr(loaded) == "<LoadedTable 'leads': 4 columns, 3 rows>"
    assert store.columns("leads") == list(loaded.columns)
    rows = {r.id: r.cells for r in store.rows("leads")}
    assert rows == {
        "r000001": {"c0": "ada@example.com", "c1": "Ada", "c2": 12, "c3": True},
        "r000002": {"c1": "Bob", "c3": False},  # missing values are left out
        "r000003": {"c0": "grace@example.com", "c2": 30},
    }
    # A pandas integer column with a gap holds floats; the numbers are the same.
    assert all(type(rows[r]["c2"]) in (int, float) for r in ("r000001", "r000003"))


def test_the_detected_mapping_works_on_a_loaded_table(backend: Library) -> None:
    from instantly_columns.service.facade import InstantlyColumns
    from instantly_columns.testing import FakeInstantly

    store = MemoryStore()
    frame = native(backend, {"E-Mail": ["a@x.com", "b@x.com"], "Firma": ["Acme", "Globex"]})
    load_frame(store, "leads", frame)
    service = InstantlyColumns(store, transport=FakeInstantly().as_transport())
    mapping = service.detect_mapping("leads")  # in column ids
    assert (mapping.email, mapping.company_name) == ("c0", "c1")
    assert (mapping.label("c0"), mapping.label("c1")) == ("E-Mail", "Firma")


def test_dates_become_iso_text_and_lists_stay_lists(backend: Library) -> None:
    store = MemoryStore()
    frame = native(
        backend,
        {
            "Email": ["a@x.com", "b@x.com"],
            "Since": [datetime(2024, 1, 2, 3, 4, 5), None],
            "Day": [date(2024, 5, 6), date(2024, 5, 7)],
            "Tags": [["a", "b"], []],
        },
    )
    load_frame(store, "t", frame)
    rows = {r.id: r.cells for r in store.rows("t")}
    assert rows["r000001"]["c1"] == "2024-01-02T03:04:05"
    assert "c1" not in rows["r000002"]
    assert str(rows["r000001"]["c2"]).startswith("2024-05-06")
    assert rows["r000001"]["c3"] == ["a", "b"]


def test_a_row_id_column_names_the_rows(backend: Library) -> None:
    store = MemoryStore()
    frame = native(backend, {"id": ["crm-7", "crm-9"], "Email": ["a@x.com", "b@x.com"]})
    loaded = load_frame(store, "t", frame, row_id="id")
    assert [c.name for c in loaded.columns] == ["Email"]  # the id is no column
    assert [(r.id, r.cells) for r in store.rows("t")] == [
        ("crm-7", {"c0": "a@x.com"}),
        ("crm-9", {"c0": "b@x.com"}),
    ]
    # Loading again with ids: the same columns are filled, new ones added, rows updated.
    more = native(
        backend, {"id": ["crm-9", "crm-11"], "Email": ["b2@x.com", "c@x.com"], "N": [1, 2]}
    )
    again = load_frame(store, "t", more, row_id="id")
    assert [(c.id, c.name) for c in again.columns] == [("c0", "Email"), ("c1", "N")]
    assert {r.id: r.cells for r in store.rows("t")} == {
        "crm-7": {"c0": "a@x.com"},
        "crm-9": {"c0": "b2@x.com", "c1": 1},
        "crm-11": {"c0": "c@x.com", "c1": 2},
    }


def test_integer_row_ids_read_as_text(backend: Library) -> None:
    store = MemoryStore()
    load_frame(store, "t", native(backend, {"id": [10, 11], "Email": ["a@x", None]}), row_id="id")
    assert [r.id for r in store.rows("t")] == ["10", "11"]


@pytest.mark.parametrize(
    ("data", "row_id", "message"),
    [
        ({"Email": ["a@x.com"]}, "id", "no column 'id' in the frame"),
        ({"id": ["a", "a"], "Email": ["a@x.com", "b@x.com"]}, "id", "row id 'a' is repeated"),
        ({"id": ["a", None], "Email": ["a@x.com", "b@x.com"]}, "id", "row 2 has no row id"),
    ],
)
def test_bad_row_ids_are_refused(
    backend: Library, data: dict[str, list[Any]], row_id: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_frame(MemoryStore(), "t", native(backend, data), row_id=row_id)


def test_generated_ids_never_overwrite_the_rows_of_a_table(backend: Library) -> None:
    store = MemoryStore()
    load_frame(store, "t", native(backend, {"Email": ["a@x.com"]}))
    with pytest.raises(ConfigError, match="already has rows"):
        load_frame(store, "t", native(backend, {"Email": ["b@x.com"]}))
    assert [r.cells for r in store.rows("t")] == [{"c0": "a@x.com"}]


def test_a_csv_loads_as_text_without_a_dataframe_library(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        "Exported 2026-01-05\n\nE-Mail;Vorname;PLZ\nada@x.de;Ada;01234\ngrace@x.de;;80331\n".encode(
            "utf-8-sig"
        )
    )
    store = MemoryStore()
    loaded = load_csv(store, "csv", path, name="Export")
    assert [c.name for c in loaded.columns] == ["E-Mail", "Vorname", "PLZ"]
    assert loaded.rows == 2
    assert [r.cells for r in store.rows("csv")] == [
        {"c0": "ada@x.de", "c1": "Ada", "c2": "01234"},  # text, as in the file
        {"c0": "grace@x.de", "c2": "80331"},
    ]


# --- out ---------------------------------------------------------------------------------


def test_a_table_comes_back_with_its_engagement_columns(
    backend: Library, campaign: Campaign
) -> None:
    frame = table_frame(campaign.store, TABLE, backend=backend)
    assert is_native(frame, backend)
    names = [c.name for c in campaign.store.columns(TABLE) if c.subtype != "campaign_config"]
    assert list(schema(frame)) == ["row_id", *names]
    assert names == [
        "Email",
        "First Name",
        "Employees",
        "Push · Q3 founders",
        "Engagement Status · Q3 founders",
        "Email Status · Q3 founders",
        "Last Contacted · Q3 founders",
        "Replies · Q3 founders",
        "Opens · Q3 founders",
    ]
    rows = records(frame)
    assert [r["row_id"] for r in rows] == [f"r{i:03d}" for i in range(30)]
    first = rows[0]
    assert first["Email"] == "p0@example.com"
    assert first["Employees"] == 10
    types = schema(frame)
    assert types["Employees"] == nw.Int64
    assert types["Replies · Q3 founders"] == nw.Int64
    assert types["Last Contacted · Q3 founders"] == nw.Datetime
    assert types["Last Contacted · Q3 founders"].time_zone == "UTC"
    # The same values as the store's cells, typed.
    cells = {r.id: r.cells for r in campaign.store.rows(TABLE)}
    by_name = {c.name: c for c in campaign.store.columns(TABLE)}
    for row in rows:
        stored = cells[row["row_id"]]
        contacted = stored.get(by_name["Last Contacted · Q3 founders"].id)
        moment = row["Last Contacted · Q3 founders"]
        assert (moment is None) == (contacted is None)
        if moment is not None:
            assert moment.isoformat(timespec="milliseconds").replace("+00:00", "Z") == contacted
        assert row["Replies · Q3 founders"] == stored.get(by_name["Replies · Q3 founders"].id)
        push = next(c for c in by_name.values() if c.subtype == "push_action")
        cell = stored[push.id]
        assert isinstance(cell, dict)
        assert row[push.name] == cell["status"] == "pushed"


def test_a_service_stands_for_its_store(campaign: Campaign) -> None:
    assert records(table_frame(campaign.service, TABLE, backend="polars")) == records(
        table_frame(campaign.store, TABLE, backend="polars")
    )


def test_mixed_cells_read_as_text_and_repeated_names_get_the_column_id(backend: Library) -> None:
    store = MemoryStore()
    store.create_table("t", "T")
    store.save_columns(
        "t",
        [
            Column(id="a", key="a", name="Value"),
            Column(id="b", key="b", name="Value"),
            Column(id="c", key="c", name="row_id"),
            Column(id="d", key="d", name="Empty"),
        ],
    )
    store.insert_rows(
        "t",
        [
            Row(id="1", cells={"a": 1, "b": {"x": 1}, "c": "own"}),
            Row(id="2", cells={"a": "two", "b": 2.5}),
        ],
    )
    frame = table_frame(store, "t", backend=backend)
    assert list(schema(frame)) == ["row_id", "Value", "Value [b]", "row_id [c]", "Empty"]
    assert schema(frame)["Empty"] == nw.String
    assert records(frame) == [
        {"row_id": "1", "Value": "1", "Value [b]": '{"x": 1}', "row_id [c]": "own", "Empty": None},
        {"row_id": "2", "Value": "two", "Value [b]": "2.5", "row_id [c]": None, "Empty": None},
    ]


def test_an_empty_table_is_an_empty_frame_with_its_columns(backend: Library) -> None:
    store = MemoryStore()
    store.create_table("t", "T")
    store.save_columns("t", [Column(id="a", key="a", name="Email")])
    frame = table_frame(store, "t", backend=backend, row_id="id")
    assert records(frame) == []
    assert list(schema(frame)) == ["id", "Email"]


def test_the_daily_series(backend: Library, campaign: Campaign) -> None:
    panel = campaign.service.analytics(campaign.link)
    frame = daily_frame(panel, backend=backend)
    rows = records(frame)
    assert len(rows) == len(panel.daily) > 1
    assert [r["sent"] for r in rows] == [d.sent for d in panel.daily]
    assert sum(r["sent"] for r in rows) == panel.emails_sent
    first = rows[0]["date"]
    assert first.isoformat()[:10] == panel.daily[0].date[:10]
    assert list(schema(frame)) == [
        "date",
        "sent",
        "contacted",
        "opened",
        "unique_opened",
        "replies",
        "unique_replies",
        "clicks",
        "unique_clicks",
    ]
    assert schema(frame)["date"] == (nw.Datetime if backend == "pandas" else nw.Date)


def test_the_history_of_syncs(backend: Library, campaign: Campaign) -> None:
    campaign.service.sync(campaign.link, progress=False)
    runs = campaign.service.history(campaign.link)
    frame = history_frame(runs, backend=backend)
    rows = records(frame)
    assert [r["run_id"] for r in rows] == [r.id for r in runs]
    assert [r["status"] for r in rows] == ["ok"] * len(runs)
    assert rows[-1]["leads_seen"] == 30
    assert rows[-1]["started_at"] == runs[-1].started_at
    assert rows[-1]["errors"] is None
    assert schema(frame)["finished_at"].time_zone == "UTC"
    # Reports work too, and no runs at all give the columns with their types.
    assert (
        records(history_frame([campaign.sync], backend=backend))[0]["run_id"]
        == campaign.sync.run.id
    )
    empty = history_frame([], backend=backend)
    assert records(empty) == []
    assert schema(empty)["leads_seen"] == (nw.Float64 if backend == "pandas" else nw.Int64)
    assert schema(empty)["started_at"] == nw.Datetime


def test_a_push_report(backend: Library, campaign: Campaign) -> None:
    frame = push_frame(campaign.push, backend=backend)
    rows = records(frame)
    assert len(rows) == 30
    assert {r["status"] for r in rows} == {"pushed"}
    assert rows[0]["row_id"] == "r000"
    assert rows[0]["lead_id"] == campaign.push.rows[0].lead_id
    assert rows[0]["pushed_at"] == campaign.push.rows[0].pushed_at
    assert rows[0]["pushed_at"].tzinfo is not None
    assert schema(frame)["error"] == nw.String  # no errors: still text


def test_the_default_backend_is_the_first_installed(campaign: Campaign) -> None:
    assert isinstance(push_frame(campaign.push), pd.DataFrame)
    assert isinstance(push_frame(campaign.push, backend=pl), pl.DataFrame)  # a module works too
    moment = records(push_frame(campaign.push, backend="polars"))[0]["pushed_at"]
    assert moment.utcoffset() == timezone.utc.utcoffset(None)
