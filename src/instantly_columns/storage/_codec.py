"""How the adapters check and encode what they store. Shared by all of them, so that the
memory store and the SQL stores accept, reject and compare exactly the same values.

A cell is kept as exactly one of three representations:

- ``s``: the text itself, for a string without NUL characters or lone surrogates;
- ``i``: a signed 64-bit integer (``bool`` is not an integer here);
- ``j``: canonical JSON text for anything else (floats, booleans, lists, objects, huge
  integers, strings that ``s`` cannot hold). Canonical means sorted object keys and compact
  separators, so equal values have equal text.

Two cells are equal when their triples are equal, which is how "changed" is counted. String
cells also get ``norm``, the key of the lookup index (see :func:`norm_key`).
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import operator
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Final, NamedTuple, TypeAlias, get_args, overload

import attrs

from instantly_columns.domain.columns import (
    ENGAGEMENT_SUBTYPES,
    CellValue,
    Column,
    Row,
    SequenceMode,
)
from instantly_columns.domain.engagement import EngagementSubtype
from instantly_columns.errors import ConfigError, InvalidColumnConfig, Problem, SyncInProgress
from instantly_columns.ports import (
    CampaignLink,
    CellWrite,
    ColumnId,
    EngagementGroup,
    LedgerEntry,
    PushStatus,
    RowId,
    RunStatus,
    SyncRun,
)

__all__ = [
    "COUNT_MAX",
    "DEFAULT_CHUNK_SIZE",
    "ID_MAX_LENGTH",
    "KEY_MAX_LENGTH",
    "NORM_MAX_LENGTH",
    "Batch",
    "Encoded",
    "EncodedCell",
    "Pending",
    "Prepared",
    "PreparedRow",
    "RawGroup",
    "check_id",
    "check_ids",
    "check_integration",
    "check_key",
    "check_ledger",
    "check_limit",
    "check_run",
    "check_stale",
    "chunked",
    "column_from_record",
    "column_records",
    "count_value",
    "decode_cell",
    "decode_text",
    "dump_json",
    "encode_cell",
    "encode_text",
    "engagement_columns",
    "event_key",
    "fold_groups",
    "gc_paused",
    "ledger_winner",
    "lookup_keys",
    "norm_key",
    "prepare_batch",
    "prepare_rows",
    "prepare_writes",
    "row_chunks",
    "seconds",
    "status_key",
    "strings",
    "takeover_note",
    "to_utc",
]

#: Cells per transaction in ``write_cells`` unless the adapter is told otherwise.
DEFAULT_CHUNK_SIZE: Final = 1000
#: Longest normalised string kept verbatim in the lookup index; longer ones are hashed.
NORM_MAX_LENGTH: Final = 200
#: Longest id (table, row, column, integration, run, credential) accepted.
ID_MAX_LENGTH: Final = 255
#: Longest column key accepted (keys embed an integration id).
KEY_MAX_LENGTH: Final = 512
#: Count cells outside ``0..COUNT_MAX`` are malformed and count as zero in aggregates.
COUNT_MAX: Final = 2**31 - 1

_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_MAX_DEPTH: Final = 64
_MAX_PROBLEMS: Final = 20
_GC_PAUSE_FROM: Final = 10_000  # cells in a batch from which encoding pauses the cyclic GC
_ESCAPE: Final = "\x1b"
# Characters PostgreSQL text cannot hold (NUL) or UTF-8 cannot encode (lone surrogates).
_UNSAFE: Final = re.compile("[\x00\ud800-\udfff]")
_RUN_STATUSES: Final[frozenset[str]] = frozenset(get_args(RunStatus))
_PUSH_STATUSES: Final[frozenset[str]] = frozenset(get_args(PushStatus))
_SEQUENCE_MODES: Final[frozenset[str]] = frozenset(get_args(SequenceMode))


class EncodedCell(NamedTuple):
    """A cell as stored: exactly one of ``s``, ``i``, ``j`` is set; ``norm`` for strings.
    (A named tuple: there are many of them, and building one must be cheap.)"""

    s: str | None
    i: int | None
    j: str | None
    norm: str | None

    @property
    def triple(self) -> tuple[str | None, int | None, str | None]:
        return (self.s, self.i, self.j)


RawGroup: TypeAlias = tuple[
    str | None,  # email_status s
    int | None,  # email_status i
    str | None,  # email_status j
    str | None,  # engagement_status s
    int | None,  # engagement_status i
    str | None,  # engagement_status j
    int,  # rows
    int,  # reply total
    int,  # open total
    int,  # opened rows
    str | None,  # max last_contacted
]
"""One row of the SQL ``GROUP BY``: the two status cells as stored, then the sums."""

Encoded: TypeAlias = tuple[str | None, int | None, str | None, str | None]
"""A cell as stored, ``(s, i, j, norm)``: an :class:`EncodedCell`, or a plain tuple where
millions are made (the bulk path), since a named tuple costs a second allocation."""
Prepared: TypeAlias = dict[tuple[RowId, ColumnId], Encoded | None]
"""Validated cell writes: ``{(row id, column id): encoded value or None to delete}``."""
Pending: TypeAlias = list[tuple[tuple[RowId, ColumnId], Encoded | None]]
"""Validated cell writes as pairs: ``((row id, column id), encoded value or None)``."""
PreparedRow: TypeAlias = tuple[RowId, Pending]


# --- cells -----------------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if _UNSAFE.search(text):  # a lone surrogate: keep the text ASCII so it can be stored
        text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return text


_LONGEST_INT = 4300  # digits Python converts between int and text by default


def _long_int_problem(number: int, path: str) -> Problem | None:
    # Fewer than 14,000 bits means fewer than 4,300 digits: no need to look closer.
    if number.bit_length() > 14_000 and abs(number) >= 10**_LONGEST_INT:
        return Problem(path, f"integers of more than {_LONGEST_INT} digits cannot be stored")
    return None


def _json_problem(value: Any, path: str, depth: int = 0) -> Problem | None:
    """The first reason ``value`` is not a JSON value that round-trips exactly, if any."""
    if depth > _MAX_DEPTH:
        return Problem(path, f"nested more than {_MAX_DEPTH} levels deep")
    if isinstance(value, int) and not isinstance(value, bool):
        return _long_int_problem(value, path)
    if value is None or isinstance(value, (str, bool)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else Problem(path, "NaN and infinity are not JSON")
    if isinstance(value, list):
        for n, item in enumerate(value):
            found = _json_problem(item, f"{path}[{n}]", depth + 1)
            if found is not None:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return Problem(path, f"object keys must be strings, not {type(key).__name__}")
            found = _json_problem(item, f"{path}.{key}", depth + 1)
            if found is not None:
                return found
        return None
    return Problem(path, f"not a JSON value ({type(value).__name__})")


def encode_cell(value: CellValue, path: str) -> EncodedCell:
    """Encode a non-null cell value, or raise ``ConfigError`` naming ``path``."""
    if isinstance(value, bool):
        return EncodedCell(None, None, "true" if value else "false", None)
    if isinstance(value, int):
        number = int(value)
        if _INT64_MIN <= number <= _INT64_MAX:
            return EncodedCell(None, number, None, None)
        problem = _long_int_problem(number, path)
        if problem is not None:
            raise ConfigError([problem])
        return EncodedCell(None, None, str(number), None)
    if isinstance(value, str):
        text = str.__str__(value)
        if _UNSAFE.search(text):
            return EncodedCell(None, None, json.dumps(text), norm_key(text))
        return EncodedCell(text, None, None, norm_key(text))
    problem = _json_problem(value, path)
    if problem is not None or value is None:
        raise ConfigError([problem or Problem(path, "None clears a cell; it is not stored")])
    return EncodedCell(None, None, _canonical(value), None)


def decode_cell(s: str | None, i: int | None, j: str | None) -> CellValue:
    """The value of a stored cell."""
    if s is not None:
        return s
    if i is not None:
        return int(i)
    if j is None:
        raise ValueError("a stored cell has no value")  # the schema's CHECK forbids this
    decoded: CellValue = json.loads(j)
    return decoded


def norm_key(text: str) -> str:
    """The lookup-index key of a string: stripped and lower-cased.

    Kept verbatim when short and storable; otherwise (long, or holding NUL or a lone
    surrogate) an escape character plus its SHA-256, so index entries stay small and any
    value can still be found. Verbatim keys never start with the escape, so the mapping
    is injective (up to SHA-256 collisions).
    """
    normal = text.strip().lower()
    verbatim = len(normal) <= NORM_MAX_LENGTH and not normal.startswith(_ESCAPE)
    if verbatim and not _UNSAFE.search(normal):
        return normal
    digest = hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()
    return _ESCAPE + digest


def lookup_keys(values: Iterable[str], path: str = "values") -> dict[str, list[str]]:
    """Index keys of lookup values: ``{norm key: [given values]}``."""
    if isinstance(values, str):
        raise ConfigError([Problem(path, "expected a collection of strings, not one string")])
    keys: dict[str, list[str]] = {}
    for n, value in enumerate(values):
        if not isinstance(value, str):
            raise ConfigError([Problem(f"{path}[{n}]", "lookup values must be strings")])
        bucket = keys.setdefault(norm_key(value), [])
        if value not in bucket:
            bucket.append(value)
    return keys


def count_value(i: int | None) -> int:
    """How much a count cell adds to a total (malformed counts add nothing)."""
    return i if i is not None and 0 <= i <= COUNT_MAX else 0


def prepare_writes(cells: Sequence[CellWrite], path: str = "cells") -> Prepared:
    """Check and encode a batch of writes, every problem at once; the last write of a
    cell wins. ``None`` means delete."""
    return prepare_batch(cells, path).cells


def prepare_batch(cells: Sequence[CellWrite], path: str = "cells") -> Batch:
    """:func:`prepare_writes`, with the distinct row and column ids of the batch.

    This is the hot loop of every bulk write. It first assumes a regular batch: plain
    ``CellWrite`` objects whose ``str`` and ``int`` values take a fast path that gives
    exactly what :func:`encode_cell` gives, and well-formed string ids (checked once each,
    at the end). Anything irregular sends the whole batch through the full check, which
    names every problem.
    """
    if isinstance(cells, (str, bytes)) or not isinstance(cells, Sequence):
        raise ConfigError([Problem(path, "expected a sequence of CellWrite")])
    with gc_paused(len(cells)):
        try:
            out = _prepare_regular(cells)
            rows, columns = set(map(_first, out)), set(map(_second, out))
            if not all(map(_regular_id, rows)) or not all(map(_regular_id, columns)):
                raise _Irregular
        except _Irregular:
            out = _prepare_checked(cells, path)
            rows, columns = set(map(_first, out)), set(map(_second, out))
        return Batch(out, rows, columns)


class Batch(NamedTuple):
    """A prepared batch of cell writes and the rows and columns it writes to."""

    cells: Prepared
    rows: set[RowId]
    columns: set[ColumnId]


class _Irregular(Exception):
    """A batch the fast path leaves to the full check."""


_first = operator.itemgetter(0)
_second = operator.itemgetter(1)


@contextmanager
def gc_paused(size: int) -> Iterator[None]:
    """Keep the cyclic garbage collector out of the handling of a big batch (``size``
    items, from ``_GC_PAUSE_FROM`` on), which makes millions of small tuples, none of
    them in a cycle: the collector would otherwise walk the growing batch over and over,
    which costs about as much as the work itself."""
    if size < _GC_PAUSE_FROM or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _regular_id(ident: object) -> bool:
    return (
        ident.__class__ is str and 0 < len(ident) <= ID_MAX_LENGTH and _UNSAFE.search(ident) is None
    )


def _prepare_regular(cells: Sequence[CellWrite]) -> Prepared:
    out: Prepared = {}
    write_type, unsafe = CellWrite, _UNSAFE.search
    low, high, longest = _INT64_MIN, _INT64_MAX, NORM_MAX_LENGTH
    try:
        for cell in cells:
            if cell.__class__ is not write_type:
                raise _Irregular
            value: Any = cell.value
            kind = value.__class__
            encoded: Encoded | None
            if kind is str:
                # Text unless it holds NUL or a lone surrogate. An ASCII string has no
                # surrogates, and lower() and strip() add neither, so this one check of
                # the value covers its lookup key too (see norm_key).
                if "\x00" not in value if value.isascii() else unsafe(value) is None:
                    normal = value.strip().lower()
                    if len(normal) > longest or normal.startswith(_ESCAPE):
                        normal = norm_key(value)
                    encoded = (value, None, None, normal)
                else:
                    encoded = (None, None, json.dumps(value), norm_key(value))
            elif kind is int and low <= value <= high:
                encoded = (None, value, None, None)
            elif value is None:
                encoded = None
            else:
                encoded = encode_cell(value, "")
            out[cell.row_id, cell.column_id] = encoded
    except (ConfigError, TypeError):  # a bad value, an unhashable id: the full check says
        raise _Irregular from None
    return out


def _prepare_checked(cells: Sequence[CellWrite], path: str) -> Prepared:
    out: Prepared = {}
    problems: list[Problem] = []
    valid_ids: set[str] = set()  # ids repeat a lot in a batch; check each once
    for n, cell in enumerate(cells):
        if len(problems) >= _MAX_PROBLEMS:
            break
        if not isinstance(cell, CellWrite):
            problems.append(
                Problem(f"{path}[{n}]", f"expected a CellWrite, not {type(cell).__name__}")
            )
            continue
        row, column, value = cell.row_id, cell.column_id, cell.value
        bad = False
        for name, ident in (("row_id", row), ("column_id", column)):
            if type(ident) is str and ident in valid_ids:
                continue
            problem = _id_problem(ident, f"{path}[{n}].{name}")
            if problem is None:
                valid_ids.add(ident)
            else:
                problems.append(problem)
                bad = True
        if bad:
            continue
        encoded: Encoded | None
        if value is None:
            encoded = None
        else:
            try:
                encoded = encode_cell(value, f"{path}[{n}].value")
            except ConfigError as exc:
                problems.extend(exc.problems)
                continue
        out[(row, column)] = encoded
    if problems:
        raise ConfigError(problems[:_MAX_PROBLEMS])
    return out


# --- groups ----------------------------------------------------------------------------------


def status_key(s: str | None, i: int | None, j: str | None) -> str | None:
    """The group key of a stored status cell: its text, else its JSON text."""
    if s is not None:
        return s
    if i is not None:
        return str(i)
    if j is None:
        return None
    decoded = json.loads(j)
    return decoded if isinstance(decoded, str) else j


def fold_groups(raw: Iterable[RawGroup]) -> list[EngagementGroup]:
    """Turn the database's groups into ``EngagementGroup`` values.

    A status cell that is not a string is keyed by its JSON text; groups whose keys then
    coincide (the string ``"3"`` and the number ``3``) are merged. Sorted by key, missing
    first.
    """
    merged: dict[tuple[str | None, str | None], list[Any]] = {}
    for es_s, es_i, es_j, en_s, en_i, en_j, rows, replies, opens, opened, last in raw:
        key = (status_key(es_s, es_i, es_j), status_key(en_s, en_i, en_j))
        acc = merged.get(key)
        if acc is None:
            merged[key] = [int(rows), int(replies), int(opens), int(opened), last]
            continue
        acc[0] += int(rows)
        acc[1] += int(replies)
        acc[2] += int(opens)
        acc[3] += int(opened)
        if last is not None and (acc[4] is None or last > acc[4]):
            acc[4] = last

    def order(key: tuple[str | None, str | None]) -> tuple[bool, str, bool, str]:
        return (key[0] is not None, key[0] or "", key[1] is not None, key[1] or "")

    return [
        EngagementGroup(
            email_status=key[0],
            engagement_status=key[1],
            rows=acc[0],
            reply_total=acc[1],
            open_total=acc[2],
            opened_rows=acc[3],
            last_contacted=acc[4],
        )
        for key, acc in sorted(merged.items(), key=lambda item: order(item[0]))
    ]


# --- records ---------------------------------------------------------------------------------


def _id_problem(value: object, path: str, limit: int = ID_MAX_LENGTH) -> Problem | None:
    if not isinstance(value, str) or not value:
        return Problem(path, "must be a non-empty string")
    if len(value) > limit:
        return Problem(path, f"longer than {limit} characters")
    if _UNSAFE.search(value):
        return Problem(path, "must not contain NUL characters or lone surrogates")
    return None


def check_id(value: object, path: str) -> str:
    """Check one id, raising ``ConfigError``."""
    problem = _id_problem(value, path)
    if problem is not None or not isinstance(value, str):
        raise ConfigError([problem or Problem(path, "must be a string")])
    return str.__str__(value)


def check_key(value: object, path: str) -> str:
    """Check a column key (like an id, but up to ``KEY_MAX_LENGTH`` characters)."""
    problem = _id_problem(value, path, KEY_MAX_LENGTH)
    if problem is not None or not isinstance(value, str):
        raise ConfigError([problem or Problem(path, "must be a string")])
    return str.__str__(value)


def event_key(key: object) -> str:
    """The stored form of a webhook event key: itself when it is id-like, else a hash."""
    if not isinstance(key, str) or not key:
        raise ConfigError([Problem("key", "must be a non-empty string")])
    if _id_problem(key, "key") is None and not key.startswith(_ESCAPE):
        return key
    return _ESCAPE + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def check_ids(values: object, path: str) -> list[str]:
    """Check a collection of ids (deduplicated, order kept)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ConfigError([Problem(path, "expected a collection of ids, not a single value")])
    return list(dict.fromkeys(check_id(v, f"{path}[{n}]") for n, v in enumerate(values)))


