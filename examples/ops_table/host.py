"""The host's state: one lead table in a SQLite file, the service, and (without a key) a fake
Instantly workspace served on loopback.

Everything here goes through instantly-columns' public API: the root package, the storage
adapters, the testing package (for the embedded fake), ``frames.load_csv``, ``charts`` and
``asgi.webhook_app``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from instantly_columns import (
    ApiKey,
    CampaignLink,
    ClientSettings,
    Column,
    InstantlyClient,
    InstantlyColumns,
    ProgressEvent,
    PushReport,
    Row,
    SyncReport,
)
from instantly_columns.domain.webhooks import SECRET_HEADER
from instantly_columns.frames import load_csv
from instantly_columns.storage import SQLiteStore
from instantly_columns.testing import FakeClock, FakeInstantly

__all__ = ["SAMPLE_CSV", "TABLE_ID", "Group", "Host", "SyncProgress"]

SAMPLE_CSV = Path(__file__).with_name("sample_leads.csv")
TABLE_ID = "leads"
WEBHOOK_PATH = "/webhooks/instantly"

#: The campaigns the embedded fake workspace starts with.
_TECHCORP_SEQUENCES = [
    {
        "steps": [
            {
                "type": "email",
                "delay": 2,
                "delay_unit": "days",
                "variants": [
                    {
                        "subject": "{{firstName}}, a question about {{companyName}}",
                        "body": "Hi {{firstName}},\nhow does {{companyName}} handle "
                        "{{industry}} leads today?",
                    }
                ],
            },
            {
                "type": "email",
                "delay": 3,
                "delay_unit": "days",
                "variants": [{"subject": "", "body": "Bumping this up, {{firstName}}."}],
            },
        ]
    }
]
_SCHEDULE = {
    "schedules": [
        {
            "name": "Weekdays",
            "timing": {"from": "00:00", "to": "23:59"},
            "days": {"1": True, "2": True, "3": True, "4": True, "5": True},
            "timezone": "Etc/GMT+12",
        }
    ]
}


@dataclass
class SyncProgress:
    """What the page shows of a sync running in the background."""

    running: bool = True
    pages: int = 0
    leads_seen: int = 0
    cells_written: int = 0
    message: str = ""
    error: str | None = None


@dataclass
class Group:
    """One campaign link and its columns, shown together."""

    link: CampaignLink
    columns: list[Column]


@dataclass
class Host:
    """The web app's state, shared by its requests."""

    service: InstantlyColumns
    store: SQLiteStore
    fake: FakeInstantly | None = None
    demo_key: str | None = None
    """The fake workspace's key: offered by the wizard as a button, never put in a page."""
    settings: ClientSettings | None = None
    webhook_secret: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)
    version: int = 0
    wizards: dict[str, str] = field(default_factory=dict)
    """Wizard id -> the wizard's state as JSON (``WizardState.model_dump_json``)."""
    wizard_inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    """Wizard id -> the fields last posted to a step that came back with problems."""
    push_reports: dict[str, PushReport] = field(default_factory=dict)
    syncs: dict[str, SyncProgress] = field(default_factory=dict)
    simulated: list[str] = field(default_factory=list)
    _closers: list[Any] = field(default_factory=list)

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        db: str | None = None,
        environ: Mapping[str, str] | None = None,
        seed: int = 7,
    ) -> Host:
        """The host on embedded defaults (a SQLite file and a seeded fake Instantly on
        loopback), or on the real API when ``INSTANTLY_API_KEY`` is set."""
        env = os.environ if environ is None else environ
        if db is None:
            db = str(Path(tempfile.mkdtemp(prefix="ops-table-")) / "ops_table.db")
        store = SQLiteStore(db)
        secret = env.get("OPS_TABLE_WEBHOOK_SECRET") or secrets.token_urlsafe(24)
        closers: list[Any] = []
        if env.get("INSTANTLY_API_KEY", "").strip():
            service = InstantlyColumns.from_env(store, environ=env, webhook_secret=secret)
            host = cls(service=service, store=store, webhook_secret=secret)
            # Validated against the API and kept in the credential store, so the wizard
            # starts connected.
            key = ApiKey.from_env(env)
            assert key is not None  # the variable is set
            service.connect(key)
        else:
            clock = FakeClock()
            fake = FakeInstantly(clock=clock, seed=seed)
            serving = fake.serve()
            base_url = serving.__enter__()
            closers.append(serving)
            settings = ClientSettings(base_url=base_url)
            service = InstantlyColumns(store, settings=settings, clock=clock, webhook_secret=secret)
            host = cls(
                service=service,
                store=store,
                fake=fake,
                demo_key=fake.create_api_key(name="ops-table"),
                settings=settings,
                webhook_secret=secret,
            )
            host._seed_workspace()
        host._closers = closers
        host._load_sample()
        return host

    def _seed_workspace(self) -> None:
        assert self.fake is not None
        assert self.demo_key is not None
        fake = self.fake
        fake.create_campaign(
            "TechCorp Outreach",
            sequences=_TECHCORP_SEQUENCES,
            campaign_schedule=_SCHEDULE,
            active=True,
        )
        nurture = fake.create_campaign("Partner Nurture", campaign_schedule=_SCHEDULE)
        fake.create_campaign("Spring Webinar", campaign_schedule=_SCHEDULE)
        with self.client() as client:
            client.activate_campaign(str(nurture["id"]))
            client.pause_campaign(str(nurture["id"]))

    def _load_sample(self) -> None:
        try:
            self.store.columns(TABLE_ID)
        except Exception:  # no such table yet: import the sample export
            load_csv(self.store, TABLE_ID, SAMPLE_CSV, name="Leads")

    def client(self) -> InstantlyClient:
        """A client of the fake workspace (for seeding and the webhook subscription)."""
        assert self.demo_key is not None
        return InstantlyClient(self.demo_key, settings=self.settings, clock=self.fake_clock())

    def fake_clock(self) -> FakeClock | None:
        return self.fake.clock if self.fake is not None else None

    def subscribe_webhooks(self, public_url: str) -> None:
        """Subscribe the app's receiver to every event of the demo workspace. (The demo's key
        is not stored until the user picks it in the wizard, so this uses a client on it; a
        real workspace is subscribed once, with ``service.subscribe_webhooks`` or in
        Instantly, to the app's public address.)"""
        if self.fake is None:
            return
        with self.client() as client:
            client.create_webhook(
                public_url.rstrip("/") + WEBHOOK_PATH,
                "all_events",
                name="ops table",
                headers={SECRET_HEADER: self.webhook_secret},
            )

    def close(self) -> None:
        self.service.close()
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):
                closer.__exit__(None, None, None)
        self.store.close()

    # -- reading ---------------------------------------------------------------------------

    def now(self) -> datetime:
        clock = self.fake_clock()
        if clock is not None:
            return clock.now()
        from datetime import timezone

        return datetime.now(timezone.utc)

    def bump(self) -> None:
        with self.lock:
            self.version += 1

    def links(self) -> list[CampaignLink]:
        return self.service.links(TABLE_ID)

    def groups(self) -> tuple[list[Column], list[Group]]:
        """The table's own columns, and each campaign link's columns (its group)."""
        columns = self.store.columns(TABLE_ID)
        position = {c.id: n for n, c in enumerate(columns)}
        groups = [Group(link, self.service.columns_of(link.id)) for link in self.links()]
        # In the order they were added to the table: where each link's first column sits.
        groups.sort(key=lambda g: min((position.get(c.id, 0) for c in g.columns), default=0))
        owned = {c.id for g in groups for c in g.columns}
        plain = [c for c in columns if c.id not in owned and c.subtype is None]
        # Columns of an Instantly subtype that no link owns any more (detached step columns
        # are plain again) are shown with the table's own.
        plain += [c for c in columns if c.id not in owned and c.subtype is not None]
        return plain, groups

    def rows(self) -> list[Row]:
        return self.store.rows(TABLE_ID, limit=1000)

    # -- background work --------------------------------------------------------------------

    def start_sync(self, link_id: str) -> SyncProgress:
        with self.lock:
            current = self.syncs.get(link_id)
            if current is not None and current.running:
                return current
            progress = SyncProgress(message="starting")
            self.syncs[link_id] = progress

        def on_page(event: ProgressEvent) -> None:
            progress.pages = event.pages
            progress.leads_seen = event.leads_seen
            progress.cells_written = event.cells_written
            progress.message = f"page {event.pages}: {event.leads_seen} leads"

        def run() -> None:
            try:
                report: SyncReport = self.service.sync(link_id, progress=on_page)
                run_ = report.run
                progress.message = (
                    f"Synced: {run_.leads_seen} leads, {run_.rows_matched} rows matched, "
                    f"{run_.cells_written} cells written ({run_.status})"
                )
            except Exception as exc:  # shown next to the column's menu
                progress.error = f"{type(exc).__name__}: {exc}"
                progress.message = "Sync failed"
            finally:
                progress.running = False
                self.bump()

        threading.Thread(target=run, name=f"sync-{link_id}", daemon=True).start()
        return progress

    def simulate(self, days: float) -> str:
        """Let the fake workspace send and its recipients react for ``days`` days; its
        webhook events reach the app's receiver over loopback while this runs."""
        if self.fake is None:
            return "Simulation needs the embedded fake workspace."
        report = self.fake.advance(timedelta(days=days))
        text = f"Simulated {days:g} day(s) of sending: {report!r}"
        with self.lock:
            self.simulated.append(text)
        self.bump()
        return text


@contextlib.contextmanager
def running_host(**options: Any) -> Iterator[Host]:
    host = Host.create(**options)
    try:
        yield host
    finally:
        host.close()
