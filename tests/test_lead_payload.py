"""The lead a row becomes: mapped fields, declared custom variables and step copy, nothing
else (property-tested over random rows and mappings)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.domain.columns import CORE_LEAD_FIELDS, FieldMappingConfig
from instantly_columns.domain.push import lead_payload

COLUMNS = [f"c{i}" for i in range(8)]
cell_values = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.text(max_size=12)
    | st.emails()
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
)


@st.composite
def mappings(draw: st.DrawFn) -> FieldMappingConfig:
    fields = draw(st.lists(st.sampled_from(CORE_LEAD_FIELDS), unique=True, max_size=5))
    columns = draw(st.permutations(COLUMNS))
    chosen = dict(zip(fields, columns, strict=False))
    rest = columns[len(chosen) :]
    names = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), unique=True, max_size=len(rest)
        )
    )
    return FieldMappingConfig(**chosen, custom_variables=dict(zip(names, rest, strict=False)))


@given(mappings(), st.dictionaries(st.sampled_from([*COLUMNS, "x", "engagement"]), cell_values))
def test_a_lead_carries_only_what_the_mapping_declares(
    mapping: FieldMappingConfig, cells: dict[str, Any]
) -> None:
    email, lead, problem = lead_payload(cells, mapping, None)
    if problem is not None:
        assert lead == {}
        assert problem in ("missing email", "invalid email")
        return
    assert email is not None
    assert lead["email"] == email
    allowed = {f for f in CORE_LEAD_FIELDS if getattr(mapping, f)} | {"custom_variables"}
    assert set(lead) <= allowed
    for field, value in lead.items():
        if field not in ("email", "custom_variables"):
            assert isinstance(value, str)
            assert value.strip() == value
            assert value
    custom = lead.get("custom_variables", {})
    assert set(custom) <= set(mapping.custom_variables)
    for name, value in custom.items():
        assert value is None or isinstance(value, str | int | float | bool)
        assert cells.get(mapping.custom_variables[name]) is not None


def test_step_copy_comes_only_from_step_columns() -> None:
    mapping = FieldMappingConfig(email="e")
    steps = {(1, "subject"): "s", (1, "body"): "b"}
    cells = {"e": "a@b.co", "s": "Hi", "b": "Hello\nthere", "other": "secret notes"}
    _, lead, problem = lead_payload(cells, mapping, steps)
    assert problem is None
    assert lead == {
        "email": "a@b.co",
        "custom_variables": {"step_1_subject": "Hi", "step_1_body": "Hello<br/>there"},
    }
