"""Ports: the small protocols the library talks through, and the plain values they carry.

Adapters (transports, stores, clocks) implement these; the domain and the flows only ever see
the protocols. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, runtime_checkable

import attrs

from instantly_columns.config import API_KEY_ENV

if TYPE_CHECKING:  # annotations only: the ports load without the column models (pydantic)
    from instantly_columns.domain.columns import CellValue, Column, Row, SequenceMode
    from instantly_columns.domain.engagement import EngagementSubtype

__all__ = [
    "ApiKey",
    "ApiRequest",
    "ApiResponse",
    "AsyncTransport",
    "CampaignLink",
    "CapableTableStore",
    "CellWrite",
    "Clock",
    "ColumnId",
    "CredentialId",
    "CredentialStore",
    "EngagementGroup",
    "EngagementGrouping",
    "FullStore",
    "LeadSummaries",
    "LedgerEntry",
    "LinkId",
    "LinkStore",
    "PushStatus",
    "RowFetch",
    "RowId",
    "RowLocking",
    "RowLookup",
    "RunStatus",
    "SummaryColumns",
    "SyncRun",
    "TableId",
    "TableStore",
    "Transport",
    "UnitOfWork",
]

JsonBody = Any
"""A JSON-compatible value (dict, list, str, int, float, bool or None)."""


@attrs.frozen(repr=False, eq=False)
class ApiKey:
    """An Instantly API key. Prints as a short fingerprint; only transports call ``reveal()``."""

    _secret: str = attrs.field(alias="secret")

    def __attrs_post_init__(self) -> None:
        if not isinstance(self._secret, str) or not self._secret.strip():
            # ConfigError is also a ValueError, as before. The message must not echo the value.
            from instantly_columns.errors import ConfigError

            raise ConfigError("an API key must be a non-empty string", path="api_key")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ApiKey | None:
        """The key in ``INSTANTLY_API_KEY`` of an environment-like mapping (pass
        ``os.environ`` explicitly), or ``None`` when it is absent or blank.

        The value is stripped of surrounding whitespace and never echoed, not even in errors.

        ```python
        from instantly_columns.ports import ApiKey

        key = ApiKey.from_env({"INSTANTLY_API_KEY": " sk-123 "})
        assert key == ApiKey("sk-123") and "sk-123" not in repr(key)
        assert ApiKey.from_env({}) is None
        ```
        """
        raw = environ.get(API_KEY_ENV)
        if not isinstance(raw, str) or not raw.strip():
            return None
        return cls(raw.strip())

    def reveal(self) -> str:
        """The raw key. Only transports and credential stores should call this."""
        return self._secret

    @property
    def fingerprint(self) -> str:
        """First 12 hex digits of the key's SHA-256: safe to log, stable across runs."""
        return hashlib.sha256(self._secret.encode()).hexdigest()[:12]

    def __repr__(self) -> str:
        return f"ApiKey(sha256:{self.fingerprint})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiKey):
            return NotImplemented
        return self._secret == other._secret

    def __hash__(self) -> int:
        return hash(("ApiKey", self._secret))

    def __reduce__(self) -> Any:  # pickling would be a way to leak it into caches and queues
        raise TypeError("ApiKey cannot be pickled; store it through a CredentialStore")


@attrs.frozen
class ApiRequest:
    """One HTTP call to the Instantly API, before the transport adds the base URL and headers.

    ``path`` starts with ``/api/v2``. ``retry_safe`` says whether the request may be sent
    again after an ambiguous failure (a timeout): true for reads and for writes that carry a
    dedupe guard.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    json: JsonBody = None
    api_key: ApiKey | None = None
    retry_safe: bool = False
    timeout: float | None = None


@attrs.frozen
class ApiResponse:
    """What came back: status, lower-cased headers and the raw body bytes. The repr leaves
    the body out (a server may echo the request, key included) and shows only its size."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes = attrs.field(default=b"", repr=lambda body: f"<{len(body)} bytes>")


class Transport(Protocol):
    """Sends one request and returns the response. Raises ``ApiConnectionError`` or
    ``ApiTimeout``; never interprets status codes."""

    def send(self, request: ApiRequest) -> ApiResponse: ...


class AsyncTransport(Protocol):
    """The async twin of :class:`Transport`."""

    async def send(self, request: ApiRequest) -> ApiResponse: ...


@runtime_checkable
class Clock(Protocol):
    """Time, injectable: tests pass a fake clock so that no test waits for real."""

    def now(self) -> datetime:
        """Aware UTC datetime."""
        ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    async def asleep(self, seconds: float) -> None: ...