def check_limit(limit: object, path: str = "limit") -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigError([Problem(path, "must be a positive integer")])
    return limit


def to_utc(value: object, path: str) -> datetime:
    """An aware datetime converted to UTC, or ``ConfigError``."""
    if not isinstance(value, datetime):
        raise ConfigError([Problem(path, "must be a datetime")])
    if value.tzinfo is None or value.utcoffset() is None:
        raise ConfigError([Problem(path, "must be timezone-aware")])
    return value.astimezone(timezone.utc)


def _opt_utc(value: object, path: str) -> datetime | None:
    return None if value is None else to_utc(value, path)


def dump_json(value: object, path: str) -> str:
    """Canonical JSON text of a JSON-compatible mapping or list, or ``ConfigError``."""
    if isinstance(value, Mapping) and not isinstance(value, dict):
        value = dict(value)
    problem = _json_problem(value, path)
    if problem is not None:
        raise ConfigError([problem])
    return _canonical(value)


@overload
def encode_text(value: str) -> str: ...
@overload
def encode_text(value: None) -> None: ...
@overload
def encode_text(value: str | None) -> str | None: ...
def encode_text(value: str | None) -> str | None:
    """Free text as storable text: verbatim when possible, else escaped (reversible)."""
    if value is None:
        return None
    if _UNSAFE.search(value) or value.startswith(_ESCAPE):
        return _ESCAPE + json.dumps(value)
    return value


