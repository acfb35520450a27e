"""The service: a lead table drives Instantly through its columns.

[`InstantlyColumns`][instantly_columns.service.facade.InstantlyColumns] (blocking, fine in
scripts, workers and Jupyter) and
[`AsyncInstantlyColumns`][instantly_columns.service.facade.AsyncInstantlyColumns] (for async
hosts) offer the same methods with the same parameters; the async ones are awaited. Both run
the same flows over the storage ports and the typed API core, through the engine's two drivers.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar

import attrs
from typing_extensions import Self

from instantly_columns.clock import SystemClock
from instantly_columns.config import ClientSettings
from instantly_columns.engine.drivers import AsyncDriver, SyncDriver
from instantly_columns.engine.effects import Flow, blocking
from instantly_columns.errors import ConfigError, RecordNotFound
from instantly_columns.ports import (
    ApiKey,
    AsyncTransport,
    CampaignLink,
    Clock,
    CredentialStore,
    FullStore,
    LinkStore,
    SyncRun,
    TableStore,
    Transport,
)
from instantly_columns.service._context import Ctx, link_flow

if TYPE_CHECKING:
    import httpx

    from instantly_columns.api.core import ApiCore
    from instantly_columns.api.ratelimit import WorkspaceLimiter, WorkspaceLimiters
    from instantly_columns.api.results import Campaign, Webhook
    from instantly_columns.domain.columns import CellValue, Column, SequenceMode
    from instantly_columns.domain.mapping import FieldMapping
    from instantly_columns.domain.wizard import WizardAnswer, WizardState, WizardView
    from instantly_columns.service._summary import SummarySource
    from instantly_columns.service.reports import (
        AnalyticsPanel,
        DeletionReport,
        ProgressEvent,
        PushProgress,
        PushReport,
        SettingsChange,
        SummaryRow,
        SyncReport,
        WebhookReport,
    )
    from instantly_columns.transports.http import AsyncHttpxTransport, HttpxTransport

__all__ = ["AsyncInstantlyColumns", "CancelToken", "InstantlyColumns"]

# Names the methods' annotations use, imported only for type checkers so that importing the
# service loads neither the API core nor the flows nor the models; `annotation_namespace()`
# resolves them (``typing.get_type_hints(method, localns=annotation_namespace())``).
_ANNOTATION_MODULES = (
    "httpx",
    "instantly_columns.api.core",
    "instantly_columns.api.ratelimit",
    "instantly_columns.api.results",
    "instantly_columns.domain.columns",
    "instantly_columns.domain.mapping",
    "instantly_columns.domain.wizard",
    "instantly_columns.service._summary",
    "instantly_columns.service.reports",
    "instantly_columns.transports.http",
)


def annotation_namespace() -> dict[str, Any]:
    """The names the service's annotations use, for ``typing.get_type_hints(...,
    localns=annotation_namespace())`` (importing them all: the API core, the models)."""
    import importlib

    namespace: dict[str, Any] = {"httpx": importlib.import_module("httpx")}
    for name in _ANNOTATION_MODULES[1:]:
        module = importlib.import_module(name)
        namespace.update({k: v for k, v in vars(module).items() if not k.startswith("__")})
    namespace.update({k: v for k, v in globals().items() if not k.startswith("__")})
    return namespace


T = TypeVar("T")


class CancelToken(Protocol):
    """Anything that says whether work should stop: `threading.Event`, `anyio.Event`,
    `asyncio.Event`, or an object of your own with `is_set()`."""

    def is_set(self) -> bool: ...


def _lease(seconds: float) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
        raise ConfigError("must be a number of seconds above 0", path="lease_seconds")
    return float(seconds)


def _key(api_key: str | ApiKey) -> ApiKey:
    if isinstance(api_key, ApiKey):
        return api_key
    if not isinstance(api_key, str) or not api_key.strip():
        # Never echo the value: it may be a key pasted in the wrong place.
        raise ConfigError("must be a non-empty string or an ApiKey", path="api_key")
    return ApiKey(api_key.strip())


def _cancelled(cancel: CancelToken | None) -> Callable[[], bool] | None:
    if cancel is None:
        return None
    if not hasattr(cancel, "is_set") and callable(cancel):
        # Until 0.2 the async service took a callable here.
        warnings.warn(
            "pass an object with is_set() (e.g. anyio.Event) as cancel=, not a function",
            DeprecationWarning,
            stacklevel=4,
        )
        return cancel
    return cancel.is_set


def _columns_of(ctx: Ctx, link: str) -> Flow[list[Column]]:
    found = yield from link_flow(ctx, link)
    return found.owned_columns()


def _detect(ctx: Ctx, table_id: str) -> Flow[FieldMapping]:
    from instantly_columns.service._wizard import SAMPLE_ROWS, detect_for_table

    columns = yield from blocking(ctx.tables.columns, table_id)
    rows = yield from blocking(ctx.tables.rows, table_id, limit=SAMPLE_ROWS)
    return detect_for_table(columns, rows)[1]


def _history(ctx: Ctx, link: str, limit: int) -> Flow[list[SyncRun]]:
    return (yield from blocking(ctx.links.runs, link, limit=limit))


def _labels(ctx: Ctx, links: Sequence[str], action: str) -> Flow[list[str]]:
    """What a progress bar calls each link: the action and the campaign's name."""
    labels: list[str] = []
    for link in links:
        try:
            found = yield from blocking(ctx.links.link, link)
        except RecordNotFound:  # the flow itself says so, with its own message
            labels.append(f"{action} · {link}")
        else:
            labels.append(f"{action} · {found.campaign_name or link}")
    return labels