# --- storage -------------------------------------------------------------------------------

TableId: TypeAlias = str
RowId: TypeAlias = str
ColumnId: TypeAlias = str
LinkId: TypeAlias = str
"""An integration (campaign link) is identified by its ``campaign_config`` column's id."""
CredentialId: TypeAlias = str
"""Credentials are keyed by a host-chosen id (a workspace or tenant), not by campaign link."""


@attrs.frozen
class CellWrite:
    """Set one cell. ``value=None`` clears it (the cell then reads as absent)."""

    row_id: RowId
    column_id: ColumnId
    value: CellValue


@attrs.frozen
class EngagementGroup:
    """One group of an in-database ``GROUP BY (email_status, engagement_status)`` over the
    rows of a table that carry a link's engagement cells (rows with no email_status and
    no engagement_status cell are not counted)."""

    email_status: str | None
    engagement_status: str | None
    rows: int
    reply_total: int
    open_total: int
    opened_rows: int
    last_contacted: str | None


@attrs.frozen
class CampaignLink:
    """Public metadata of a campaign link. Never holds the API key (see CredentialStore)."""

    id: LinkId
    table_id: TableId
    campaign_id: str
    campaign_name: str
    sequence_mode: SequenceMode
    field_mapping: Mapping[str, Any] = attrs.field(factory=dict)
    credential_id: CredentialId = "default"
    settings: Mapping[str, Any] = attrs.field(factory=dict)
    """Free-form JSON: push config, sync interval, webhook token hash, ..."""
    version: int = 0
    """Optimistic-concurrency counter, bumped by every save."""
    created_at: datetime | None = None
    updated_at: datetime | None = None


RunStatus: TypeAlias = Literal["running", "ok", "partial", "failed", "cancelled"]


class _LinkIdAlias:
    """``integration_id``: the old name of ``link_id``, readable for one release."""

    @property
    def integration_id(self) -> LinkId:
        """Deprecated: ``link_id``."""
        import warnings

        warnings.warn("integration_id is now link_id", DeprecationWarning, stacklevel=2)
        return self.link_id  # type: ignore[attr-defined,no-any-return]


PUSH_RUN_PREFIX = "push-"
"""The id of every run a push records as its lease starts with this (syncs' never do)."""


@attrs.frozen
class SyncRun(_LinkIdAlias):
    """One engagement sync of one link: a history entry, a lease while running, and a
    resume checkpoint (``cursor``)."""

    id: str
    link_id: LinkId
    started_at: datetime
    status: RunStatus = "running"
    finished_at: datetime | None = None
    heartbeat_at: datetime | None = None
    leads_seen: int = 0
    rows_matched: int = 0
    leads_unmatched: int = 0
    duplicate_rows: int = 0
    cells_written: int = 0
    errors: tuple[str, ...] = ()
    cursor: str | None = None
    summary: Mapping[str, Any] | None = None

    @property
    def kind(self) -> Literal["sync", "push"]:
        """What the run is: an engagement sync, or a push (which holds the same per-link
        lease and shows in the history too; its id starts with ``PUSH_RUN_PREFIX``)."""
        return "push" if self.id.startswith(PUSH_RUN_PREFIX) else "sync"


PushStatus: TypeAlias = Literal[
    "pending", "pushed", "already_in_campaign", "skipped_duplicate", "invalid", "failed"
]


@attrs.frozen
class LedgerEntry(_LinkIdAlias):
    """The push result of one row for one link."""

    link_id: LinkId
    row_id: RowId
    email: str | None
    """Normalised (stripped, lower-cased) email, or ``None`` for an invalid row."""
    status: PushStatus
    lead_id: str | None = None
    error: str | None = None
    pushed_at: datetime | None = None
    payload_hash: str | None = None
    """Hash of what was sent, so a changed row can be detected and its lead updated."""