@overload
def decode_text(value: str) -> str: ...
@overload
def decode_text(value: None) -> None: ...
@overload
def decode_text(value: str | None) -> str | None: ...
def decode_text(value: str | None) -> str | None:
    """Inverse of :func:`encode_text`."""
    if value is None or not value.startswith(_ESCAPE):
        return value
    decoded: str = json.loads(value[1:])
    return decoded


def _text_problem(value: object, path: str, *, optional: bool) -> Problem | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        return Problem(path, "must be a string")
    return None


def _int_problem(value: object, path: str) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _INT64_MAX:
        return Problem(path, "must be a non-negative integer")
    return None


def _raise(problems: Iterable[Problem | None]) -> None:
    found = [p for p in problems if p is not None]
    if found:
        raise ConfigError(found)


def check_integration(item: object, path: str = "integration") -> CampaignLink:
    """Check an integration's fields (JSON-compatible mappings, known sequence mode)."""
    if not isinstance(item, CampaignLink):
        raise ConfigError([Problem(path, "expected an Integration")])
    _raise(
        [
            _id_problem(item.id, f"{path}.id"),
            _id_problem(item.table_id, f"{path}.table_id"),
            _id_problem(item.credential_id, f"{path}.credential_id"),
            _text_problem(item.campaign_id, f"{path}.campaign_id", optional=False),
            _text_problem(item.campaign_name, f"{path}.campaign_name", optional=False),
            None
            if item.sequence_mode in _SEQUENCE_MODES
            else Problem(f"{path}.sequence_mode", f"must be one of {sorted(_SEQUENCE_MODES)}"),
        ]
    )
    dump_json(item.field_mapping, f"{path}.field_mapping")
    dump_json(item.settings, f"{path}.settings")
    _opt_utc(item.created_at, f"{path}.created_at")
    _opt_utc(item.updated_at, f"{path}.updated_at")
    return item


