"""What a push does, decided without I/O: the lead each row becomes, and for every row whether
it is invalid, a duplicate of an earlier row, new, changed since its last push, or unchanged.

The service reads rows and the ledger, asks [`screen_row`][instantly_columns.domain.push.screen_row]
and [`plan_push`][instantly_columns.domain.push.plan_push], sends what the plan says, and
records the results.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal, Protocol

import attrs

from instantly_columns.domain.columns import CORE_LEAD_FIELDS, CellValue, FieldMappingConfig
from instantly_columns.domain.mapping import normalize_email
from instantly_columns.domain.sequences import step_custom_variables
from instantly_columns.errors import ConfigError, SequenceError

__all__ = [
    "BULK_LIMIT",
    "BULK_MAX_BYTES",
    "Candidate",
    "ChunkBuffer",
    "KnownLead",
    "PushPlan",
    "RowScreen",
    "lead_payload",
    "lead_size",
    "not_created_reason",
    "patch_fields",
    "payload_digest",
    "plan_push",
    "screen_row",
]

BULK_LIMIT = 1000
"""Most leads Instantly's `POST /leads/add` takes in one call (the one constant for it)."""

BULK_MAX_BYTES = 512 * 1024
"""Most bytes of leads a push puts in one `POST /leads/add` call, by default (see
[`lead_size`][instantly_columns.domain.push.lead_size]). Instantly documents no body limit;
its error envelope is that of a web framework (Fastify) whose default limit is 1 MiB, so half
of that leaves room for the rest of the body and for a limit somewhat lower than assumed. In
`author_steps` mode every lead carries its own copy of every step, so batches grow fast."""

StepColumns = Mapping[tuple[int, str], str]
"""``(step_number, "subject" | "body")`` → the id of the column holding the row's copy."""