def _links(ctx: Ctx, table_id: str | None) -> Flow[list[CampaignLink]]:
    return (yield from blocking(ctx.links.links, table_id))


TABLE_SYNCS = 32
"""Most links `sync_table` syncs at the same time by default."""


def _table_width(links: int, concurrency: int | None) -> int:
    """How many of a table's links are synced at the same time."""
    if concurrency is None:
        return max(1, min(links, TABLE_SYNCS))
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ConfigError("must be an integer >= 1", path="concurrency")
    return min(links, concurrency)


def _table_links(ctx: Ctx, table_id: str) -> Flow[list[str]]:
    found = yield from _links(ctx, table_id)
    return [i.id for i in found]


class _Base:
    def __init__(
        self,
        store: FullStore | None = None,
        *,
        tables: TableStore | None = None,
        links: LinkStore | None = None,
        credentials: CredentialStore | None = None,
        api_key: str | ApiKey | None = None,
        settings: ClientSettings | None = None,
        clock: Clock | None = None,
        limiter: WorkspaceLimiter | WorkspaceLimiters | None = None,
        concurrency: int = 4,
        webhook_secret: str | None = None,
        lease_seconds: float = 30.0,
        integrations: LinkStore | None = None,
    ) -> None:
        from instantly_columns.api.ratelimit import WorkspaceLimiter
        from instantly_columns.storage.capabilities import with_capabilities

        if integrations is not None:
            warnings.warn(
                "integrations= is now links= (the store of campaign links)",
                DeprecationWarning,
                stacklevel=3,
            )
            links = links or integrations
        tables = tables or store
        links = links or store
        credentials = credentials or store
        if tables is None or links is None or credentials is None:
            raise TypeError("give a store, or tables, links and credentials stores")
        if settings is not None and not isinstance(settings, ClientSettings):
            raise ConfigError("must be a ClientSettings", path="settings")
        self._settings = settings or ClientSettings()
        self._limiter = limiter or WorkspaceLimiter()
        self._clock = clock or SystemClock()
        self._concurrency = max(1, concurrency)
        self._webhook_secret = webhook_secret
        self._tables = tables
        self._ctx = Ctx(
            tables=with_capabilities(tables),
            links=links,
            credentials=credentials,
            clock=self._clock,
            core=self._core,
            push_concurrency=self._concurrency,
            lease_seconds=_lease(lease_seconds),
            fallback_key=_key(api_key) if api_key is not None else None,
        )

    def _flow_ctx(self) -> Ctx:
        """The context of one flow run: a host table store lacking an optional capability is
        wrapped per run, so an email index it needs is built once per run (never a scan per
        page) and never outlives the run."""
        from instantly_columns.storage.capabilities import with_capabilities

        if self._ctx.tables is self._tables:
            return self._ctx  # the store has every capability itself
        return attrs.evolve(self._ctx, tables=with_capabilities(self._tables))

    def _core(self, key: ApiKey) -> ApiCore:
        from instantly_columns.api.core import ApiCore
        from instantly_columns.api.ratelimit import WorkspaceLimiters

        limiter = self._limiter
        if isinstance(limiter, WorkspaceLimiters):  # one budget per workspace, by key
            limiter = limiter.for_key(key)
        return ApiCore(key, settings=self._settings, clock=self._clock, limiter=limiter)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(tables={type(self._tables).__name__})"

    @property
    def tables(self) -> TableStore:
        """The table store."""
        return self._tables

    @property
    def link_store(self) -> LinkStore:
        """The store of campaign links, push ledgers and sync runs."""
        return self._ctx.links

    @property
    def integrations_store(self) -> LinkStore:
        """Deprecated: `link_store`."""
        warnings.warn("integrations_store is now link_store", DeprecationWarning, stacklevel=2)
        return self._ctx.links

    @classmethod
    def from_env(
        cls,
        store: FullStore | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> Self:
        """The service configured from the environment (`os.environ` unless `environ` is
        given): settings from `ClientSettings.from_env`, and `INSTANTLY_API_KEY` as the key of
        any credential the store holds no key for. `options` are the constructor's other
        arguments; an explicit `settings=` or `api_key=` among them wins. (No I/O besides
        reading the mapping: the same in both faces.)"""
        env: Mapping[str, str] = os.environ if environ is None else environ
        options.setdefault("settings", ClientSettings.from_env(env))
        if options.get("api_key") is None:
            options["api_key"] = ApiKey.from_env(env)
        return cls(store, **options)

    def start_wizard(self, table_id: str, *, credential: str = "default") -> WizardState:
        """A new add-column wizard for a table, at its ``connection`` step. (No I/O: the
        same in both faces.)

        With a key already there (stored for ``credential``, or the service's own:
        ``api_key=`` or ``INSTANTLY_API_KEY`` through ``from_env``),
        ``wizard_view(state).connected`` is true and ``ConnectAnswer()`` moves on to the
        campaign step after checking that key, so the user never types one."""
        from instantly_columns.domain.wizard import WizardState

        return WizardState(table_id=table_id, credential_id=credential)


class InstantlyColumns(_Base):
    """Instantly as columns of lead tables: the blocking service.

    Args:
        store: one object implementing `TableStore`, `IntegrationStore` and
            `CredentialStore` (every adapter in `instantly_columns.storage` does), or give
            the three separately (`tables=`, `links=`, `credentials=`; `integrations=` is the
            old name of `links=`).
        api_key: the key used for any credential the store holds no key for (a string or
            an `ApiKey`); `from_env` passes `INSTANTLY_API_KEY`. A stored key always wins.
        transport: an `httpx` transport or our `Transport` (tests pass
            `FakeInstantly().httpx_transport()`); default: real HTTP.
        settings: client settings (base URL, timeouts, retries).
        clock: time source (tests pass a `FakeClock`).
        limiter: the workspace rate limiter; every request this service makes shares it.
            A `WorkspaceLimiters` gives each workspace its own budget instead, picked by
            the key of each request (a service of many workspaces; see docs/scale.md).
        concurrency: bulk calls or pages in flight at once.
        webhook_secret: the shared token webhook deliveries must carry.
        lease_seconds: how long a sync's lease outlives its last heartbeat. A live sync
            renews it every third of that (while it waits, too), so only a dead or frozen
            worker loses it; after a crash the next sync can start this long after the
            last heartbeat (or at once, after `release`).
    """

    def __init__(
        self,
        store: FullStore | None = None,
        *,
        tables: TableStore | None = None,
        links: LinkStore | None = None,
        credentials: CredentialStore | None = None,
        api_key: str | ApiKey | None = None,
        transport: Transport | httpx.BaseTransport | None = None,
        settings: ClientSettings | None = None,
        clock: Clock | None = None,
        limiter: WorkspaceLimiter | WorkspaceLimiters | None = None,
        concurrency: int = 4,
        webhook_secret: str | None = None,
        lease_seconds: float = 30.0,
        integrations: LinkStore | None = None,
    ) -> None:
        super().__init__(
            store,
            tables=tables,
            links=links,
            credentials=credentials,
            api_key=api_key,
            settings=settings,
            clock=clock,
            limiter=limiter,
            concurrency=concurrency,
            webhook_secret=webhook_secret,
            lease_seconds=lease_seconds,
            integrations=integrations,
        )
        from instantly_columns.api.client import sync_transport

        sending, self._owned = sync_transport(self._settings, transport)
        self._driver = SyncDriver(sending, self._clock, concurrency=self._concurrency)

    def close(self) -> None:
        """Close the HTTP connection pool this service made (the store is the caller's to
        close)."""
        owned: HttpxTransport | None = self._owned
        if owned is not None:
            owned.close()
        self._driver.close()

    def __enter__(self) -> InstantlyColumns:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connection -----------------------------------------------------------------------

    def connect(self, api_key: str | ApiKey, *, credential: str = "default") -> Mapping[str, Any]:
        """Validate a key against the API and store it; returns the workspace id and name."""
        from instantly_columns.service._webhooks import connect_flow

        return self._driver.run(connect_flow(self._flow_ctx(), credential, _key(api_key)))

    # -- wizard ---------------------------------------------------------------------------

    def wizard_advance(self, state: WizardState, answer: WizardAnswer) -> WizardState:
        """Answer the current step; returns the next state (or the same step with problems)."""
        from instantly_columns.service._wizard import advance_flow

        return self._driver.run(advance_flow(self._flow_ctx(), state, answer))

    def wizard_view(
        self,
        state: WizardState,
        *,
        search: str | None = None,
        bindings: Mapping[str, str] | None = None,
    ) -> WizardView:
        """What the current step shows: campaigns with status badges, the campaign's steps,
        variables and a three-row preview, or the detected mapping."""
        from instantly_columns.service._wizard import view_flow

        return self._driver.run(
            view_flow(self._flow_ctx(), state, search=search, bindings=bindings)
        )

    def detect_mapping(self, table_id: str) -> FieldMapping:
        """The detected field mapping of a table, from its column names and 50 sample rows.

        Every value is a column id, as in ``MappingAnswer.overrides`` and a link's
        ``field_mapping``: ``mapping.email`` is the id of the email column,
        ``mapping.lead_fields(row.cells)`` reads a stored row, and ``decisions[i].header``
        is the id of the i-th plain column (its ``reason`` quotes the column's name)."""
        return self._driver.run(_detect(self._flow_ctx(), table_id))

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
        progress: bool | Callable[[PushProgress], None] | None = None,
    ) -> PushReport:
        """Push rows of a link's table as leads (all rows, the ``rows`` ids, or those
        ``where`` accepts). ``link`` is the id of the ``campaign_config`` column.

        Every row gets a result. ``dry_run`` returns the exact request bodies and sends
        nothing. ``force`` ignores earlier results. ``skip_if_in_campaign`` is Instantly's
        flag: leads already in a campaign of the workspace are not added (turn it off to put
        a row in two campaigns). ``sync_after`` runs a sync when the push is done.

        ``progress``: ``None`` shows a bar in interactive use (a terminal or a Jupyter
        kernel) and none in scripts, ``True`` always, ``False`` never; a callable gets a
        [`PushProgress`][instantly_columns.service.reports.PushProgress] before the first
        bulk call, after each one and at the end, and no bar is shown."""
        from instantly_columns.service._progress import PushWatch, bars_for
        from instantly_columns.service._push import push_flow

        bars = None if dry_run else bars_for(progress)
        labels = self._driver.run(_labels(self._flow_ctx(), [link], "Push")) if bars else []
        with bars or contextlib.nullcontext():
            watch = PushWatch(
                link,
                progress if callable(progress) else None,
                bars.push(labels[0]) if bars is not None else None,
            )
            report = self._driver.run(
                push_flow(
                    self._flow_ctx(),
                    link,
                    rows=rows,
                    where=where,
                    dry_run=dry_run,
                    force=force,
                    skip_if_in_campaign=skip_if_in_campaign,
                    progress=watch,
                )
            )
            watch.finish(report)
        if sync_after and not dry_run:
            self.sync(link, progress=progress if isinstance(progress, bool) else None)
        return report

    def sync(
        self,
        link: str,
        *,
        progress: bool | Callable[[ProgressEvent], None] | None = None,
        cancel: CancelToken | None = None,
        full: bool = False,
    ) -> SyncReport:
        """Sync one link's engagement columns, resuming an interrupted run unless ``full``.

        ``progress``: ``None`` shows a bar in interactive use (a terminal or a Jupyter
        kernel) and none in scripts, ``True`` always, ``False`` never; a callable is called
        after every page instead. When ``cancel.is_set()`` turns true the run stops after
        the current page and can be resumed."""
        from instantly_columns.service._progress import bars_for

        bars = bars_for(progress)
        if bars is None:
            return self._sync(link, progress if callable(progress) else None, cancel, full)
        labels = self._driver.run(_labels(self._flow_ctx(), [link], "Sync"))
        with bars:
            return self._sync(link, bars.sync(labels[0]), cancel, full)

    def _sync(
        self,
        link: str,
        progress: Callable[[ProgressEvent], None] | None,
        cancel: CancelToken | None,
        full: bool,
        driver: SyncDriver | None = None,
    ) -> SyncReport:
        from instantly_columns.service._sync import sync_flow

        return (driver or self._driver).run(
            sync_flow(
                self._flow_ctx(),
                link,
                progress=progress,
                cancelled=_cancelled(cancel),
                full=full,
            )
        )

    def sync_table(
        self,
        table_id: str,
        *,
        progress: bool | Callable[[ProgressEvent], None] | None = None,
        cancel: CancelToken | None = None,
        full: bool = False,
        concurrency: int | None = None,
    ) -> list[SyncReport]:
        """Sync every link of a table at once (``progress`` as in ``sync``: one display, a
        bar per link). Their requests share the workspace rate limit, which paces them;
        ``concurrency`` caps the links synced at the same time (default: all of them, up to
        32)."""
        from concurrent.futures import ThreadPoolExecutor

        from instantly_columns.service._progress import bars_for

        links = self._driver.run(_table_links(self._flow_ctx(), table_id))
        if not links:
            return []
        width = _table_width(len(links), concurrency)
        bars = bars_for(progress)
        callbacks: list[Callable[[ProgressEvent], None] | None]
        callbacks = [progress if callable(progress) else None] * len(links)
        if bars is not None:
            labels = self._driver.run(_labels(self._flow_ctx(), links, "Sync"))
        # Each sync fetches a page in its own thread while a pool thread writes the page
        # before.
        driver = self._driver.widened(width)
        try:
            with bars or contextlib.nullcontext():
                if bars is not None:
                    callbacks = [bars.sync(label) for label in labels]
                with ThreadPoolExecutor(max_workers=width) as pool:
                    return list(
                        pool.map(
                            lambda pair: self._sync(pair[0], pair[1], cancel, full, driver),
                            zip(links, callbacks, strict=True),
                        )
                    )
        finally:
            driver.close()

    def release(self, link: str) -> list[SyncRun]:
        """End the link's running sync, if any, so that a new one can start at once (after a
        crash, instead of waiting `lease_seconds`). A worker still running it writes nothing
        more: its next write finds the lease gone. Returns the runs released."""
        from instantly_columns.service._sync import release_flow

        return self._driver.run(release_flow(self._flow_ctx(), link))

    def summary(self, link: str, *, source: SummarySource = "stored") -> SummaryRow:
        """The pinned summary row. ``stored`` (the default): what the last sync stored, which
        is Instantly's campaign analytics, or the cells' figures when the analytics could not
        be read; ``api``: the analytics, now; ``local``: computed from the cells, now. The
        row says which (``source``) and when (``as_of``)."""
        from instantly_columns.service._summary import summary_flow

        return self._driver.run(summary_flow(self._flow_ctx(), link, source))

    def subscribe_webhooks(
        self,
        target_url: str,
        *,
        event_type: str = "all_events",
        campaign_id: str | None = None,
        name: str | None = None,
        credential: str = "default",
    ) -> Webhook:
        """Subscribe a receiver (your public URL of ``asgi.webhook_app(service)`` or of your
        own route calling ``ingest_webhook``) to the workspace's events, with the service's
        ``webhook_secret`` sent in the header the receiver checks. Raises ``ConfigError``
        when the service has no ``webhook_secret``."""
        from instantly_columns.service._webhooks import subscribe_flow

        flow = subscribe_flow(
            self._flow_ctx(),
            target_url,
            self._webhook_secret,
            event_type=event_type,
            campaign_id=campaign_id,
            name=name,
            credential=credential,
        )
        return self._driver.run(flow)

    def campaigns(
        self, search: str | None = None, *, credential: str = "default"
    ) -> list[Campaign]:
        """The workspace's campaigns (every page), those whose name contains ``search`` when
        given: what a campaign picker or a campaign switch in a settings dialog lists. Uses
        the credential's stored key, else the service's own."""
        from instantly_columns.service._context import campaigns_flow

        return self._driver.run(campaigns_flow(self._flow_ctx(), search, credential))

    def analytics(
        self, link: str, *, start_date: str | None = None, end_date: str | None = None
    ) -> AnalyticsPanel:
        """The analytics panel of a link's campaign, with the daily series."""
        from instantly_columns.service._summary import analytics_flow

        return self._driver.run(analytics_flow(self._flow_ctx(), link, start_date, end_date))

    def due(
        self, *, table_id: str | None = None, now: datetime | None = None
    ) -> list[CampaignLink]:
        """Links due for a scheduled sync (interval elapsed since the last good sync)."""
        from instantly_columns.service._sync import due_flow

        return self._driver.run(due_flow(self._flow_ctx(), table_id, now or self._clock.now()))

    def history(self, link: str, *, limit: int = 20) -> list[SyncRun]:
        """Runs of a link, newest first: its syncs, and its pushes (a push holds the link's
        lease as a run too; their ids start with ``push-``)."""
        return self._driver.run(_history(self._flow_ctx(), link, limit))

    def links(self, table_id: str | None = None) -> list[CampaignLink]:
        """Campaign links (public metadata, never a key)."""
        return self._driver.run(_links(self._flow_ctx(), table_id))

    def columns_of(self, link: str) -> list[Column]:
        """The columns that belong to a link, its ``campaign_config`` column first."""
        return self._driver.run(_columns_of(self._flow_ctx(), link))

    # -- settings ------------------------------------------------------------------------

    def update_link(
        self,
        link: str,
        *,
        field_mapping: Mapping[str, Any] | None = None,
        sequence_mode: SequenceMode | None = None,
        push_config: Mapping[str, Any] | None = None,
        campaign_name: str | None = None,
        campaign_id: str | None = None,
        sync_interval_seconds: float | None = None,
        **unknown: NoReturn,
    ) -> SettingsChange:
        """Edit a link: its field mapping, sequence mode, push settings, name, campaign
        (a switch clears the old campaign's cells) or sync interval. Nothing is saved unless
        the whole change is valid.

        Raises:
            ConfigError: before anything is read or written, for a keyword, lead field or
                ``push_config`` key that does not exist (naming the closest valid ones; a
                type checker flags an unknown keyword too) or a value of the wrong type
                (``sync_interval_seconds="15m"``).
            InvalidColumnConfig: the table would not be valid after the change.
            NotFound: ``campaign_id`` names no campaign of the workspace.
            RecordNotFound: no such campaign link.
        """
        from instantly_columns.service._settings import update_link_flow

        return self._driver.run(
            update_link_flow(
                self._flow_ctx(),
                link,
                field_mapping=field_mapping,
                sequence_mode=sequence_mode,
                push_config=push_config,
                campaign_name=campaign_name,
                campaign_id=campaign_id,
                sync_interval_seconds=sync_interval_seconds,
                unknown=unknown,
            )
        )

    def delete_link(self, link: str, *, keep_step_columns: bool = True) -> DeletionReport:
        """Delete a link and its dependent columns (step columns are kept as text by
        default)."""
        from instantly_columns.service._settings import delete_link_flow

        return self._driver.run(
            delete_link_flow(self._flow_ctx(), link, keep_step_columns=keep_step_columns)
        )

    # -- webhooks ------------------------------------------------------------------------

    def ingest_webhook(
        self,
        body: bytes | Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> WebhookReport:
        """Check the shared secret, then apply one delivery (replays change nothing)."""
        from instantly_columns.domain.webhooks import check_secret
        from instantly_columns.service._webhooks import webhook_flow

        check_secret(self._webhook_secret or "", headers=headers, query=query)
        return self._driver.run(webhook_flow(self._flow_ctx(), body))

    def apply_webhook(self, body: bytes | Mapping[str, Any]) -> WebhookReport:
        """Apply one delivery that was authenticated already, by the receiver that queued it
        (a worker applying a queued event; see `instantly_columns.celery`). Replays change
        nothing; deliveries may be applied in any order, and at once by several workers."""
        from instantly_columns.service._webhooks import webhook_flow

        return self._driver.run(webhook_flow(self._flow_ctx(), body))


class AsyncInstantlyColumns(_Base):
    """The async twin of [`InstantlyColumns`][instantly_columns.service.facade.InstantlyColumns]:
    the same methods with the same parameters, awaited. Store calls run in a worker thread,
    one at a time, so a blocking store never stalls the event loop.

    `transport` is an `httpx.AsyncBaseTransport` or our `AsyncTransport`. Close it with
    `aclose()` or `async with`.
    """

    def __init__(
        self,
        store: FullStore | None = None,
        *,
        tables: TableStore | None = None,
        links: LinkStore | None = None,
        credentials: CredentialStore | None = None,
        api_key: str | ApiKey | None = None,
        transport: AsyncTransport | httpx.AsyncBaseTransport | None = None,
        settings: ClientSettings | None = None,
        clock: Clock | None = None,
        limiter: WorkspaceLimiter | WorkspaceLimiters | None = None,
        concurrency: int = 4,
        webhook_secret: str | None = None,
        lease_seconds: float = 30.0,
        integrations: LinkStore | None = None,
    ) -> None:
        super().__init__(
            store,
            tables=tables,
            links=links,
            credentials=credentials,
            api_key=api_key,
            settings=settings,
            clock=clock,
            limiter=limiter,
            concurrency=concurrency,
            webhook_secret=webhook_secret,
            lease_seconds=lease_seconds,
            integrations=integrations,
        )
        from instantly_columns.api.client import async_transport

        sending, self._owned = async_transport(self._settings, transport)
        self._driver = AsyncDriver(sending, self._clock, concurrency=self._concurrency)

    async def aclose(self) -> None:
        """Close the HTTP connection pool this service made (the store is the caller's to
        close)."""
        owned: AsyncHttpxTransport | None = self._owned
        if owned is not None:
            await owned.aclose()

    async def __aenter__(self) -> AsyncInstantlyColumns:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def connect(
        self, api_key: str | ApiKey, *, credential: str = "default"
    ) -> Mapping[str, Any]:
        """Validate a key against the API and store it; returns the workspace id and name."""
        from instantly_columns.service._webhooks import connect_flow

        return await self._driver.run(connect_flow(self._flow_ctx(), credential, _key(api_key)))

    async def wizard_advance(self, state: WizardState, answer: WizardAnswer) -> WizardState:
        """Answer the current step; returns the next state (or the same step with problems)."""
        from instantly_columns.service._wizard import advance_flow

        return await self._driver.run(advance_flow(self._flow_ctx(), state, answer))

    async def wizard_view(
        self,
        state: WizardState,
        *,
        search: str | None = None,
        bindings: Mapping[str, str] | None = None,
    ) -> WizardView:
        """What the current step shows: campaigns with status badges, the campaign's steps,
        variables and a three-row preview, or the detected mapping."""
        from instantly_columns.service._wizard import view_flow

        return await self._driver.run(
            view_flow(self._flow_ctx(), state, search=search, bindings=bindings)
        )

    async def detect_mapping(self, table_id: str) -> FieldMapping:
        """The detected field mapping of a table, in column ids; see
        [`InstantlyColumns.detect_mapping`][instantly_columns.service.facade.InstantlyColumns.detect_mapping]."""
        return await self._driver.run(_detect(self._flow_ctx(), table_id))

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
        progress: bool | Callable[[PushProgress], None] | None = None,
    ) -> PushReport:
        """Push rows of a link's table as leads; see
        [`InstantlyColumns.push`][instantly_columns.service.facade.InstantlyColumns.push]."""
        from instantly_columns.service._progress import PushWatch, bars_for
        from instantly_columns.service._push import push_flow

        bars = None if dry_run else bars_for(progress)
        labels = await self._driver.run(_labels(self._flow_ctx(), [link], "Push")) if bars else []
        with bars or contextlib.nullcontext():
            watch = PushWatch(
                link,
                progress if callable(progress) else None,
                bars.push(labels[0]) if bars is not None else None,
            )
            report = await self._driver.run(
                push_flow(
                    self._flow_ctx(),
                    link,
                    rows=rows,
                    where=where,
                    dry_run=dry_run,
                    force=force,
                    skip_if_in_campaign=skip_if_in_campaign,
                    progress=watch,
                )
            )
            watch.finish(report)
        if sync_after and not dry_run:
            await self.sync(link, progress=progress if isinstance(progress, bool) else None)
        return report

    async def sync(
        self,
        link: str,
        *,
        progress: bool | Callable[[ProgressEvent], None] | None = None,
        cancel: CancelToken | None = None,
        full: bool = False,
    ) -> SyncReport:
        """Sync one link's engagement columns, resuming an interrupted run unless ``full``;
        see [`InstantlyColumns.sync`][instantly_columns.service.facade.InstantlyColumns.sync]."""
        from instantly_columns.service._progress import bars_for

        bars = bars_for(progress)
        if bars is None:
            return await self._sync(link, progress if callable(progress) else None, cancel, full)
        labels = await self._driver.run(_labels(self._flow_ctx(), [link], "Sync"))
        with bars:
            return await self._sync(link, bars.sync(labels[0]), cancel, full)

    async def _sync(
        self,
        link: str,
        progress: Callable[[ProgressEvent], None] | None,
        cancel: CancelToken | None,
        full: bool,
        driver: AsyncDriver | None = None,
    ) -> SyncReport:
        from instantly_columns.service._sync import sync_flow

        return await (driver or self._driver).run(
            sync_flow(
                self._flow_ctx(), link, progress=progress, cancelled=_cancelled(cancel), full=full
            )
        )

    async def sync_table(
        self,
        table_id: str,
        *,
        progress: bool | Callable[[ProgressEvent], None] | None = None,
        cancel: CancelToken | None = None,
        full: bool = False,
        concurrency: int | None = None,
    ) -> list[SyncReport]:
        """Sync every link of a table at once; see
        [`InstantlyColumns.sync_table`][instantly_columns.service.facade.InstantlyColumns.sync_table]."""
        import anyio

        from instantly_columns.service._progress import bars_for

        links = await self._driver.run(_table_links(self._flow_ctx(), table_id))
        if not links:
            return []
        width = _table_width(len(links), concurrency)
        reports: list[SyncReport | None] = [None] * len(links)
        bars = bars_for(progress)
        callbacks: list[Callable[[ProgressEvent], None] | None]
        callbacks = [progress if callable(progress) else None] * len(links)
        if bars is not None:
            labels = await self._driver.run(_labels(self._flow_ctx(), links, "Sync"))
        # A request in flight per link; store calls still go one at a time.
        driver = self._driver.widened(width)
        at_once = anyio.CapacityLimiter(width)

        async def one(i: int, link: str) -> None:
            async with at_once:
                reports[i] = await self._sync(link, callbacks[i], cancel, full, driver)

        with bars or contextlib.nullcontext():
            if bars is not None:
                callbacks = [bars.sync(label) for label in labels]
            async with anyio.create_task_group() as group:
                for i, link in enumerate(links):
                    group.start_soon(one, i, link)
        return [r for r in reports if r is not None]

    async def release(self, link: str) -> list[SyncRun]:
        """End the link's running sync, if any, so that a new one can start at once; see
        [`InstantlyColumns.release`][instantly_columns.service.facade.InstantlyColumns.release]."""
        from instantly_columns.service._sync import release_flow

        return await self._driver.run(release_flow(self._flow_ctx(), link))

    async def summary(self, link: str, *, source: SummarySource = "stored") -> SummaryRow:
        """The pinned summary row; see
        [`InstantlyColumns.summary`][instantly_columns.service.facade.InstantlyColumns.summary]."""
        from instantly_columns.service._summary import summary_flow

        return await self._driver.run(summary_flow(self._flow_ctx(), link, source))

    async def subscribe_webhooks(
        self,
        target_url: str,
        *,
        event_type: str = "all_events",
        campaign_id: str | None = None,
        name: str | None = None,
        credential: str = "default",
    ) -> Webhook:
        """Subscribe a receiver to the workspace's events; see
        [`InstantlyColumns.subscribe_webhooks`][instantly_columns.service.facade.InstantlyColumns.subscribe_webhooks]."""
        from instantly_columns.service._webhooks import subscribe_flow

        flow = subscribe_flow(
            self._flow_ctx(),
            target_url,
            self._webhook_secret,
            event_type=event_type,
            campaign_id=campaign_id,
            name=name,
            credential=credential,
        )
        return await self._driver.run(flow)

    async def campaigns(
        self, search: str | None = None, *, credential: str = "default"
    ) -> list[Campaign]:
        """The workspace's campaigns; see
        [`InstantlyColumns.campaigns`][instantly_columns.service.facade.InstantlyColumns.campaigns]."""
        from instantly_columns.service._context import campaigns_flow

        return await self._driver.run(campaigns_flow(self._flow_ctx(), search, credential))

    async def analytics(
        self, link: str, *, start_date: str | None = None, end_date: str | None = None
    ) -> AnalyticsPanel:
        """The analytics panel of a link's campaign, with the daily series."""
        from instantly_columns.service._summary import analytics_flow

        return await self._driver.run(analytics_flow(self._flow_ctx(), link, start_date, end_date))

    async def due(
        self, *, table_id: str | None = None, now: datetime | None = None
    ) -> list[CampaignLink]:
        """Links due for a scheduled sync (interval elapsed since the last good sync)."""
        from instantly_columns.service._sync import due_flow

        return await self._driver.run(
            due_flow(self._flow_ctx(), table_id, now or self._clock.now())
        )

    async def history(self, link: str, *, limit: int = 20) -> list[SyncRun]:
        """Runs of a link, newest first: its syncs, and its pushes (a push holds the link's
        lease as a run too; their ids start with ``push-``)."""
        return await self._driver.run(_history(self._flow_ctx(), link, limit))

    async def links(self, table_id: str | None = None) -> list[CampaignLink]:
        """Campaign links (public metadata, never a key)."""
        return await self._driver.run(_links(self._flow_ctx(), table_id))

    async def columns_of(self, link: str) -> list[Column]:
        """The columns that belong to a link, its ``campaign_config`` column first."""
        return await self._driver.run(_columns_of(self._flow_ctx(), link))

    async def update_link(
        self,
        link: str,
        *,
        field_mapping: Mapping[str, Any] | None = None,
        sequence_mode: SequenceMode | None = None,
        push_config: Mapping[str, Any] | None = None,
        campaign_name: str | None = None,
        campaign_id: str | None = None,
        sync_interval_seconds: float | None = None,
        **unknown: NoReturn,
    ) -> SettingsChange:
        """Edit a link; see
        [`InstantlyColumns.update_link`][instantly_columns.service.facade.InstantlyColumns.update_link]."""
        from instantly_columns.service._settings import update_link_flow

        return await self._driver.run(
            update_link_flow(
                self._flow_ctx(),
                link,
                field_mapping=field_mapping,
                sequence_mode=sequence_mode,
                push_config=push_config,
                campaign_name=campaign_name,
                campaign_id=campaign_id,
                sync_interval_seconds=sync_interval_seconds,
                unknown=unknown,
            )
        )

    async def delete_link(self, link: str, *, keep_step_columns: bool = True) -> DeletionReport:
        """Delete a link and its dependent columns (step columns are kept as text by
        default)."""
        from instantly_columns.service._settings import delete_link_flow

        return await self._driver.run(
            delete_link_flow(self._flow_ctx(), link, keep_step_columns=keep_step_columns)
        )

    async def ingest_webhook(
        self,
        body: bytes | Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> WebhookReport:
        """Check the shared secret, then apply one delivery (replays change nothing)."""
        from instantly_columns.domain.webhooks import check_secret
        from instantly_columns.service._webhooks import webhook_flow

        check_secret(self._webhook_secret or "", headers=headers, query=query)
        return await self._driver.run(webhook_flow(self._flow_ctx(), body))

    async def apply_webhook(self, body: bytes | Mapping[str, Any]) -> WebhookReport:
        """Apply one delivery that was authenticated already; see
        [`InstantlyColumns.apply_webhook`][instantly_columns.service.facade.InstantlyColumns.apply_webhook]."""
        from instantly_columns.service._webhooks import webhook_flow

        return await self._driver.run(webhook_flow(self._flow_ctx(), body))
