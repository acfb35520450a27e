"""Dataframes in and out, through narwhals: pandas, polars or pyarrow, whichever you use.

- [`load_frame`][instantly_columns.frames.load_frame] and
  [`load_csv`][instantly_columns.frames.load_csv] put a table into a store: the table, a
  column per frame column (or CSV header), a row per frame row.
- [`table_frame`][instantly_columns.frames.table_frame] gives a table back as a dataframe,
  engagement columns included: one frame column per table column, named as the table names
  it, and the row id as a column.
- [`daily_frame`][instantly_columns.frames.daily_frame],
  [`history_frame`][instantly_columns.frames.history_frame] and
  [`push_frame`][instantly_columns.frames.push_frame] turn the analytics panel's daily
  series, sync runs and a push report into dataframes.

Needs the ``frames`` extra (``pip install 'instantly-columns[frames]'``, which brings
narwhals) and a dataframe library; none is required. ``backend`` names the one the frames
are made with (``"pandas"``, ``"polars"``, ``"pyarrow"``, or the module); by default the
first of those three that is installed. ``load_frame`` takes any frame narwhals knows.
``load_csv`` needs neither narwhals nor a dataframe library.
"""

from __future__ import annotations

import importlib.util
import json
import math
import numbers
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timezone
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

import attrs

from instantly_columns.csvfile import read_csv
from instantly_columns.domain.columns import CellValue, Column, Row
from instantly_columns.errors import ConfigError, RecordNotFound
from instantly_columns.ports import SyncRun, TableStore
from instantly_columns.service.facade import AsyncInstantlyColumns, InstantlyColumns
from instantly_columns.service.reports import AnalyticsPanel, PushReport, SyncReport

try:
    import narwhals.stable.v2 as nw
except ImportError:  # pragma: no cover - the frames extra is not installed
    nw = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from narwhals.stable.v2 import DataFrame
    from narwhals.stable.v2.dtypes import DType

__all__ = [
    "Backend",
    "LoadedTable",
    "TableWriter",
    "daily_frame",
    "history_frame",
    "load_csv",
    "load_frame",
    "push_frame",
    "table_frame",
]

Backend: TypeAlias = 'Literal["pandas", "polars", "pyarrow", "modin", "cudf"] | ModuleType | None'
"""``"pandas"``, ``"polars"``, ``"pyarrow"`` (or another library narwhals knows, or the
module); ``None`` picks the first of pandas, polars and pyarrow that is installed."""

_BACKENDS: tuple[Literal["pandas", "polars", "pyarrow"], ...] = ("pandas", "polars", "pyarrow")
_ROW_PAGE = 1000
_Kind = Literal["str", "int", "float", "bool", "datetime", "date", "null"]


class TableWriter(TableStore, Protocol):
    """What loading needs of a store besides the ``TableStore`` port: creating a table and
    inserting rows. Every bundled store (memory, SQLite, PostgreSQL) has both."""

    def create_table(self, table: str, name: str = "") -> None: ...

    def insert_rows(self, table: str, rows: Sequence[Row]) -> int: ...


@attrs.frozen
class LoadedTable:
    """What a load put in the store."""

    table_id: str
    columns: tuple[Column, ...]
    """The table's columns for the frame's columns (the row id column is not one)."""
    rows: int
    """Rows loaded."""

    def __repr__(self) -> str:
        return f"<LoadedTable {self.table_id!r}: {len(self.columns)} columns, {self.rows} rows>"


# --- in ----------------------------------------------------------------------------------


def load_frame(
    store: TableWriter,
    table_id: str,
    frame: Any,
    *,
    name: str | None = None,
    row_id: str | None = None,
) -> LoadedTable:
    """Load a dataframe (pandas, polars, pyarrow, or any narwhals knows) into ``store``.

    The table is created (named ``name``, else its id) unless it exists. Each frame column
    becomes a text column named by its header, with ids ``c0``, ``c1``, ... as the command
    line's import gives them; in an existing table a header that names a column already
    there fills that column. Missing values (``None``, ``NaN``, ``NaT``, empty strings) are
    left out; numbers and booleans stay numbers and booleans; dates and times become ISO
    text; anything else becomes its text.

    ``row_id`` names the frame column whose values are the row ids (a row that exists gets
    the frame's cells). Without it, rows get the ids ``r000001``, ``r000002``, ... in frame
    order, and a table that already holds rows is refused (say which column identifies
    them instead).

    Raises:
        ConfigError: an unknown, empty or repeated row id, or generated ids for a table that
            has rows.
        ImportError: narwhals is not installed (the ``frames`` extra).
    """
    data = _require().from_native(frame, eager_only=True)
    headers = [str(h) for h in data.columns]
    records = ([_cell(v) for v in row] for row in data.iter_rows(named=False))
    return _load(store, table_id, headers, records, name=name, row_id=row_id, rows=len(data))


