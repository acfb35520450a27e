"""The database, the service and (with ``--fake``) the fake workspace a command works on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from urllib.parse import urlsplit

from instantly_columns.config import ClientSettings
from instantly_columns.ports import CampaignLink
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.storage import PostgresStore, SQLiteStore
from instantly_columns.testing import FakeClock, FakeInstantly

__all__ = [
    "DEFAULT_DB",
    "Failure",
    "Session",
    "fake_path",
    "open_session",
    "open_store",
    "shown",
]

DEFAULT_DB = "instantly-columns.db"
ENCRYPTION_ENV = "INSTANTLY_COLUMNS_ENCRYPTION_KEY"
SCHEMA_ENV = "INSTANTLY_COLUMNS_PG_SCHEMA"
_FAKE_CREDENTIAL = "fake"
_FAKE_SEED = 7


class Failure(Exception):
    """A command cannot go on: a one-line message, an optional hint, and the exit code."""

    def __init__(self, message: str, *, hint: str | None = None, code: int = 1) -> None:
        super().__init__(message)
        self.hint = hint
        self.code = code


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def shown(db: str) -> str:
    """``--db`` as it may be printed: a PostgreSQL URL without its user, password or
    parameters."""
    if not is_postgres(db):
        return db
    parts = urlsplit(db)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def open_store(db: str) -> SQLiteStore | PostgresStore:
    """The store behind ``--db``: a SQLite file (created when missing) or a PostgreSQL URL
    (its tables in the schema INSTANTLY_COLUMNS_PG_SCHEMA names, ``public`` by default). API
    keys are encrypted at rest when INSTANTLY_COLUMNS_ENCRYPTION_KEY is set."""
    key = os.environ.get(ENCRYPTION_ENV) or None
    if is_postgres(db):
        schema = os.environ.get(SCHEMA_ENV) or "public"
        return PostgresStore(db, schema=schema, encryption_key=key)
    return SQLiteStore(db, encryption_key=key)


def fake_path(db: str) -> str | None:
    """Where ``--fake`` keeps its workspace: beside a SQLite file, in the current directory
    for PostgreSQL, nowhere for an in-memory database."""
    if db in ("", ":memory:"):
        return None
    if is_postgres(db):
        return "instantly-columns.fake.json"
    return f"{db}.fake.json"


def new_fake() -> FakeInstantly:
    """A fresh fake workspace with two campaigns to pick from."""
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    fake = FakeInstantly(clock=FakeClock(now), seed=_FAKE_SEED)
    fake.create_campaign("Welcome series", active=True)
    step = {
        "type": "email",
        "delay": 3,
        "variants": [
            {
                "subject": "{{firstName}}, a question about {{companyName}}",
                "body": "Hi {{firstName}},\nhow does {{companyName}} handle {{industry}} today?",
            }
        ],
    }
    fake.create_campaign("Founders outreach", sequences=[{"steps": [step]}])
    return fake


class Session:
    """An open store and service; with a fake, its workspace is loaded and saved back."""

    def __init__(self, db: str, *, fake: bool, webhook_secret: str | None = None) -> None:
        self.db = db
        self.credential = _FAKE_CREDENTIAL if fake else "default"
        self._fake_file = fake_path(db) if fake else None
        self.store = open_store(db)
        self.fake: FakeInstantly | None = None
        fresh = False
        try:
            if fake:
                self.fake, fresh = self._load_fake()
            self.service = self._service(webhook_secret)
        except BaseException:
            self.store.close()
            raise
        try:
            if self.fake is not None and (fresh or self.store.get_key(self.credential) is None):
                self.connect_fake()
        except BaseException:
            self._close_service_and_store()
            raise

    def _load_fake(self) -> tuple[FakeInstantly, bool]:
        """The kept workspace, or a new one (then True)."""
        if self._fake_file is not None and os.path.exists(self._fake_file):
            return FakeInstantly.load(self._fake_file), False
        return new_fake(), True

    def _service(self, webhook_secret: str | None) -> InstantlyColumns:
        if self.fake is not None:
            return InstantlyColumns(
                self.store,
                transport=self.fake.as_transport(),
                clock=self.fake.clock,
                webhook_secret=webhook_secret,
            )
        return InstantlyColumns(
            self.store,
            settings=ClientSettings.from_env(os.environ),
            webhook_secret=webhook_secret,
        )

    def connect_fake(self) -> dict[str, str]:
        """Mint a key in the fake workspace and store it (the fake's own credential)."""
        assert self.fake is not None
        key = self.fake.create_api_key(name="instantly-columns cli")
        return dict(self.service.connect(key, credential=self.credential))

    def links(self, table: str | None) -> list[CampaignLink]:
        return self.service.links(table)

    def link(self, table: str | None, link: str | None) -> CampaignLink:
        """The link a command works on: ``--link``, or the only link of the table."""
        if link is not None:
            found = [i for i in self.service.links() if i.id == link]
            if not found:
                raise Failure(
                    f"no link {link!r} in {shown(self.db)}",
                    hint="list them: instantly-columns links",
                )
            return found[0]
        links = self.service.links(table)
        if not links:
            raise Failure(
                f"table {table!r} has no campaign link yet",
                hint="add one: instantly-columns link",
            )
        if len(links) > 1:
            names = ", ".join(f"{i.id} ({i.campaign_name})" for i in links)
            raise Failure(
                f"table {table!r} has {len(links)} links: pass --link, one of {names}", code=2
            )
        return links[0]

    def _close_service_and_store(self) -> None:
        try:
            self.service.close()
        finally:
            self.store.close()

    def close(self) -> None:
        try:
            if self.fake is not None and self._fake_file is not None:
                self.fake.save(self._fake_file)
        finally:
            self._close_service_and_store()


@contextmanager
def open_session(
    db: str, *, fake: bool = False, webhook_secret: str | None = None
) -> Iterator[Session]:
    session = Session(db, fake=fake, webhook_secret=webhook_secret)
    try:
        yield session
    finally:
        session.close()
