from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from instantly_columns.domain.columns import (
    AUTO_CREATED_SUBTYPES,
    CORE_LEAD_FIELDS,
    DEFAULT_SEQUENCE_MODE,
    EDITABLE_SUBTYPES,
    ENGAGEMENT_FIELD_NAMES,
    ENGAGEMENT_SUBTYPES,
    HOST_ENGAGEMENT_FIELD_BY_SUBTYPE,
    SUBTYPES,
    CampaignConfig,
    Column,
    EngagementConfig,
    PushActionConfig,
    Row,
    SequenceStepConfig,
    column_key,
    ensure_valid_table,
    is_editable,
    parse_integration_config,
    validate_table,
)
from instantly_columns.domain.engagement import ENGAGEMENT_FIELD_BY_SUBTYPE
from instantly_columns.errors import ConfigError, InvalidColumnConfig
from instantly_columns.storage import MemoryStore, SQLiteStore


def campaign(campaign_id: str = "c1", **extra: Any) -> dict[str, Any]:
    return {
        "instantly_subtype": "campaign_config",
        "campaign_id": campaign_id,
        "campaign_name": "TechCorp Outreach",
        "sequence_mode": "map_variables",
        "field_mapping": {"email": "email", "first_name": "first"},
        **extra,
    }


def host_columns() -> list[Column]:
    return [
        Column.from_host(id="email", name="Email"),
        Column.from_host(id="first", name="First name"),
        Column.from_host(id="notes", name="Notes"),
    ]


def test_subtype_catalogue() -> None:
    assert len(SUBTYPES) == 8
    assert set(ENGAGEMENT_SUBTYPES) == set(ENGAGEMENT_FIELD_BY_SUBTYPE)
    assert {"sequence_step"} == EDITABLE_SUBTYPES
    assert set(ENGAGEMENT_SUBTYPES) == AUTO_CREATED_SUBTYPES
    assert [s for s in SUBTYPES if is_editable(s)] == ["sequence_step"]


def test_each_subtype_parses_to_its_class() -> None:
    assert isinstance(parse_integration_config(campaign()), CampaignConfig)
    push = parse_integration_config(
        {"instantly_subtype": "push_action", "push_config": {"campaign_id": "c1"}}
    )
    assert isinstance(push, PushActionConfig)
    assert push.auto_field_mapping is True
    assert push.target_campaign_id == "c1"
    step = parse_integration_config(
        {"instantly_subtype": "sequence_step", "step_config": {"step_number": 2, "field": "body"}}
    )
    assert isinstance(step, SequenceStepConfig)
    for subtype, field in ENGAGEMENT_FIELD_BY_SUBTYPE.items():
        cfg = parse_integration_config({"instantly_subtype": subtype, "engagement_field": field})
        assert isinstance(cfg, EngagementConfig)
        assert cfg.lead_field == field


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"campaign_id": "c1"}, "instantly_subtype"),
        ({**campaign(), "sequence_mode": "write_poems"}, "sequence_mode"),
        ({**campaign(), "field_mapping": "email"}, "field_mapping"),
        ({**campaign(), "campaign_id": 7}, "campaign_id"),
        ({**campaign(), "field_mapping": {"email": 3}}, "field_mapping.email"),
        (
            {"instantly_subtype": "push_action", "push_config": {"auto_field_mapping": "true"}},
            "push_config.auto_field_mapping",
        ),
        ({"instantly_subtype": "push_action", "push_config": ["c1"]}, "push_config"),
        ({"instantly_subtype": "reply_count", "engagement_field": 3}, "engagement_field"),
        (
            {
                "instantly_subtype": "sequence_step",
                "step_config": {"step_number": "1", "field": "body"},
            },
            "step_config.step_number",
        ),
        (
            {
                "instantly_subtype": "sequence_step",
                "step_config": {"step_number": 1, "field": "footer"},
            },
            "step_config.field",
        ),
    ],
)
def test_json_that_does_not_fit_the_interface_names_the_field(
    data: dict[str, Any], path: str
) -> None:
    with pytest.raises(InvalidColumnConfig) as info:
        parse_integration_config(data)
    assert any(p.path == path for p in info.value.problems), info.value.problems
    assert isinstance(info.value, ConfigError)
    assert isinstance(info.value, ValueError)