def check_run(run: object, path: str = "run") -> SyncRun:
    """Check a sync run and return it with its datetimes in UTC."""
    if not isinstance(run, SyncRun):
        raise ConfigError([Problem(path, "expected a SyncRun")])
    _raise(
        [
            _id_problem(run.id, f"{path}.id"),
            _id_problem(run.link_id, f"{path}.integration_id"),
            None
            if run.status in _RUN_STATUSES
            else Problem(f"{path}.status", f"must be one of {sorted(_RUN_STATUSES)}"),
            _text_problem(run.cursor, f"{path}.cursor", optional=True),
            *(
                _int_problem(getattr(run, name), f"{path}.{name}")
                for name in (
                    "leads_seen",
                    "rows_matched",
                    "leads_unmatched",
                    "duplicate_rows",
                    "cells_written",
                )
            ),
        ]
    )
    if isinstance(run.errors, str) or not all(isinstance(e, str) for e in run.errors):
        raise ConfigError([Problem(f"{path}.errors", "must be a tuple of strings")])
    if run.summary is not None:
        dump_json(run.summary, f"{path}.summary")
    return attrs.evolve(
        run,
        started_at=to_utc(run.started_at, f"{path}.started_at"),
        finished_at=_opt_utc(run.finished_at, f"{path}.finished_at"),
        heartbeat_at=_opt_utc(run.heartbeat_at, f"{path}.heartbeat_at"),
        errors=tuple(run.errors),
        summary=None if run.summary is None else json.loads(dump_json(run.summary, "")),
    )


