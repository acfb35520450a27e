from __future__ import annotations

from typing import Any

import pytest

from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES, Column, Row, validate_table
from instantly_columns.domain.wizard import (
    CampaignAnswer,
    ConnectAnswer,
    CreateAnswer,
    MappingAnswer,
    NewCampaign,
    ScheduleAnswer,
    SequenceAnswer,
    WizardState,
    back,
)
from instantly_columns.errors import ConfigError, MissingApiKey, VersionConflict
from instantly_columns.service.facade import AsyncInstantlyColumns, InstantlyColumns
from instantly_columns.testing import FakeInstantly

from .conftest import TABLE, Service, make_rows, setup_table, wizard_link


def test_connection_rejects_a_bad_key_and_keeps_no_trace(
    service: Service, store: Any, fake: FakeInstantly
) -> None:
    setup_table(store, make_rows(2))
    state = WizardState(table_id=TABLE)
    state = service.wizard_advance(state, ConnectAnswer(api_key="not-a-key"))
    assert state.step == "connection"
    assert [p.path for p in state.problems] == ["api_key"]
    assert store.get_key("default") is None
    assert "not-a-key" not in state.model_dump_json()
    missing = service.wizard_advance(state, ConnectAnswer())
    assert missing.problems[0].message == "no key is stored: enter one"


