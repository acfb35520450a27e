"""The Instantly lead fields a table's columns can feed, and the variable names they reserve."""

from __future__ import annotations

from typing import Final, Literal, get_args

__all__ = [
    "FULL_NAME",
    "LEAD_FIELDS",
    "RESERVED_VARIABLE_NAMES",
    "LeadField",
]

LeadField = Literal[
    "email",
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "phone",
    "website",
    "personalization",
]
"""A core Instantly lead field, spelled as in the API's lead bodies."""

LEAD_FIELDS: Final[tuple[LeadField, ...]] = get_args(LeadField)
"""The core lead fields, in tie-break order (on equal scores the earlier field is served first)."""

FULL_NAME: Final = "full_name"
"""The pseudo-field of a full-name column, split into first and last name when they are missing."""

RESERVED_VARIABLE_NAMES: Final[frozenset[str]] = frozenset(
    {
        "firstName",
        "lastName",
        "companyName",
        "email",
        "jobTitle",
        "website",
        "phone",
        "personalization",
    }
)
"""Instantly's camelCase core variable names. They share the lead's ``payload`` map with custom
variables, so no custom variable may take them (compared ignoring case and underscores)."""

_ALL_FIELDS: Final[tuple[str, ...]] = (*LEAD_FIELDS, FULL_NAME)
_FIELD_RANK: Final[dict[str, int]] = {field: rank for rank, field in enumerate(_ALL_FIELDS)}
_RESERVED_FOLDED: Final = frozenset(name.casefold() for name in RESERVED_VARIABLE_NAMES)
