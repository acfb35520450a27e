"""FakeInstantly snapshots: a restored fake goes on exactly as the original would have."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from _fake_support import client
from instantly_columns.errors import ConfigError
from instantly_columns.testing import EngagementRates, FakeInstantly


def busy_fake() -> tuple[FakeInstantly, str]:
    """A workspace with every kind of record, mid-way through a simulated campaign."""
    fake = FakeInstantly(seed=11, rates=EngagementRates(open=0.8, reply=0.4, click=0.3))
    key = fake.create_api_key(name="cli")
    campaign = fake.create_campaign("Q3 founders", email_list=["a@s.test", "b@s.test"])
    fake.add_leads(
        campaign["id"],
        [{"email": f"p{i}@example.com", "first_name": f"P{i}"} for i in range(30)],
    )
    fake.create_list("Later")
    fake.block("blocked.example")
    with client(fake, key) as http:
        hook = {"target_hook_url": "https://hooks.example.test/x", "event_type": "all_events"}
        assert http.post("/api/v2/webhooks", json=hook).status_code == 200
    fake.activate(campaign["id"])
    fake.advance(timedelta(days=2, hours=5))  # leaves reactions due later
    return fake, key


def state(fake: FakeInstantly) -> tuple[object, ...]:
    return (fake.now(), fake.campaigns(), fake.leads(), fake.webhooks())


def test_a_restored_fake_continues_like_the_original() -> None:
    original, _ = busy_fake()
    restored = FakeInstantly.from_snapshot(json.loads(json.dumps(original.snapshot())))
    assert state(restored) == state(original)
    later = [fake.advance(timedelta(days=5)) for fake in (original, restored)]
    assert repr(later[0]) == repr(later[1])
    assert later[0].replied > 0
    assert state(restored) == state(original)
    ids = [fake.create_campaign("Next")["id"] for fake in (original, restored)]
    assert ids[0] == ids[1]


def test_keys_survive_and_are_stored_as_hashes(tmp_path: Path) -> None:
    original, key = busy_fake()
    path = tmp_path / "fake.json"
    original.save(path)
    assert key not in path.read_text(encoding="utf-8")
    restored = FakeInstantly.load(path, rate_limits=False)
    assert restored.rate_limits is False
    with client(restored, key) as http:
        assert http.get("/api/v2/workspaces/current").json()["id"] == original.workspace_id
    assert restored.requests[-1].path == "/api/v2/workspaces/current"


def test_a_file_that_is_not_a_snapshot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a FakeInstantly snapshot"):
        FakeInstantly.load(path)
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a FakeInstantly snapshot"):
        FakeInstantly.load(path)
    data = FakeInstantly().snapshot()
    with pytest.raises(ConfigError, match="version"):
        FakeInstantly.from_snapshot({**data, "version": 99})
