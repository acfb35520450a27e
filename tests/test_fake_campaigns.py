"""FakeInstantly campaigns: objects, validation messages, states, pagination."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from _fake_support import SCHEDULE, SEQUENCES, check, error_message, new_campaign, session
from instantly_columns.testing import FakeInstantly


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Q3",
        "campaign_schedule": copy.deepcopy(SCHEDULE),
        "sequences": copy.deepcopy(SEQUENCES),
    }
    body.update(changes)
    return body


def test_create_returns_a_full_draft_campaign() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        campaign = new_campaign(http, email_list=["sender@acme.com"], daily_limit=30)
    assert campaign["status"] == 0
    assert campaign["organization"] == fake.workspace_id
    assert campaign["sequences"] == SEQUENCES
    assert campaign["email_list"] == ["sender@acme.com"]
    assert campaign["daily_limit"] == 30
    assert campaign["timestamp_created"] == "2026-01-05T09:00:00.000Z"
    assert campaign["id"][14] == "7"  # UUIDv7-style
    assert fake.campaign(campaign["id"]) == campaign


_ZONE = "body/campaign_schedule/schedules/0/timezone"


def _schedule_with(**changes: Any) -> dict[str, Any]:
    schedule = copy.deepcopy(SCHEDULE)
    schedule["schedules"][0].update(changes)
    return schedule


def _step_with(**changes: Any) -> list[dict[str, Any]]:
    sequences = copy.deepcopy(SEQUENCES)
    sequences[0]["steps"][0].update(changes)
    return sequences


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"campaign_schedule": SCHEDULE}, "body must have required property 'name'"),
        ({"name": "x"}, "body must have required property 'campaign_schedule'"),
        (_body(status=1), "body must NOT have additional properties"),
        (_body(campaign_id="x"), "body must NOT have additional properties"),
        (
            _body(campaign_schedule=_schedule_with(timezone="America/New_York")),
            f"{_ZONE} must be equal to one of the allowed values",
        ),
        (
            _body(campaign_schedule=_schedule_with(timezone="UTC")),
            f"{_ZONE} must be equal to one of the allowed values",
        ),
        (
            _body(campaign_schedule=_schedule_with(timing={"from": "9:00", "to": "17:00"})),
            "body/campaign_schedule/schedules/0/timing/from must match pattern "
            '"^([01][0-9]|2[0-3]):([0-5][0-9])$"',
        ),
        (
            _body(campaign_schedule=_schedule_with(days={"monday": True})),
            "body/campaign_schedule/schedules/0/days must NOT have additional properties",
        ),
        (
            _body(campaign_schedule=_schedule_with(days={})),
            "body/campaign_schedule/schedules/0/days must NOT have fewer than 1 properties",
        ),
        (
            _body(campaign_schedule={"schedules": []}),
            "body/campaign_schedule/schedules must NOT have fewer than 1 items",
        ),
        (
            _body(sequences=_step_with(type="sms")),
            "body/sequences/0/steps/0/type must be equal to one of the allowed values",
        ),
        (
            _body(sequences=_step_with(variants=[])),
            "body/sequences/0/steps/0/variants must NOT have fewer than 1 items",
        ),
        (_body(daily_limit="30"), "body/daily_limit must be number,null"),
        (_body(name=None), "body/name must be string"),
    ],
)
def test_create_rejects_like_the_api(body: dict[str, Any], message: str) -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        response = http.post("/api/v2/campaigns", json=body)
    assert error_message(response) == message
    assert fake.campaigns() == []


def test_every_accepted_zone_name_passes() -> None:
    fake = FakeInstantly(rate_limits=False)
    with session(fake) as http:
        for zone in ("America/Detroit", "Europe/Isle_of_Man", "Etc/GMT+12", "Pacific/Apia"):
            response = http.post(
                "/api/v2/campaigns", json=_body(campaign_schedule=_schedule_with(timezone=zone))
            )
            assert response.status_code == 200, zone


def test_extra_keys_can_be_dropped_instead() -> None:
    fake = FakeInstantly(extra_keys="drop")
    with session(fake) as http:
        response = http.post("/api/v2/campaigns", json=_body(status=1, campaign_id="x"))
    assert response.status_code == 200
    assert response.json()["status"] == 0
    assert "campaign_id" not in response.json()


def test_patch_replaces_fields_and_needs_one() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        campaign = new_campaign(http, email_list=["a@acme.com", "b@acme.com"])
        url = f"/api/v2/campaigns/{campaign['id']}"
        assert error_message(http.patch(url, json={})) == (
            "body must NOT have fewer than 1 properties"
        )
        assert error_message(http.patch(url, json={"status": 1})) == (
            "body must NOT have additional properties"
        )
        fake.clock.advance(5)
        patched = check(
            "fake_campaign", http.patch(url, json={"email_list": ["c@acme.com"]}).json()
        )
    assert patched["email_list"] == ["c@acme.com"]
    assert patched["timestamp_updated"] == "2026-01-05T09:00:05.000Z"
    assert patched["timestamp_created"] == campaign["timestamp_created"]


def test_status_moves_draft_active_paused_active() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        campaign = new_campaign(http)
        base = f"/api/v2/campaigns/{campaign['id']}"
        statuses = [
            check("fake_campaign", http.post(f"{base}/{action}", json={}).json())["status"]
            for action in ("activate", "pause", "activate")
        ]
        assert statuses == [1, 2, 1]
        assert http.post(f"{base}/deactivate", json={}).status_code == 404
        assert http.get(f"{base}/sequences").status_code == 404


def test_delete_returns_the_campaign_and_removes_it_with_its_leads() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        campaign = new_campaign(http)
        fake.add_leads(campaign["id"], ["a@x.co"])
        url = f"/api/v2/campaigns/{campaign['id']}"
        deleted = http.delete(url)
        assert check("fake_campaign", deleted.json())["id"] == campaign["id"]
        assert error_message(http.get(url), 404) == "Resource not found"
    assert fake.leads() == []


def test_a_delete_with_a_json_body_is_refused() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        campaign = new_campaign(http)
        response = http.request("DELETE", f"/api/v2/campaigns/{campaign['id']}", json={})
    assert error_message(response) == "body must be null"


def test_empty_json_body_and_bad_json_are_refused() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        campaign = new_campaign(http)
        url = f"/api/v2/campaigns/{campaign['id']}/activate"
        empty = http.post(url, headers={"content-type": "application/json"})
        assert "Body cannot be empty" in error_message(empty)
        assert http.post(url).status_code == 200  # no body, no content type: fine
        broken = http.post(
            "/api/v2/campaigns", content=b"{", headers={"content-type": "application/json"}
        )
        assert error_message(broken) == "Body is not valid JSON"


def test_ids_in_paths_must_be_uuids_and_unknown_routes_404() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        assert error_message(http.get("/api/v2/campaigns/nope")) == (
            'params/id must match format "uuid"'
        )
        missing = http.get("/api/v2/campaigns/019b8d62-7a80-7001-85f8-000000000000")
        assert error_message(missing, 404) == "Resource not found"
        unknown = http.get("/api/v2/campaign")
        assert unknown.status_code == 404
        assert unknown.json()["message"] == "Route GET:/api/v2/campaign not found"


def test_variables_register_names() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        campaign = new_campaign(http)
        url = f"/api/v2/campaigns/{campaign['id']}/variables"
        assert error_message(http.post(url, json={})) == (
            "body must have required property 'variables'"
        )
        body = check("fake_campaign", http.post(url, json={"variables": ["plan", "city"]}).json())
    assert set(body["custom_variables"]) == {"plan", "city"}


def test_pages_are_id_ordered_with_a_trailing_empty_page() -> None:
    fake = FakeInstantly()
    for n in range(4):
        fake.create_campaign(f"c{n}")
    with session(fake) as http:
        seen: list[str] = []
        pages = 0
        params: dict[str, Any] = {"limit": 2}
        while True:
            page = check("campaign_page", http.get("/api/v2/campaigns", params=params).json())
            pages += 1
            seen += [item["id"] for item in page["items"]]
            if not page["items"] or "next_starting_after" not in page:
                break
            params["starting_after"] = page["next_starting_after"]
    assert pages == 3  # 2 full pages, then the empty one
    assert seen == sorted(seen)
    assert [fake.campaign(i)["name"] for i in seen] == ["c0", "c1", "c2", "c3"]


def test_list_filters_and_query_validation() -> None:
    fake = FakeInstantly()
    fake.create_campaign("Alpha launch", active=True)
    fake.create_campaign("Beta")
    with session(fake) as http:

        def names(**params: Any) -> list[str]:
            response = http.get("/api/v2/campaigns", params=params)
            assert response.status_code == 200, response.text
            return [c["name"] for c in response.json()["items"]]

        assert names(search="alpha") == ["Alpha launch"]
        assert names(status=1) == ["Alpha launch"]
        assert names(exclude_status=1) == ["Beta"]
        assert error_message(http.get("/api/v2/campaigns", params={"limit": 101})) == (
            "querystring/limit must be <= 100"
        )
        assert error_message(http.get("/api/v2/campaigns", params={"limit": 0})) == (
            "querystring/limit must be >= 1"
        )
        assert error_message(http.get("/api/v2/campaigns", params={"limit": "ten"})) == (
            "querystring/limit must be integer"
        )
        assert error_message(http.get("/api/v2/campaigns", params={"status": 7})) == (
            "querystring/status must be equal to one of the allowed values"
        )


def test_direct_helper_validates_like_the_api() -> None:
    from instantly_columns.errors import ConfigError

    fake = FakeInstantly()
    with pytest.raises(ConfigError, match="timezone"):
        fake.create_campaign(campaign_schedule=_schedule_with(timezone="Europe/London"))
    campaign = fake.create_campaign(daily_limit=10, active=True)
    assert check("fake_campaign", campaign)["status"] == 1
    assert fake.campaigns() == [campaign]