def test_a_revoked_key_sends_the_user_back_to_connection(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    assert state.step == "campaign"
    fake.revoke_api_key(api_key)
    state = service.wizard_advance(state, CampaignAnswer(create=NewCampaign(name="X")))
    assert state.step == "connection"
    assert state.message is not None
    assert "connect again" in state.message
    again = service.wizard_advance(state, ConnectAnswer())
    assert again.step == "connection"
    assert again.message is not None


def test_the_state_is_serializable_and_resumable(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(3))
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    state = service.wizard_advance(
        state,
        CampaignAnswer(
            create=NewCampaign(
                name="Q3 founders", schedule=ScheduleAnswer(timezone="Europe/London")
            )
        ),
    )
    saved = state.model_dump_json()
    assert api_key not in saved
    restored = WizardState.model_validate_json(saved)
    assert restored == state
    assert restored.new_campaign is not None  # to be created at the last step
    assert restored.campaign_id is None
    # back and forward keep the answers
    previous = back(restored)
    assert previous.step == "campaign"
    assert previous.campaign_name == "Q3 founders"
    state = service.wizard_advance(
        restored, SequenceAnswer(mode="use_existing", confirm_no_steps=True)
    )
    assert state.step == "mapping"
    state = service.wizard_advance(state, MappingAnswer())
    state = service.wizard_advance(
        WizardState.model_validate_json(state.model_dump_json()), CreateAnswer()
    )
    assert state.step == "done"
    assert state.campaign_created
    campaign = fake.campaign(state.campaign_id or "")
    assert campaign["campaign_schedule"]["schedules"][0]["timezone"] == "Europe/Isle_of_Man"


def test_an_answer_for_another_step_is_a_problem(service: Service, store: Any) -> None:
    setup_table(store, make_rows(1))
    state = service.wizard_advance(WizardState(table_id=TABLE), MappingAnswer())
    assert state.step == "connection"
    assert state.problems[0].path == "step"


def test_map_variables_requires_every_custom_variable_bound(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(3))
    campaign = fake.create_campaign(
        name="Existing",
        sequences=[
            {
                "steps": [
                    {
                        "type": "email",
                        "delay": 2,
                        "variants": [
                            {
                                "subject": "{{firstName}}, about {{plan}}",
                                "body": "Hi {{ firstName }}",
                            }
                        ],
                    }
                ]
            }
        ],
    )
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    state = service.wizard_advance(state, CampaignAnswer(campaign_id=campaign["id"]))
    assert state.campaign_name == "Existing"
    unbound = service.wizard_advance(state, SequenceAnswer(mode="map_variables"))
    assert [p.path for p in unbound.problems] == ["bindings.plan"]
    wrong = service.wizard_advance(
        state, SequenceAnswer(mode="map_variables", bindings={"plan": "nope", "x": "plan"})
    )
    assert {p.path for p in wrong.problems} == {"bindings.plan", "bindings.x"}
    ok = service.wizard_advance(
        state, SequenceAnswer(mode="map_variables", bindings={"plan": "plan"})
    )
    assert ok.step == "mapping"
    review = service.wizard_advance(ok, MappingAnswer(overrides={"company_name": None}))
    assert review.field_mapping is not None
    assert review.field_mapping["email"] == "email"
    assert "company_name" not in review.field_mapping
    assert review.field_mapping["custom_variables"]["plan"] == "plan"
    done = service.wizard_advance(review, CreateAnswer(push_column=False, engagement_columns=False))
    assert done.step == "done"
    assert len(done.created_columns) == 1


def test_create_makes_valid_columns_and_a_link(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(3))
    link = wizard_link(service, api_key, mode="author_steps", steps=3)
    columns = store.columns(TABLE)
    assert validate_table(columns) == []
    subtypes = sorted(c.subtype for c in columns if c.subtype is not None)
    assert subtypes.count("sequence_step") == 6
    assert set(ENGAGEMENT_SUBTYPES) <= set(subtypes)
    (integration,) = service.links(TABLE)
    assert integration.id == link
    assert integration.sequence_mode == "author_steps"
    assert "key" not in repr(integration).lower() or api_key not in repr(integration)
    steps = fake.campaign(integration.campaign_id)["sequences"][0]["steps"]
    assert len(steps) == 3


def test_a_rejected_sequence_still_creates_the_columns(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    fake.faults.error_body(endpoint="PATCH /api/v2/campaigns/{id}", message="INVALID_SEQUENCE")
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    state = service.wizard_advance(state, CampaignAnswer(create=NewCampaign(name="Fallback")))
    state = service.wizard_advance(state, SequenceAnswer(mode="author_steps", steps=2))
    state = service.wizard_advance(state, MappingAnswer())
    state = service.wizard_advance(state, CreateAnswer())
    assert state.step == "done"
    assert any("add the steps in Instantly" in note for note in state.notes)
    assert any(c.subtype == "sequence_step" for c in store.columns(TABLE))


def test_views_show_campaigns_steps_preview_and_mapping(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(4))
    state = WizardState(table_id=TABLE)
    assert service.wizard_view(state).connected is False
    state = service.wizard_advance(state, ConnectAnswer(api_key=api_key))
    steps = [
        {
            "type": "email",
            "delay": 1,
            "variants": [
                {
                    "subject": "{{firstName}}, {{plan}}?",
                    "body": "Hi {{firstName}} at {{companyName}}",
                }
            ],
        }
    ]
    alpha = fake.create_campaign(name="Alpha outreach", sequences=[{"steps": steps}])
    fake.create_campaign(name="Beta")
    fake.activate(alpha["id"])
    view = service.wizard_view(state, search="Alpha")
    assert [(c.name, c.label, c.tone) for c in view.campaigns] == [
        ("Alpha outreach", "Active", "active")
    ]
    state = service.wizard_advance(state, CampaignAnswer(campaign_id=alpha["id"]))
    view = service.wizard_view(state)
    assert view.variables == ("firstName", "plan", "companyName")
    assert len(view.steps) == 1
    unbound = view.preview
    assert len(unbound) == 3
    assert unbound[0].missing == ("plan",)
    assert "{{plan}}" in unbound[0].steps[0].subject
    bound = service.wizard_view(state, bindings={"plan": "plan"}).preview
    assert bound[0].missing == ()
    assert bound[0].steps[0].subject == "First0, free?"
    assert bound[0].steps[0].body == "Hi First0 at Company 0"
    state = service.wizard_advance(
        state, SequenceAnswer(mode="map_variables", bindings={"plan": "plan"})
    )
    mapping = service.wizard_view(state).mapping
    assert mapping is not None
    assert (mapping.email, mapping.label("email")) == ("email", "Email")


def test_a_tampered_state_is_sent_back_not_crashed(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    review = WizardState(table_id=TABLE, step="review")
    assert service.wizard_advance(review, CreateAnswer()).step == "campaign"
    bad_mapping = review.model_copy(
        update={
            "campaign_id": "c",
            "sequence_mode": "use_existing",
            "field_mapping": {"email": ["not", "an", "id"]},
        }
    )
    back_to_mapping = service.wizard_advance(bad_mapping, CreateAnswer())
    assert back_to_mapping.step == "mapping"
    assert back_to_mapping.problems[0].path == "field_mapping"
    bad_steps = bad_mapping.model_copy(
        update={
            "field_mapping": {"email": "email"},
            "sequence_mode": "author_steps",
            "step_count": 1,
            "scaffold_steps": False,
            "step_columns": {"1.subject": "ghost", "x": "first"},
        }
    )
    assert service.wizard_advance(bad_steps, CreateAnswer()).step == "sequence"
    assert store.columns(TABLE) == service.tables.columns(TABLE)
    assert all(c.type != "instantly" for c in store.columns(TABLE))


# --- a wizard that writes nothing until it can finish -----------------------------------------


def writes_to_instantly(fake: FakeInstantly) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests if r.method in ("POST", "PATCH")]


ONE_STEP = [
    {
        "steps": [
            {
                "type": "email",
                "delay": 1,
                "variants": [{"subject": "Hi {{firstName}}", "body": "."}],
            }
        ]
    }
]


def test_a_wizard_on_a_missing_table_writes_nothing(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    state = service.wizard_advance(WizardState(table_id="ghost"), ConnectAnswer(api_key=api_key))
    assert state.step == "connection"
    assert [(p.path, p.message) for p in state.problems] == [
        ("table_id", "no table 'ghost': create it first")
    ]
    assert store.get_key("default") is None  # the key is not stored either
    service.connect(api_key)
    at_campaign = WizardState(table_id="ghost", step="campaign")
    created = service.wizard_advance(at_campaign, CampaignAnswer(create=NewCampaign(name="Lost")))
    assert created.step == "campaign"
    assert created.problems[0].path == "table_id"
    assert writes_to_instantly(fake) == []
    # a table deleted between the steps is found at the last one, before any write
    setup_table(store, make_rows(2))
    review = WizardState(table_id=TABLE)
    for answer in (
        ConnectAnswer(),
        CampaignAnswer(create=NewCampaign(name="Late")),
        SequenceAnswer(mode="author_steps", steps=1),
        MappingAnswer(),
    ):
        review = service.wizard_advance(review, answer)
    assert review.step == "review", review.problems
    store.delete_table(TABLE)
    stopped = service.wizard_advance(review, CreateAnswer())
    assert stopped.step == "review"
    assert stopped.problems[0].path == "table_id"
    assert writes_to_instantly(fake) == []


def test_a_new_campaign_is_created_at_the_last_step_only(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    for answer in (
        CampaignAnswer(create=NewCampaign(name="Deferred")),
        SequenceAnswer(mode="author_steps", steps=2),
        MappingAnswer(),
    ):
        state = service.wizard_advance(state, answer)
        assert writes_to_instantly(fake) == [], state.step
        assert all(c.type != "instantly" for c in store.columns(TABLE))
    assert state.step == "review"
    assert state.campaign_id is None
    assert service.wizard_view(state).step == "review"
    done = service.wizard_advance(state, CreateAnswer())
    assert done.step == "done", done.problems
    assert done.campaign_created
    assert done.new_campaign is None
    writes = writes_to_instantly(fake)
    assert writes[0] == "POST /api/v2/campaigns"
    assert writes.count("POST /api/v2/campaigns") == 1
    assert fake.campaign(done.campaign_id or "")["name"] == "Deferred"
    (link,) = service.links(TABLE)
    assert link.campaign_id == done.campaign_id


def test_a_local_problem_at_review_creates_no_campaign(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    for answer in (
        CampaignAnswer(create=NewCampaign(name="Never")),
        SequenceAnswer(mode="author_steps", steps=1),
        MappingAnswer(),
    ):
        state = service.wizard_advance(state, answer)
    assert state.step == "review"
    # a mapping edited in the saved state: found by the last step's check of the plan
    edited = state.model_copy(
        update={"field_mapping": {**(state.field_mapping or {}), "email": "nope"}}
    )
    stopped = service.wizard_advance(edited, CreateAnswer())
    assert stopped.step == "mapping"
    assert any("no column with id 'nope'" in p.message for p in stopped.problems)
    assert writes_to_instantly(fake) == []
    assert all(c.type != "instantly" for c in store.columns(TABLE))
    assert service.links(TABLE) == []


def test_use_existing_on_a_campaign_without_steps_needs_a_confirmation(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    empty = fake.create_campaign(name="Empty", sequences=[])
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    state = service.wizard_advance(state, CampaignAnswer(campaign_id=empty["id"]))
    for mode in ("use_existing", "map_variables"):
        refused = service.wizard_advance(state, SequenceAnswer(mode=mode))
        assert refused.step == "sequence"
        assert [p.path for p in refused.problems] == ["mode"]
        assert "has no steps, so it would never send" in refused.problems[0].message
        assert "confirm_no_steps" in refused.problems[0].message
    confirmed = service.wizard_advance(
        state, SequenceAnswer(mode="use_existing", confirm_no_steps=True)
    )
    assert confirmed.step == "mapping"
    # a campaign with steps needs no confirmation
    ready = fake.create_campaign(name="Ready", sequences=ONE_STEP)
    state = service.wizard_advance(back(state), CampaignAnswer(campaign_id=ready["id"]))
    assert service.wizard_advance(state, SequenceAnswer(mode="use_existing")).step == "mapping"
    # a campaign still to be created has no steps
    new = service.wizard_advance(back(state), CampaignAnswer(create=NewCampaign(name="New")))
    assert service.wizard_advance(new, SequenceAnswer(mode="use_existing")).problems
    done = service.wizard_advance(
        service.wizard_advance(
            service.wizard_advance(new, SequenceAnswer(mode="use_existing", confirm_no_steps=True)),
            MappingAnswer(),
        ),
        CreateAnswer(),
    )
    assert done.step == "done"
    assert any("without steps" in note for note in done.notes)


def test_a_campaign_that_does_not_exist_is_named(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    unknown = "0199a3c2-7d7e-7cc1-9d3a-5b7e2f1c0a12"
    missing = service.wizard_advance(state, CampaignAnswer(campaign_id=unknown))
    assert missing.step == "campaign"
    assert [(p.path, p.message) for p in missing.problems] == [
        ("campaign_id", f"no campaign '{unknown}' in this workspace")
    ]
    # not even an id: refused before asking Instantly, at the same field
    malformed = service.wizard_advance(state, CampaignAnswer(campaign_id="abc"))
    assert [p.path for p in malformed.problems] == ["campaign_id"]
    assert "UUID" in malformed.problems[0].message
    # gone between the campaign and sequence steps (deleted in Instantly): back to the
    # campaign step
    ghost = "0199a3c2-7d7e-7cc1-9d3a-5b7e2f1c0a11"
    state = state.moved("sequence", campaign_id=ghost, campaign_name="Deleted")
    gone = service.wizard_advance(state, SequenceAnswer(mode="use_existing"))
    assert gone.step == "campaign"
    assert gone.problems[0].message == f"no campaign {ghost!r} in this workspace"


def test_a_campaign_already_linked_to_the_table_is_refused_at_once(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    ready = fake.create_campaign(name="Ready", sequences=ONE_STEP)
    first = wizard_link(service, api_key, campaign_id=ready["id"])
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer())
    again = service.wizard_advance(state, CampaignAnswer(campaign_id=ready["id"]))
    assert again.step == "campaign"
    assert again.problems[0].message == (
        f"this table already links campaign {ready['id']!r} (column {first!r})"
    )


def test_answers_are_closed_and_name_the_closest_field(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    with pytest.raises(ConfigError) as info:
        MappingAnswer(overrides={"emial": "email"})
    assert [str(p) for p in info.value.problems] == [
        "overrides.emial: unknown lead field 'emial'; did you mean 'email'?"
    ]
    with pytest.raises(ConfigError, match="did you mean 'overrides'"):
        MappingAnswer.model_validate({"overides": {}})
    with pytest.raises(ConfigError, match=r"create\.shedule: unknown field 'shedule'"):
        CampaignAnswer.model_validate({"create": {"name": "x", "shedule": {}}})
    with pytest.raises(ConfigError, match="did you mean 'confirm_no_steps'"):
        SequenceAnswer.model_validate({"mode": "use_existing", "confirm_no_step": True})
    MappingAnswer(overrides={"custom_variables.plan": "plan", "company_name": None})
    # an answer that skipped validation is still checked, and nothing is saved
    setup_table(store, make_rows(2))
    ready = fake.create_campaign(name="Ready", sequences=ONE_STEP)
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    state = service.wizard_advance(state, CampaignAnswer(campaign_id=ready["id"]))
    state = service.wizard_advance(state, SequenceAnswer(mode="use_existing"))
    sneaky = MappingAnswer.model_construct(step="mapping", overrides={"emial": "email"})
    refused = service.wizard_advance(state, sneaky)
    assert refused.step == "mapping"
    assert refused.problems[0].path == "overrides.emial"
    assert "did you mean 'email'" in refused.problems[0].message
    assert all(c.type != "instantly" for c in store.columns(TABLE))


def test_step_columns_are_checked_at_the_sequence_step(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    state = service.wizard_advance(state, CampaignAnswer(create=NewCampaign(name="Copy")))
    twice = service.wizard_advance(
        state,
        SequenceAnswer(
            mode="author_steps",
            steps=1,
            scaffold=False,
            step_columns={"1.subject": "plan", "1.body": "plan"},
        ),
    )
    assert twice.step == "sequence"
    assert [(p.path, p.message) for p in twice.problems] == [
        ("step_columns.1.subject", "column 'plan' already holds step 1.body")
    ]
    # a step column mapped as a lead field is found at the mapping step, not at the last
    state = service.wizard_advance(
        state,
        SequenceAnswer(
            mode="author_steps",
            steps=1,
            scaffold=False,
            step_columns={"1.subject": "plan", "1.body": "company"},
        ),
    )
    clash = service.wizard_advance(state, MappingAnswer(overrides={"company_name": "company"}))
    assert clash.step == "mapping"
    assert any(p.path == "overrides.company_name" for p in clash.problems), clash.problems
    assert writes_to_instantly(fake) == []


def test_a_store_failure_after_the_campaign_was_created_keeps_it_for_the_retry(
    service: Service, store: Any, fake: FakeInstantly, api_key: str, monkeypatch: Any
) -> None:
    setup_table(store, make_rows(2))
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    for answer in (
        CampaignAnswer(create=NewCampaign(name="Once")),
        SequenceAnswer(mode="author_steps", steps=1),
        MappingAnswer(),
    ):
        state = service.wizard_advance(state, answer)
    real = store.save_link

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise VersionConflict("the store is busy")

    monkeypatch.setattr(store, "save_link", broken)
    failed = service.wizard_advance(state, CreateAnswer())
    assert failed.step == "review"
    assert "answer again to retry with the same campaign" in failed.problems[0].message
    assert failed.campaign_id is not None
    assert failed.new_campaign is None
    monkeypatch.setattr(store, "save_link", real)
    done = service.wizard_advance(failed, CreateAnswer())
    assert done.step == "done", done.problems
    assert done.campaign_id == failed.campaign_id
    assert writes_to_instantly(fake).count("POST /api/v2/campaigns") == 1
    assert [link.campaign_id for link in service.links(TABLE)] == [done.campaign_id]


def test_detect_mapping_gives_column_ids_like_the_wizard_takes(
    service: Service, store: Any, api_key: str
) -> None:
    store.create_table(TABLE, "Leads")
    names = {"m": "E-Mail", "f": "Vorname", "n1": "Notes", "n2": "Notes", "p": "Plan"}
    store.save_columns(TABLE, [Column(id=i, key=i, name=n) for i, n in names.items()])
    cells = {"m": "ada@acme.com", "f": "Ada", "n1": "met at a fair", "n2": "call back", "p": "pro"}
    store.insert_rows(TABLE, [Row(id="r1", cells=cells)])

    mapping = service.detect_mapping(TABLE)
    assert (mapping.email, mapping.first_name) == ("m", "f")
    assert set(mapping.custom_variables.values()) == {"n1", "n2", "p"}
    assert mapping.headers == tuple(names)
    # A repeated name is told apart by its column id.
    assert [mapping.label(d.header) for d in mapping.decisions] == [
        "E-Mail",
        "Vorname",
        "Notes",
        "Notes (n2)",
        "Plan",
    ]
    assert mapping.lead_fields(store.rows(TABLE)[0].cells)["email"] == "ada@acme.com"

    # The wizard shows the same mapping, and takes its values as overrides.
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    state = service.wizard_advance(state, CampaignAnswer(create=NewCampaign(name="Ids")))
    state = service.wizard_advance(
        state, SequenceAnswer(mode="use_existing", confirm_no_steps=True)
    )
    assert state.step == "mapping"
    view = service.wizard_view(state).mapping
    assert view is not None
    assert view.to_dict() == mapping.to_dict()
    state = service.wizard_advance(
        state, MappingAnswer(overrides={"phone": mapping.custom_variables["plan"]})
    )
    assert state.step == "review", state.problems
    assert state.field_mapping["email"] == mapping.email
    assert state.field_mapping["phone"] == "p"


@pytest.fixture(params=["sync", "async"])
def keyed(request: pytest.FixtureRequest, store: Any, fake: FakeInstantly, api_key: str) -> Service:
    """A service with its own key: from the environment (sync) or ``api_key=`` (async)."""
    if request.param == "sync":
        return Service(
            InstantlyColumns.from_env(
                store,
                environ={"INSTANTLY_API_KEY": api_key},
                transport=fake.as_transport(),
                clock=fake.clock,
            )
        )
    return Service(
        AsyncInstantlyColumns(
            store, api_key=api_key, transport=fake.as_async_transport(), clock=fake.clock
        )
    )


def test_the_services_own_key_lets_the_wizard_skip_the_key_step(
    keyed: Service, store: Any, fake: FakeInstantly
) -> None:
    setup_table(store, make_rows(3))
    state = keyed.start_wizard(TABLE)
    view = keyed.wizard_view(state)
    assert (view.step, view.connected, view.key_source) == ("connection", True, "service")
    state = keyed.wizard_advance(state, ConnectAnswer())
    assert state.step == "campaign", state.problems
    assert state.workspace_name
    assert store.get_key("default") is None  # checked, never copied into the store
    for answer in (
        CampaignAnswer(create=NewCampaign(name="From the environment")),
        SequenceAnswer(mode="use_existing", confirm_no_steps=True),
        MappingAnswer(),
        CreateAnswer(),
    ):
        state = keyed.wizard_advance(state, answer)
        assert not state.problems, state.problems
    link = state.link_id
    assert link is not None
    report = keyed.push(link)
    assert report.counts == {"pushed": 3}, report.rows
    assert store.get_key("default") is None


def test_a_stored_key_wins_over_the_services_own(
    keyed: Service, store: Any, fake: FakeInstantly
) -> None:
    setup_table(store, make_rows(1))
    state = keyed.wizard_advance(
        keyed.start_wizard(TABLE), ConnectAnswer(api_key=fake.create_api_key(name="own"))
    )
    assert state.step == "campaign"
    assert keyed.wizard_view(keyed.start_wizard(TABLE)).key_source == "stored"


def test_a_rejected_service_key_is_a_problem_at_connection(
    keyed: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(1))
    fake.revoke_api_key(api_key)
    state = keyed.wizard_advance(keyed.start_wizard(TABLE), ConnectAnswer())
    assert state.step == "connection"
    assert [p.path for p in state.problems] == ["api_key"]
    assert state.message is not None
    assert "INSTANTLY_API_KEY" in state.message
    assert api_key not in state.model_dump_json()
    assert store.get_key("default") is None


def test_without_any_key_the_connection_step_asks_for_one(service: Service, store: Any) -> None:
    setup_table(store, make_rows(1))
    view = service.wizard_view(service.start_wizard(TABLE))
    assert (view.connected, view.key_source) == (False, None)


def test_campaigns_lists_and_searches_with_the_stored_key(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    with pytest.raises(MissingApiKey):
        service.campaigns()
    fake.create_campaign("TechCorp Outreach", active=True)
    fake.create_campaign("Fintech follow-up")
    service.connect(api_key)
    names = {c.name for c in service.campaigns()}
    assert {"TechCorp Outreach", "Fintech follow-up"} <= names
    assert [c.name for c in service.campaigns("techcorp")] == ["TechCorp Outreach"]
    assert service.campaigns("no such name") == []
