"""FakeInstantly leads: single and bulk add, search, patch, delete, interest updates."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from _fake_support import check, error_message, new_campaign, session
from instantly_columns.errors import ConfigError
from instantly_columns.testing import FakeInstantly


def _add(http: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = http.post("/api/v2/leads/add", json=body)
    assert response.status_code == 200, response.text
    return check("bulk_add", response.json())  # type: ignore[no-any-return]


def _list(http: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = http.post("/api/v2/leads/list", json=body)
    assert response.status_code == 200, response.text
    return check("lead_page", response.json())  # type: ignore[no-any-return]


def test_single_create_and_its_payload() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        campaign = new_campaign(http)
        body = {
            "campaign": campaign["id"],
            "email": "Ada@Acme.com",
            "first_name": "Ada",
            "company_name": "Acme",
            "custom_variables": {"plan": "pro", "seats": 3, "trial": False, "note": None},
        }
        lead = check("fake_lead", http.post("/api/v2/leads", json=body).json())
        again = http.post("/api/v2/leads", json={**body, "custom_variables": {"plan": "free"}})
        fetched = check("fake_lead", http.get(f"/api/v2/leads/{lead['id']}").json())
    assert lead["campaign"] == campaign["id"]
    assert lead["status"] == 1
    assert lead["company_domain"] == "acme.com"
    assert lead["payload"] == {
        "firstName": "Ada",
        "companyName": "Acme",
        "email": "Ada@Acme.com",
        "plan": "pro",
        "seats": 3,
        "trial": False,
        "note": None,
    }
    assert "custom_variables" not in lead
    # the same email in the same campaign: the old lead comes back, unchanged
    assert again.status_code == 200
    assert again.json() == lead == fetched
    assert set(fake.campaign(campaign["id"])["custom_variables"]) == {
        "plan",
        "seats",
        "trial",
        "note",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"email": "a@x.co", "campaign_id": "x"}, "body must NOT have additional properties"),
        (
            {"email": "a@x.co", "custom_variables": {"tags": ["a"]}},
            "body/custom_variables/tags must be string,number,boolean,null",
        ),
        (
            {"email": "a@x.co", "lt_interest_status": 9},
            "body/lt_interest_status must be equal to one of the allowed values",
        ),
        ({}, "body must have one of the properties 'email', 'first_name', 'last_name'"),
    ],
)
def test_single_create_rejects(body: dict[str, Any], message: str) -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        assert error_message(http.post("/api/v2/leads", json=body)) == message


def test_single_create_in_a_campaign_needs_an_email() -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        campaign = new_campaign(http)
        response = http.post("/api/v2/leads", json={"campaign": campaign["id"], "first_name": "A"})
        assert error_message(response) == "body must have required property 'email'"


def test_bulk_add_counts_every_outcome_and_maps_indexes() -> None:
    fake = FakeInstantly()
    fake.block("blocked.com")
    with session(fake) as http:
        campaign = new_campaign(http)
        other = new_campaign(http, name="Other")
        fake.add_leads(campaign["id"], ["old@acme.com"])
        fake.add_leads(other["id"], ["elsewhere@acme.com"])
        result = _add(
            http,
            {
                "campaign_id": campaign["id"],
                "leads": [
                    {"email": "new@acme.com", "first_name": "New", "phone": "+1"},  # 0 created
                    {"email": "not-an-email"},  # 1 invalid
                    {"first_name": "No email"},  # 2 invalid (campaign needs email)
                    {"email": "NEW@acme.com"},  # 3 repeat of row 0
                    {"email": "old@acme.com"},  # 4 already in this campaign
                    {"email": "x@blocked.com"},  # 5 blocklist
                    {"email": "elsewhere@acme.com"},  # 6 in another campaign -> created
                ],
            },
        )
    assert result["total_sent"] == 7
    assert result["leads_uploaded"] == 2
    assert result["invalid_email_count"] == 2
    assert result["duplicate_email_count"] == 1
    assert result["duplicated_leads"] == 1
    assert result["in_blocklist"] == 1
    assert result["skipped_count"] == 0
    assert result["incomplete_count"] == 0
    assert result["remaining_in_plan"] == 10_000 - 4
    assert [c["index"] for c in result["created_leads"]] == [0, 6]
    assert result["created_leads"][0]["first_name"] == "New"
    assert result["created_leads"][0]["phone"] == "+1"
    assert fake.lead(result["created_leads"][0]["id"])["email"] == "new@acme.com"


@pytest.mark.parametrize(
    ("flag", "skipped"),
    [
        ({}, 0),
        ({"skip_if_in_workspace": True}, 2),
        ({"skip_if_in_campaign": True}, 1),
        ({"skip_if_in_list": True}, 1),
    ],
)
def test_bulk_add_skip_flags(flag: dict[str, bool], skipped: int) -> None:
    fake = FakeInstantly()
    with session(fake) as http:
        target = new_campaign(http)
        other = new_campaign(http, name="Other")
        a_list = fake.create_list()
        fake.add_leads(other["id"], ["in-campaign@acme.com"])
        fake.add_leads(a_list["id"], ["in-list@acme.com"])
        rows = [{"email": "in-campaign@acme.com"}, {"email": "in-list@acme.com"}]
        result = _add(http, {"campaign_id": target["id"], "leads": rows, **flag})
    assert result["skipped_count"] == skipped
    assert result["leads_uploaded"] == 2 - skipped


def test_bulk_add_to_a_list_counts_incomplete_rows() -> None:
    fake = FakeInstantly()
    a_list = fake.create_list("Imports")
    with session(fake) as http:
        result = _add(
            http,
            {"list_id": a_list["id"], "leads": [{"first_name": "Named"}, {"phone": "+1"}]},
        )
    assert result["leads_uploaded"] == 1
    assert result["incomplete_count"] == 1
    assert result["remaining_in_plan"] is None
    lead = fake.lead(result["created_leads"][0]["id"])
    assert lead["list_id"] == a_list["id"]
    assert lead["campaign"] is None


def test_bulk_add_validation() -> None:
    fake = FakeInstantly()
    a_list = fake.create_list()
    with session(fake) as http:
        campaign = new_campaign(http)

        def add(body: dict[str, Any]) -> httpx.Response:
            return http.post("/api/v2/leads/add", json=body)

        one = [{"email": "a@x.co"}]
        assert "not both" in error_message(
            add({"campaign_id": campaign["id"], "list_id": a_list["id"], "leads": one})
        )
        assert error_message(add({"leads": one}))
        assert error_message(add({"campaign_id": campaign["id"], "leads": []})) == (
            "body/leads must NOT have fewer than 1 items"
        )
        many = [{"email": f"u{i}@x.co"} for i in range(1001)]
        assert error_message(add({"campaign_id": campaign["id"], "leads": many})) == (
            "body/leads must NOT have more than 1000 items"
        )
        assert (
            error_message(
                add(
                    {"campaign_id": campaign["id"], "leads": [{"email": "a@x.co", "campaign": "x"}]}
                )
            )
            == "body/leads/0 must NOT have additional properties"
        )
        # the top level is open: unknown keys are ignored
        assert (
            add({"campaign_id": campaign["id"], "leads": one, "source": "csv"}).status_code == 200
        )
        missing = add({"campaign_id": "019b8d62-7a80-7001-85f8-000000000000", "leads": one})
        assert missing.status_code == 404


def test_bulk_add_of_exactly_1000_is_fine() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign()
    with session(fake) as http:
        rows = [{"email": f"user{i}@acme.com"} for i in range(1000)]
        result = _add(http, {"campaign_id": campaign["id"], "leads": rows})
    assert result["leads_uploaded"] == 1000
    ids = [c["id"] for c in result["created_leads"]]
    assert ids == sorted(ids)  # creation order is id order


def test_list_honours_campaign_and_ignores_campaign_id() -> None:
    fake = FakeInstantly()
    first, second = fake.create_campaign("A"), fake.create_campaign("B")
    fake.add_leads(first["id"], ["a1@x.co", "a2@x.co"])
    fake.add_leads(second["id"], ["b1@x.co"])
    with session(fake) as http:
        right = _list(http, {"campaign": first["id"], "limit": 100})
        wrong = _list(http, {"campaign_id": first["id"], "limit": 100})  # not a field: ignored
    assert [x["email"] for x in right["items"]] == ["a1@x.co", "a2@x.co"]
    assert len(wrong["items"]) == 3


def test_list_filters_by_ids_contacts_search_and_list() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign()
    a_list = fake.create_list()
    leads = fake.add_leads(
        campaign["id"],
        [
            {"email": "ada@acme.com", "first_name": "Ada", "last_name": "Lovelace"},
            {"email": "bob@acme.com", "first_name": "Bob"},
            {"email": "cy@other.org"},
        ],
    )
    fake.add_leads(a_list["id"], ["listed@x.co"])
    with session(fake) as http:

        def emails(body: dict[str, Any]) -> list[str]:
            return [x["email"] for x in _list(http, {"limit": 100, **body})["items"]]

        assert emails({"ids": [leads[1]["id"]]}) == ["bob@acme.com"]
        assert emails({"contacts": ["CY@other.org", "nobody@x.co"]}) == ["cy@other.org"]
        assert emails({"search": "lovelace"}) == ["ada@acme.com"]
        assert emails({"search": "acme"}) == ["ada@acme.com", "bob@acme.com"]
        assert emails({"list_id": a_list["id"]}) == ["listed@x.co"]
        assert emails({"in_list": True}) == ["listed@x.co"]
        assert emails({"excluded_ids": [leads[0]["id"]], "campaign": campaign["id"]}) == [
            "bob@acme.com",
            "cy@other.org",
        ]
        assert error_message(http.post("/api/v2/leads/list", json={"limit": 1000})) == (
            "body/limit must be <= 100"
        )
        assert error_message(http.post("/api/v2/leads/list", json={"filter": "FILTER_NOPE"}))


def test_list_filters_on_engagement() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign()
    _quiet, opener, replier, bounced = fake.add_leads(
        campaign["id"], ["q@x.co", "o@x.co", "r@x.co", "b@x.co"]
    )
    for lead in (opener, replier, bounced):
        fake.engage(lead["id"], "sent")
    fake.engage(opener["id"], "open")
    fake.engage(replier["id"], "open")
    fake.engage(replier["id"], "reply")
    fake.engage(bounced["id"], "bounce")
    fake.set_interest(replier["id"], 1)
    with session(fake) as http:

        def emails(value: str) -> list[str]:
            return [x["email"] for x in _list(http, {"filter": value, "limit": 100})["items"]]

        assert emails("FILTER_VAL_NOT_CONTACTED") == ["q@x.co"]
        assert emails("FILTER_VAL_CONTACTED") == ["o@x.co", "r@x.co", "b@x.co"]
        assert emails("FILTER_VAL_OPENED_NO_REPLY") == ["o@x.co"]
        assert emails("FILTER_VAL_REPLIED") == ["r@x.co"]
        assert emails("FILTER_VAL_BOUNCED") == ["b@x.co"]
        assert emails("FILTER_VAL_NO_OPENS") == ["b@x.co"]
        assert emails("FILTER_LEAD_INTERESTED") == ["r@x.co"]
        assert emails("FILTER_VAL_ACTIVE") == ["q@x.co", "o@x.co", "r@x.co"]


def test_list_pages_in_the_body_with_the_last_page_quirk() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign()
    fake.add_leads(campaign["id"], [f"u{i}@x.co" for i in range(6)])
    with session(fake) as http:
        seen: list[str] = []
        body: dict[str, Any] = {"campaign": campaign["id"], "limit": 3}
        calls = 0
        while True:
            page = _list(http, body)
            calls += 1
            seen += [x["id"] for x in page["items"]]
            if not page["items"] or "next_starting_after" not in page:
                break
            body["starting_after"] = page["next_starting_after"]
    assert calls == 3
    assert len(seen) == len(set(seen)) == 6


def test_distinct_contacts_pages_by_email() -> None:
    fake = FakeInstantly()
    first, second = fake.create_campaign("A"), fake.create_campaign("B")
    fake.add_leads(first["id"], ["zed@x.co", "amy@x.co"])
    fake.add_leads(second["id"], ["amy@x.co"])
    with session(fake) as http:
        page = _list(http, {"distinct_contacts": True, "limit": 1})
        rest = _list(http, {"distinct_contacts": True, "limit": 5, "starting_after": "amy@x.co"})
    assert [x["email"] for x in page["items"]] == ["amy@x.co"]
    assert page["next_starting_after"] == "amy@x.co"
    assert [x["email"] for x in rest["items"]] == ["zed@x.co"]


def test_patch_replaces_custom_variables_and_is_closed() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign()
    (lead,) = fake.add_leads(
        campaign["id"], [{"email": "a@x.co", "custom_variables": {"plan": "pro", "city": "Oslo"}}]
    )
    with session(fake) as http:
        url = f"/api/v2/leads/{lead['id']}"
        assert error_message(http.patch(url, json={})) == (
            "body must NOT have fewer than 1 properties"
        )
        assert error_message(http.patch(url, json={"email": "b@x.co"})) == (
            "body must NOT have additional properties"
        )
        patched = check(
            "lead",
            http.patch(url, json={"custom_variables": {"plan": "team"}, "job_title": "CTO"}).json(),
        )
    assert patched["payload"] == {"jobTitle": "CTO", "email": "a@x.co", "plan": "team"}
    assert patched["job_title"] == "CTO"


def test_delete_returns_the_lead() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign()
    (lead,) = fake.add_leads(campaign["id"], ["a@x.co"])
    with session(fake) as http:
        deleted = check("fake_lead", http.delete(f"/api/v2/leads/{lead['id']}").json())
        assert deleted["id"] == lead["id"]
        assert http.get(f"/api/v2/leads/{lead['id']}").status_code == 404
    assert fake.leads(campaign["id"]) == []


def test_interest_update_is_accepted_then_applied_on_a_later_tick() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign()
    (lead,) = fake.add_leads(campaign["id"], ["ada@acme.com"])
    with session(fake) as http:
        body = {"lead_email": "ada@acme.com", "interest_value": 2, "campaign_id": campaign["id"]}
        accepted = http.post("/api/v2/leads/update-interest-status", json=body)
        assert accepted.status_code == 202
        assert check("message", accepted.json())["message"]
        now = http.get(f"/api/v2/leads/{lead['id']}").json()
        assert "lt_interest_status" not in now  # not yet
        fake.clock.advance(1.0)
        later = check("fake_lead", http.get(f"/api/v2/leads/{lead['id']}").json())
        assert later["lt_interest_status"] == 2
        assert later["timestamp_last_interest_change"] == "2026-01-05T09:00:01.000Z"
        reset = {"lead_email": "ada@acme.com", "interest_value": None}
        assert http.post("/api/v2/leads/update-interest-status", json=reset).status_code == 202
        assert fake.flush_jobs() == 1
        assert "lt_interest_status" not in http.get(f"/api/v2/leads/{lead['id']}").json()
        bad = http.post(
            "/api/v2/leads/update-interest-status", json={"lead_email": "x", "interest_value": 1}
        )
        assert bad.status_code == 400
        assert bad.json() == {"error": "Invalid lead email"}


def test_direct_helpers() -> None:
    from instantly_columns.errors import ConfigError, RecordNotFound

    fake = FakeInstantly()
    campaign = fake.create_campaign()
    lead = fake.add_lead(campaign["id"], "solo@x.co", first_name="Solo")
    assert check("fake_lead", lead)["first_name"] == "Solo"
    assert fake.lead_by_email("SOLO@x.co") == lead
    assert fake.lead_by_email("solo@x.co", campaign_id="other") is None
    with pytest.raises(RecordNotFound):
        fake.add_leads("nope", ["a@x.co"])
    with pytest.raises(ConfigError):
        fake.add_lead(campaign["id"], "a@x.co", nickname="x")


def test_custom_label_numbers_go_through_the_interest_update_only() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign()
    ada, bob = fake.add_leads(campaign["id"], ["ada@x.co", "bob@x.co"])
    assert fake.set_interest(ada["id"], 7)["lt_interest_status"] == 7
    with pytest.raises(ConfigError):
        fake.set_interest(ada["id"], True)
    with session(fake) as http:
        body = {"lead_email": "bob@x.co", "interest_value": -12}
        assert http.post("/api/v2/leads/update-interest-status", json=body).status_code == 202
        patch = http.patch(f"/api/v2/leads/{bob['id']}", json={"lt_interest_status": -12})
        assert patch.status_code == 400
    fake.flush_jobs()
    assert fake.lead_by_email("bob@x.co", campaign["id"])["lt_interest_status"] == -12  # type: ignore[index]