class TableStore(Protocol):
    """The host's lead tables: columns, rows, cells. These five methods are all a host's
    own table store must have; the optional capabilities (:class:`RowLookup`,
    :class:`RowFetch`, :class:`EngagementGrouping`) can be derived from them, which
    ``instantly_columns.storage.with_capabilities`` does for a store that lacks them."""

    def columns(self, table: TableId) -> list[Column]: ...

    def save_columns(self, table: TableId, columns: Sequence[Column]) -> None:
        """Insert or replace these columns (matched by id); others are left alone."""
        ...

    def delete_columns(self, table: TableId, column_ids: Collection[ColumnId]) -> int:
        """Delete columns and their cells; returns how many columns were deleted."""
        ...

    def rows(
        self,
        table: TableId,
        fields: Sequence[ColumnId] | None = None,
        *,
        after: RowId | None = None,
        limit: int = 1000,
    ) -> list[Row]:
        """A page of rows ordered by id in code-point order (keyset paging with
        ``after``); only ``fields`` cells are loaded when given."""
        ...

    def write_cells(self, table: TableId, cells: Sequence[CellWrite]) -> int:
        """Upsert cells; idempotent. Returns how many cells actually changed. The bundled
        stores write a call in one transaction; a host's store may commit in chunks."""
        ...


@runtime_checkable
class RowLookup(Protocol):
    """Optional table-store capability: find rows by a normalised string cell (emails).
    Derived, when missing, from an index built with one scan per flow run."""

    def lookup_rows(
        self, table: TableId, column: ColumnId, values: Collection[str]
    ) -> dict[str, list[RowId]]:
        """Rows whose ``column`` cell, stripped and lower-cased, equals one of ``values``
        (given already normalised). Keys are the given values that matched; row ids are
        sorted. Uses an index: no scan of the table per call."""
        ...


@runtime_checkable
class RowFetch(Protocol):
    """Optional table-store capability: read rows by id. Derived, when missing, by paging
    through ``rows``."""

    def get_rows(
        self,
        table: TableId,
        row_ids: Collection[RowId],
        fields: Sequence[ColumnId] | None = None,
    ) -> list[Row]:
        """The rows with these ids (unknown ids are left out), ordered by id."""
        ...


@runtime_checkable
class EngagementGrouping(Protocol):
    """Optional table-store capability: the summary-row aggregate computed by the store
    (in the database). Derived, when missing, by folding the rows' engagement cells."""

    def engagement_groups(
        self, table: TableId, columns: Mapping[EngagementSubtype, ColumnId]
    ) -> list[EngagementGroup]:
        """``GROUP BY (email_status, engagement_status)`` over the rows that have either
        cell; see :class:`EngagementGroup`."""
        ...


@attrs.frozen
class SummaryColumns:
    """The columns a link's summary counts: the table's email column (a lead is a
    normalised email: stripped and lower-cased) and the link's engagement columns (any of
    them may be missing)."""

    email: ColumnId
    email_status: ColumnId | None = None
    engagement_status: ColumnId | None = None
    reply_count: ColumnId | None = None
    open_count: ColumnId | None = None
    last_contacted: ColumnId | None = None

    def engagement(self) -> dict[EngagementSubtype, ColumnId]:
        """The engagement columns that are set, by subtype."""
        pairs: tuple[tuple[EngagementSubtype, ColumnId | None], ...] = (
            ("email_status", self.email_status),
            ("engagement_status", self.engagement_status),
            ("reply_count", self.reply_count),
            ("open_count", self.open_count),
            ("last_contacted", self.last_contacted),
        )
        return {subtype: column for subtype, column in pairs if column is not None}


@runtime_checkable
class LeadSummaries(Protocol):
    """Optional table-store capability: the summary aggregate counted per lead, kept up to
    date by the store. Derived, when missing, by folding the rows (one pass per call).

    A *lead* is a normalised email of the ``email`` column. Rows without one do not count;
    rows sharing one count once, with the values of the lead's first row (smallest row id)
    that has an email status or an engagement status cell. Groups are as in
    :class:`EngagementGroup`, with ``rows`` counting leads.
    """

    def lead_groups(
        self, table: TableId, key: str, columns: SummaryColumns
    ) -> list[EngagementGroup]:
        """The groups of the aggregate named ``key`` (a link id) over ``columns``.

        The bundled stores keep it: the first call for ``key`` (or the first with other
        columns) builds it with one pass over the table; from then on every write through
        the store (cells, rows, columns) updates it in the write's own transaction, at a
        cost proportional to what the write touches; a call with the same columns reads it
        without touching the table's rows."""
        ...

    def drop_lead_groups(self, key: str) -> None:
        """Stop keeping the aggregate named ``key`` (no error when there is none)."""
        ...


class CapableTableStore(
    TableStore, RowLookup, RowFetch, EngagementGrouping, LeadSummaries, Protocol
):
    """A table store with every optional capability: what the flows call. The bundled
    adapters are one; ``with_capabilities(tables)`` turns any ``TableStore`` into one."""


