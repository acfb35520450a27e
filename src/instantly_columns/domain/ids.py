"""Column-id conventions, in one place.

A campaign link is its ``campaign_config`` column; the columns that belong to it carry ids
derived from the link's id (and keys from
[`column_key`][instantly_columns.domain.columns.column_key]), so that creating a missing one is
an idempotent upsert and the columns of one link are found again by their prefix.
"""

from __future__ import annotations

from typing import Literal

from instantly_columns.domain.engagement import EngagementSubtype

__all__ = [
    "ENGAGEMENT_TITLES",
    "LINK_ID_PREFIX",
    "engagement_column_id",
    "engagement_column_name",
    "new_link_id",
    "push_column_id",
    "step_column_id",
]

LINK_ID_PREFIX = "instantly_"
"""Every link id the wizard makes starts with this."""


def new_link_id(unique: str) -> str:
    """The id of a new link's ``campaign_config`` column, from a unique hex string.

    >>> new_link_id("0123456789abcdef0123")
    'instantly_0123456789ab'
    """
    return f"{LINK_ID_PREFIX}{unique[:12]}"


ENGAGEMENT_TITLES: dict[EngagementSubtype, str] = {
    "engagement_status": "Engagement Status",
    "email_status": "Email Status",
    "last_contacted": "Last Contacted",
    "reply_count": "Replies",
    "open_count": "Opens",
}
"""The title of each engagement column; its name adds the campaign's."""


def engagement_column_name(subtype: EngagementSubtype, campaign_name: str) -> str:
    """The name of a link's engagement column: what it shows and for which campaign.

    >>> engagement_column_name("reply_count", "Q3 Outreach")
    'Replies · Q3 Outreach'
    """
    return f"{ENGAGEMENT_TITLES[subtype]} · {campaign_name}"


def engagement_column_id(link_id: str, subtype: EngagementSubtype) -> str:
    """The id of a link's engagement column of one subtype.

    >>> engagement_column_id("instantly_1", "reply_count")
    'instantly_1__reply_count'
    """
    return f"{link_id}__{subtype}"


def push_column_id(link_id: str) -> str:
    """The id of a link's ``push_action`` column.

    >>> push_column_id("instantly_1")
    'instantly_1__push_action'
    """
    return f"{link_id}__push_action"


def step_column_id(link_id: str, step_number: int, field: Literal["subject", "body"]) -> str:
    """The id of a scaffolded ``sequence_step`` column.

    >>> step_column_id("instantly_1", 2, "body")
    'instantly_1__step2_body'
    """
    return f"{link_id}__step{step_number}_{field}"
