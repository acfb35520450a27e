"""The SQL schema of the SQLite and PostgreSQL stores, as numbered migrations.

Cells carry no foreign keys: checking two per cell made bulk writes about three times
slower on PostgreSQL. The stores keep cells consistent themselves: a write validates its
rows and columns inside its transaction (locking them ``FOR KEY SHARE`` on PostgreSQL), and
deletes remove the parent first, then its cells.

A store applies the missing ones when it opens, inside one transaction that holds a lock
(``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), so two processes opening a
fresh database at once neither fail nor apply a migration twice. Applied versions are rows
of ``ic_schema_version``. Migrations are append-only: a released one is never edited.
"""

from __future__ import annotations

from typing import Final, Literal

import attrs

__all__ = ["LATEST_VERSION", "MIGRATIONS", "VERSION_TABLE", "Dialect", "Migration", "statements"]

Dialect = Literal["sqlite", "postgres"]


@attrs.frozen
class Migration:
    """One schema step. ``sql`` uses ``{id}`` for an id column's type, ``{text}``, ``{int}``
    and ``{time}`` for the others, so both dialects share one text."""

    version: int
    description: str
    sql: str


_TYPES: Final[dict[Dialect, dict[str, str]]] = {
    # Ids and string cells compare by code point on both engines: SQLite's BINARY collation
    # and PostgreSQL's "C" collation order UTF-8 bytes, which is code-point order.
    "sqlite": {"id": "TEXT", "text": "TEXT", "int": "INTEGER", "time": "TEXT"},
    "postgres": {
        "id": 'text COLLATE "C"',
        "text": 'text COLLATE "C"',
        "int": "bigint",
        "time": "timestamptz",
    },
}

VERSION_TABLE: Final = """
CREATE TABLE IF NOT EXISTS ic_schema_version (
    version integer PRIMARY KEY,
    description text NOT NULL
)
"""

MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(
        1,
        "tables, columns, rows, cells; integrations, runs, ledger, events; credentials",
        """
CREATE TABLE ic_tables (
    table_id {id} PRIMARY KEY,
    name {text} NOT NULL
);
CREATE TABLE ic_columns (
    table_id {id} NOT NULL REFERENCES ic_tables (table_id) ON DELETE CASCADE,
    column_id {id} NOT NULL,
    column_key {id} NOT NULL,
    name {text} NOT NULL,
    type {text} NOT NULL,
    config {text},
    ordinal {int} NOT NULL,
    PRIMARY KEY (table_id, column_id),
    UNIQUE (table_id, column_key)
);
CREATE TABLE ic_rows (
    table_id {id} NOT NULL REFERENCES ic_tables (table_id) ON DELETE CASCADE,
    row_id {id} NOT NULL,
    PRIMARY KEY (table_id, row_id)
);
CREATE TABLE ic_cells (
    table_id {id} NOT NULL,
    row_id {id} NOT NULL,
    column_id {id} NOT NULL,
    s {text},
    i {int},
    j {text},
    norm {text},
    PRIMARY KEY (table_id, row_id, column_id),
    CHECK ((CASE WHEN s IS NULL THEN 0 ELSE 1 END) + (CASE WHEN i IS NULL THEN 0 ELSE 1 END)
           + (CASE WHEN j IS NULL THEN 0 ELSE 1 END) = 1)
);
CREATE INDEX ic_cells_lookup ON ic_cells (table_id, column_id, norm);

CREATE TABLE ic_integrations (
    integration_id {id} PRIMARY KEY,
    table_id {id} NOT NULL,
    campaign_id {text} NOT NULL,
    campaign_name {text} NOT NULL,
    sequence_mode {text} NOT NULL,
    field_mapping {text} NOT NULL,
    credential_id {id} NOT NULL,
    settings {text} NOT NULL,
    version {int} NOT NULL,
    created_at {time} NOT NULL,
    updated_at {time} NOT NULL
);
CREATE INDEX ic_integrations_by_table ON ic_integrations (table_id, integration_id);
CREATE TABLE ic_runs (
    run_id {id} PRIMARY KEY,
    integration_id {id} NOT NULL
        REFERENCES ic_integrations (integration_id) ON DELETE CASCADE,
    status {text} NOT NULL,
    started_at {time} NOT NULL,
    finished_at {time},
    heartbeat_at {time},
    leads_seen {int} NOT NULL,
    rows_matched {int} NOT NULL,
    leads_unmatched {int} NOT NULL,
    duplicate_rows {int} NOT NULL,
    cells_written {int} NOT NULL,
    errors {text} NOT NULL,
    resume_cursor {text},
    summary {text}
);
CREATE INDEX ic_runs_history ON ic_runs (integration_id, started_at, run_id);
CREATE UNIQUE INDEX ic_runs_one_running ON ic_runs (integration_id) WHERE status = 'running';
CREATE TABLE ic_ledger (
    integration_id {id} NOT NULL
        REFERENCES ic_integrations (integration_id) ON DELETE CASCADE,
    row_id {id} NOT NULL,
    email {text},
    status {text} NOT NULL,
    lead_id {text},
    error {text},
    pushed_at {time},
    payload_hash {text},
    PRIMARY KEY (integration_id, row_id)
);
CREATE INDEX ic_ledger_by_email ON ic_ledger (integration_id, email);
CREATE TABLE ic_events (
    event_key {id} PRIMARY KEY,
    received_at {time} NOT NULL
);
CREATE INDEX ic_events_by_time ON ic_events (received_at);

CREATE TABLE ic_credentials (
    credential_id {id} PRIMARY KEY,
    scheme {text} NOT NULL,
    secret {text} NOT NULL,
    updated_at {time} NOT NULL
);
""",
    ),
    Migration(
        2,
        "runs carry a sequence number: history and resume follow the order runs started in",
        """
ALTER TABLE ic_runs ADD COLUMN seq {int};
CREATE INDEX ic_runs_by_seq ON ic_runs (integration_id, seq);
""",
    ),
    Migration(
        3,
        "summaries kept per lead: their columns, each lead's contribution, each group's sums",
        """
CREATE TABLE ic_summaries (
    summary_key {id} PRIMARY KEY,
    table_id {id} NOT NULL,
    email_col {id} NOT NULL,
    es_col {id},
    en_col {id},
    rc_col {id},
    oc_col {id},
    lc_col {id}
);
CREATE INDEX ic_summaries_by_table ON ic_summaries (table_id);
CREATE TABLE ic_summary_leads (
    summary_key {id} NOT NULL,
    email {text} NOT NULL,
    es {text} NOT NULL,
    en {text} NOT NULL,
    replies {int} NOT NULL,
    opens {int} NOT NULL,
    latest {text},
    PRIMARY KEY (summary_key, email)
);
CREATE INDEX ic_summary_leads_latest ON ic_summary_leads (summary_key, es, en, latest);
CREATE TABLE ic_summary_groups (
    summary_key {id} NOT NULL,
    es {text} NOT NULL,
    en {text} NOT NULL,
    leads {int} NOT NULL,
    replies {int} NOT NULL,
    opens {int} NOT NULL,
    opened {int} NOT NULL,
    PRIMARY KEY (summary_key, es, en)
);
""",
    ),
)

LATEST_VERSION: Final = MIGRATIONS[-1].version


def statements(migration: Migration, dialect: Dialect) -> list[str]:
    """The migration's statements for one dialect."""
    text = migration.sql.format(**_TYPES[dialect])
    return [part.strip() for part in text.split(";") if part.strip()]
