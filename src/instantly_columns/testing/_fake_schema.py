"""Request schemas of the fake Instantly API and a small validator with validator-style messages.

The real API validates requests with JSON Schema and answers the first problem as
``<location><instance path> <message>``, e.g. ``body/limit must be <= 100``. This module holds
the fake's own schemas for the endpoints it serves (written from the public API reference) and
a validator that produces messages in that style. Only the keywords the schemas use are
supported.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from typing import Any, Literal

__all__: list[str] = []

Schema = Mapping[str, Any]
ExtraKeys = Literal["reject", "drop"]

# The closed time zone enum of campaign schedules (102 names; the real API rejects others).
TIMEZONES: tuple[str, ...] = (
    "Etc/GMT+12",
    "Etc/GMT+11",
    "Etc/GMT+10",
    "America/Anchorage",
    "America/Dawson",
    "America/Creston",
    "America/Chihuahua",
    "America/Boise",
    "America/Belize",
    "America/Chicago",
    "America/Bahia_Banderas",
    "America/Regina",
    "America/Bogota",
    "America/Detroit",
    "America/Indiana/Marengo",
    "America/Caracas",
    "America/Asuncion",
    "America/Glace_Bay",
    "America/Campo_Grande",
    "America/Anguilla",
    "America/Santiago",
    "America/St_Johns",
    "America/Sao_Paulo",
    "America/Argentina/La_Rioja",
    "America/Araguaina",
    "America/Godthab",
    "America/Montevideo",
    "America/Bahia",
    "America/Noronha",
    "America/Scoresbysund",
    "Atlantic/Cape_Verde",
    "Africa/Casablanca",
    "America/Danmarkshavn",
    "Europe/Isle_of_Man",
    "Atlantic/Canary",
    "Africa/Abidjan",
    "Arctic/Longyearbyen",
    "Europe/Belgrade",
    "Africa/Ceuta",
    "Europe/Sarajevo",
    "Africa/Algiers",
    "Africa/Windhoek",
    "Asia/Nicosia",
    "Asia/Beirut",
    "Africa/Cairo",
    "Asia/Damascus",
    "Europe/Bucharest",
    "Africa/Blantyre",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Asia/Jerusalem",
    "Africa/Tripoli",
    "Asia/Amman",
    "Asia/Baghdad",
    "Europe/Kaliningrad",
    "Asia/Aden",
    "Africa/Addis_Ababa",
    "Europe/Kirov",
    "Europe/Astrakhan",
    "Asia/Tehran",
    "Asia/Dubai",
    "Asia/Baku",
    "Indian/Mahe",
    "Asia/Tbilisi",
    "Asia/Yerevan",
    "Asia/Kabul",
    "Antarctica/Mawson",
    "Asia/Yekaterinburg",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Colombo",
    "Asia/Kathmandu",
    "Antarctica/Vostok",
    "Asia/Dhaka",
    "Asia/Rangoon",
    "Antarctica/Davis",
    "Asia/Novokuznetsk",
    "Asia/Hong_Kong",
    "Asia/Krasnoyarsk",
    "Asia/Brunei",
    "Australia/Perth",
    "Asia/Taipei",
    "Asia/Choibalsan",
    "Asia/Irkutsk",
    "Asia/Dili",
    "Asia/Pyongyang",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Brisbane",
    "Australia/Melbourne",
    "Antarctica/DumontDUrville",
    "Australia/Currie",
    "Asia/Chita",
    "Antarctica/Macquarie",
    "Asia/Sakhalin",
    "Pacific/Auckland",
    "Etc/GMT-12",
    "Pacific/Fiji",
    "Asia/Anadyr",
    "Asia/Kamchatka",
    "Etc/GMT-13",
    "Pacific/Apia",
)

CAMPAIGN_STATUSES = (-99, -1, -2, 0, 1, 2, 3, 4)
INTEREST_VALUES = (1, 2, 3, 4, 0, -1, -2, -3, -4)
SUBSCRIPTION_EVENTS: tuple[str, ...] = (
    "all_events",
    "email_sent",
    "email_opened",
    "email_link_clicked",
    "reply_received",
    "email_bounced",
    "lead_unsubscribed",
    "campaign_completed",
    "account_error",
    "lead_neutral",
    "lead_interested",
    "lead_not_interested",
    "lead_meeting_booked",
    "lead_meeting_completed",
    "lead_closed",
    "lead_out_of_office",
    "lead_wrong_person",
    "lead_no_show",
    "supersearch_enrichment_completed",
)

# --- building blocks ---------------------------------------------------------------------------

_STR: Schema = {"type": "string"}
_NSTR: Schema = {"type": ["string", "null"]}
_BOOL: Schema = {"type": "boolean"}
_NBOOL: Schema = {"type": ["boolean", "null"]}
_NNUM: Schema = {"type": ["number", "null"]}
_UUID: Schema = {"type": "string", "format": "uuid"}
_NUUID: Schema = {"type": ["string", "null"], "format": "uuid"}
_HHMM = "^([01][0-9]|2[0-3]):([0-5][0-9])$"
_DELAY_UNIT: Schema = {"type": "string", "enum": ["minutes", "hours", "days"]}
_SCALAR_MAP: Schema = {
    "type": "object",
    "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
}

_SCHEDULE: Schema = {
    "type": "object",
    "required": ["schedules"],
    "properties": {
        "start_date": {"type": ["string", "null"], "format": "date"},
        "end_date": {"type": ["string", "null"], "format": "date"},
        "schedules": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "timing", "days", "timezone"],
                "properties": {
                    "name": _STR,
                    "timing": {
                        "type": "object",
                        "required": ["from", "to"],
                        "properties": {
                            "from": {"type": "string", "pattern": _HHMM},
                            "to": {"type": "string", "pattern": _HHMM},
                        },
                    },
                    "days": {
                        "type": "object",
                        "minProperties": 1,
                        "properties": {str(day): _BOOL for day in range(7)},
                        # keys other than "0".."6" ("monday") are refused
                        "additionalProperties": False,
                    },
                    "timezone": {"type": "string", "enum": list(TIMEZONES)},
                },
            },
        },
    },
}

_SEQUENCES: Schema = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["steps"],
        "properties": {
            "steps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "delay", "variants"],
                    "properties": {
                        "type": {"type": "string", "enum": ["email"]},
                        "delay": {"type": "number"},
                        "delay_unit": _DELAY_UNIT,
                        "pre_delay": {"type": "number"},
                        "pre_delay_unit": _DELAY_UNIT,
                        "variants": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "required": ["subject", "body"],
                                "properties": {
                                    "subject": _STR,
                                    "body": _STR,
                                    "v_disabled": _BOOL,
                                },
                            },
                        },
                    },
                },
            }
        },
    },
}

_CAMPAIGN_FIELDS: dict[str, Schema] = {
    "name": _STR,
    "pl_value": _NNUM,
    "is_evergreen": _NBOOL,
    "campaign_schedule": _SCHEDULE,
    "sequences": _SEQUENCES,
    "email_gap": _NNUM,
    "random_wait_max": _NNUM,
    "text_only": _NBOOL,
    "first_email_text_only": _NBOOL,
    "email_list": {"type": "array", "items": _STR},
    "daily_limit": _NNUM,
    "stop_on_reply": _NBOOL,
    "email_tag_list": {"type": "array", "items": _UUID},
    "link_tracking": _NBOOL,
    "open_tracking": _BOOL,
    "stop_on_auto_reply": _NBOOL,
    "daily_max_leads": {"type": ["integer", "null"], "minimum": 0},
    "prioritize_new_leads": _NBOOL,
    "auto_variant_select": {
        "type": ["object", "null"],
        "required": ["trigger"],
        "properties": {
            "trigger": {"type": "string", "enum": ["reply_rate", "click_rate", "open_rate"]}
        },
    },
    "match_lead_esp": _NBOOL,
    "stop_for_company": _NBOOL,
    "insert_unsubscribe_header": _NBOOL,
    "allow_risky_contacts": _NBOOL,
    "disable_bounce_protect": _NBOOL,
    "limit_emails_per_company_override": {
        "type": ["object", "null"],
        "required": ["mode"],
        "properties": {
            "mode": {"type": "string", "enum": ["custom", "disabled"]},
            "daily_limit": {"type": "number", "minimum": 1},
            "scope": {"type": "string", "enum": ["per_campaign", "across_workspace"]},
        },
    },
    "cc_list": {"type": "array", "items": {"type": "string", "format": "email"}},
    "bcc_list": {"type": "array", "items": {"type": "string", "format": "email"}},
    "owned_by": _NUUID,
    "ai_sdr_id": _NUUID,
    "provider_routing_rules": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["action", "recipient_esp", "sender_esp"],
            "properties": {
                "action": {"type": "string", "enum": ["send", "do_not_send"]},
                "recipient_esp": {"type": "array", "items": _STR},
                "sender_esp": {"type": "array", "items": _STR},
            },
        },
    },
}

CAMPAIGN_CREATE: Schema = {
    "type": "object",
    "required": ["name", "campaign_schedule"],
    "additionalProperties": False,
    "properties": _CAMPAIGN_FIELDS,
}
CAMPAIGN_PATCH: Schema = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {k: v for k, v in _CAMPAIGN_FIELDS.items() if k != "ai_sdr_id"},
}
CAMPAIGN_VARIABLES: Schema = {
    "type": "object",
    "required": ["variables"],
    "properties": {"variables": {"type": "array", "items": _STR}},
}

LEAD_WRITABLE: dict[str, Schema] = {
    "personalization": _NSTR,
    "website": _NSTR,
    "last_name": _NSTR,
    "first_name": _NSTR,
    "company_name": _NSTR,
    "job_title": _NSTR,
    "phone": _NSTR,
    "lt_interest_status": {"type": "number", "enum": list(INTEREST_VALUES)},
    "pl_value_lead": _NSTR,
    "assigned_to": _NUUID,
    "custom_variables": _SCALAR_MAP,
}
_SKIP_FLAGS: dict[str, Schema] = {
    "skip_if_in_workspace": _BOOL,
    "skip_if_in_campaign": _BOOL,
    "skip_if_in_list": _BOOL,
}
LEAD_CREATE: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "campaign": _NUUID,
        "email": _NSTR,
        **LEAD_WRITABLE,
        "list_id": _NUUID,
        **_SKIP_FLAGS,
        "blocklist_id": _UUID,
        "verify_leads_for_lead_finder": _BOOL,
        "verify_leads_on_import": _BOOL,
    },
}
LEAD_PATCH: Schema = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": LEAD_WRITABLE,
}
LEADS_ADD: Schema = {
    "type": "object",
    "required": ["leads"],
    "properties": {
        "campaign_id": _UUID,
        "list_id": _UUID,
        "leads": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1000,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"email": _NSTR, **LEAD_WRITABLE},
            },
        },
        "blocklist_id": _NUUID,
        "assigned_to": _UUID,
        "verify_leads_on_import": _BOOL,
        **_SKIP_FLAGS,
    },
}
LEADS_LIST: Schema = {
    "type": "object",
    "properties": {
        "search": _STR,
        "filter": _STR,
        "campaign": _UUID,
        "list_id": _UUID,
        "in_campaign": _BOOL,
        "in_list": _BOOL,
        "ids": {"type": "array", "items": _UUID},
        "excluded_ids": {"type": "array", "items": _UUID},
        "contacts": {"type": "array", "items": {"type": "string", "format": "email"}},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        "starting_after": _STR,
        "distinct_contacts": _BOOL,
    },
}
INTEREST_UPDATE: Schema = {
    "type": "object",
    "required": ["lead_email", "interest_value"],
    "properties": {
        "lead_email": _STR,
        "interest_value": _NNUM,
        "campaign_id": _STR,
        "ai_interest_value": {"type": "number"},
        "disable_auto_interest": _BOOL,
        "list_id": _STR,
    },
}
_WEBHOOK_FIELDS: dict[str, Schema] = {
    "campaign": _NUUID,
    "name": _NSTR,
    "target_hook_url": {"type": "string", "format": "uri", "pattern": "^https?://"},
    "event_type": {"type": ["string", "null"], "enum": [*SUBSCRIPTION_EVENTS, None]},
    "custom_interest_value": _NNUM,
    "headers": {"type": ["object", "null"], "additionalProperties": _STR},
}
WEBHOOK_CREATE: Schema = {
    "type": "object",
    "required": ["target_hook_url"],
    "additionalProperties": False,
    "properties": _WEBHOOK_FIELDS,
}
WEBHOOK_PATCH: Schema = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": _WEBHOOK_FIELDS,
}

# --- query strings ----------------------------------------------------------------------------

_LIMIT: Schema = {"type": "integer", "minimum": 1, "maximum": 100}
CAMPAIGNS_QUERY: Schema = {
    "type": "object",
    "properties": {
        "limit": _LIMIT,
        "starting_after": _STR,
        "search": _STR,
        "tag_ids": _STR,
        "status": {"type": "number", "enum": list(CAMPAIGN_STATUSES)},
        "exclude_status": {"type": "number", "enum": list(CAMPAIGN_STATUSES)},
    },
}
ANALYTICS_QUERY: Schema = {
    "type": "object",
    "properties": {
        "id": _UUID,
        "ids": {"type": "array", "items": _UUID},
        "start_date": _STR,
        "end_date": _STR,
        "exclude_total_leads_count": _BOOL,
        "campaign_status": {"type": "number", "enum": list(CAMPAIGN_STATUSES)},
        "expand_crm_events": _BOOL,
    },
}
DAILY_QUERY: Schema = {
    "type": "object",
    "properties": {
        "campaign_id": _UUID,
        "start_date": _STR,
        "end_date": _STR,
        "campaign_status": {"type": "number", "enum": list(CAMPAIGN_STATUSES)},
    },
}
WEBHOOKS_QUERY: Schema = {
    "type": "object",
    "properties": {
        "limit": _LIMIT,
        "starting_after": _STR,
        "campaign": _UUID,
        "event_type": {"type": "string", "enum": list(SUBSCRIPTION_EVENTS[:-2])},
    },
}
ID_PARAMS: Schema = {"type": "object", "properties": {"id": _UUID}}

# --- the validator ------------------------------------------------------------------------------


class SchemaViolation(Exception):
    """The first problem found, already worded as the API words it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_UUID_RE = re.compile(r"^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$", re.I)