def test_every_key_but_the_subtype_may_be_left_out() -> None:
    for subtype in SUBTYPES:
        config = parse_integration_config({"instantly_subtype": subtype})
        assert config.to_integration_config() == {"instantly_subtype": subtype}
    bare = parse_integration_config({"instantly_subtype": "campaign_config", "campaign_id": "c1"})
    assert isinstance(bare, CampaignConfig)
    assert bare.problems() == []
    # defaults apply where a value is used, and are not written back
    assert bare.sequence_mode == DEFAULT_SEQUENCE_MODE == "use_existing"
    assert bare.campaign_name is None
    assert bare.display_name == "campaign c1"
    assert bare.field_mapping.columns() == {}
    assert bare.to_integration_config() == {
        "instantly_subtype": "campaign_config",
        "campaign_id": "c1",
    }
    push = parse_integration_config({"instantly_subtype": "push_action", "campaign_id": "c1"})
    assert isinstance(push, PushActionConfig)
    assert (push.target_campaign_id, push.auto_field_mapping) == ("c1", True)
    assert push.to_integration_config() == {"instantly_subtype": "push_action", "campaign_id": "c1"}


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"instantly_subtype": "campaign_config"}, "campaign_id"),
        ({**campaign(), "campaign_id": ""}, "campaign_id"),
        (
            {"instantly_subtype": "push_action", "push_config": {"campaign_id": ""}},
            "push_config.campaign_id",
        ),
        ({"instantly_subtype": "sequence_step"}, "step_config"),
        (
            {"instantly_subtype": "sequence_step", "step_config": {"field": "body"}},
            "step_config.step_number",
        ),
        (
            {
                "instantly_subtype": "sequence_step",
                "step_config": {"step_number": 0, "field": "body"},
            },
            "step_config.step_number",
        ),
        (
            {
                "instantly_subtype": "sequence_step",
                "step_config": {"step_number": 2.5, "field": "body"},
            },
            "step_config.step_number",
        ),
        (
            {"instantly_subtype": "sequence_step", "step_config": {"step_number": 1}},
            "step_config.field",
        ),
    ],
)
def test_incomplete_configs_parse_and_say_what_is_missing(data: dict[str, Any], path: str) -> None:
    config = parse_integration_config(data)
    assert config.to_integration_config() == data
    assert [p.path for p in config.problems()] == [path]
    col = instantly("x", data)
    assert f"columns[x].integration_config.{path}" in {p.path for p in validate_table([col])}


def test_contradictions_in_one_config_are_problems_not_parse_errors() -> None:
    wrong = parse_integration_config(
        {"instantly_subtype": "reply_count", "engagement_field": "status"}
    )
    assert [p.message for p in wrong.problems()] == [
        "engagement_field 'status' is the field of 'email_status', so it does not match subtype "
        "'reply_count' (expected 'reply_count' or 'email_reply_count')"
    ]
    two = parse_integration_config(
        {
            "instantly_subtype": "push_action",
            "campaign_id": "a",
            "push_config": {"campaign_id": "b"},
        }
    )
    assert "different campaigns" in str(two.problems())
    own = parse_integration_config(
        {
            "instantly_subtype": "push_action",
            "push_config": {"campaign_id": "b", "auto_field_mapping": False},
        }
    )
    assert "field_mapping is required" in str(own.problems())


def test_engagement_field_takes_the_hosts_names_and_the_apis() -> None:
    for subtype in ENGAGEMENT_SUBTYPES:
        for field in (
            HOST_ENGAGEMENT_FIELD_BY_SUBTYPE[subtype],
            ENGAGEMENT_FIELD_BY_SUBTYPE[subtype],
        ):
            cfg = parse_integration_config(
                {"instantly_subtype": subtype, "engagement_field": field}
            )
            assert isinstance(cfg, EngagementConfig)
            assert cfg.named_subtype == subtype
            assert cfg.problems() == []
            assert cfg.lead_field == ENGAGEMENT_FIELD_BY_SUBTYPE[subtype]
    assert ENGAGEMENT_FIELD_NAMES["interest_status_label"] == "engagement_status"
    assert ENGAGEMENT_FIELD_NAMES["lead_status"] == "email_status"
    assert ENGAGEMENT_FIELD_NAMES["timestamp_last_email_sent"] == "last_contacted"
    # a name this version does not know is kept, and is no problem
    novel = {"instantly_subtype": "open_count", "engagement_field": "opens_v3"}
    cfg = parse_integration_config(novel)
    assert isinstance(cfg, EngagementConfig)
    assert cfg.named_subtype is None
    assert cfg.problems() == []
    assert cfg.to_integration_config() == novel