def _scalar(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def lead_payload(
    row_cells: Mapping[str, CellValue],
    mapping: FieldMappingConfig,
    steps: StepColumns | None,
) -> tuple[str | None, dict[str, Any], str | None]:
    """``(normalised email, lead JSON, problem)``: the mapped fields, the declared custom
    variables and, in ``author_steps`` mode, the row's step copy — nothing else."""
    email = normalize_email(row_cells.get(mapping.email)) if mapping.email else None
    if email is None:
        raw = row_cells.get(mapping.email) if mapping.email else None
        return None, {}, "missing email" if _blank(raw) else "invalid email"
    lead: dict[str, Any] = {"email": email}
    for field in CORE_LEAD_FIELDS:
        column = getattr(mapping, field)
        if field == "email" or not column:
            continue
        value = row_cells.get(column)
        if not _blank(value):
            lead[field] = value.strip() if isinstance(value, str) else str(_scalar(value))
    custom: dict[str, Any] = {}
    for name, column in sorted(mapping.custom_variables.items()):
        value = row_cells.get(column)
        if not _blank(value):
            custom[name] = _scalar(value)
    if steps:
        values = {(n, f): row_cells.get(col) for (n, f), col in steps.items()}
        try:
            custom.update(step_custom_variables(values))  # type: ignore[arg-type]
        except SequenceError as exc:
            return email, {}, f"step copy: {exc}"
    if custom:
        lead["custom_variables"] = custom
    return email, lead, None


def lead_size(lead: Mapping[str, Any]) -> int:
    """The bytes ``lead`` adds to a bulk request body: its compact JSON with non-ASCII
    characters escaped (never less than the UTF-8 the transports send), plus a separator."""
    return len(json.dumps(lead, separators=(",", ":"), ensure_ascii=True, default=str)) + 1


def payload_digest(campaign_id: str, lead: Mapping[str, Any]) -> str:
    """A fingerprint of what a row sends to a campaign; scoped by campaign, so after a link
    switches campaign its earlier results no longer count."""
    body = hashlib.sha256(json.dumps(lead, sort_keys=True).encode()).hexdigest()[:32]
    return f"{campaign_id}:{body}"


def patch_fields(lead: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a changed row sends to update its lead (everything but the email)."""
    return {k: v for k, v in lead.items() if k != "email"}


@attrs.frozen
class Candidate:
    """A valid row, first of its email in the push: the lead it becomes."""

    row_id: str
    email: str
    lead: dict[str, Any]
    digest: str


@attrs.frozen
class RowScreen:
    """One row, screened: a candidate, or why it is not one."""

    row_id: str
    email: str | None
    candidate: Candidate | None = None
    status: Literal["invalid", "skipped_duplicate"] | None = None
    error: str | None = None


def screen_row(
    row_id: str,
    cells: Mapping[str, CellValue],
    *,
    mapping: FieldMappingConfig,
    steps: StepColumns | None,
    campaign_id: str,
    seen: dict[str, str],
) -> RowScreen:
    """Screen one row; ``seen`` (email → first row id) carries the rows screened before it in
    the same push, and is updated."""
    email, lead, problem = lead_payload(cells, mapping, steps)
    if problem is not None or email is None:
        return RowScreen(row_id, email, status="invalid", error=problem)
    first = seen.get(email)
    if first is not None:
        return RowScreen(
            row_id, email, status="skipped_duplicate", error=f"same email as row {first}"
        )
    seen[email] = row_id
    return RowScreen(
        row_id, email, candidate=Candidate(row_id, email, lead, payload_digest(campaign_id, lead))
    )


class KnownLead(Protocol):
    """What the push ledger remembers of a row's last push."""

    @property
    def status(self) -> str: ...
    @property
    def lead_id(self) -> str | None: ...
    @property
    def payload_hash(self) -> str | None: ...
    @property
    def pushed_at(self) -> datetime | None: ...


@attrs.frozen
class PushPlan:
    """What to send: new leads in bulk calls, changed ones as updates, and the rows whose lead
    already holds exactly what they would send."""

    fresh: tuple[Candidate, ...]
    updates: tuple[tuple[Candidate, str], ...]
    """``(candidate, lead id)`` of rows pushed before whose payload changed."""
    unchanged: tuple[tuple[Candidate, KnownLead], ...]
    uncertain: tuple[Candidate, ...] = ()
    """Rows a push was sending when it stopped (the ledger says ``pending``): Instantly may
    hold their lead already, so they are looked up before anything is sent again."""

    def chunks(
        self, size: int = BULK_LIMIT, *, max_bytes: int = BULK_MAX_BYTES
    ) -> list[tuple[Candidate, ...]]:
        """The new leads in bulk-call sized chunks, in order: at most ``size`` leads and at
        most ``max_bytes`` of leads (by `lead_size`) each, except that a lead larger than
        ``max_bytes`` on its own gets a chunk of its own (see `ChunkBuffer`, which cuts the
        same chunks from leads that arrive a page at a time)."""
        buffer = ChunkBuffer(size, max_bytes=max_bytes)
        out: list[tuple[Candidate, ...]] = []
        for cand in self.fresh:
            out += buffer.add(cand)
        return out + buffer.flush()


class ChunkBuffer:
    """Cuts bulk-call chunks from candidates fed one at a time, as a push reads its rows page
    by page: at most ``size`` leads and ``max_bytes`` of leads (by `lead_size`) a chunk,
    except that a lead larger than ``max_bytes`` gets a chunk of its own. Fed the same
    candidates in the same order, it cuts the same chunks however the pages fall, and holds
    at most one unfinished chunk.

    ```python
    from instantly_columns.domain.push import Candidate, ChunkBuffer

    buffer = ChunkBuffer(2)
    leads = [Candidate(f"r{n}", f"p{n}@x.io", {"email": f"p{n}@x.io"}, "") for n in range(3)]
    assert buffer.add(leads[0]) == []
    assert buffer.add(leads[1]) == [(leads[0], leads[1])]  # full: closed at once
    assert buffer.add(leads[2]) == []
    assert buffer.flush() == [(leads[2],)]
    ```
    """

    def __init__(self, size: int = BULK_LIMIT, *, max_bytes: int = BULK_MAX_BYTES) -> None:
        if size < 1:
            raise ConfigError("must be at least 1 lead", path="size")
        if max_bytes < 1:
            raise ConfigError("must be at least 1 byte", path="max_bytes")
        self.size = size
        self.max_bytes = max_bytes
        self._current: list[Candidate] = []
        self._used = 0

    def __len__(self) -> int:
        """Candidates waiting in the unfinished chunk."""
        return len(self._current)

    def add(self, cand: Candidate) -> list[tuple[Candidate, ...]]:
        """Take one candidate; returns the chunks it closed (none, one, or two when the
        candidate did not fit and is a full chunk by itself)."""
        out: list[tuple[Candidate, ...]] = []
        cost = lead_size(cand.lead)
        if self._current and self._used + cost > self.max_bytes:
            out += self.flush()
        self._current.append(cand)
        self._used += cost
        if len(self._current) >= self.size:
            out += self.flush()
        return out

    def flush(self) -> list[tuple[Candidate, ...]]:
        """The unfinished chunk, closed (none when it is empty)."""
        if not self._current:
            return []
        chunk = tuple(self._current)
        self._current, self._used = [], 0
        return [chunk]


def _pushed_to(entry: KnownLead, campaign_id: str) -> bool:
    return (
        entry.lead_id is not None
        and entry.status in ("pushed", "already_in_campaign")
        and (entry.payload_hash or "").startswith(f"{campaign_id}:")
    )


def _pending_for(entry: KnownLead, campaign_id: str) -> bool:
    return entry.status == "pending" and (entry.payload_hash or "").startswith(f"{campaign_id}:")


def plan_push(
    candidates: Iterable[Candidate],
    known: Mapping[str, KnownLead],
    campaign_id: str,
) -> PushPlan:
    """Split candidates by what the ledger (``known``: email → last push) says: never pushed
    to this campaign (or pushed and failed) → new; pushed with the same payload → unchanged;
    pushed with another payload → update its lead; being sent when a push stopped →
    uncertain (look it up before sending)."""
    fresh: list[Candidate] = []
    updates: list[tuple[Candidate, str]] = []
    unchanged: list[tuple[Candidate, KnownLead]] = []
    uncertain: list[Candidate] = []
    for cand in candidates:
        entry = known.get(cand.email)
        if entry is not None and _pending_for(entry, campaign_id):
            uncertain.append(cand)
        elif entry is None or not _pushed_to(entry, campaign_id):
            fresh.append(cand)
        elif entry.payload_hash == cand.digest:
            unchanged.append((cand, entry))
        else:
            assert entry.lead_id is not None
            updates.append((cand, entry.lead_id))
    return PushPlan(tuple(fresh), tuple(updates), tuple(unchanged), tuple(uncertain))


def not_created_reason(skip_if_in_campaign: bool) -> str:
    """Why Instantly added no lead for a row that it does not report as created."""
    return (
        "Instantly did not create this lead: it is blocklisted, "
        + (
            "in another campaign of the workspace (skip_if_in_campaign), "
            if skip_if_in_campaign
            else ""
        )
        + "or was rejected"
    )
