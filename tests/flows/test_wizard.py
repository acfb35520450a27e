from __future__ import annotations

from typing import Any

import pytest

from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES, validate_table
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
from instantly_columns.errors import ConfigError
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
    # back and forward keep the answers
    previous = back(restored)
    assert previous.step == "campaign"
    assert previous.campaign_name == "Q3 founders"
    campaign = fake.campaign(state.campaign_id or "")
    assert campaign["campaign_schedule"]["schedules"][0]["timezone"] == "Europe/Isle_of_Man"
    state = service.wizard_advance(restored, SequenceAnswer(mode="use_existing"))
    assert state.step == "mapping"


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
    assert mapping.email == "Email"


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
    with pytest.raises(ConfigError, match="did you mean 'delay_days'"):
        SequenceAnswer.model_validate({"mode": "author_steps", "delay_day": 2})
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