def check_ledger(
    link: str, entries: Sequence[LedgerEntry], path: str = "entries"
) -> list[LedgerEntry]:
    """Check ledger entries (all of ``integration``); the last entry of a row wins."""
    if isinstance(entries, (str, bytes)) or not isinstance(entries, Sequence):
        raise ConfigError([Problem(path, "expected a sequence of LedgerEntry")])
    out: dict[str, LedgerEntry] = {}
    for n, entry in enumerate(entries):
        here = f"{path}[{n}]"
        if not isinstance(entry, LedgerEntry):
            raise ConfigError([Problem(here, "expected a LedgerEntry")])
        _raise(
            [
                _id_problem(entry.row_id, f"{here}.row_id"),
                None
                if entry.link_id == link
                else Problem(f"{here}.integration_id", "belongs to another integration"),
                None
                if entry.status in _PUSH_STATUSES
                else Problem(f"{here}.status", f"must be one of {sorted(_PUSH_STATUSES)}"),
                *(
                    _text_problem(getattr(entry, name), f"{here}.{name}", optional=True)
                    for name in ("email", "lead_id", "error", "payload_hash")
                ),
            ]
        )
        out.pop(entry.row_id, None)
        out[entry.row_id] = attrs.evolve(
            entry, pushed_at=_opt_utc(entry.pushed_at, f"{here}.pushed_at")
        )
    return list(out.values())


