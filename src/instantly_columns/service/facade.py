"""The service: a lead table drives Instantly through its columns.

[`InstantlyColumns`][instantly_columns.service.facade.InstantlyColumns] (blocking, fine in scripts,
workers and Jupyter) and
[`AsyncInstantlyColumns`][instantly_columns.service.facade.AsyncInstantlyColumns] (for async hosts)
offer the same methods. Both run the same flows over the storage ports and the API client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from instantly_columns.api.ratelimit import WorkspaceLimiter
from instantly_columns.clock import SystemClock
from instantly_columns.config import ClientSettings
from instantly_columns.domain.columns import CellValue, Column
from instantly_columns.domain.webhooks import check_secret
from instantly_columns.domain.wizard import WizardAnswer, WizardState, WizardView
from instantly_columns.engine.effects import AsyncDriver, Flow, Store, SyncDriver
from instantly_columns.errors import MissingApiKey
from instantly_columns.ports import (
    ApiKey,
    Clock,
    CredentialStore,
    FullStore,
    Integration,
    IntegrationStore,
    SyncRun,
    TableStore,
)
from instantly_columns.service._flows import (
    Ctx,
    analytics_flow,
    connect_flow,
    delete_link_flow,
    due_flow,
    link_flow,
    push_flow,
    summary_flow,
    sync_flow,
    update_link_flow,
    webhook_flow,
)
from instantly_columns.service._wizard import advance_flow, detect_for_table, view_flow
from instantly_columns.service.reports import (
    AnalyticsPanel,
    DeletionReport,
    ProgressEvent,
    PushReport,
    SettingsChange,
    SummaryRow,
    SyncReport,
    WebhookResult,
)

if TYPE_CHECKING:
    from instantly_columns.api.client import AsyncInstantlyClient, InstantlyClient

__all__ = ["AsyncInstantlyColumns", "InstantlyColumns"]

T = TypeVar("T")


def _plain(value: Any) -> Any:
    """A client result as plain JSON: its ``raw`` mapping, or a list of those."""
    raw = getattr(value, "raw", None)
    if raw is not None:
        return dict(raw)
    if isinstance(value, list | tuple) or type(value).__name__ == "ResultList":
        return [_plain(v) for v in value]
    return value


def _dispatch(
    client: Any, op: str, kw: Mapping[str, Any]
) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
    """The client method, positional and keyword arguments for a flow operation."""
    dates = {"start_date": kw.get("start_date"), "end_date": kw.get("end_date")}
    table: dict[str, tuple[Any, tuple[Any, ...], dict[str, Any]]] = {
        "verify_key": (client.check_key, (), {}),
        "get_campaign": (client.get_campaign, (kw.get("campaign_id"),), {}),
        "list_campaigns": (client.list_campaigns, (), {"search": kw.get("search")}),
        "create_campaign": (
            client.create_campaign,
            (kw.get("name"),),
            {"schedule": kw.get("campaign_schedule"), "sequences": kw.get("sequences")},
        ),
        "replace_sequences": (
            client.replace_sequences,
            (kw.get("campaign_id"), kw.get("sequences")),
            {},
        ),
        "add_leads": (
            client.add_leads,
            (kw.get("campaign_id"), kw.get("leads")),
            {"skip_if_in_campaign": kw.get("skip_if_in_campaign", True)},
        ),
        "lead_page": (
            client.lead_page,
            (kw.get("campaign_id"),),
            {"starting_after": kw.get("starting_after"), "contacts": kw.get("contacts")},
        ),
        "patch_lead": (client.update_lead, (kw.get("lead_id"), kw.get("fields")), {}),
        "campaign_analytics": (
            client.campaign_analytics,
            (),
            {"campaign_id": kw.get("campaign_id"), **dates},
        ),
        "analytics_overview": (
            client.analytics_overview,
            (),
            {"campaign_id": kw.get("campaign_id"), **dates},
        ),
        "analytics_daily": (client.daily_analytics, (kw.get("campaign_id"),), dates),
    }
    return table[op]


def _result(op: str, value: Any) -> Any:
    """A client result as the plain JSON the flows read."""
    if op == "verify_key":
        return {"id": value.workspace_id, "name": value.workspace_name}
    if op == "lead_page":
        return [dict(lead.raw) for lead in value.items], value.next_starting_after
    if op == "add_leads":
        return {
            "created_leads": [{"index": i, "id": lid} for i, lid in value.created.items()],
            **dict(value.raw),
        }
    return _plain(value)


def _read(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Flow[T]:
    """A flow of one store call (so the async service runs it off the event loop)."""
    return (yield Store(fn, args, kwargs))  # type: ignore[no-any-return]


class _Base:
    def __init__(
        self,
        store: FullStore | None = None,
        *,
        tables: TableStore | None = None,
        integrations: IntegrationStore | None = None,
        credentials: CredentialStore | None = None,
        transport: Any = None,
        settings: ClientSettings | None = None,
        clock: Clock | None = None,
        limiter: WorkspaceLimiter | None = None,
        concurrency: int = 4,
        webhook_secret: str | None = None,
    ) -> None:
        tables = tables or store
        integrations = integrations or store
        credentials = credentials or store
        if tables is None or integrations is None or credentials is None:
            raise TypeError("give a store, or tables, integrations and credentials stores")
        self._ctx = Ctx(
            tables=tables,
            integrations=integrations,
            credentials=credentials,
            clock=clock or SystemClock(),
            push_concurrency=concurrency,
        )
        self._transport = transport
        self._settings = settings or ClientSettings()
        self._limiter = limiter or WorkspaceLimiter()
        self._concurrency = concurrency
        self._webhook_secret = webhook_secret
        self._lock = threading.Lock()
        self._clients: dict[str, tuple[ApiKey, Any]] = {}
        self._start()

    def _start(self) -> None:
        raise NotImplementedError  # abstract

    def __repr__(self) -> str:
        return f"{type(self).__name__}(tables={type(self._ctx.tables).__name__})"

    @property
    def tables(self) -> TableStore:
        return self._ctx.tables

    @property
    def integrations_store(self) -> IntegrationStore:
        return self._ctx.integrations

    def _key(self, credential: str, kwargs: Mapping[str, Any]) -> ApiKey:
        key = kwargs.get("api_key")
        if isinstance(key, ApiKey):
            return key
        stored = self._ctx.credentials.get_key(credential)
        if stored is None:
            raise MissingApiKey(f"no API key is stored for {credential!r}: connect one first")
        return stored

    def _client_for(self, credential: str, kwargs: Mapping[str, Any], make: Any) -> Any:
        key = self._key(credential, kwargs)
        if "api_key" in kwargs:
            return make(key)  # a key being tried is not cached
        with self._lock:
            cached = self._clients.get(credential)
            if cached is None or cached[0] != key:
                cached = (key, make(key))
                self._clients[credential] = cached
            return cached[1]


class InstantlyColumns(_Base):
    """Instantly as columns of lead tables: the blocking service.

    Args:
        store: one object implementing `TableStore`, `IntegrationStore` and
            `CredentialStore` (every adapter in `instantly_columns.storage` does), or give
            the three separately.
        transport: an `httpx` transport or our `Transport` (tests pass
            `FakeInstantly().httpx_transport()`); default: real HTTP.
        settings: client settings (base URL, timeouts, retries).
        clock: time source (tests pass a `FakeClock`).
        limiter: the workspace rate limiter; every client this service makes shares it.
        concurrency: bulk calls or pages in flight at once.
        webhook_secret: the shared token webhook deliveries must carry.
    """

    _driver: SyncDriver

    def _start(self) -> None:
        self._driver = SyncDriver(self._api_call, concurrency=self._concurrency)

    def _api_call(self, credential: str, op: str, kwargs: Mapping[str, Any]) -> Any:
        client = self._client_for(credential, kwargs, self._make_client)
        method, args, kw = _dispatch(client, op, kwargs)
        return _result(op, method(*args, **kw))

    def _make_client(self, key: ApiKey) -> InstantlyClient:
        from instantly_columns.api.client import InstantlyClient

        return InstantlyClient(
            key,
            settings=self._settings,
            transport=self._transport,
            clock=self._ctx.clock,
            limiter=self._limiter,
        )

    def close(self) -> None:
        """Close the API clients (the store is the caller's to close)."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for _, client in clients:
            client.close()
        self._driver.close()

    def __enter__(self) -> InstantlyColumns:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connection -----------------------------------------------------------------------

    def connect(self, api_key: str | ApiKey, *, credential: str = "default") -> Mapping[str, Any]:
        """Validate a key against the API and store it; returns the workspace id and name."""
        key = api_key if isinstance(api_key, ApiKey) else ApiKey(api_key)
        return self._driver.run(connect_flow(self._ctx, credential, key))

    # -- wizard ---------------------------------------------------------------------------

    def start_wizard(self, table_id: str, *, credential: str = "default") -> WizardState:
        """A new wizard for a table; it skips connection when a key is already stored."""
        return WizardState(table_id=table_id, credential_id=credential)

    def wizard_advance(self, state: WizardState, answer: WizardAnswer) -> WizardState:
        """Answer the current step; returns the next state (or the same step with problems)."""
        return self._driver.run(advance_flow(self._ctx, state, answer))

    def wizard_view(
        self,
        state: WizardState,
        *,
        search: str | None = None,
        bindings: Mapping[str, str] | None = None,
    ) -> WizardView:
        """What the current step shows: campaigns with status badges, the campaign's steps,
        variables and a three-row preview, or the detected mapping."""
        return self._driver.run(view_flow(self._ctx, state, search=search, bindings=bindings))

    def detect_mapping(self, table_id: str) -> Any:
        """The detected field mapping of a table (column ids), from headers and sample rows."""
        columns = self._ctx.tables.columns(table_id)
        rows = self._ctx.tables.rows(table_id, limit=50)
        return detect_for_table(columns, rows)[1]

    # -- push, sync, summary ----------------------------------------------------------------

    def push(
        self,
        link: str,
        *,
        rows: Collection[str] | None = None,
        where: Callable[[Mapping[str, CellValue]], bool] | None = None,
        dry_run: bool = False,
        force: bool = False,
        skip_if_in_campaign: bool = True,
        sync_after: bool = False,
    ) -> PushReport:
        """Push rows of a link's table as leads (all rows, the ``rows`` ids, or those
        ``where`` accepts). ``link`` is the id of the ``campaign_config`` column.

        Every row gets a result. ``dry_run`` returns the exact request bodies and sends
        nothing. ``force`` ignores earlier results. ``skip_if_in_campaign`` is Instantly's
        flag: leads already in a campaign of the workspace are not added (turn it off to put
        a row in two campaigns). ``sync_after`` runs a sync when the push is done."""
        report = self._driver.run(
            push_flow(
                self._ctx,
                link,
                rows=rows,
                where=where,
                dry_run=dry_run,
                force=force,
                skip_if_in_campaign=skip_if_in_campaign,
            )
        )
        if sync_after and not dry_run:
            self.sync(link)
        return report

    def sync(
        self,
        link: str,
        *,
        progress: Callable[[ProgressEvent], None] | None = None,
        cancel: threading.Event | None = None,
        full: bool = False,
    ) -> SyncReport:
        """Sync one link's engagement columns, resuming an interrupted run unless ``full``."""
        return self._driver.run(
            sync_flow(
                self._ctx,
                link,
                progress=progress,
                cancelled=cancel.is_set if cancel is not None else None,
                full=full,
            )
        )

    def sync_table(self, table_id: str, **kwargs: Any) -> list[SyncReport]:
        """Sync every link of a table, concurrently within the workspace rate limit."""
        from concurrent.futures import ThreadPoolExecutor

        links = [i.id for i in self._ctx.integrations.integrations(table_id)]
        with ThreadPoolExecutor(max_workers=max(1, min(len(links), self._concurrency))) as pool:
            return list(pool.map(lambda link: self.sync(link, **kwargs), links))

    def summary(self, link: str, *, source: Literal["api", "local"] = "local") -> SummaryRow:
        """The pinned summary row: from the local cells, or from Instantly's analytics."""
        return self._driver.run(summary_flow(self._ctx, link, source))

    def analytics(
        self, link: str, *, start_date: str | None = None, end_date: str | None = None
    ) -> AnalyticsPanel:
        """The analytics panel of a link's campaign, with the daily series."""
        return self._driver.run(analytics_flow(self._ctx, link, start_date, end_date))

    def due(self, *, table_id: str | None = None, now: datetime | None = None) -> list[Integration]:
        """Links due for a scheduled sync (interval elapsed since the last good sync)."""
        return self._driver.run(due_flow(self._ctx, table_id, now or self._ctx.clock.now()))

    def history(self, link: str, *, limit: int = 20) -> list[SyncRun]:
        """Sync runs of a link, newest first."""
        return self._ctx.integrations.runs(link, limit=limit)

    def links(self, table_id: str | None = None) -> list[Integration]:
        """Campaign links (public metadata, never a key)."""
        return self._ctx.integrations.integrations(table_id)

    def columns_of(self, link: str) -> list[Column]:
        """The columns that belong to a link, its ``campaign_config`` column first."""
        found = self._driver.run(link_flow(self._ctx, link))
        return [
            found.column,
            *([found.push] if found.push else []),
            *found.engagement.values(),
            *found.steps.values(),
        ]

    # -- settings ------------------------------------------------------------------------

    def update_link(self, link: str, **changes: Any) -> SettingsChange:
        """Edit a link: ``field_mapping``, ``sequence_mode``, ``push_config``,
        ``campaign_name``, ``campaign_id`` (switch), ``sync_interval_seconds``."""
        return self._driver.run(update_link_flow(self._ctx, link, **changes))

    def delete_link(self, link: str, *, keep_step_columns: bool = True) -> DeletionReport:
        """Delete a link and its dependent columns (step columns are kept as text by
        default)."""
        return self._driver.run(
            delete_link_flow(self._ctx, link, keep_step_columns=keep_step_columns)
        )

    # -- webhooks ------------------------------------------------------------------------

    def ingest_webhook(
        self,
        body: bytes | Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> WebhookResult:
        """Check the shared secret, then apply one delivery (replays change nothing)."""
        check_secret(self._webhook_secret or "", headers=headers, query=query)
        return self._driver.run(webhook_flow(self._ctx, body))


class AsyncInstantlyColumns(_Base):
    """The async twin of [`InstantlyColumns`][instantly_columns.service.facade.InstantlyColumns]:
    the same methods, awaited. Store calls run in a worker thread, one at a time."""

    _driver: AsyncDriver

    def _start(self) -> None:
        self._driver = AsyncDriver(self._api_call, concurrency=self._concurrency)

    async def _api_call(self, credential: str, op: str, kwargs: Mapping[str, Any]) -> Any:
        client = self._client_for(credential, kwargs, self._make_client)
        method, args, kw = _dispatch(client, op, kwargs)
        return _result(op, await method(*args, **kw))

    def _make_client(self, key: ApiKey) -> AsyncInstantlyClient:
        from instantly_columns.api.client import AsyncInstantlyClient

        return AsyncInstantlyClient(
            key,
            settings=self._settings,
            transport=self._transport,
            clock=self._ctx.clock,
            limiter=self._limiter,
        )

    async def aclose(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for _, client in clients:
            await client.aclose()

    async def __aenter__(self) -> AsyncInstantlyColumns:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def connect(
        self, api_key: str | ApiKey, *, credential: str = "default"
    ) -> Mapping[str, Any]:
        key = api_key if isinstance(api_key, ApiKey) else ApiKey(api_key)
        return await self._driver.run(connect_flow(self._ctx, credential, key))

    def start_wizard(self, table_id: str, *, credential: str = "default") -> WizardState:
        return WizardState(table_id=table_id, credential_id=credential)

    async def wizard_advance(self, state: WizardState, answer: WizardAnswer) -> WizardState:
        return await self._driver.run(advance_flow(self._ctx, state, answer))

    async def wizard_view(
        self,
        state: WizardState,
        *,
        search: str | None = None,
        bindings: Mapping[str, str] | None = None,
    ) -> WizardView:
        return await self._driver.run(view_flow(self._ctx, state, search=search, bindings=bindings))

    async def push(
        self,
        link: str,
        *,
        rows: Collection[str] | None = None,
        where: Callable[[Mapping[str, CellValue]], bool] | None = None,
        dry_run: bool = False,
        force: bool = False,
        skip_if_in_campaign: bool = True,
        sync_after: bool = False,
    ) -> PushReport:
        report = await self._driver.run(
            push_flow(
                self._ctx,
                link,
                rows=rows,
                where=where,
                dry_run=dry_run,
                force=force,
                skip_if_in_campaign=skip_if_in_campaign,
            )
        )
        if sync_after and not dry_run:
            await self.sync(link)
        return report

    async def sync(
        self,
        link: str,
        *,
        progress: Callable[[ProgressEvent], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        full: bool = False,
    ) -> SyncReport:
        return await self._driver.run(
            sync_flow(self._ctx, link, progress=progress, cancelled=cancel, full=full)
        )

    async def sync_table(self, table_id: str, **kwargs: Any) -> list[SyncReport]:
        import anyio

        links = [i.id for i in self._ctx.integrations.integrations(table_id)]
        reports: list[SyncReport | None] = [None] * len(links)

        async def one(i: int, link: str) -> None:
            reports[i] = await self.sync(link, **kwargs)

        async with anyio.create_task_group() as group:
            for i, link in enumerate(links):
                group.start_soon(one, i, link)
        return [r for r in reports if r is not None]

    async def summary(self, link: str, *, source: Literal["api", "local"] = "local") -> SummaryRow:
        return await self._driver.run(summary_flow(self._ctx, link, source))

    async def analytics(
        self, link: str, *, start_date: str | None = None, end_date: str | None = None
    ) -> AnalyticsPanel:
        return await self._driver.run(analytics_flow(self._ctx, link, start_date, end_date))

    async def due(
        self, *, table_id: str | None = None, now: datetime | None = None
    ) -> list[Integration]:
        return await self._driver.run(due_flow(self._ctx, table_id, now or self._ctx.clock.now()))

    async def columns_of(self, link: str) -> list[Column]:
        found = await self._driver.run(link_flow(self._ctx, link))
        return [
            found.column,
            *([found.push] if found.push else []),
            *found.engagement.values(),
            *found.steps.values(),
        ]

    async def history(self, link: str, *, limit: int = 20) -> list[SyncRun]:
        return await self._driver.run(_read(self._ctx.integrations.runs, link, limit=limit))

    async def links(self, table_id: str | None = None) -> list[Integration]:
        return await self._driver.run(_read(self._ctx.integrations.integrations, table_id))

    async def detect_mapping(self, table_id: str) -> Any:
        columns = await self._driver.run(_read(self._ctx.tables.columns, table_id))
        rows = await self._driver.run(_read(self._ctx.tables.rows, table_id, limit=50))
        return detect_for_table(columns, rows)[1]

    async def update_link(self, link: str, **changes: Any) -> SettingsChange:
        return await self._driver.run(update_link_flow(self._ctx, link, **changes))

    async def delete_link(self, link: str, *, keep_step_columns: bool = True) -> DeletionReport:
        return await self._driver.run(
            delete_link_flow(self._ctx, link, keep_step_columns=keep_step_columns)
        )

    async def ingest_webhook(
        self,
        body: bytes | Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> WebhookResult:
        check_secret(self._webhook_secret or "", headers=headers, query=query)
        return await self._driver.run(webhook_flow(self._ctx, body))
