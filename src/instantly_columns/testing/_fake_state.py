"""The in-memory workspace behind FakeInstantly: records, ids, and their JSON renderings.

Everything the API shows is derived from these records when it is asked for: lead counters,
timestamps and analytics all come from each lead's event log, so they always agree with a
recount.
"""

from __future__ import annotations

import base64
import bisect
import functools
import hashlib
import random
import re
import uuid
from collections.abc import (
    ItemsView,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    ValuesView,
)
from datetime import datetime, timedelta, timezone
from typing import Any, Final

import attrs

__all__: list[str] = []

JsonObject = dict[str, Any]

# Lead statuses, interest values and campaign statuses, as the API numbers them.
LEAD_ACTIVE, LEAD_PAUSED, LEAD_COMPLETED = 1, 2, 3
LEAD_BOUNCED, LEAD_UNSUBSCRIBED, LEAD_SKIPPED = -1, -2, -3
CAMPAIGN_DRAFT, CAMPAIGN_ACTIVE, CAMPAIGN_PAUSED, CAMPAIGN_COMPLETED = 0, 1, 2, 3
POSITIVE_INTEREST = frozenset({1, 2, 3, 4})

LEAD_CORE_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "phone",
    "website",
    "personalization",
)
_CAMEL = {
    "first_name": "firstName",
    "last_name": "lastName",
    "company_name": "companyName",
    "job_title": "jobTitle",
    "phone": "phone",
    "website": "website",
    "personalization": "personalization",
}
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Campaign settings the reference types as nullable: shown as null while unset.
_NULLABLE_SETTINGS = (
    "pl_value",
    "is_evergreen",
    "email_gap",
    "random_wait_max",
    "text_only",
    "first_email_text_only",
    "daily_limit",
    "stop_on_reply",
    "link_tracking",
    "stop_on_auto_reply",
    "daily_max_leads",
    "prioritize_new_leads",
    "auto_variant_select",
    "match_lead_esp",
    "stop_for_company",
    "insert_unsubscribe_header",
    "allow_risky_contacts",
    "disable_bounce_protect",
    "limit_emails_per_company_override",
    "owned_by",
    "ai_sdr_id",
)
# Recipient providers by the domains that are theirs (esp_code, as the reference numbers it).
_ESP_BY_DOMAIN = {
    "gmail.com": 1,
    "googlemail.com": 1,
    "outlook.com": 2,
    "hotmail.com": 2,
    "live.com": 2,
    "msn.com": 2,
    "zoho.com": 3,
    "yahoo.com": 9,
    "ymail.com": 9,
    "yandex.com": 10,
    "yandex.ru": 10,
    "web.de": 12,
    "libero.it": 13,
}
ESP_IN_QUEUE, ESP_OTHER, ESP_NOT_FOUND = 0, 999, 1000


@attrs.frozen
class View:
    """How the fake renders objects: ``omit_nulls`` drops the keys whose value is null (live
    responses may leave optional keys out); ``step_base`` numbers the steps and variants of
    lead objects from 0 or 1 (the reference does not say which)."""

    omit_nulls: bool = False
    step_base: int = 0


DEFAULT_VIEW = View()


def shown(body: JsonObject, view: View) -> JsonObject:
    """``body`` as ``view`` renders it: with ``omit_nulls``, without its null keys."""
    if not view.omit_nulls:
        return body
    return {key: value for key, value in body.items() if value is not None}


@functools.lru_cache(maxsize=4096)
def step_id(campaign_id: str | None, step: int) -> str:
    """A stable UUID for a campaign's step (``last_step_id``; steps carry no id of their own
    in the reference, so one is derived)."""
    try:
        namespace = uuid.UUID(campaign_id) if campaign_id else uuid.NAMESPACE_OID
    except ValueError:
        namespace = uuid.NAMESPACE_OID
    return str(uuid.uuid5(namespace, f"step:{step}"))