class LinkStore(Protocol):
    """Campaign links, sync history and leases, push results, webhook idempotency."""

    def links(self, table: TableId | None = None) -> list[CampaignLink]: ...

    def link(self, link: LinkId) -> CampaignLink:
        """Raises RecordNotFound."""
        ...

    def save_link(self, item: CampaignLink, *, version: int | None = None) -> CampaignLink:
        """Insert (``version=None``) or update when the stored version equals ``version``;
        returns the stored item with its version bumped. Raises VersionConflict."""
        ...

    def delete_link(self, link: LinkId) -> None: ...

    def start_run(self, run: SyncRun, *, stale_after: float = 300.0) -> SyncRun:
        """Record a ``running`` run as the link's lease. Raises SyncInProgress when another
        run of the link is running with a heartbeat newer than ``stale_after`` seconds
        (older ones are marked ``failed`` and taken over)."""
        ...

    def update_run(self, run: SyncRun) -> None:
        """Checkpoint a run (counts, cursor, heartbeat, final status)."""
        ...

    def runs(self, link: LinkId, *, limit: int = 20) -> list[SyncRun]:
        """Newest first."""
        ...

    def ledger(self, link: LinkId, emails: Collection[str]) -> dict[str, LedgerEntry]:
        """Push results by normalised email (an entry with a lead id wins)."""
        ...

    def push_results(self, link: LinkId, rows: Collection[RowId]) -> dict[RowId, LedgerEntry]: ...

    def write_ledger(self, link: LinkId, entries: Sequence[LedgerEntry]) -> None:
        """Upsert by (integration, row)."""
        ...

    def record_event(self, key: str, received_at: datetime) -> bool:
        """Remember a webhook event; False when it was seen before (a replay)."""
        ...


class CredentialStore(Protocol):
    """API keys, kept apart from everything else (encrypted at rest when configured)."""

    def get_key(self, credential: CredentialId) -> ApiKey | None: ...

    def set_key(self, credential: CredentialId, key: ApiKey) -> None: ...

    def delete_key(self, credential: CredentialId) -> None: ...


class FullStore(CapableTableStore, LinkStore, CredentialStore, Protocol):
    """One object implementing all three storage ports with every optional table-store
    capability, as every bundled adapter does (they also implement :class:`UnitOfWork`)."""


@runtime_checkable
class UnitOfWork(Protocol):
    """Optional capability of a store: several calls as one transaction.

    Inside ``with store.atomic():`` every call the *same thread* makes on ``store``,
    through any of its ports (cells, ledger, runs, ...), joins one transaction: all of
    them are kept when the block ends normally, none of them when it raises. Reads inside
    the block see its writes. Each call stays all-or-nothing on its own, so an error that
    the block catches undoes only that call; a nested ``atomic()`` joins the outer
    transaction (and, when it raises, undoes only its own part). ``write_cells`` writes
    all its chunks in the one transaction.

    The calls must come from the thread that entered the block: in a flow, make them in
    one ``Store`` effect whose function opens the block. Other threads' calls do not join
    it; they wait for it or see only what it committed (depending on the store).

    Across ports it only means something when one object implements them, like the
    bundled adapters (or a host's store whose tables and integrations share a database).
    """

    def atomic(self) -> AbstractContextManager[None]:
        """A context manager making the calls inside it one transaction."""
        ...


@runtime_checkable
class RowLocking(Protocol):
    """Optional capability of a store that offers ``UnitOfWork``: hold rows against other
    writers until the ``atomic()`` block around the call ends.

    Inside the block, a read of those rows' cells, a decision on what they hold and the write
    of the result then see every write committed before the lock was taken and none made
    while the block runs, so concurrent read → decide → write units on one row take turns
    (webhook deliveries applied by several workers at once). A store whose ``atomic()``
    serialises writers already (SQLite's write transaction, the memory store's lock) needs
    no more than a no-op.
    """

    def lock_rows(self, table: TableId, row_ids: Collection[RowId]) -> None:
        """Lock these rows (unknown ids are skipped) until the surrounding transaction ends."""
        ...


_RENAMED = {
    "Integration": "CampaignLink",
    "IntegrationId": "LinkId",
    "IntegrationStore": "LinkStore",
}


def __getattr__(name: str) -> Any:
    # The old names of the campaign link's types, kept for one release.
    new = _RENAMED.get(name)
    if new is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import warnings

    warnings.warn(f"{name} is now {new}", DeprecationWarning, stacklevel=2)
    return globals()[new]