def load_csv(
    store: TableWriter,
    table_id: str,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    row_id: str | None = None,
) -> LoadedTable:
    """Load a CSV export into ``store``, read as
    [`csvfile.read_csv`][instantly_columns.csvfile.read_csv] reads it (encoding, delimiter
    and the header row below notes found for you); every cell is text, as in the file.
    Columns and rows as in [`load_frame`][instantly_columns.frames.load_frame]; needs no
    dataframe library. To have numbers and dates typed, read the file with your dataframe
    library and call ``load_frame``."""
    table = read_csv(path)
    records = ([value or None for value in row] for row in table.rows)
    return _load(
        store,
        table_id,
        list(table.headers),
        records,
        name=name,
        row_id=row_id,
        rows=len(table.rows),
    )


def _load(
    store: TableWriter,
    table_id: str,
    headers: list[str],
    records: Iterable[Sequence[CellValue]],
    *,
    name: str | None,
    row_id: str | None,
    rows: int,
) -> LoadedTable:
    if row_id is not None and row_id not in headers:
        raise ConfigError(f"no column {row_id!r} in the frame", path="row_id")
    id_index = headers.index(row_id) if row_id is not None else None
    try:
        existing = store.columns(table_id)
    except RecordNotFound:
        store.create_table(table_id, name if name is not None else table_id)
        existing = []
    else:
        if name is not None:
            store.create_table(table_id, name)  # renames it
        if row_id is None and store.rows(table_id, [], limit=1):
            raise ConfigError(
                "the table already has rows: give row_id= to say which column identifies "
                "them (generated ids would overwrite rows)",
                path="row_id",
            )
    by_name = {c.name: c for c in reversed(existing)}  # the first of a repeated name
    taken = {c.id for c in existing}
    used: set[str] = set()
    columns: list[Column | None] = []
    new: list[Column] = []
    for i, header in enumerate(headers):
        if i == id_index:
            columns.append(None)
            continue
        column = by_name.get(header)
        if column is None or column.id in used:
            n = len(taken)
            while f"c{n}" in taken:
                n += 1
            column = Column(id=f"c{n}", key=f"c{n}", name=header)
            taken.add(column.id)
            new.append(column)
        used.add(column.id)
        columns.append(column)
    if new:
        store.save_columns(table_id, new)
    width = max(6, len(str(rows)))
    seen: set[str] = set()
    batch: list[Row] = []
    count = 0
    for n, record in enumerate(records, 1):
        rid = f"r{n:0{width}d}" if id_index is None else _row_id(record[id_index], n, seen)
        cells = {
            column.id: value
            for column, value in zip(columns, record, strict=True)
            if column is not None and value is not None
        }
        batch.append(Row(id=rid, cells=cells))
        count += 1
        if len(batch) >= _ROW_PAGE:
            store.insert_rows(table_id, batch)
            batch = []
    if batch:
        store.insert_rows(table_id, batch)
    return LoadedTable(table_id, tuple(c for c in columns if c is not None), count)


def _row_id(value: CellValue, n: int, seen: set[str]) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ConfigError(f"row {n} has no row id", path="row_id")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a pandas integer column with gaps reads as floats
    rid = value if isinstance(value, str) else json.dumps(value)
    if rid in seen:
        raise ConfigError(f"row id {rid!r} is repeated (row {n})", path="row_id")
    seen.add(rid)
    return rid


