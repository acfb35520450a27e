"""The Instantly API v2 clients: [`InstantlyClient`][instantly_columns.api.client.InstantlyClient]
and its async twin [`AsyncInstantlyClient`][instantly_columns.api.client.AsyncInstantlyClient].

Both are thin drivers of one core: every operation is written once as a generator of effects
(send a request, wait, hand over a page) and each client merely performs those effects, the
sync one with blocking calls, the async one with `await`. The sync client never starts an event
loop, so it works inside Jupyter; the async client only awaits its transport and
`clock.asleep`, so it runs under asyncio or trio (through anyio).

```python
import httpx
from instantly_columns.api.client import InstantlyClient

def handler(request: httpx.Request) -> httpx.Response:
    assert request.headers["Authorization"] == "Bearer my-key"
    return httpx.Response(200, json={"id": "ws-1", "name": "Acme"})

with InstantlyClient("my-key", transport=httpx.MockTransport(handler)) as client:
    assert client.check_key().workspace_name == "Acme"
    assert client.check_key(timeout=5, max_retries=0).workspace_id == "ws-1"  # this call only
```

Given no key, a client reads `INSTANTLY_API_KEY` from the environment.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

import httpx

from instantly_columns.api.core import ApiCore
from instantly_columns.api.ratelimit import RateLimiter, WorkspaceLimiter
from instantly_columns.api.results import (
    AnalyticsOverview,
    BulkAddResult,
    Campaign,
    CampaignAnalytics,
    DailyAnalytics,
    KeyCheck,
    Lead,
    Page,
    ResultList,
    Webhook,
    WebhookEventType,
    WebhookTestResult,
)
from instantly_columns.clock import SystemClock
from instantly_columns.config import API_KEY_ENV, ClientSettings
from instantly_columns.engine.drivers import AsyncDriver, SyncDriver
from instantly_columns.errors import ConfigError, MissingApiKey
from instantly_columns.ports import ApiKey, AsyncTransport, Clock, Transport
from instantly_columns.transports.http import AsyncHttpxTransport, HttpxTransport

__all__ = ["AsyncInstantlyClient", "InstantlyClient"]

T = TypeVar("T")

DateLike = date | str


def _key(api_key: str | ApiKey | None) -> ApiKey:
    if api_key is None:
        found = ApiKey.from_env(os.environ)
        if found is None:
            raise MissingApiKey(
                f"no API key given and {API_KEY_ENV} is not set: pass api_key= or set {API_KEY_ENV}"
            )
        return found
    if isinstance(api_key, ApiKey):
        return api_key
    if not isinstance(api_key, str) or not api_key.strip():
        # Never echo the value: it may be a key pasted in the wrong place.
        raise ConfigError("must be a non-empty string or an ApiKey", path="api_key")
    return ApiKey(api_key.strip())


def _core(
    api_key: str | ApiKey | None,
    settings: ClientSettings | None,
    clock: Clock | None,
    limiter: RateLimiter | None,
) -> ApiCore:
    if settings is not None and not isinstance(settings, ClientSettings):
        raise ConfigError("must be a ClientSettings", path="settings")
    return ApiCore(
        _key(api_key),
        settings=settings if settings is not None else ClientSettings(),
        clock=clock if clock is not None else SystemClock(),
        limiter=limiter if limiter is not None else WorkspaceLimiter(),
    )


def sync_transport(
    settings: ClientSettings, transport: Transport | httpx.BaseTransport | None
) -> tuple[Transport, HttpxTransport | None]:
    """The transport requests go through, and the one this caller must close (if it made it):
    our `Transport` port as given, or httpx (over `transport`, when it is an httpx one)."""
    if transport is None or isinstance(transport, httpx.BaseTransport):
        owned = HttpxTransport(settings, transport=transport)
        return owned, owned
    return transport, None


def async_transport(
    settings: ClientSettings, transport: AsyncTransport | httpx.AsyncBaseTransport | None
) -> tuple[AsyncTransport, AsyncHttpxTransport | None]:
    """The async twin of `sync_transport`."""
    if transport is None or isinstance(transport, httpx.AsyncBaseTransport):
        owned = AsyncHttpxTransport(settings, transport=transport)
        return owned, owned
    return transport, None


class InstantlyClient:
    """A synchronous client of the Instantly API v2.

    Every operation also takes `timeout=` (seconds to wait for each response of this call)
    and `max_retries=` (retries allowed for each request of this call), overriding the
    settings for that call only.

    Args:
        api_key: The key, as a string or an [`ApiKey`][instantly_columns.ports.ApiKey]. It is
            kept as an `ApiKey`, which prints as a fingerprint. Omitted: the key in the
            `INSTANTLY_API_KEY` environment variable (never logged); `MissingApiKey` if that
            is not set either.
        settings: [`ClientSettings`][instantly_columns.config.ClientSettings]; defaults apply
            when omitted.
        transport: A [`Transport`][instantly_columns.ports.Transport] (such as the fake's), or
            any `httpx.BaseTransport` (wrapped in an
            [`HttpxTransport`][instantly_columns.transports.http.HttpxTransport]). Default:
            the network through httpx. Transports passed as ports are not closed by the client.
        clock: Where time and sleeping come from; a `FakeClock` makes waits instant.
        limiter: The workspace's
            [`WorkspaceLimiter`][instantly_columns.api.ratelimit.WorkspaceLimiter] (or any
            [`RateLimiter`][instantly_columns.api.ratelimit.RateLimiter]). Give every client
            of one workspace the same object; by default each client gets its own.
    """

    def __init__(
        self,
        api_key: str | ApiKey | None = None,
        *,
        settings: ClientSettings | None = None,
        transport: Transport | httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._core = _core(api_key, settings, clock, limiter)
        self._transport, self._owned = sync_transport(self._core.settings, transport)
        driver = SyncDriver(self._transport, self._core.clock)
        self._run = driver.run
        self._stream = driver.stream

    def _for(self, timeout: float | None, max_retries: int | None) -> ApiCore:
        return self._core.with_overrides(timeout=timeout, max_retries=max_retries)

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def settings(self) -> ClientSettings:
        """The settings in force."""
        return self._core.settings

    @property
    def limiter(self) -> RateLimiter:
        """The rate limiter this client asks before each request."""
        return self._core.limiter

    def close(self) -> None:
        """Close the HTTP connection pool, if the client created it."""
        if self._owned is not None:
            self._owned.close()

    def __enter__(self) -> InstantlyClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"InstantlyClient({self._core.api_key!r}, base_url={self.settings.base_url!r})"

    # -- workspace ------------------------------------------------------------------------

    def check_key(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> KeyCheck:
        """Check the key cheaply and say which workspace it belongs to.

        Asks `GET /workspaces/current`; a key without `workspaces:read` (a JSON 403) is
        checked with `GET /campaigns?limit=1` instead. Raises `Unauthorized` (bad, missing or
        revoked key), `PaymentRequired`, or `Forbidden` (no usable scope, or an edge block).
        """
        return self._run(self._for(timeout, max_retries).check_key())

    # -- campaigns ------------------------------------------------------------------------

    def iter_campaign_pages(
        self,
        *,
        search: str | None = None,
        status: int | None = None,
        starting_after: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Iterator[Page[Campaign]]:
        """Pages of campaigns (`GET /campaigns`), fetched lazily, `page_size` per page.

        `search` matches names; `status` is a campaign status code (1 = Active...). Resume a
        walk with `starting_after=` a page's `next_starting_after`.
        """
        flow = self._for(timeout, max_retries).campaign_pages(
            search=search, status=status, starting_after=starting_after
        )
        return self._stream(flow)

    def iter_campaigns(
        self,
        *,
        search: str | None = None,
        status: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Iterator[Campaign]:
        """Every matching campaign, one page in memory at a time."""
        pages = self.iter_campaign_pages(
            search=search, status=status, timeout=timeout, max_retries=max_retries
        )
        for page in pages:
            yield from page.items

    def list_campaigns(
        self,
        *,
        search: str | None = None,
        status: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> ResultList[Campaign]:
        """Every matching campaign, all pages read (renders as a table in notebooks)."""
        campaigns = self.iter_campaigns(
            search=search, status=status, timeout=timeout, max_retries=max_retries
        )
        return ResultList(tuple(campaigns))

    def get_campaign(
        self,
        campaign_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Campaign:
        """One campaign (`GET /campaigns/{id}`); `NotFound` if unknown."""
        return self._run(self._for(timeout, max_retries).get_campaign(campaign_id))

    def create_campaign(
        self,
        name: str,
        *,
        schedule: Mapping[str, Any] | None = None,
        sequences: Sequence[Mapping[str, Any]] | None = None,
        options: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Campaign:
        """Create a campaign as a draft (`POST /campaigns`); it sends nothing until activated.

        Args:
            name: The campaign name.
            schedule: The `campaign_schedule` JSON; default Monday to Friday 09:00-17:00,
                `America/Chicago`.
            sequences: The `sequences` JSON (only the first element is used by Instantly).
            options: Other campaign settings, e.g. `{"email_list": [...], "daily_limit": 30}`.

        Never sent twice blindly: after a timeout, a connection error or a 5xx, the client
        looks for a campaign of that exact name created since the call began, and returns it
        if found; otherwise it sends the creation again, within the retry policy.
        """
        return self._run(
            self._for(timeout, max_retries).create_campaign(
                name, schedule=schedule, sequences=sequences, options=options
            )
        )

    def get_sequences(
        self,
        campaign_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> list[dict[str, Any]]:
        """The campaign's `sequences` JSON (read from `GET /campaigns/{id}`)."""
        return self._run(self._for(timeout, max_retries).get_sequences(campaign_id))

    def replace_sequences(
        self,
        campaign_id: str,
        sequences: Sequence[Mapping[str, Any]],
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Campaign:
        """Replace the whole `sequences` array (`PATCH /campaigns/{id}`)."""
        return self._run(self._for(timeout, max_retries).replace_sequences(campaign_id, sequences))

    def activate_campaign(
        self,
        campaign_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Campaign:
        """Start or resume sending (`POST /campaigns/{id}/activate`)."""
        return self._run(self._for(timeout, max_retries).campaign_action(campaign_id, "activate"))

    def pause_campaign(
        self,
        campaign_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Campaign:
        """Pause sending (`POST /campaigns/{id}/pause`)."""
        return self._run(self._for(timeout, max_retries).campaign_action(campaign_id, "pause"))

    # -- analytics ------------------------------------------------------------------------

    def campaign_analytics(
        self,
        campaign_id: str | None = None,
        *,
        campaign_ids: Sequence[str] | None = None,
        start_date: DateLike | None = None,
        end_date: DateLike | None = None,
        exclude_total_leads_count: bool = False,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> ResultList[CampaignAnalytics]:
        """Per-campaign counters (`GET /campaigns/analytics`), one row per campaign.

        Give `campaign_id` or `campaign_ids` (neither: every campaign). The list is empty for
        a campaign that has not sent yet. Dates are `date` objects or `YYYY-MM-DD` text.
        """
        return self._run(
            self._for(timeout, max_retries).campaign_analytics(
                campaign_id,
                campaign_ids=campaign_ids,
                start_date=start_date,
                end_date=end_date,
                exclude_total_leads_count=exclude_total_leads_count,
            )
        )

    def analytics_overview(
        self,
        campaign_id: str | None = None,
        *,
        campaign_ids: Sequence[str] | None = None,
        start_date: DateLike | None = None,
        end_date: DateLike | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AnalyticsOverview:
        """Counters summed over the campaigns (`GET /campaigns/analytics/overview`)."""
        return self._run(
            self._for(timeout, max_retries).analytics_overview(
                campaign_id, campaign_ids=campaign_ids, start_date=start_date, end_date=end_date
            )
        )

    def daily_analytics(
        self,
        campaign_id: str,
        *,
        start_date: DateLike | None = None,
        end_date: DateLike | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> ResultList[DailyAnalytics]:
        """One row per day for a campaign (`GET /campaigns/analytics/daily`)."""
        return self._run(
            self._for(timeout, max_retries).daily_analytics(
                campaign_id, start_date=start_date, end_date=end_date
            )
        )

    # -- leads ----------------------------------------------------------------------------

    def add_leads(
        self,
        campaign_id: str,
        leads: Sequence[Mapping[str, Any]],
        *,
        skip_if_in_campaign: bool = False,
        skip_if_in_workspace: bool = False,
        skip_if_in_list: bool = False,
        verify_leads_on_import: bool = False,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> BulkAddResult:
        """Add up to 1000 leads to a campaign in one call (`POST /leads/add`).

        Each lead is a mapping with `email` and any of the writable lead fields
        (`first_name`, `last_name`, `company_name`, `job_title`, `phone`, `website`,
        `personalization`, `custom_variables`...). Everything is checked before sending: more
        than 1000 leads, an unknown field or a non-scalar custom variable raises a
        `ConfigError` naming each problem's path.

        Retried after a timeout, a connection error or a 5xx only when `skip_if_in_campaign`
        or `skip_if_in_workspace` is set, since only then can a second send not add a lead
        twice. The result's `created` maps input positions to new lead ids.
        """
        return self._run(
            self._for(timeout, max_retries).add_leads(
                campaign_id,
                leads,
                skip_if_in_campaign=skip_if_in_campaign,
                skip_if_in_workspace=skip_if_in_workspace,
                skip_if_in_list=skip_if_in_list,
                verify_leads_on_import=verify_leads_on_import,
            )
        )

    def lead_page(
        self,
        campaign_id: str,
        *,
        starting_after: str | None = None,
        filter: str | None = None,
        search: str | None = None,
        contacts: Sequence[str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Page[Lead]:
        """One page of a campaign's leads (`POST /leads/list`), for callers that checkpoint
        the cursor themselves; `page.next_starting_after` asks for the next one. An empty
        page is normally the end; if it carries a cursor, ask once more with it, as
        `iter_lead_pages` does (see "Pagination" in the client docs). A cursor the API sent as
        a number comes as its text; one that cannot be sent back sets `page.cursor_problem`."""
        return self._run(
            self._for(timeout, max_retries).lead_page(
                campaign_id, starting_after, filter=filter, search=search, contacts=contacts
            )
        )

    def iter_lead_pages(
        self,
        campaign_id: str,
        *,
        starting_after: str | None = None,
        filter: str | None = None,
        search: str | None = None,
        contacts: Sequence[str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Iterator[Page[Lead]]:
        """Pages of a campaign's leads (`POST /leads/list`), fetched lazily.

        Stops at a page without a cursor. An empty page that carries a cursor is followed
        once more; the page found then goes on, or ends the walk (empty without a cursor, or
        pointing back at its own cursor), or, empty with yet another cursor, ends it with a
        warning logged. A cursor seen before, or one that cannot be sent back (after its page
        is yielded), raises `ApiResponseError`. Save `page.next_starting_after` after
        handling a page and pass it as `starting_after` to resume. `filter` is one of the
        API's `FILTER_...` values; `contacts` restricts to those emails.
        """
        flow = self._for(timeout, max_retries).lead_pages(
            campaign_id,
            starting_after=starting_after,
            filter=filter,
            search=search,
            contacts=contacts,
        )
        return self._stream(flow)

    def iter_leads(
        self,
        campaign_id: str,
        *,
        filter: str | None = None,
        search: str | None = None,
        contacts: Sequence[str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Iterator[Lead]:
        """Every lead of a campaign, one page in memory at a time."""
        pages = self.iter_lead_pages(
            campaign_id,
            filter=filter,
            search=search,
            contacts=contacts,
            timeout=timeout,
            max_retries=max_retries,
        )
        for page in pages:
            yield from page.items

    def get_lead(
        self,
        lead_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Lead:
        """One lead (`GET /leads/{id}`)."""
        return self._run(self._for(timeout, max_retries).get_lead(lead_id))

    def update_lead(
        self,
        lead_id: str,
        fields: Mapping[str, Any],
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Lead:
        """Change writable fields of a lead (`PATCH /leads/{id}`).

        `custom_variables`, if given, replaces the whole set: send every key to keep.
        """
        return self._run(self._for(timeout, max_retries).update_lead(lead_id, fields))

    def delete_lead(
        self,
        lead_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Lead:
        """Delete a lead (`DELETE /leads/{id}`); returns it as it was."""
        return self._run(self._for(timeout, max_retries).delete_lead(lead_id))

    def update_interest_status(
        self,
        lead_email: str,
        interest_value: int | None,
        *,
        campaign_id: str | None = None,
        disable_auto_interest: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None:
        """Set a lead's interest status by email (`POST /leads/update-interest-status`).

        `interest_value` is an `lt_interest_status` code (1 Interested, -1 Not Interested...),
        a custom label's number (its `interest_status`; this endpoint has no closed set, so
        any integer is sent), or `None` to reset to "Lead". The API accepts the change (202)
        and applies it later.
        """
        return self._run(
            self._for(timeout, max_retries).update_interest_status(
                lead_email,
                interest_value,
                campaign_id=campaign_id,
                disable_auto_interest=disable_auto_interest,
            )
        )

    # -- webhooks -------------------------------------------------------------------------

    def list_webhooks(
        self,
        *,
        campaign_id: str | None = None,
        event_type: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> ResultList[Webhook]:
        """Every webhook (`GET /webhooks`, all pages)."""
        return self._run(
            self._for(timeout, max_retries).list_webhooks(
                campaign_id=campaign_id, event_type=event_type
            )
        )

    def create_webhook(
        self,
        target_hook_url: str,
        event_type: str | None,
        *,
        campaign_id: str | None = None,
        name: str | None = None,
        headers: Mapping[str, str] | None = None,
        custom_interest_value: float | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Webhook:
        """Subscribe `target_hook_url` to `event_type` (`POST /webhooks`).

        `event_type` is a subscription name such as `"reply_received"` or `"all_events"`
        (`None` with `custom_interest_value` for a custom label); `campaign_id=None` covers
        every campaign. `headers` are sent with each delivery (e.g. a shared secret). Not
        retried after an ambiguous failure.
        """
        flow = self._for(timeout, max_retries).create_webhook(
            target_hook_url,
            event_type,
            campaign_id=campaign_id,
            name=name,
            headers=headers,
            custom_interest_value=custom_interest_value,
        )
        return self._run(flow)

    def get_webhook(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Webhook:
        """One webhook (`GET /webhooks/{id}`)."""
        return self._run(self._for(timeout, max_retries).get_webhook(webhook_id))

    def update_webhook(
        self,
        webhook_id: str,
        fields: Mapping[str, Any],
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Webhook:
        """Change a webhook (`PATCH /webhooks/{id}`); `fields` use the API's names
        (`target_hook_url`, `event_type`, `campaign`, `name`, `headers`)."""
        return self._run(self._for(timeout, max_retries).update_webhook(webhook_id, fields))

    def delete_webhook(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Webhook:
        """Delete a webhook (`DELETE /webhooks/{id}`); returns it as it was."""
        return self._run(self._for(timeout, max_retries).delete_webhook(webhook_id))

    def resume_webhook(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Webhook:
        """Re-enable a webhook the API disabled after failed deliveries."""
        return self._run(self._for(timeout, max_retries).resume_webhook(webhook_id))

    def test_webhook(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> WebhookTestResult:
        """Send a test delivery; a failed test (`success: false`) raises `ApiResponseError`."""
        return self._run(self._for(timeout, max_retries).test_webhook(webhook_id))

    def webhook_event_types(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> ResultList[WebhookEventType]:
        """The event types a webhook can subscribe to (`GET /webhooks/event-types`)."""
        return self._run(self._for(timeout, max_retries).webhook_event_types())


class AsyncInstantlyClient:
    """The asynchronous twin of [`InstantlyClient`][instantly_columns.api.client.InstantlyClient]:
    the same operations, awaited, and `async for` over pages and leads.

    `transport` is an [`AsyncTransport`][instantly_columns.ports.AsyncTransport] or any
    `httpx.AsyncBaseTransport`. Without `api_key`, the key in `INSTANTLY_API_KEY` is used;
    every operation takes `timeout=` and `max_retries=` for that call only. Waiting uses
    `clock.asleep`, so it works under any anyio backend. Close it with `aclose()` or
    `async with`.
    """

    def __init__(
        self,
        api_key: str | ApiKey | None = None,
        *,
        settings: ClientSettings | None = None,
        transport: AsyncTransport | httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._core = _core(api_key, settings, clock, limiter)
        self._transport, self._owned = async_transport(self._core.settings, transport)
        driver = AsyncDriver(self._transport, self._core.clock)
        self._run = driver.run
        self._stream = driver.stream

    def _for(self, timeout: float | None, max_retries: int | None) -> ApiCore:
        return self._core.with_overrides(timeout=timeout, max_retries=max_retries)

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def settings(self) -> ClientSettings:
        """The settings in force."""
        return self._core.settings

    @property
    def limiter(self) -> RateLimiter:
        """The rate limiter this client asks before each request."""
        return self._core.limiter

    async def aclose(self) -> None:
        """Close the HTTP connection pool, if the client created it."""
        if self._owned is not None:
            await self._owned.aclose()

    close = aclose

    async def __aenter__(self) -> AsyncInstantlyClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncInstantlyClient({self._core.api_key!r}, base_url={self.settings.base_url!r})"

    # -- operations (see InstantlyClient for each one's documentation) ---------------------

    async def check_key(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> KeyCheck:
        """See
        [`InstantlyClient.check_key`][instantly_columns.api.client.InstantlyClient.check_key]."""
        return await self._run(self._for(timeout, max_retries).check_key())

    def iter_campaign_pages(
        self,
        *,
        search: str | None = None,
        status: int | None = None,
        starting_after: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[Page[Campaign]]:
        """Pages of campaigns, fetched lazily (`async for`)."""
        flow = self._for(timeout, max_retries).campaign_pages(
            search=search, status=status, starting_after=starting_after
        )
        return self._stream(flow)

    async def iter_campaigns(
        self,
        *,
        search: str | None = None,
        status: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[Campaign]:
        """Every matching campaign, one page in memory at a time (`async for`)."""
        pages = self.iter_campaign_pages(
            search=search, status=status, timeout=timeout, max_retries=max_retries
        )
        async for page in pages:
            for campaign in page.items:
                yield campaign

    async def list_campaigns(
        self,
        *,
        search: str | None = None,
        status: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> ResultList[Campaign]:
        """Every matching campaign, all pages read."""
        campaigns = self.iter_campaigns(
            search=search, status=status, timeout=timeout, max_retries=max_retries
        )
        return ResultList(tuple([c async for c in campaigns]))

    async def get_campaign(
        self,
        campaign_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Campaign:
        """One campaign (`GET /campaigns/{id}`)."""
        return await self._run(self._for(timeout, max_retries).get_campaign(campaign_id))

    async def create_campaign(
        self,
        name: str,
        *,
        schedule: Mapping[str, Any] | None = None,
        sequences: Sequence[Mapping[str, Any]] | None = None,
        options: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Campaign:
        """Create a draft campaign; never sent twice blindly (see the sync client)."""
        return await self._run(
            self._for(timeout, max_retries).create_campaign(
                name, schedule=schedule, sequences=sequences, options=options
            )
        )

    async def get_sequences(
        self,
        campaign_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> list[dict[str, Any]]:
        """The campaign's `sequences` JSON."""
        return await self._run(self._for(timeout, max_retries).get_sequences(campaign_id))

    async def replace_sequences(
        self,
        campaign_id: str,
        sequences: Sequence[Mapping[str, Any]],
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Campaign:
        """Replace the whole `sequences` array."""
        return await self._run(
            self._for(timeout, max_retries).replace_sequences(campaign_id, sequences)
        )

    async def activate_campaign(
        self,
        campaign_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Campaign:
        """Start or resume sending."""
        return await self._run(
            self._for(timeout, max_retries).campaign_action(campaign_id, "activate")
        )

    async def pause_campaign(
        self,
        campaign_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Campaign:
        """Pause sending."""
        return await self._run(
            self._for(timeout, max_retries).campaign_action(campaign_id, "pause")
        )

    async def campaign_analytics(
        self,
        campaign_id: str | None = None,
        *,
        campaign_ids: Sequence[str] | None = None,
        start_date: DateLike | None = None,
        end_date: DateLike | None = None,
        exclude_total_leads_count: bool = False,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> ResultList[CampaignAnalytics]:
        """Per-campaign counters, one row per campaign."""
        return await self._run(
            self._for(timeout, max_retries).campaign_analytics(
                campaign_id,
                campaign_ids=campaign_ids,
                start_date=start_date,
                end_date=end_date,
                exclude_total_leads_count=exclude_total_leads_count,
            )
        )

    async def analytics_overview(
        self,
        campaign_id: str | None = None,
        *,
        campaign_ids: Sequence[str] | None = None,
        start_date: DateLike | None = None,
        end_date: DateLike | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AnalyticsOverview:
        """Counters summed over the campaigns."""
        return await self._run(
            self._for(timeout, max_retries).analytics_overview(
                campaign_id, campaign_ids=campaign_ids, start_date=start_date, end_date=end_date
            )
        )

    async def daily_analytics(
        self,
        campaign_id: str,
        *,
        start_date: DateLike | None = None,
        end_date: DateLike | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> ResultList[DailyAnalytics]:
        """One row per day for a campaign."""
        return await self._run(
            self._for(timeout, max_retries).daily_analytics(
                campaign_id, start_date=start_date, end_date=end_date
            )
        )

    async def add_leads(
        self,
        campaign_id: str,
        leads: Sequence[Mapping[str, Any]],
        *,
        skip_if_in_campaign: bool = False,
        skip_if_in_workspace: bool = False,
        skip_if_in_list: bool = False,
        verify_leads_on_import: bool = False,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> BulkAddResult:
        """Add up to 1000 leads to a campaign in one call (see the sync client)."""
        return await self._run(
            self._for(timeout, max_retries).add_leads(
                campaign_id,
                leads,
                skip_if_in_campaign=skip_if_in_campaign,
                skip_if_in_workspace=skip_if_in_workspace,
                skip_if_in_list=skip_if_in_list,
                verify_leads_on_import=verify_leads_on_import,
            )
        )

    async def lead_page(
        self,
        campaign_id: str,
        *,
        starting_after: str | None = None,
        filter: str | None = None,
        search: str | None = None,
        contacts: Sequence[str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Page[Lead]:
        """One page of a campaign's leads; see `InstantlyClient.lead_page`."""
        return await self._run(
            self._for(timeout, max_retries).lead_page(
                campaign_id, starting_after, filter=filter, search=search, contacts=contacts
            )
        )

    def iter_lead_pages(
        self,
        campaign_id: str,
        *,
        starting_after: str | None = None,
        filter: str | None = None,
        search: str | None = None,
        contacts: Sequence[str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[Page[Lead]]:
        """Pages of a campaign's leads, fetched lazily (`async for`)."""
        flow = self._for(timeout, max_retries).lead_pages(
            campaign_id,
            starting_after=starting_after,
            filter=filter,
            search=search,
            contacts=contacts,
        )
        return self._stream(flow)

    async def iter_leads(
        self,
        campaign_id: str,
        *,
        filter: str | None = None,
        search: str | None = None,
        contacts: Sequence[str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[Lead]:
        """Every lead of a campaign, one page in memory at a time (`async for`)."""
        pages = self.iter_lead_pages(
            campaign_id,
            filter=filter,
            search=search,
            contacts=contacts,
            timeout=timeout,
            max_retries=max_retries,
        )
        async for page in pages:
            for lead in page.items:
                yield lead

    async def get_lead(
        self,
        lead_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Lead:
        """One lead."""
        return await self._run(self._for(timeout, max_retries).get_lead(lead_id))

    async def update_lead(
        self,
        lead_id: str,
        fields: Mapping[str, Any],
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Lead:
        """Change writable fields of a lead."""
        return await self._run(self._for(timeout, max_retries).update_lead(lead_id, fields))

    async def delete_lead(
        self,
        lead_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Lead:
        """Delete a lead; returns it as it was."""
        return await self._run(self._for(timeout, max_retries).delete_lead(lead_id))

    async def update_interest_status(
        self,
        lead_email: str,
        interest_value: int | None,
        *,
        campaign_id: str | None = None,
        disable_auto_interest: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None:
        """Set a lead's interest status by email (applied later by the API)."""
        return await self._run(
            self._for(timeout, max_retries).update_interest_status(
                lead_email,
                interest_value,
                campaign_id=campaign_id,
                disable_auto_interest=disable_auto_interest,
            )
        )

    async def list_webhooks(
        self,
        *,
        campaign_id: str | None = None,
        event_type: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> ResultList[Webhook]:
        """Every webhook."""
        return await self._run(
            self._for(timeout, max_retries).list_webhooks(
                campaign_id=campaign_id, event_type=event_type
            )
        )

    async def create_webhook(
        self,
        target_hook_url: str,
        event_type: str | None,
        *,
        campaign_id: str | None = None,
        name: str | None = None,
        headers: Mapping[str, str] | None = None,
        custom_interest_value: float | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Webhook:
        """Subscribe a URL to an event type; not retried after an ambiguous failure."""
        flow = self._for(timeout, max_retries).create_webhook(
            target_hook_url,
            event_type,
            campaign_id=campaign_id,
            name=name,
            headers=headers,
            custom_interest_value=custom_interest_value,
        )
        return await self._run(flow)

    async def get_webhook(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Webhook:
        """One webhook."""
        return await self._run(self._for(timeout, max_retries).get_webhook(webhook_id))

    async def update_webhook(
        self,
        webhook_id: str,
        fields: Mapping[str, Any],
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Webhook:
        """Change a webhook."""
        return await self._run(self._for(timeout, max_retries).update_webhook(webhook_id, fields))

    async def delete_webhook(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Webhook:
        """Delete a webhook; returns it as it was."""
        return await self._run(self._for(timeout, max_retries).delete_webhook(webhook_id))

    async def resume_webhook(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Webhook:
        """Re-enable a webhook disabled after failed deliveries."""
        return await self._run(self._for(timeout, max_retries).resume_webhook(webhook_id))

    async def test_webhook(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> WebhookTestResult:
        """Send a test delivery; a failed test raises `ApiResponseError`."""
        return await self._run(self._for(timeout, max_retries).test_webhook(webhook_id))

    async def webhook_event_types(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> ResultList[WebhookEventType]:
        """The event types a webhook can subscribe to."""
        return await self._run(self._for(timeout, max_retries).webhook_event_types())