def test_unknown_subtype_and_non_object() -> None:
    with pytest.raises(InvalidColumnConfig, match="instantly_subtype"):
        parse_integration_config({"instantly_subtype": "nope"})
    with pytest.raises(InvalidColumnConfig, match="JSON object"):
        parse_integration_config(["campaign_config"])  # type: ignore[arg-type]


def test_errors_do_not_echo_values() -> None:
    secret = "sk_live_do_not_echo_me"
    with pytest.raises(InvalidColumnConfig) as info:
        parse_integration_config({**campaign(), "campaign_name": {"key": secret}})
    assert secret not in str(info.value)
    assert secret not in repr(info.value.problems)


def test_unknown_keys_survive_round_trip() -> None:
    data = campaign(future_flag=True, ui={"color": "teal"})
    data["field_mapping"]["future_field"] = "x"
    cfg = parse_integration_config(data)
    assert cfg.unknown_keys == {"future_flag": True, "ui": {"color": "teal"}}
    assert cfg.to_integration_config() == data


# --- the round trip, generated from the host's interface -----------------------------------
#
# The host's config, as the original product declares it (every key but the subtype optional;
# the keys are flat, so any of them may sit beside any subtype):
#
#   interface InstantlyIntegrationConfig {
#     instantly_subtype: 'campaign_config' | 'push_action' | 'engagement_status'
#       | 'email_status' | 'last_contacted' | 'reply_count' | 'open_count' | 'sequence_step';
#     campaign_id?: string;
#     campaign_name?: string;
#     sequence_mode?: 'use_existing' | 'map_variables' | 'author_steps';
#     field_mapping?: { email?: string; first_name?: string; ...;
#                       custom_variables?: Record<string, string> };
#     push_config?: { campaign_id?: string; auto_field_mapping?: boolean };
#     engagement_field?: 'interest_status_label' | 'lead_status' | 'timestamp_last_email_sent'
#       | 'reply_count' | 'open_count';
#     step_config?: { step_number?: number; field?: 'subject' | 'body' };
#   }
#
# The strategies below follow that declaration, not our models: every subset of the optional
# keys, any string or number where it says string or number, unknown keys at every level.