def _cell(value: Any) -> CellValue:
    """A frame value as a cell: JSON values, missing values as ``None``."""
    if value is None:
        return None
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing markers
        return None
    item = getattr(value, "item", None)
    if (
        callable(item)
        and not isinstance(value, str | bytes | Mapping)
        and type(value).__module__.startswith("numpy")
    ):
        value = item()  # a numpy scalar
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _cell(v) for k, v in value.items()}
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        value = tolist()  # a numpy array (a list cell read by pandas)
    if isinstance(value, list | tuple):
        return [_cell(v) for v in value]
    return str(value)


# --- out ---------------------------------------------------------------------------------


def table_frame(
    source: TableStore | InstantlyColumns | AsyncInstantlyColumns,
    table_id: str,
    *,
    backend: Backend = None,
    row_id: str = "row_id",
) -> Any:
    """A table as a dataframe: the row id (column ``row_id``) and a column per table column,
    named as the table names it, engagement columns included. ``source`` is a table store
    or a service (its ``tables``).

    Typed where the table's columns say so: reply and open counts are integers, last
    contacted is a UTC datetime, a push result shows its status (``pushed``, ``failed``...);
    other columns take the type all their cells share (text when they differ; objects as
    JSON text). ``campaign_config`` columns hold no cells and are left out. A name used by
    two columns gets the column id in brackets the second time."""
    tables = (
        source.tables if isinstance(source, InstantlyColumns | AsyncInstantlyColumns) else source
    )
    columns = [c for c in tables.columns(table_id) if c.subtype != "campaign_config"]
    ids = [c.id for c in columns]
    row_ids: list[str] = []
    cells: dict[str, list[CellValue]] = {c.id: [] for c in columns}
    after: str | None = None
    while page := tables.rows(table_id, ids, after=after, limit=_ROW_PAGE):
        for row in page:
            row_ids.append(row.id)
            for column in columns:
                cells[column.id].append(row.cells.get(column.id))
        after = page[-1].id
    out: list[tuple[str, _Kind, list[Any]]] = [(row_id, "str", row_ids)]
    names = {row_id}
    for column in columns:
        label = column.name if column.name not in names else f"{column.name} [{column.id}]"
        names.add(label)
        out.append((label, *_typed(column, cells[column.id])))
    return _frame(out, backend)


def _typed(column: Column, values: list[CellValue]) -> tuple[_Kind, list[Any]]:
    subtype = column.subtype
    if subtype in ("reply_count", "open_count"):
        return "int", [
            v if isinstance(v, int) and not isinstance(v, bool) else None for v in values
        ]
    if subtype == "last_contacted":
        return "datetime", [_timestamp(v) for v in values]
    if subtype == "push_action":
        return "str", [v.get("status") if isinstance(v, Mapping) else v for v in values]
    kinds = {_kind_of(v) for v in values} - {"null"}
    if kinds == {"float", "int"}:
        return "float", [None if v is None else float(v) for v in values]  # type: ignore[arg-type]
    if len(kinds) == 1:
        (kind,) = kinds
        if kind != "str" or all(isinstance(v, str | None) for v in values):
            return kind, values
    return "str", [_text(v) for v in values]


def _kind_of(value: CellValue) -> _Kind:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


def _text(value: CellValue) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _timestamp(value: CellValue) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


_DAILY = (
    "sent",
    "contacted",
    "opened",
    "unique_opened",
    "replies",
    "unique_replies",
    "clicks",
    "unique_clicks",
)


def daily_frame(panel: AnalyticsPanel, *, backend: Backend = None) -> Any:
    """The analytics panel's daily series, a row per day: ``date`` and the day's counts
    (``sent``, ``contacted``, ``opened``, ``unique_opened``, ``replies``,
    ``unique_replies``, ``clicks``, ``unique_clicks``). ``date`` is a date column (with
    pandas a ``datetime64`` at midnight, pandas' type for dates)."""
    days = [date.fromisoformat(d.date[:10]) for d in panel.daily]
    out: list[tuple[str, _Kind, list[Any]]] = [("date", "date", days)]
    out += [(f, "int", [getattr(d, f) for d in panel.daily]) for f in _DAILY]
    return _frame(out, backend)


