"""Encryption at rest of API keys, and keeping keys out of everything else."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from instantly_columns.domain.columns import Column, Row
from instantly_columns.errors import CredentialError
from instantly_columns.ports import ApiKey, CampaignLink, CellWrite, LedgerEntry, SyncRun
from instantly_columns.storage import SQLiteStore, generate_encryption_key
from instantly_columns.storage._crypto import Cipher

CANARY = "sk-canary-7c1d9e44"
T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def dump(path: Path, *, skip: str | None = None) -> str:
    conn = sqlite3.connect(path)
    try:
        lines = [line for line in conn.iterdump() if skip is None or f'"{skip}"' not in line]
    finally:
        conn.close()
    return "\n".join(lines)


def test_sealed_secrets_open_only_with_the_right_key_and_credential() -> None:
    key = generate_encryption_key()
    cipher = Cipher(key)
    token = cipher.seal("tenant-1", CANARY)
    assert CANARY not in token
    assert token != cipher.seal("tenant-1", CANARY)  # a fresh nonce each time
    assert cipher.open("tenant-1", token) == CANARY
    with pytest.raises(CredentialError, match="could not be decrypted"):
        cipher.open("tenant-2", token)  # bound to its credential id
    with pytest.raises(CredentialError, match="not given"):
        Cipher(generate_encryption_key()).open("tenant-1", token)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(CredentialError):
        cipher.open("tenant-1", tampered)
    with pytest.raises(CredentialError, match="unknown format"):
        cipher.open("tenant-1", "rot13:abc")
    assert repr(cipher) == "Cipher(aes-256-gcm, keys=1)"


def test_key_rotation_reads_old_secrets_and_seals_with_the_new_key() -> None:
    old, new = generate_encryption_key(), generate_encryption_key()
    token = Cipher(old).seal("c", CANARY)
    rotated = Cipher([new, old])
    assert rotated.open("c", token) == CANARY
    assert Cipher(new).open("c", rotated.seal("c", CANARY)) == CANARY
    raw = bytes(range(32))
    assert Cipher(raw).open("c", Cipher(raw).seal("c", "x")) == "x"


@pytest.mark.parametrize("bad", ["too-short", "x" * 44, b"short", [], 42])
def test_malformed_keys_are_refused_without_echo(bad: object) -> None:
    with pytest.raises(CredentialError) as caught:
        Cipher(bad)  # type: ignore[arg-type]
    if isinstance(bad, str) and bad:
        assert bad not in str(caught.value)


def test_a_missing_cryptography_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.ciphers.aead", None)
    with pytest.raises(CredentialError, match=r"instantly-columns\[crypto\]"):
        SQLiteStore(":memory:", encryption_key=generate_encryption_key())


def test_an_encrypted_store_keeps_no_plaintext_key(tmp_path: Path) -> None:
    path = tmp_path / "enc.db"
    key = generate_encryption_key()
    with SQLiteStore(path, encryption_key=key) as store:
        store.set_key("default", ApiKey(CANARY))
        assert store.get_key("default") == ApiKey(CANARY)
        assert key not in repr(store)
        assert "encrypted" in repr(store)
    text = dump(path)
    assert CANARY not in text
    assert "aesgcm1:" in text

    with SQLiteStore(path, encryption_key=generate_encryption_key()) as wrong:
        with pytest.raises(CredentialError) as caught:
            wrong.get_key("default")
        assert CANARY not in str(caught.value)
    with SQLiteStore(path) as keyless, pytest.raises(CredentialError, match="encryption_key"):
        keyless.get_key("default")
    with SQLiteStore(path, encryption_key=[generate_encryption_key(), key]) as rotated:
        assert rotated.get_key("default") == ApiKey(CANARY)


def test_turning_encryption_on_later_keeps_old_keys_readable(tmp_path: Path) -> None:
    path = tmp_path / "later.db"
    with SQLiteStore(path) as plain:
        plain.set_key("default", ApiKey(CANARY))
    assert CANARY in dump(path)
    key = generate_encryption_key()
    with SQLiteStore(path, encryption_key=key) as store:
        assert store.get_key("default") == ApiKey(CANARY)
        store.set_key("default", store.get_key("default") or ApiKey("unused"))
    assert CANARY not in dump(path)


def test_the_key_stays_out_of_every_other_table_and_repr(tmp_path: Path) -> None:
    path = tmp_path / "canary.db"
    with SQLiteStore(path) as store:
        store.set_key("default", ApiKey(CANARY))
        store.create_table("t", "Leads")
        store.save_columns("t", [Column(id="email", key="email", name="Email")])
        store.insert_rows("t", [Row(id="r1", cells={"email": "ada@example.com"})])
        store.write_cells("t", [CellWrite("r1", "email", "grace@example.com")])
        item = store.save_link(
            CampaignLink(
                id="camp",
                table_id="t",
                campaign_id="c",
                campaign_name="Spring",
                sequence_mode="use_existing",
            )
        )
        run = store.start_run(SyncRun(id="run-1", link_id="camp", started_at=T0))
        store.update_run(run)
        store.write_ledger("camp", [LedgerEntry("camp", "r1", "grace@example.com", "pushed")])
        store.record_event("evt", T0)
        seen = repr(store) + repr(item) + repr(store.runs("camp")) + repr(store.get_key("default"))
        assert CANARY not in seen
    # Without encryption the key is in its own table, and only there.
    assert CANARY in dump(path)
    assert CANARY not in dump(path, skip="ic_credentials")
