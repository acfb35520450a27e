from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.domain.columns import (
    AUTO_CREATED_SUBTYPES,
    EDITABLE_SUBTYPES,
    ENGAGEMENT_SUBTYPES,
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
    assert push.push_config.auto_field_mapping is True
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
        ({"instantly_subtype": "campaign_config"}, "campaign_id"),
        ({**campaign(), "sequence_mode": "write_poems"}, "sequence_mode"),
        ({**campaign(), "field_mapping": "email"}, "field_mapping"),
        ({"instantly_subtype": "push_action"}, "push_config"),
        (
            {"instantly_subtype": "push_action", "push_config": {"campaign_id": ""}},
            "push_config.campaign_id",
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
                "step_config": {"step_number": 1, "field": "footer"},
            },
            "step_config.field",
        ),
    ],
)
def test_invalid_configs_name_the_field(data: dict[str, Any], path: str) -> None:
    with pytest.raises(InvalidColumnConfig) as info:
        parse_integration_config(data)
    assert any(p.path == path for p in info.value.problems), info.value.problems
    assert isinstance(info.value, ConfigError)
    assert isinstance(info.value, ValueError)


def test_contradictions_in_one_config_are_rejected() -> None:
    with pytest.raises(InvalidColumnConfig, match="match subtype"):
        parse_integration_config({"instantly_subtype": "reply_count", "engagement_field": "status"})
    with pytest.raises(InvalidColumnConfig, match="different campaigns"):
        parse_integration_config(
            {
                "instantly_subtype": "push_action",
                "campaign_id": "a",
                "push_config": {"campaign_id": "b"},
            }
        )
    with pytest.raises(InvalidColumnConfig, match="field_mapping is required"):
        parse_integration_config(
            {
                "instantly_subtype": "push_action",
                "push_config": {"campaign_id": "b", "auto_field_mapping": False},
            }
        )


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


_json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=10)
_extra_keys = st.dictionaries(
    st.text(min_size=1, max_size=8).filter(
        lambda k: (
            k
            not in {
                "instantly_subtype",
                "campaign_id",
                "campaign_name",
                "sequence_mode",
                "field_mapping",
                "push_config",
                "step_config",
                "engagement_field",
            }
        )
    ),
    _json_scalars,
    max_size=3,
)
_ids = st.text(min_size=1, max_size=12)


@st.composite
def flat_configs(draw: st.DrawFn) -> dict[str, Any]:
    subtype = draw(st.sampled_from(SUBTYPES))
    data: dict[str, Any] = {"instantly_subtype": subtype}
    if subtype == "campaign_config":
        data.update(
            campaign_id=draw(_ids),
            campaign_name=draw(st.text(max_size=20)),
            sequence_mode=draw(st.sampled_from(["use_existing", "map_variables", "author_steps"])),
            field_mapping=draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "email": _ids,
                        "first_name": _ids | st.none(),
                        "custom_variables": st.dictionaries(_ids, _ids, max_size=3),
                    },
                )
            ),
        )
    elif subtype == "push_action":
        data["push_config"] = {"campaign_id": draw(_ids), "auto_field_mapping": True}
    elif subtype == "sequence_step":
        data["step_config"] = {
            "step_number": draw(st.integers(1, 100)),
            "field": draw(st.sampled_from(["subject", "body"])),
        }
        if draw(st.booleans()):
            data["campaign_id"] = draw(_ids)
    else:
        if draw(st.booleans()):
            data["engagement_field"] = ENGAGEMENT_FIELD_BY_SUBTYPE[subtype]
    data.update(draw(_extra_keys))
    return data


@given(flat_configs())
def test_round_trip_is_lossless_through_json(data: dict[str, Any]) -> None:
    cfg = parse_integration_config(data)
    out = cfg.to_integration_config()
    assert out == data
    assert json.loads(json.dumps(out)) == data
    assert parse_integration_config(out) == cfg


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