@functools.lru_cache(maxsize=1 << 16)
def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, as the API writes timestamps (cached:
    listing leads renders the same few timestamps over and over)."""
    text = moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    return text.removesuffix("+00:00") + "Z"


def normalise_email(email: str | None) -> str | None:
    """Case-insensitive comparison key of an address (None if missing)."""
    if email is None:
        return None
    email = email.strip().lower()
    return email or None


def email_is_valid(email: str | None) -> bool:
    return email is not None and bool(_EMAIL_RE.match(email.strip()))


def key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class IdMaker:
    """UUIDv7-style ids: the clock's milliseconds, then seeded random bits that only grow.

    Ids made later always sort after earlier ones, even within one millisecond, so id order
    is creation order (as the API's list endpoints assume).
    """

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"ids:{seed}")  # noqa: S311 - deterministic fake ids and keys
        self._last_ms = -1
        self._counter = 0

    def new(self, now: datetime) -> str:
        ms = max(int(now.timestamp() * 1000), self._last_ms)
        if ms == self._last_ms:
            self._counter += self._rng.randint(1, 1 << 24)
            if self._counter >= 1 << 74:
                ms += 1
                self._counter = self._rng.getrandbits(64)
        else:
            self._counter = self._rng.getrandbits(64)
        self._last_ms = ms
        rand_a = self._counter >> 62
        rand_b = self._counter & ((1 << 62) - 1)
        value = (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
        text = f"{value:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def raw_key(self) -> str:
        """A fresh API key string (base64 text, as real keys look)."""
        return base64.b64encode(self._rng.randbytes(36)).decode()


@attrs.define(eq=False)
class LeadEvent:
    """One thing that happened to a lead. Steps and variants are 0-based here."""

    at: datetime
    kind: str  # sent open click reply auto_reply bounce unsubscribe complete interest
    step: int | None = None
    variant: int | None = None
    value: int | None = None
    sender: str | None = None


@attrs.define(eq=False)
class KeyRecord:
    id: str
    name: str
    digest: str
    scopes: tuple[str, ...] | None
    created: datetime
    revoked: bool = False


@attrs.define(eq=False)
class LeadList:
    id: str
    name: str
    created: datetime


@attrs.define(eq=False)
class Campaign:
    id: str
    name: str
    fields: JsonObject
    created: datetime
    updated: datetime
    status: int = CAMPAIGN_DRAFT
    variables: dict[str, str] = attrs.field(factory=dict)
    sender_turn: int = 0
    activated: datetime | None = None

    def steps(self) -> list[JsonObject]:
        sequences = self.fields.get("sequences") or []
        if not sequences:
            return []
        steps = sequences[0].get("steps") or []
        return list(steps)

    def senders(self) -> list[str]:
        return list(self.fields.get("email_list") or [])

    def stops_on_reply(self) -> bool:
        return self.fields.get("stop_on_reply") is not False

    def to_json(
        self, organization: str, leads: Iterable[Lead], view: View = DEFAULT_VIEW
    ) -> JsonObject:
        waiting = self.status == CAMPAIGN_ACTIVE and not any(
            lead.status == LEAD_ACTIVE for lead in leads
        )
        body: JsonObject = {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "campaign_schedule": self.fields.get("campaign_schedule"),
            "sequences": self.fields.get("sequences", []),
            "timestamp_created": iso(self.created),
            "timestamp_updated": iso(self.updated),
            "organization": organization,
            "email_list": self.fields.get("email_list", []),
            "not_sending_status": 2 if waiting else None,  # 2: waiting for leads
            "core_variables": None,
            "custom_variables": dict(self.variables),
        }
        for key in _NULLABLE_SETTINGS:
            body[key] = self.fields.get(key)
        for key, value in self.fields.items():
            if key not in body and key != "name":
                body[key] = value
        return shown(body, view)


@attrs.define(eq=False)
class Lead:
    id: str
    email: str | None
    created: datetime
    updated: datetime
    campaign_id: str | None = None
    list_id: str | None = None
    fields: JsonObject = attrs.field(factory=dict)
    custom: JsonObject = attrs.field(factory=dict)
    status: int = LEAD_ACTIVE
    interest: int | None = None
    upload_method: str = "api"
    events: list[LeadEvent] = attrs.field(factory=list)
    next_step: int = 0
    next_due: datetime | None = None

    @property
    def key(self) -> str | None:
        return normalise_email(self.email)

    def count(self, kind: str) -> int:
        return sum(1 for e in self.events if e.kind == kind)

    def last(self, *kinds: str) -> LeadEvent | None:
        found = [e for e in self.events if e.kind in kinds]
        return found[-1] if found else None

    def first(self, kind: str) -> LeadEvent | None:
        return next((e for e in self.events if e.kind == kind), None)

    def payload(self) -> JsonObject:
        payload: JsonObject = {}
        for name in LEAD_CORE_FIELDS:
            value = self.fields.get(name)
            if value is not None:
                payload[_CAMEL[name]] = value
        if self.email is not None:
            payload["email"] = self.email
        payload.update(self.custom)
        return payload

    def esp_code(self) -> int:
        """The recipient's provider: in queue until the first send, then by the domain."""
        if self.email is None or "@" not in self.email:
            return ESP_NOT_FOUND
        if self.first("sent") is None:
            return ESP_IN_QUEUE
        return _ESP_BY_DOMAIN.get(self.email.rsplit("@", 1)[1].lower(), ESP_OTHER)

    def to_json(self, organization: str, view: View = DEFAULT_VIEW) -> JsonObject:
        email = self.email
        domain = email.rsplit("@", 1)[1].lower() if email and "@" in email else ""
        base = view.step_base
        # One pass over the events: the counts and the latest event of each kind.
        counts = {"open": 0, "reply": 0, "click": 0}
        last: dict[str, LeadEvent] = {}
        touch: LeadEvent | None = None
        for event in self.events:
            kind = event.kind
            last[kind] = event
            if kind in counts:
                counts[kind] += 1
            if kind in _TOUCHES:
                touch = event
        sent = last.get("sent")
        fields = self.fields
        body: JsonObject = {
            "id": self.id,
            "timestamp_created": iso(self.created),
            "timestamp_updated": iso(self.updated),
            "organization": organization,
            "campaign": self.campaign_id,
            "status": self.status,
            "email": email,
        }
        for name in LEAD_CORE_FIELDS:
            body[name] = fields.get(name)
        body["email_open_count"] = counts["open"]
        body["email_reply_count"] = counts["reply"]
        body["email_click_count"] = counts["click"]
        body["company_domain"] = domain
        body["status_summary"] = {}
        body["payload"] = self.payload()
        body["status_summary_subseq"] = {}
        if sent is not None:
            executed = iso(sent.at)
            step = (sent.step or 0) + base
            variant = (sent.variant or 0) + base
            body["status_summary"] = {
                "lastStep": {
                    "from": "campaign",
                    "stepID": f"0_{step}_{variant}",
                    "timestamp_executed": executed,
                }
            }
            body["last_step_from"] = "campaign"
            body["last_step_id"] = step_id(self.campaign_id, sent.step or 0)
            body["last_step_timestamp_executed"] = executed
        else:
            body["last_step_from"] = body["last_step_id"] = None
            body["last_step_timestamp_executed"] = None
        for kind, prefix in (("open", "opened"), ("reply", "replied"), ("click", "clicked")):
            latest = last.get(kind)
            body[f"email_{prefix}_step"] = _numbered(latest.step if latest else None, base)
            body[f"email_{prefix}_variant"] = _numbered(latest.variant if latest else None, base)
        if self.interest is not None:
            body["lt_interest_status"] = self.interest
        body["subsequence_id"] = None
        body["pl_value_lead"] = fields.get("pl_value_lead")
        body["timestamp_added_subsequence"] = None
        body["timestamp_last_contact"] = iso(sent.at) if sent else None
        body["timestamp_last_open"] = _at(last.get("open"))
        body["timestamp_last_reply"] = _at(last.get("reply"))
        body["timestamp_last_interest_change"] = _at(last.get("interest"))
        body["timestamp_last_click"] = _at(last.get("click"))
        body["list_id"] = self.list_id
        body["last_contacted_from"] = sent.sender if sent else None
        body["uploaded_by_user"] = None
        body["upload_method"] = self.upload_method
        body["assigned_to"] = fields.get("assigned_to")
        body["is_website_visitor"] = self.upload_method == "website-visitor"
        body["timestamp_last_touch"] = _at(touch)
        if email is None or "@" not in email:
            body["esp_code"] = ESP_NOT_FOUND
        elif "sent" not in last:
            body["esp_code"] = ESP_IN_QUEUE
        else:
            body["esp_code"] = _ESP_BY_DOMAIN.get(domain, ESP_OTHER)
        body["esg_code"] = 0  # in queue: the fake detects no security gateway
        return shown(body, view)


_TOUCHES: Final = frozenset({"sent", "open", "click", "reply", "auto_reply"})


def _at(event: LeadEvent | None) -> str | None:
    return iso(event.at) if event is not None else None


def _numbered(index: int | None, base: int) -> int | None:
    return None if index is None else index + base


class _Every:
    """The "every campaign" value of :meth:`LeadTable.ordered` (None is "no campaign")."""


EVERY: Final = _Every()


class LeadTable(MutableMapping[str, Lead]):
    """The workspace's leads by id, indexed the ways the API reads them: every lead and each
    campaign's leads in id order (so a page costs the page, not the workspace), and leads
    by normalised email. A stored lead's id, campaign and email never change (nothing in
    the fake moves them); store the lead again under its id after changing one.

    Removing a lead leaves its id in the ordered lists until more than half of them are
    such leftovers; readers skip them.
    """

    def __init__(self, leads: Mapping[str, Lead] | Iterable[tuple[str, Lead]] = ()) -> None:
        self._by_id: dict[str, Lead] = {}
        self._order: list[str] = []  # every id, sorted (and some removed ones)
        self._by_campaign: dict[str | None, list[str]] = {}  # the same, per campaign
        self._by_key: dict[str, list[Lead]] = {}  # normalised email -> leads, oldest first
        self._removed = 0  # removed ids still in the ordered lists
        self.update(leads)

    def __getitem__(self, lead_id: str) -> Lead:
        return self._by_id[lead_id]

    def __contains__(self, lead_id: object) -> bool:
        return lead_id in self._by_id

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __repr__(self) -> str:
        return f"LeadTable({len(self)} leads)"

    def values(self) -> ValuesView[Lead]:  # the dict's own views: no lookup per item
        return self._by_id.values()

    def items(self) -> ItemsView[str, Lead]:
        return self._by_id.items()

    def __setitem__(self, lead_id: str, lead: Lead) -> None:
        if lead_id != lead.id:
            raise ValueError(f"lead {lead.id!r} stored under {lead_id!r}")
        if lead_id in self._by_id:
            del self[lead_id]
        self._by_id[lead_id] = lead
        _insert(self._order, lead_id)
        _insert(self._by_campaign.setdefault(lead.campaign_id, []), lead_id)
        key = lead.key
        if key is not None:
            self._by_key.setdefault(key, []).append(lead)

    def __delitem__(self, lead_id: str) -> None:
        lead = self._by_id.pop(lead_id)
        key = lead.key
        if key is not None:
            same = self._by_key[key]
            same.remove(lead)
            if not same:
                del self._by_key[key]
        self._removed += 1
        if self._removed > len(self._by_id):
            self._reindex()

    def _reindex(self) -> None:
        self._order = sorted(self._by_id)
        self._by_campaign = {}
        for lead_id in self._order:
            self._by_campaign.setdefault(self._by_id[lead_id].campaign_id, []).append(lead_id)
        self._removed = 0

    def ordered(
        self, campaign_id: str | _Every | None = EVERY, *, after: str | None = None
    ) -> Iterator[Lead]:
        """Leads in id order, those of one campaign (None: of no campaign) or all, from the
        first id greater than ``after``. Do not add or remove leads while iterating."""
        ids = self._order if isinstance(campaign_id, _Every) else self._by_campaign.get(campaign_id)
        if not ids:
            return
        start = 0 if after is None else bisect.bisect_right(ids, after)
        by_id, every = self._by_id, isinstance(campaign_id, _Every)
        for position in range(start, len(ids)):
            lead = by_id.get(ids[position])
            if lead is not None and (every or lead.campaign_id == campaign_id):
                yield lead

    def with_key(self, key: str | None) -> list[Lead]:
        """The leads with this normalised email, oldest first (a copy)."""
        return list(self._by_key.get(key, ())) if key is not None else []


def _insert(ids: list[str], lead_id: str) -> None:
    """Put an id into a sorted list, once (a removed id may still be there)."""
    if not ids or ids[-1] < lead_id:  # new ids grow: the usual case
        ids.append(lead_id)
        return
    position = bisect.bisect_left(ids, lead_id)
    if position == len(ids) or ids[position] != lead_id:
        ids.insert(position, lead_id)


def _lead_table(value: Mapping[str, Lead] | LeadTable) -> LeadTable:
    return value if isinstance(value, LeadTable) else LeadTable(value)


@attrs.define(eq=False)
class Webhook:
    id: str
    fields: JsonObject
    created: datetime
    status: int = 1
    timestamp_error: datetime | None = None
    failures: int = 0

    def to_json(self, organization: str, view: View = DEFAULT_VIEW) -> JsonObject:
        return shown(self._body(organization), view)

    def _body(self, organization: str) -> JsonObject:
        return {
            "id": self.id,
            "organization": organization,
            "campaign": self.fields.get("campaign"),
            "name": self.fields.get("name"),
            "target_hook_url": self.fields["target_hook_url"],
            "event_type": self.fields.get("event_type"),
            "custom_interest_value": self.fields.get("custom_interest_value"),
            "headers": self.fields.get("headers"),
            "timestamp_created": iso(self.created),
            "status": self.status,
            "timestamp_error": iso(self.timestamp_error) if self.timestamp_error else None,
        }


@attrs.define(eq=False)
class PendingInterest:
    due: datetime
    email: str
    value: int | None
    campaign_id: str | None
    list_id: str | None


@attrs.define(eq=False)
class Workspace:
    """All state of one fake workspace."""

    ids: IdMaker
    id: str
    owner: str
    name: str
    created: datetime
    keys: dict[str, KeyRecord] = attrs.field(factory=dict)
    campaigns: dict[str, Campaign] = attrs.field(factory=dict)
    leads: LeadTable = attrs.field(factory=LeadTable, converter=_lead_table)
    lists: dict[str, LeadList] = attrs.field(factory=dict)
    webhooks: dict[str, Webhook] = attrs.field(factory=dict)
    pending_interest: list[PendingInterest] = attrs.field(factory=list)
    blocklist: set[str] = attrs.field(factory=set)

    @classmethod
    def create(cls, seed: int, now: datetime) -> Workspace:
        ids = IdMaker(seed)
        return cls(ids=ids, id=ids.new(now), owner=ids.new(now), name="Fake Workspace", created=now)

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "timestamp_created": iso(self.created),
            "timestamp_updated": iso(self.created),
            "owner": self.owner,
            "name": self.name,
            "plan_id": "pid_fake_growth",
            "add_unsub_to_block": False,
            "default_opportunity_value": 0,
        }

    def campaign_leads(self, campaign_id: str) -> list[Lead]:
        """The campaign's leads in id order."""
        return list(self.leads.ordered(campaign_id))

    def campaign_json(self, campaign: Campaign, view: View = DEFAULT_VIEW) -> JsonObject:
        return campaign.to_json(self.id, self.campaign_leads(campaign.id), view)

    def is_blocked(self, email: str | None) -> bool:
        key = normalise_email(email)
        if key is None or not self.blocklist:
            return False
        return key in self.blocklist or key.rsplit("@", 1)[-1] in self.blocklist


def delay_seconds(step: JsonObject) -> float:
    """The wait after a step, in seconds (``delay`` in ``delay_unit``, default days)."""
    unit = step.get("delay_unit") or "days"
    scale = {"minutes": 60.0, "hours": 3600.0, "days": 86400.0}[unit]
    return float(step.get("delay") or 0) * scale


def later(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)