_EMAIL_RE = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$", re.I)
_URI_RE = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s]*$", re.I)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _format_ok(fmt: str, value: str) -> bool:
    if fmt == "uuid":
        return bool(_UUID_RE.match(value))
    if fmt == "email":
        return bool(_EMAIL_RE.match(value))
    if fmt == "uri":
        return bool(_URI_RE.match(value))
    if fmt == "date":
        if not _DATE_RE.match(value):
            return False
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return True  # pragma: no cover - every format the schemas use is listed above


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value (``integer`` for whole numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if math.isfinite(value) and value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"  # pragma: no cover - json.loads produces nothing else


def _type_ok(value: Any, wanted: str) -> bool:
    actual = json_type(value)
    return actual == wanted or (wanted == "number" and actual == "integer")


def _coerce(value: Any, wanted: str) -> tuple[bool, Any]:
    """Query-string coercion: strings to numbers and booleans, a lone value to an array."""
    if wanted == "array":
        return True, [value]
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
        if _type_ok(value, wanted):
            return True, value
    if not isinstance(value, str):
        return False, value
    if wanted == "integer" and re.fullmatch(r"-?\d+", value):
        return True, int(value)
    if wanted == "number":
        try:
            number = float(value)
        except ValueError:
            return False, value
        if value.strip() and math.isfinite(number):
            return True, int(number) if number.is_integer() else number
        return False, value
    if wanted == "boolean" and value in ("true", "false"):
        return True, value == "true"
    if wanted == "null" and value == "":
        return True, None
    return False, value


class _Validator:
    def __init__(self, root: str, extra_keys: ExtraKeys, coerce: bool) -> None:
        self.root = root
        self.extra_keys = extra_keys
        self.coerce = coerce

    def fail(self, path: str, message: str) -> SchemaViolation:
        return SchemaViolation(f"{self.root}{path} {message}")

    def check(self, value: Any, schema: Schema, path: str) -> Any:
        types = schema.get("type")
        if types is not None:
            wanted = [types] if isinstance(types, str) else list(types)
            if not any(_type_ok(value, t) for t in wanted):
                coerced = False
                if self.coerce:
                    for t in wanted:
                        coerced, new = _coerce(value, t)
                        if coerced:
                            value = new
                            break
                if not coerced:
                    raise self.fail(path, f"must be {','.join(wanted)}")
        if "enum" in schema and value not in schema["enum"]:
            raise self.fail(path, "must be equal to one of the allowed values")
        if isinstance(value, dict):
            return self._object(value, schema, path)
        if isinstance(value, list):
            return self._array(value, schema, path)
        if isinstance(value, str):
            if "pattern" in schema and not re.search(schema["pattern"], value):
                raise self.fail(path, f'must match pattern "{schema["pattern"]}"')
            if "format" in schema and not _format_ok(schema["format"], value):
                raise self.fail(path, f'must match format "{schema["format"]}"')
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if "maximum" in schema and value > schema["maximum"]:
                raise self.fail(path, f"must be <= {schema['maximum']}")
            if "minimum" in schema and value < schema["minimum"]:
                raise self.fail(path, f"must be >= {schema['minimum']}")
        return value

    def _object(self, value: dict[str, Any], schema: Schema, path: str) -> dict[str, Any]:
        props: Mapping[str, Schema] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        if extra is False and self.extra_keys == "drop":
            value = {k: v for k, v in value.items() if k in props}
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            raise self.fail(path, f"must NOT have fewer than {schema['minProperties']} properties")
        for name in schema.get("required", ()):
            if name not in value:
                raise self.fail(path, f"must have required property '{name}'")
        if extra is False and any(k not in props for k in value):
            raise self.fail(path, "must NOT have additional properties")
        out: dict[str, Any] = {}
        for key, item in value.items():
            sub = props.get(key)
            if sub is None and isinstance(extra, Mapping):
                sub = extra
            out[key] = self.check(item, sub, f"{path}/{key}") if sub is not None else item
        return out

    def _array(self, value: list[Any], schema: Schema, path: str) -> list[Any]:
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise self.fail(path, f"must NOT have more than {schema['maxItems']} items")
        if "minItems" in schema and len(value) < schema["minItems"]:
            raise self.fail(path, f"must NOT have fewer than {schema['minItems']} items")
        items = schema.get("items")
        if items is None:
            return value
        return [self.check(item, items, f"{path}/{i}") for i, item in enumerate(value)]


def validate(
    value: Any,
    schema: Schema,
    *,
    root: str,
    extra_keys: ExtraKeys = "reject",
    coerce: bool = False,
) -> Any:
    """Check ``value`` against ``schema``; return it (coerced, pruned) or raise the first problem.

    ``root`` is the location prefix of messages (``body``, ``querystring``, ``params``).
    ``extra_keys="drop"`` removes keys a closed object does not allow instead of refusing them.
    ``coerce`` turns query-string text into numbers and booleans, and lone values into arrays.
    """
    return _Validator(root, extra_keys, coerce).check(value, schema, "")