def history_frame(runs: Iterable[SyncRun | SyncReport], *, backend: Backend = None) -> Any:
    """Sync runs (``service.history(link)``, or the reports of ``sync_table``), a row each:
    ``run_id``, ``integration_id``, ``status``, ``started_at``, ``finished_at`` (UTC),
    ``seconds``, the counts, and ``errors`` joined by ``"; "``."""
    items = [r.run if isinstance(r, SyncReport) else r for r in runs]
    out: list[tuple[str, _Kind, list[Any]]] = [
        ("run_id", "str", [r.id for r in items]),
        ("link_id", "str", [r.link_id for r in items]),
        ("status", "str", [r.status for r in items]),
        ("started_at", "datetime", [r.started_at.astimezone(timezone.utc) for r in items]),
        ("finished_at", "datetime", [_utc(r.finished_at) for r in items]),
        (
            "seconds",
            "float",
            [
                (r.finished_at - r.started_at).total_seconds() if r.finished_at else None
                for r in items
            ],
        ),
        ("leads_seen", "int", [r.leads_seen for r in items]),
        ("rows_matched", "int", [r.rows_matched for r in items]),
        ("leads_unmatched", "int", [r.leads_unmatched for r in items]),
        ("duplicate_rows", "int", [r.duplicate_rows for r in items]),
        ("cells_written", "int", [r.cells_written for r in items]),
        ("errors", "str", ["; ".join(r.errors) or None for r in items]),
    ]
    return _frame(out, backend)


def push_frame(report: PushReport, *, backend: Backend = None) -> Any:
    """A push report, a row per input row: ``row_id``, ``status``, ``email``, ``lead_id``,
    ``error`` and ``pushed_at`` (UTC)."""
    columns: tuple[list[Any], ...] = ([], [], [], [], [], [])
    for r in report.rows:  # one pass: a large report reads its rows back a page at a time
        for column, value in zip(
            columns,
            (r.row_id, r.status, r.email, r.lead_id, r.error, _utc(r.pushed_at)),
            strict=True,
        ):
            column.append(value)
    names = ("row_id", "status", "email", "lead_id", "error", "pushed_at")
    kinds: tuple[_Kind, ...] = ("str", "str", "str", "str", "str", "datetime")
    out: list[tuple[str, _Kind, list[Any]]] = list(zip(names, kinds, columns, strict=True))
    return _frame(out, backend)


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(timezone.utc)


# --- narwhals ------------------------------------------------------------------------------


def _require() -> ModuleType:
    if nw is None:  # pragma: no cover - the frames extra is not installed
        raise ImportError(
            "instantly_columns.frames needs narwhals: pip install 'instantly-columns[frames]'"
        )
    return nw


def _backend(
    backend: Backend,
) -> Literal["pandas", "polars", "pyarrow", "modin", "cudf"] | ModuleType:
    if backend is not None:
        return backend
    for candidate in _BACKENDS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise ImportError("no dataframe library: install pandas, polars or pyarrow")


def _frame(columns: list[tuple[str, _Kind, list[Any]]], backend: Backend) -> Any:
    """A native frame of these columns. A column with no value at all (or no rows) gets its
    kind's type, since there is nothing to infer it from."""
    _require()
    chosen = _backend(backend)
    pandas_like = _is_pandas_like(chosen)
    data: dict[str, list[Any]] = {}
    for name, kind, values in columns:
        if kind == "date" and pandas_like:
            values = [datetime.combine(d, time()) for d in values]
        data[name] = values
    frame: DataFrame[Any] = nw.from_dict(data, backend=chosen)
    casts = [
        nw.col(name).cast(_dtype(kind, pandas_like))
        for name, kind, values in columns
        if all(v is None for v in values)
    ]
    if casts:
        frame = frame.with_columns(*casts)
    return frame.to_native()


def _is_pandas_like(backend: str | ModuleType) -> bool:
    name = backend if isinstance(backend, str) else backend.__name__
    return name.split(".")[0] in ("pandas", "modin", "cudf")


def _dtype(kind: _Kind, pandas_like: bool) -> DType:
    if kind == "int":
        return nw.Float64() if pandas_like else nw.Int64()  # pandas' int64 has no missing value
    if kind == "float":
        return nw.Float64()
    if kind == "datetime":
        return nw.Datetime("us", "UTC")
    if kind == "date":
        return nw.Datetime("us") if pandas_like else nw.Date()
    if kind == "bool":
        return nw.Boolean()
    return nw.String()
