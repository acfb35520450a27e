"""Pydantic models of the JSON the Instantly API sends and accepts.

Responses are read leniently: unknown fields are kept (`extra="allow"`), enum-like codes stay
plain ints (or strings) so new values pass through, and an optional field whose value has an
unexpected type becomes `None` instead of failing the whole page. Only the identifying fields
(`id`, `items`) are required; their absence is schema drift and becomes an
`ApiResponseError` in the caller.

Request bodies we build from user input are closed (`extra="forbid"`), as the API's are, so a
misspelt field fails here with its path instead of at the API.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)

from instantly_columns.domain.engagement import INTEREST_LABELS
from instantly_columns.domain.webhooks import SUBSCRIPTION_EVENTS

__all__ = [
    "AnalyticsOverviewWire",
    "BulkAddWire",
    "CampaignAnalyticsWire",
    "CampaignWire",
    "CreatedLeadWire",
    "DailyAnalyticsWire",
    "EventTypesWire",
    "LeadInput",
    "LeadPatch",
    "LeadWire",
    "PageWire",
    "WebhookCreate",
    "WebhookEventTypeWire",
    "WebhookPatch",
    "WebhookTestWire",
    "WebhookWire",
    "WorkspaceWire",
    "check_event_type",
    "check_interest",
    "is_uuid",
]


def _or_none(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if value is None or value == "":
        return None
    try:
        return handler(value)
    except ValidationError:
        return None


OptStr = Annotated[str | None, WrapValidator(_or_none)]
OptInt = Annotated[int | None, WrapValidator(_or_none)]
OptFloat = Annotated[float | None, WrapValidator(_or_none)]
OptBool = Annotated[bool | None, WrapValidator(_or_none)]
OptTime = Annotated[datetime | None, WrapValidator(_or_none)]
Code = Annotated[int | str | None, WrapValidator(_or_none)]
"""An enum-like code: an int normally, kept as-is (int or string) when unknown."""
OptDict = Annotated[dict[str, Any] | None, WrapValidator(_or_none)]
OptList = Annotated[list[Any] | None, WrapValidator(_or_none)]


class _Response(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)


class PageWire(_Response):
    """`{"items": [...], "next_starting_after": "..."}`; items are parsed one by one later.

    The cursor is kept as sent, whatever its JSON type: `core.page_cursor` reads it (a
    number is a cursor too; a value that cannot be sent back must not pass for "no more
    pages").
    """

    items: list[dict[str, Any]]
    next_starting_after: Any = None


class WorkspaceWire(_Response):
    id: str
    name: OptStr = None
    owner: OptStr = None
    plan_id: OptStr = None


class CampaignWire(_Response):
    id: str
    name: OptStr = None
    status: Code = None
    campaign_schedule: OptDict = None
    sequences: OptList = None
    email_list: OptList = None
    daily_limit: OptInt = None
    stop_on_reply: OptBool = None
    organization: OptStr = None
    not_sending_status: Code = None
    timestamp_created: OptTime = None
    timestamp_updated: OptTime = None


class LeadWire(_Response):
    id: str
    email: OptStr = None
    first_name: OptStr = None
    last_name: OptStr = None
    company_name: OptStr = None
    campaign: OptStr = None
    list_id: OptStr = None
    status: Code = None
    lt_interest_status: Code = None
    email_open_count: OptInt = None
    email_reply_count: OptInt = None
    email_click_count: OptInt = None
    timestamp_created: OptTime = None
    timestamp_updated: OptTime = None
    timestamp_last_contact: OptTime = None
    payload: OptDict = None


class _Counters(_Response):
    contacted_count: OptInt = None
    emails_sent_count: OptInt = None
    new_leads_contacted_count: OptInt = None
    open_count: OptInt = None
    open_count_unique: OptInt = None
    reply_count: OptInt = None
    reply_count_unique: OptInt = None
    reply_count_automatic: OptInt = None
    reply_count_automatic_unique: OptInt = None
    link_click_count: OptInt = None
    link_click_count_unique: OptInt = None
    bounced_count: OptInt = None
    unsubscribed_count: OptInt = None
    completed_count: OptInt = None
    total_opportunities: OptInt = None
    total_opportunity_value: OptFloat = None


class CampaignAnalyticsWire(_Counters):
    campaign_id: OptStr = None
    campaign_name: OptStr = None
    campaign_status: Code = None
    campaign_is_evergreen: OptBool = None
    leads_count: OptInt = None


class AnalyticsOverviewWire(_Counters):
    total_interested: OptInt = None
    total_meeting_booked: OptInt = None
    total_meeting_completed: OptInt = None
    total_closed: OptInt = None


class DailyAnalyticsWire(_Response):
    date: OptStr = None
    sent: OptInt = None
    contacted: OptInt = None
    new_leads_contacted: OptInt = None
    opened: OptInt = None
    unique_opened: OptInt = None
    replies: OptInt = None
    unique_replies: OptInt = None
    replies_automatic: OptInt = None
    unique_replies_automatic: OptInt = None
    clicks: OptInt = None
    unique_clicks: OptInt = None
    opportunities: OptInt = None
    unique_opportunities: OptInt = None


class CreatedLeadWire(_Response):
    index: int
    id: str
    email: OptStr = None


def _created_leads(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if not isinstance(value, list):
        return []
    kept = []
    for item in value:
        try:
            kept.append(CreatedLeadWire.model_validate(item))
        except ValidationError:
            continue
    return kept


class BulkAddWire(_Response):
    status: OptStr = None
    total_sent: OptInt = None
    leads_uploaded: OptInt = None
    in_blocklist: OptInt = None
    blocklist_used: OptStr = None
    duplicated_leads: OptInt = None
    skipped_count: OptInt = None
    invalid_email_count: OptInt = None
    incomplete_count: OptInt = None
    duplicate_email_count: OptInt = None
    remaining_in_plan: OptInt = None
    created_leads: Annotated[list[CreatedLeadWire], WrapValidator(_created_leads)] = Field(
        default_factory=list
    )


class WebhookWire(_Response):
    id: str
    target_hook_url: OptStr = None
    event_type: OptStr = None
    campaign: OptStr = None
    name: OptStr = None
    status: Code = None
    organization: OptStr = None
    timestamp_created: OptTime = None
    timestamp_error: OptTime = None
    custom_interest_value: OptFloat = None


class WebhookEventTypeWire(_Response):
    id: OptStr = None
    label: OptStr = None
    type: OptStr = None


class EventTypesWire(_Response):
    event_types: list[WebhookEventTypeWire]


class WebhookTestWire(_Response):
    success: OptBool = None
    message: OptStr = None
    error: OptStr = None
    status_code: OptInt = None
    response_time_ms: OptFloat = None


# --- request bodies built from user input ------------------------------------------------


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_INTEREST_CODES = ", ".join(f"{code} ({label})" for code, label in INTEREST_LABELS.items())


def is_uuid(value: str) -> bool:
    """Whether ``value`` is written as a UUID (the form of every Instantly id)."""
    return bool(_UUID.match(value))


def check_interest(value: int | None) -> int | None:
    """An ``lt_interest_status`` a lead write may carry (``None`` passes), else ``ValueError``.

    The spec closes this field to the nine documented codes on ``POST /leads``,
    ``POST /leads/add`` and ``PATCH /leads/{id}`` (its schema has the enum the server
    validates with). A custom label's number goes through ``update_interest_status``, which
    has no such enum; values read back from the API are never checked."""
    if value is not None and value not in INTEREST_LABELS:
        raise ValueError(
            f"must be an interest status code: {_INTEREST_CODES}; a custom label's value is "
            "set with update_interest_status"
        )
    return value


def check_event_type(value: str | None) -> str | None:
    """A subscription ``event_type`` the API accepts (``None`` passes: a custom label), else
    ``ValueError`` naming the near miss (a payload name such as ``link_clicked``)."""
    if value is None or value in SUBSCRIPTION_EVENTS:
        return value
    hints = {
        "link_clicked": "email_link_clicked",
        "auto_reply_received": "reply_received or all_events",
    }
    hint = hints.get(value)
    if hint is not None:
        raise ValueError(f"{value!r} is a payload name; subscribe with {hint}")
    raise ValueError("must be one of: " + ", ".join(SUBSCRIPTION_EVENTS))


def _check_uuid(value: str | None) -> str | None:
    if value is not None and not is_uuid(value):
        raise ValueError("must be an Instantly id (a UUID)")
    return value


CustomValue = StrictStr | StrictInt | StrictFloat | StrictBool | None


class _LeadFields(_Request):
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    job_title: str | None = None
    phone: str | None = None
    website: str | None = None
    personalization: str | None = None
    lt_interest_status: StrictInt | None = None
    pl_value_lead: str | None = None
    assigned_to: str | None = None
    custom_variables: dict[str, CustomValue] | None = None

    @field_validator("lt_interest_status")
    @classmethod
    def _known_interest(cls, value: int | None) -> int | None:
        return check_interest(value)


class LeadInput(_LeadFields):
    """One lead of a bulk add: `email` plus the writable lead fields."""

    email: StrictStr

    @field_validator("email")
    @classmethod
    def _email_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class LeadPatch(_LeadFields):
    """The fields `PATCH /leads/{id}` may change."""


_HOOK_URL = r"^https?://"


class _WebhookFields(_Request):
    event_type: str | None = None
    campaign: str | None = None
    name: str | None = None
    headers: dict[str, StrictStr] | None = None
    custom_interest_value: StrictInt | StrictFloat | None = None

    @field_validator("event_type")
    @classmethod
    def _known_event_type(cls, value: str | None) -> str | None:
        return check_event_type(value)

    @field_validator("campaign")
    @classmethod
    def _campaign_id(cls, value: str | None) -> str | None:
        return _check_uuid(value)


class WebhookCreate(_WebhookFields):
    target_hook_url: Annotated[StrictStr, Field(pattern=_HOOK_URL)]


class WebhookPatch(_WebhookFields):
    target_hook_url: Annotated[StrictStr, Field(pattern=_HOOK_URL)] | None = None