def ledger_winner(entries: Iterable[LedgerEntry]) -> LedgerEntry:
    """The entry that speaks for an email shared by several rows: one with a lead id
    first, then the latest push, then the smallest row id."""
    floor = datetime.min.replace(tzinfo=timezone.utc)
    ordered = sorted(entries, key=lambda e: e.row_id)
    return max(ordered, key=lambda e: (e.lead_id is not None, e.pushed_at or floor))


def upsert_rows(
    cells: Prepared, keys: Sequence[tuple[RowId, ColumnId]] | None = None
) -> Iterator[tuple[Any, ...]]:
    """``(row, column, s, i, j, norm)`` for every cell that is written, not deleted, in the
    order of ``keys`` (default: the cells' own). Made in C when nothing is deleted, which is
    checked in C too: most writes delete nothing."""
    order = cells.keys() if keys is None else keys
    if None in cells.values():
        return (key + enc for key in order if (enc := cells[key]) is not None)
    return map(operator.add, order, map(cells.__getitem__, order))


def chunked(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- shared checks of the adapters --------------------------------------------------------


def seconds(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ConfigError([Problem(path, "must be a non-negative number of seconds")])
    return float(value)


def check_stale(holder: SyncRun, run: SyncRun, stale_after: float) -> None:
    last = holder.heartbeat_at or holder.started_at
    age = (run.started_at - last).total_seconds()
    if age <= stale_after:
        raise SyncInProgress(
            f"a sync of {run.link_id!r} is running (run {holder.id!r}, started "
            f"{holder.started_at.isoformat()}, last heartbeat {max(age, 0.0):.0f} s before "
            "this one started)"
        )


def takeover_note(holder: SyncRun, run: SyncRun) -> str:
    last = holder.heartbeat_at or holder.started_at
    age = (run.started_at - last).total_seconds()
    return f"lease expired after {age:.0f} s without a heartbeat; taken over by run {run.id!r}"


def strings(values: object, path: str) -> list[str]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Collection):
        raise ConfigError([Problem(path, "expected a collection of strings")])
    out = []
    for n, value in enumerate(values):
        if not isinstance(value, str):
            raise ConfigError([Problem(f"{path}[{n}]", "must be a string")])
        out.append(value)
    return out


def engagement_columns(
    columns: Mapping[EngagementSubtype, ColumnId],
) -> dict[str, ColumnId | None]:
    if not isinstance(columns, Mapping):
        raise ConfigError([Problem("columns", "expected a mapping of subtype to column id")])
    unknown = sorted(set(columns) - set(ENGAGEMENT_SUBTYPES))
    if unknown:
        raise ConfigError([Problem(f"columns.{unknown[0]}", "not an engagement subtype")])
    return {
        subtype: (
            None
            if columns.get(subtype) is None
            else check_id(columns[subtype], f"columns.{subtype}")
        )
        for subtype in ENGAGEMENT_SUBTYPES
    }


def column_records(
    columns: Sequence[Column],
) -> list[tuple[str, str, str, str, str | None]]:
    if isinstance(columns, (str, bytes)) or not isinstance(columns, Sequence):
        raise ConfigError([Problem("columns", "expected a sequence of Column")])
    records = []
    ids: set[str] = set()
    keys: set[str] = set()
    for n, column in enumerate(columns):
        path = f"columns[{n}]"
        if not isinstance(column, Column):
            raise ConfigError([Problem(path, "expected a Column")])
        cid = check_id(column.id, f"{path}.id")
        key = check_key(column.key, f"{path}.key")
        if cid in ids:
            raise InvalidColumnConfig([Problem(f"columns[{cid}].id", "duplicate column id")])
        if key in keys:
            raise InvalidColumnConfig([Problem(f"columns[{cid}].key", "duplicate column key")])
        ids.add(cid)
        keys.add(key)
        records.append(
            (
                cid,
                key,
                encode_text(column.name),
                encode_text(column.type),
                _column_json(column, path),
            )
        )
    return records


#: The subtype key every flat ``integration_config`` has and a column envelope never has.
_SUBTYPE_KEY: Final = "instantly_subtype"


def _column_json(column: Column, path: str) -> str | None:
    """What the ``config`` field of a column record holds.

    Without host keys: ``NULL`` or the flat ``integration_config`` JSON, as it always was.
    With host keys (``Column.host_fields``): an envelope,
    ``{"host_fields": {...}, "integration_config": {...}}`` (``integration_config`` left out
    for a plain column). A flat config always has ``instantly_subtype``; the envelope never
    has it at its top level, which is how :func:`column_from_record` tells them apart.
    """
    config = None if column.config is None else column.config.to_integration_config()
    flat = None if config is None else dump_json(config, f"{path}.config")
    if not column.host_fields:
        return flat
    dump_json(column.host_fields, f"{path}.host_fields")  # checked, with its own path
    envelope: dict[str, Any] = {"host_fields": column.host_fields}
    if config is not None:
        envelope["integration_config"] = config
    return _canonical(envelope)


def column_from_record(
    column_id: str, key: str, name: str, type_: str, config: str | None
) -> Column:
    stored = None if config is None else json.loads(config)
    host_fields: dict[str, Any] = {}
    if isinstance(stored, dict) and _SUBTYPE_KEY not in stored:
        host_fields = stored.get("host_fields") or {}
        stored = stored.get("integration_config")
    return Column.from_host(
        id=column_id,
        key=key,
        name=decode_text(name) or "",
        type=decode_text(type_) or "",
        integration_config=stored,
        **host_fields,
    )


def prepare_rows(rows: Sequence[Row]) -> list[PreparedRow]:
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise ConfigError([Problem("rows", "expected a sequence of Row")])
    merged: dict[RowId, dict[ColumnId, EncodedCell]] = {}
    problems: list[Problem] = []
    for n, row in enumerate(rows):
        if not isinstance(row, Row):
            problems.append(Problem(f"rows[{n}]", "expected a Row"))
            continue
        try:
            row_id = check_id(row.id, f"rows[{n}].id")
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        target = merged.setdefault(row_id, {})
        for column_id, value in row.cells.items():
            path = f"rows[{n}].cells.{column_id}"
            try:
                check_id(column_id, path)
                if value is not None:
                    target[column_id] = encode_cell(value, path)
            except ConfigError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems[:20])
    return [
        (row_id, [((row_id, cid), enc) for cid, enc in cells.items()])
        for row_id, cells in merged.items()
    ]


def row_chunks(rows: list[PreparedRow], size: int) -> Iterator[list[PreparedRow]]:
    batch: list[PreparedRow] = []
    count = 0
    for row in rows:
        weight = max(1, len(row[1]))
        if batch and count + weight > size:
            yield batch
            batch, count = [], 0
        batch.append(row)
        count += weight
    if batch:
        yield batch
