"""Push rows as leads, a page at a time: read → plan (pure, in `domain.push`) → send → record,
under the link's fenced, heartbeated lease.

Memory stays flat in the number of rows: rows are read by keyset pages, each page is screened
and planned against the ledger, new leads wait only until a bulk call's worth (times the
push's concurrency) is ready, and every chunk's results go to the ledger and the push cells
as soon as it completes. The report's per-row results and bodies are spooled off the heap
(`PushSpool`); rows that share an email are found through the spool too, not a dict in memory.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Literal

import attrs

from instantly_columns.api.core import ApiCore, bulk_add_body
from instantly_columns.domain.columns import CellValue, FieldMappingConfig, PushActionConfig
from instantly_columns.domain.mapping import normalize_email
from instantly_columns.domain.push import (
    BULK_LIMIT,
    Candidate,
    ChunkBuffer,
    KnownLead,
    not_created_reason,
    patch_fields,
    plan_push,
    screen_row,
)
from instantly_columns.engine.effects import Flow, blocking, gather_all, renewing
from instantly_columns.errors import (
    InvalidColumnConfig,
    PayloadTooLarge,
    PushInProgress,
    SyncInProgress,
)
from instantly_columns.ports import PUSH_RUN_PREFIX, CellWrite, LedgerEntry, SyncRun
from instantly_columns.service._context import (
    LEAD_PAGE,
    ROW_PAGE,
    Ctx,
    Link,
    api_for,
    error_text,
    link_flow,
    reraise_auth,
)
from instantly_columns.service.reports import (
    PushReport,
    PushRowReport,
    PushSpool,
    spooled_report,
)

TOO_LARGE = (
    "this lead alone is too large for Instantly's request size limit (HTTP 413): "
    "shorten its fields or its step copy"
)


class PushLease:
    """The run a push holds as its link's lease (the same lease a sync takes: one run a link
    at a time). Every write of the push goes through ``commit``: its ledger entries and cells
    in one transaction that also checkpoints the run, which the store refuses once the run
    has lost the lease (taken over after its heartbeat lapsed, or released), so a worker
    that stalled and was taken over writes nothing when it wakes up. Where the stores share
    no transaction, the lease is checked just before the writes."""

    def __init__(self, ctx: Ctx, run: SyncRun) -> None:
        self._ctx = ctx
        self._lock = threading.Lock()
        self.run = run

    @classmethod
    def take(cls, ctx: Ctx, link_id: str) -> PushLease:
        now = ctx.clock.now()
        run = SyncRun(
            id=f"{PUSH_RUN_PREFIX}{ctx.new_id()}", link_id=link_id, started_at=now, heartbeat_at=now
        )
        try:
            run = ctx.links.start_run(run, stale_after=ctx.lease_seconds) or run
        except PushInProgress:
            raise
        except SyncInProgress as exc:
            raise PushInProgress(
                f"another push or sync of link {link_id!r} is running: {exc}"
            ) from exc
        return cls(ctx, run)

    def _checkpoint(self, **changes: Any) -> None:
        run = attrs.evolve(self.run, heartbeat_at=self._ctx.clock.now(), **changes)
        try:
            self._ctx.links.update_run(run)
        except PushInProgress:
            raise
        except SyncInProgress as exc:
            raise PushInProgress(f"this push lost the lease of its link: {exc}") from exc
        self.run = run

    def beat(self) -> None:
        with self._lock:
            self._checkpoint()

    def commit(
        self, table_id: str, entries: Sequence[LedgerEntry], writes: Sequence[CellWrite], rows: int
    ) -> None:
        """Write ``entries`` and ``writes`` under the lease; ``rows`` more rows are done."""
        with self._lock:
            unit = self._ctx.atomic()
            if unit is None:  # no shared transaction: check the lease just before writing
                self._checkpoint()
            with unit or contextlib.nullcontext():
                self._checkpoint(
                    leads_seen=self.run.leads_seen + rows,
                    cells_written=self.run.cells_written + len(writes),
                )
                if entries:
                    self._ctx.links.write_ledger(self.run.link_id, entries)
                if writes:
                    self._ctx.tables.write_cells(table_id, writes)

    def close(self, **changes: Any) -> None:
        with self._lock:
            run = attrs.evolve(self.run, heartbeat_at=self._ctx.clock.now(), **changes)
            self._ctx.links.update_run(run)
            self.run = run


@attrs.frozen
class _Selection:
    """What a push reads of each row and which rows it takes."""

    mapping: FieldMappingConfig
    steps: Mapping[tuple[int, str], str]
    push_id: str | None
    fields: list[str]
    wanted: frozenset[str] | None
    where: Callable[[Mapping[str, CellValue]], bool] | None

    @classmethod
    def of(
        cls,
        link: Link,
        rows: Collection[str] | None,
        where: Callable[[Mapping[str, CellValue]], bool] | None,
    ) -> _Selection:
        push_cfg = link.push.config if link.push is not None else None
        mapping = link.config.field_mapping
        if isinstance(push_cfg, PushActionConfig) and not push_cfg.auto_field_mapping:
            assert link.push is not None
            if push_cfg.field_mapping is None:
                raise InvalidColumnConfig(
                    "push_config.auto_field_mapping is false, so a field_mapping is required",
                    path=f"columns[{link.push.id}].integration_config.field_mapping",
                )
            mapping = push_cfg.field_mapping
        steps = (
            {key: col.id for key, col in link.steps.items()}
            if link.config.sequence_mode == "author_steps"
            else {}
        )
        push_id = link.push.id if link.push is not None else None
        fields = sorted(
            {*mapping.columns().values(), *steps.values(), *([push_id] if push_id else [])}
        )
        wanted = frozenset(rows) if rows is not None else None
        return cls(mapping, steps, push_id, fields, wanted, where)


@attrs.define
class _Done:
    """Results waiting to be recorded together (one transaction under the lease)."""

    entries: list[LedgerEntry] = attrs.Factory(list)
    writes: list[CellWrite] = attrs.Factory(list)
    results: list[tuple[int, PushRowReport]] = attrs.Factory(list)


class _Push:
    """One push: its buffers, its counts, and the flows that fill and drain them."""

    def __init__(
        self,
        ctx: Ctx,
        link: Link,
        selection: _Selection,
        *,
        dry_run: bool,
        force: bool,
        skip_if_in_campaign: bool,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.ctx = ctx
        self.link = link
        self.campaign_id = link.config.campaign_id
        self.sel = selection
        self.dry_run = dry_run
        self.force = force
        self.skip = skip_if_in_campaign
        self.progress = progress
        self.spool = PushSpool()
        self.lease: PushLease | None = None
        self.core: ApiCore | None = None
        self.requests = 0
        self.read = 0  # rows of the selection read so far: the next one's place in the report
        self.found: set[str] = set()  # ids of ``rows=`` that were found
        self.buffer = ChunkBuffer(BULK_LIMIT, max_bytes=ctx.push_max_bytes)
        self.ready: list[tuple[Candidate, ...]] = []
        self.uncertain: list[Candidate] = []
        self.updates: list[tuple[Candidate, str]] = []
        self.place: dict[str, int] = {}  # row id → its place in the report, while in flight
        self.sent = 0
        self.total = 0  # rows found to send as new leads so far
        self.reported = False
        self.wrote = False  # whether this page wrote under the lease (a heartbeat too)
        self.every = ctx.lease_seconds / 3

    # --- the walk --------------------------------------------------------------------------

    def run(self) -> Flow[None]:
        after: str | None = None
        while True:
            page = yield from blocking(
                self.ctx.tables.rows,
                self.link.table_id,
                self.sel.fields,
                after=after,
                limit=ROW_PAGE,
            )
            if not page:
                break
            after = page[-1].id
            yield from self.page(page)
        yield from self.drain(final=True)
        if self.sel.wanted is not None:
            done = _Done()
            for row_id in sorted(self.sel.wanted - self.found):
                done.results.append(
                    (self._next(), PushRowReport(row_id, "failed", error="no such row"))
                )
            yield from self.record(done, rows=0)

    def _next(self) -> int:
        place = self.read
        self.read += 1
        return place

    def page(self, page: Sequence[Any]) -> Flow[None]:
        sel = self.sel
        taken: list[tuple[str, Mapping[str, CellValue], CellValue]] = []
        for row in page:
            if sel.wanted is not None and row.id not in sel.wanted:
                continue
            cells: Mapping[str, CellValue] = row.cells
            current: CellValue = None
            if sel.push_id is not None and sel.push_id in cells:
                current = cells[sel.push_id]
                cells = {k: v for k, v in cells.items() if k != sel.push_id}
            if sel.where is not None and not sel.where(cells):
                continue
            if sel.wanted is not None:
                self.found.add(row.id)
            taken.append((row.id, cells, current))
        self.wrote = False
        if taken:
            yield from self.screen(taken)
        if self.lease is not None and not self.wrote:
            yield from blocking(self.lease.beat)  # a page with nothing to write: still alive

    def screen(self, taken: list[tuple[str, Mapping[str, CellValue], CellValue]]) -> Flow[None]:
        sel = self.sel
        # Rows that share an email: the first one read is the candidate, wherever it was.
        emails = {
            email
            for _, cells, _ in taken
            if (
                email := normalize_email(
                    cells.get(sel.mapping.email) if sel.mapping.email else None
                )
            )
        }
        seen = self.spool.firsts(emails) if emails else {}
        before = dict(seen)
        done = _Done()
        candidates: list[Candidate] = []
        currents: dict[str, CellValue] = {}
        for row_id, cells, current in taken:
            place = self._next()
            screened = screen_row(
                row_id,
                cells,
                mapping=sel.mapping,
                steps=sel.steps,
                campaign_id=self.campaign_id,
                seen=seen,
            )
            if screened.candidate is not None:
                candidates.append(screened.candidate)
                self.place[row_id] = place
                currents[row_id] = current
                continue
            assert screened.status is not None
            result = PushRowReport(row_id, screened.status, screened.email, error=screened.error)
            self._result(done, place, result, entry=screened.status == "invalid")
        if len(seen) > len(before):
            self.spool.remember((e, r) for e, r in seen.items() if e not in before)

        known: Mapping[str, KnownLead] = {}
        if candidates and not self.force:
            known = yield from blocking(
                self.ctx.links.ledger, self.link.id, [c.email for c in candidates]
            )
        plan = plan_push(candidates, known, self.campaign_id)
        for cand, entry in plan.unchanged:
            place = self.place.pop(cand.row_id)
            result = PushRowReport(
                cand.row_id,
                "already_in_campaign",
                cand.email,
                entry.lead_id,
                pushed_at=entry.pushed_at,
            )
            done.results.append((place, result))
            current = currents.get(cand.row_id)
            if self.link.push is not None and (
                not isinstance(current, Mapping) or current.get("lead_id") != entry.lead_id
            ):
                # The ledger says it was pushed: its cell must say so too (a push that
                # stopped between the two left it empty).
                repaired = PushRowReport(
                    cand.row_id,
                    "already_in_campaign" if entry.status == "already_in_campaign" else "pushed",
                    cand.email,
                    entry.lead_id,
                    pushed_at=entry.pushed_at,
                )
                done.writes.append(CellWrite(cand.row_id, self.link.push.id, repaired.as_cell()))
        yield from self.record(done, rows=len(taken) - len(candidates) + len(plan.unchanged))
        if self.dry_run:
            # Nothing is looked up in a dry run: a row a stopped push was sending would be
            # looked up first, then sent if Instantly does not have it.
            for cand in (*plan.fresh, *plan.uncertain):
                self._fresh(cand)
        else:
            for cand in plan.fresh:
                self._fresh(cand)
            self.uncertain += plan.uncertain
        self.updates += plan.updates
        yield from self.drain(final=False)

    def _fresh(self, cand: Candidate) -> None:
        self.total += 1
        self._ready(self.buffer.add(cand))

    def _ready(self, chunks: list[tuple[Candidate, ...]]) -> None:
        """Chunks cut, in order: each one's body goes in the report as it is queued."""
        for chunk in chunks:
            self.spool.add_body(
                "bodies",
                bulk_add_body(
                    self.campaign_id, [c.lead for c in chunk], skip_if_in_campaign=self.skip
                ),
            )
        self.ready += chunks

    def drain(self, *, final: bool) -> Flow[None]:
        """Send what is ready: everything when ``final``, else only full groups."""
        if self.uncertain and (final or len(self.uncertain) >= LEAD_PAGE):
            yield from self.look_up_uncertain()
        if final:
            self._ready(self.buffer.flush())
        step = max(1, self.ctx.push_concurrency)
        while self.ready and (final or len(self.ready) >= step):
            group, self.ready = self.ready[:step], self.ready[step:]
            yield from self.send(group)
        if self.updates and (final or len(self.updates) >= BULK_LIMIT):
            batch, self.updates = self.updates, []
            yield from self.send_updates(batch)

    # --- sending ---------------------------------------------------------------------------

    def api(self) -> Flow[ApiCore]:
        if self.core is None:
            self.core = yield from api_for(self.ctx, self.link.credential)
        return self.core

    def renew(self) -> Flow[None]:
        if self.lease is not None:
            yield from blocking(self.lease.beat)

    def look_up_uncertain(self) -> Flow[None]:
        """Rows a stopped push was sending: Instantly may hold their lead already."""
        batch, self.uncertain = self.uncertain, []
        core = yield from self.api()
        found = yield from renewing(
            _find_leads(core, self.campaign_id, [c.email for c in batch]), self.renew, self.every
        )
        self.requests += -(-len(batch) // LEAD_PAGE)
        done = _Done()
        now = self.ctx.clock.now()
        for cand in batch:
            if cand.email in found:
                result = PushRowReport(
                    cand.row_id, "already_in_campaign", cand.email, found[cand.email], pushed_at=now
                )
                self._result(done, self.place.pop(cand.row_id), result, entry=True, cand=cand)
            else:
                self._fresh(cand)
        yield from self.record(done, rows=len(done.results))

    def send(self, group: list[tuple[Candidate, ...]]) -> Flow[None]:
        if self.dry_run:
            done = _Done()
            for chunk in group:
                for cand in chunk:
                    result = PushRowReport(cand.row_id, "would_push", cand.email)
                    done.results.append((self.place.pop(cand.row_id), result))
            yield from self.record(done, rows=len(done.results))
            return
        pending = [
            LedgerEntry(self.link.id, c.row_id, c.email, "pending", payload_hash=c.digest)
            for chunk in group
            for c in chunk
        ]
        yield from self.record(_Done(entries=pending), rows=0)
        if not self.reported:
            self.reported = True
            self._progress()
        core = yield from self.api()
        halves = yield from self._add(core, group)
        self.ready = halves + self.ready
        self.sent += sum(len(chunk) for chunk in group) - sum(len(half) for half in halves)
        self._progress()

    def _progress(self) -> None:
        if self.progress is not None:
            self.progress(self.sent, self.total)  # (rows sent, rows found to send so far)

    def _add(
        self, core: ApiCore, group: list[tuple[Candidate, ...]]
    ) -> Flow[list[tuple[Candidate, ...]]]:
        now = self.ctx.clock.now()
        outcomes = yield from renewing(
            gather_all(
                [
                    core.add_leads(
                        self.campaign_id, [c.lead for c in chunk], skip_if_in_campaign=self.skip
                    )
                    for chunk in group
                ]
            ),
            self.renew,
            self.every,
        )
        self.requests += len(group)
        halves: list[tuple[Candidate, ...]] = []
        done = _Done()
        for chunk, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome.error, PayloadTooLarge):
                # Refused whole, before anything was added: send each half on its own,
                # down to the one row that is too large by itself.
                if len(chunk) > 1:
                    middle = (len(chunk) + 1) // 2
                    halves += [chunk[:middle], chunk[middle:]]
                else:
                    (cand,) = chunk
                    self._sent(done, cand, "failed", error=TOO_LARGE)
                continue
            if outcome.error is not None:
                reraise_auth(outcome.error)
                for cand in chunk:
                    self._sent(done, cand, "failed", error=error_text(outcome.error))
                continue
            created = outcome.unwrap().created
            missing = [c for i, c in enumerate(chunk) if i not in created]
            existing: dict[str, str] = {}
            if missing:
                existing = yield from renewing(
                    _find_leads(core, self.campaign_id, [c.email for c in missing]),
                    self.renew,
                    self.every,
                )
                self.requests += -(-len(missing) // LEAD_PAGE)
            for i, cand in enumerate(chunk):
                if i in created:
                    self._sent(done, cand, "pushed", created[i], pushed_at=now)
                elif cand.email in existing:
                    self._sent(
                        done, cand, "already_in_campaign", existing[cand.email], pushed_at=now
                    )
                else:
                    self._sent(done, cand, "failed", error=not_created_reason(self.skip))
        yield from self.record(done, rows=len(done.results))
        return halves

    def send_updates(self, batch: list[tuple[Candidate, str]]) -> Flow[None]:
        for cand, lead_id in batch:
            self.spool.add_body("updates", {"lead_id": lead_id, "fields": patch_fields(cand.lead)})
        done = _Done()
        if self.dry_run:
            for cand, lead_id in batch:
                result = PushRowReport(cand.row_id, "would_update", cand.email, lead_id)
                done.results.append((self.place.pop(cand.row_id), result))
            yield from self.record(done, rows=len(done.results))
            return
        now = self.ctx.clock.now()
        # A row whose mapped fields were all cleared has nothing to send: Instantly has no way
        # to empty a lead's fields through an update, so its lead stays as it is, and so does it.
        sending = [(cand, lead_id) for cand, lead_id in batch if patch_fields(cand.lead)]
        for cand, lead_id in batch:
            if not patch_fields(cand.lead):
                self._sent(done, cand, "already_in_campaign", lead_id, pushed_at=now)
        if sending:
            core = yield from self.api()
            outcomes = yield from renewing(
                gather_all(
                    [
                        core.update_lead(lead_id, patch_fields(cand.lead))
                        for cand, lead_id in sending
                    ]
                ),
                self.renew,
                self.every,
            )
            self.requests += len(sending)
            for (cand, lead_id), outcome in zip(sending, outcomes, strict=True):
                if outcome.error is not None:
                    reraise_auth(outcome.error)
                    self._sent(done, cand, "failed", lead_id, error=error_text(outcome.error))
                else:
                    self._sent(done, cand, "updated", lead_id, pushed_at=now)
        yield from self.record(done, rows=len(done.results))

    # --- recording -------------------------------------------------------------------------

    def _sent(
        self,
        done: _Done,
        cand: Candidate,
        status: Literal["pushed", "updated", "already_in_campaign", "failed"],
        lead_id: str | None = None,
        *,
        error: str | None = None,
        pushed_at: Any = None,
    ) -> None:
        result = PushRowReport(cand.row_id, status, cand.email, lead_id, error, pushed_at)
        self._result(done, self.place.pop(cand.row_id), result, entry=True, cand=cand)

    def _result(
        self,
        done: _Done,
        place: int,
        r: PushRowReport,
        *,
        entry: bool,
        cand: Candidate | None = None,
    ) -> None:
        """A row's final result: in the report, its ledger entry (``entry``) and its cell."""
        done.results.append((place, r))
        if entry:
            done.entries.append(
                LedgerEntry(
                    self.link.id,
                    r.row_id,
                    r.email,
                    "pushed" if r.status == "updated" else r.status,  # type: ignore[arg-type]
                    lead_id=r.lead_id,
                    error=r.error,
                    pushed_at=r.pushed_at,
                    payload_hash=cand.digest
                    if cand is not None and r.status in ("pushed", "updated", "already_in_campaign")
                    else None,
                )
            )
        if self.link.push is not None:
            done.writes.append(CellWrite(r.row_id, self.link.push.id, r.as_cell()))

    def record(self, done: _Done, *, rows: int) -> Flow[None]:
        """Write ``done``'s ledger entries and cells (nothing in a dry run), then put its
        results in the report."""
        if not self.dry_run and (done.entries or done.writes):
            assert self.lease is not None
            yield from blocking(
                self.lease.commit, self.link.table_id, done.entries, done.writes, rows
            )
            self.wrote = True
        for place, result in done.results:
            self.spool.add(place, result)


def push_flow(
    ctx: Ctx,
    link_id: str,
    *,
    rows: Collection[str] | None = None,
    where: Callable[[Mapping[str, CellValue]], bool] | None = None,
    dry_run: bool = False,
    force: bool = False,
    skip_if_in_campaign: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Flow[PushReport]:
    link = yield from link_flow(ctx, link_id)
    push = _Push(
        ctx,
        link,
        _Selection.of(link, rows, where),
        dry_run=dry_run,
        force=force,
        skip_if_in_campaign=skip_if_in_campaign,
        progress=progress,
    )
    if dry_run:  # reads only: no lease
        yield from push.run()
        return spooled_report(link.id, link.config.campaign_id, True, push.spool, 0)
    push.lease = yield from blocking(PushLease.take, ctx, link.id)
    try:
        yield from push.run()
    except (Exception, KeyboardInterrupt) as exc:
        # Free the lease at once (the ledger says what was sent; the next push resumes).
        interrupted = isinstance(exc, KeyboardInterrupt)
        with contextlib.suppress(Exception):
            yield from blocking(
                push.lease.close,
                status="cancelled" if interrupted else "failed",
                finished_at=ctx.clock.now(),
                errors=(*push.lease.run.errors, "interrupted" if interrupted else error_text(exc)),
            )
        raise
    yield from blocking(push.lease.close, status="ok", finished_at=ctx.clock.now())
    return spooled_report(link.id, link.config.campaign_id, False, push.spool, push.requests)


def _find_leads(core: ApiCore, campaign_id: str, emails: Sequence[str]) -> Flow[dict[str, str]]:
    found: dict[str, str] = {}
    for start in range(0, len(emails), LEAD_PAGE):
        part = list(emails[start : start + LEAD_PAGE])
        page = yield from core.lead_page(campaign_id, None, contacts=part)
        for lead in page.items:
            email = normalize_email(lead.email)
            if email and lead.id:
                found[email] = lead.id
    return found