_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _unknown(known: set[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.text(min_size=1, max_size=8).filter(lambda k: k not in known), _json_values, max_size=3
    )


_INTERFACE_KEYS = {
    "instantly_subtype",
    "campaign_id",
    "campaign_name",
    "sequence_mode",
    "field_mapping",
    "push_config",
    "engagement_field",
    "step_config",
}
_strings = st.text(max_size=12)
_numbers = st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def _field_mappings(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(
        st.fixed_dictionaries(
            {},
            optional={
                **dict.fromkeys(CORE_LEAD_FIELDS, _strings),
                "custom_variables": st.dictionaries(_strings, _strings, max_size=3),
            },
        )
    )
    data.update(draw(_unknown({*CORE_LEAD_FIELDS, "custom_variables"})))
    return data


@st.composite
def _push_configs(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(
        st.fixed_dictionaries(
            {}, optional={"campaign_id": _strings, "auto_field_mapping": st.booleans()}
        )
    )
    data.update(draw(_unknown({"campaign_id", "auto_field_mapping"})))
    return data


@st.composite
def _step_configs(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(
        st.fixed_dictionaries(
            {},
            optional={"step_number": _numbers, "field": st.sampled_from(["subject", "body"])},
        )
    )
    data.update(draw(_unknown({"step_number", "field"})))
    return data


@st.composite
def host_configs(draw: st.DrawFn) -> dict[str, Any]:
    """Any ``integration_config`` that fits the host's interface."""
    data: dict[str, Any] = {"instantly_subtype": draw(st.sampled_from(SUBTYPES))}
    optional = st.fixed_dictionaries(
        {},
        optional={
            "campaign_id": _strings,
            "campaign_name": _strings,
            "sequence_mode": st.sampled_from(["use_existing", "map_variables", "author_steps"]),
            "field_mapping": _field_mappings(),
            "push_config": _push_configs(),
            "engagement_field": st.sampled_from(
                [
                    "interest_status_label",
                    "lead_status",
                    "timestamp_last_email_sent",
                    "reply_count",
                    "open_count",
                ]
            ),
            "step_config": _step_configs(),
        },
    )
    data.update(draw(optional))
    data.update(draw(_unknown(_INTERFACE_KEYS)))
    return data


_HOST_RECORD_KEYS = {"id", "key", "name", "type", "integration_config", "config"}


@st.composite
def host_records(draw: st.DrawFn) -> dict[str, Any]:
    """A host's column record: ours, an instantly config, and the host's own keys."""
    record: dict[str, Any] = {
        "id": draw(st.text(min_size=1, max_size=8)),
        "key": draw(st.text(min_size=1, max_size=8)),
        "name": draw(_strings),
        "type": "instantly",
        "integration_config": draw(host_configs()),
    }
    host = st.fixed_dictionaries(
        {},
        optional={
            "width": st.integers(0, 2000),
            "hidden": st.booleans(),
            "order": _numbers,
            "color": _strings,
            "background_color": _strings,
            "pinned": st.booleans(),
        },
    )
    record.update(draw(host))
    record.update(draw(_unknown(_HOST_RECORD_KEYS)))
    return record


@given(host_configs())
def test_any_config_that_fits_the_interface_round_trips(data: dict[str, Any]) -> None:
    cfg = parse_integration_config(data)
    out = cfg.to_integration_config()
    assert out == data
    assert json.loads(json.dumps(out)) == data
    assert parse_integration_config(out) == cfg


@given(host_records())
def test_a_host_record_round_trips_through_column(record: dict[str, Any]) -> None:
    column = Column.from_host(**record)
    assert column.to_host() == record
    assert Column.from_host(**column.to_host()) == column


@pytest.mark.parametrize("adapter", ["memory", "sqlite"])
@given(record=host_records())
def test_a_host_record_round_trips_through_the_bundled_stores(
    adapter: str, record: dict[str, Any]
) -> None:
    # The whole record, host keys and unknown config keys included, as a host saved it.
    assume(not any("\x00" in str(record[k]) for k in ("id", "key")))
    store = MemoryStore() if adapter == "memory" else SQLiteStore(":memory:")
    with store:
        store.create_table("t", "T")
        store.save_columns("t", [Column.from_host(**record)])
        (column,) = store.columns("t")
    assert column.to_host() == record


def test_column_keeps_the_hosts_own_keys() -> None:
    record: dict[str, Any] = {
        "id": "c1",
        "key": "c1",
        "name": "Email",
        "type": "text",
        "width": 240,
        "hidden": False,
        "order": 3,
        "color": "#ffcc00",
    }
    column = Column.from_host(**record)
    assert column.host_fields == {"width": 240, "hidden": False, "order": 3, "color": "#ffcc00"}
    assert column.to_host() == record
    with pytest.raises(InvalidColumnConfig, match="own keys"):
        Column(id="x", key="x", name="X", host_fields={"name": "shadow"})


def test_column_requires_config_iff_instantly() -> None:
    with pytest.raises(InvalidColumnConfig, match="needs a config"):
        Column.from_host(id="x", name="X", type="instantly")
    col = Column.from_host(id="x", name="X", type="instantly", integration_config=campaign())
    assert col.subtype == "campaign_config"
    assert col.editable is False
    assert Column.from_host(id="n", name="Notes").editable is True
    host = col.to_host()
    assert host["integration_config"] == campaign()
    assert Column.from_host(**host) == col


def test_row_cells() -> None:
    row = Row(id="r1", cells={"email": "a@b.co", "push": {"status": "pushed"}})
    assert row.get("email") == "a@b.co"
    assert row.get("missing", "-") == "-"


def test_column_key_is_deterministic() -> None:
    assert column_key("col9", "open_count") == "instantly:col9:open_count"
    assert column_key("col9", "sequence_step", step_number=3, field="subject") == (
        "instantly:col9:sequence_step:3:subject"
    )
    with pytest.raises(InvalidColumnConfig):
        column_key("col9", "sequence_step")


def instantly(id: str, config: dict[str, Any]) -> Column:
    return Column.from_host(id=id, name=id, type="instantly", integration_config=config)


def step(id: str, n: int, field: str, campaign_id: str = "c1") -> Column:
    return instantly(
        id,
        {
            "instantly_subtype": "sequence_step",
            "campaign_id": campaign_id,
            "step_config": {"step_number": n, "field": field},
        },
    )


def test_valid_table_with_two_campaigns() -> None:
    cols = [
        *host_columns(),
        instantly("cc1", campaign("c1")),
        instantly("cc2", campaign("c2")),
        instantly(
            "push1", {"instantly_subtype": "push_action", "push_config": {"campaign_id": "c1"}}
        ),
        instantly("st1", {"instantly_subtype": "email_status", "campaign_id": "c2"}),
        step("s1s", 1, "subject"),
        step("s1b", 1, "body"),
        step("s2s", 2, "subject"),
        step("s2b", 2, "body"),
    ]
    assert validate_table(cols) == []
    ensure_valid_table(cols)


def test_table_problems_are_all_reported() -> None:
    cols = [
        *host_columns(),
        instantly("cc1", campaign("c1", field_mapping={"email": "ghost", "last_name": "cc1"})),
        instantly("cc1b", campaign("c1")),
        instantly(
            "push", {"instantly_subtype": "push_action", "push_config": {"campaign_id": "c9"}}
        ),
        instantly("eng", {"instantly_subtype": "open_count", "campaign_id": "c7"}),
        step("s1s", 1, "subject"),
        step("s3s", 3, "subject"),
        step("s3s2", 3, "subject"),
        step("s1b", 1, "body"),
    ]
    problems = {p.path: p.message for p in validate_table(cols)}
    assert "already linked" in problems["columns[cc1b].integration_config.campaign_id"]
    assert "no column" in problems["columns[cc1].integration_config.field_mapping.email"]
    assert "instantly column" in problems["columns[cc1].integration_config.field_mapping.last_name"]
    assert (
        "auto_field_mapping" in problems["columns[push].integration_config.push_config.campaign_id"]
    )
    assert "c7" in problems["columns[eng].integration_config.campaign_id"]
    assert "missing [2]" in problems["sequence_steps[c1]"]
    assert problems["sequence_steps[c1].step_3.subject"] == "more than one column"
    assert problems["sequence_steps[c1].step_3.body"] == "no column"
    with pytest.raises(InvalidColumnConfig) as info:
        ensure_valid_table(cols)
    assert len(info.value.problems) == len(problems)


def test_duplicate_ids_keys_and_mapping_targets() -> None:
    a = Column.from_host(id="a", name="A", key="k")
    b = Column.from_host(id="a", name="B", key="k")
    paths = {p.path for p in validate_table([a, b])}
    assert paths == {"columns[a].id", "columns[k].key"}
    twice = instantly("cc", campaign(field_mapping={"email": "email", "first_name": "email"}))
    problems = validate_table([*host_columns(), twice])
    assert [p.path for p in problems] == ["columns[cc].integration_config.field_mapping.first_name"]
    no_email = instantly("cc", campaign(field_mapping={"first_name": "first"}))
    assert [p.path for p in validate_table([*host_columns(), no_email])] == [
        "columns[cc].integration_config.field_mapping.email"
    ]


@given(
    st.lists(
        st.sampled_from([(n, f) for n in range(1, 6) for f in ("subject", "body")]), unique=True
    )
)
def test_step_numbering_rule(entries: list[tuple[int, str]]) -> None:
    cols = [*host_columns(), instantly("cc1", campaign("c1"))]
    cols += [step(f"s{n}{f}", n, f) for n, f in entries]
    numbers = {n for n, _ in entries}
    complete = numbers == set(range(1, len(numbers) + 1)) and all(
        (n, f) in entries for n in numbers for f in ("subject", "body")
    )
    assert (validate_table(cols) == []) == complete
