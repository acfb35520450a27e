from __future__ import annotations

import ast
import html
import json
import random
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.domain.columns import FieldMappingConfig
from instantly_columns.domain.sequences import (
    CORE_VARIABLE_FIELDS,
    CORE_VARIABLES,
    MAX_STEPS,
    SENDER_VARIABLES,
    SEQUENCE_MODES,
    PreviewRow,
    Step,
    StepColumnSpec,
    Variant,
    author_sequence,
    campaign_variables,
    classify_variable,
    core_bindings,
    extract_variables,
    find_step_columns,
    lead_custom_variables,
    looks_like_html,
    parse_steps,
    preview,
    scaffold_step_columns,
    step_column_name,
    step_custom_variables,
    step_variable,
    text_to_html,
    used_variables,
    validate_step_columns,
    validate_steps,
)
from instantly_columns.errors import ConfigError, SequenceError


def paths(exc: pytest.ExceptionInfo[SequenceError]) -> list[str]:
    return [p.path for p in exc.value.problems]


# --- strategies --------------------------------------------------------------------------------

NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True).filter(
    lambda n: n.upper() != "RANDOM" and n not in SENDER_VARIABLES
)
PLAIN = st.text(alphabet=st.characters(exclude_characters="{}"), max_size=12)
SPACE = st.sampled_from(["", " ", "  ", "\t"])
FALLBACK = st.text(
    alphabet=st.characters(exclude_characters="{}|"),
    min_size=1,
    max_size=8,
).filter(lambda s: bool(s.strip()))
OPTION = st.text(alphabet="abcxyz ", min_size=1, max_size=5)


@st.composite
def placeholder(draw: st.DrawFn) -> tuple[str, str, str | None]:
    """(rendered token, variable name, fallback or None)."""
    name = draw(NAMES)
    fallback = draw(st.none() | FALLBACK)
    left, right = draw(SPACE), draw(SPACE)
    tail = "" if fallback is None else f"{draw(SPACE)}|{draw(SPACE)}{fallback}"
    return "{{" + left + name + right + tail + "}}", name, fallback


@st.composite
def template(draw: st.DrawFn, *, spintax: bool = True) -> list[tuple[str, str | None, str | None]]:
    """Segments (text, variable name or None, fallback)."""
    kinds = [PLAIN.map(lambda t: (t, None, None)), placeholder()]
    if spintax:
        kinds.append(
            st.lists(OPTION, min_size=2, max_size=3).map(
                lambda options: ("{{RANDOM | " + " | ".join(options) + "}}", None, None)
            )
        )
    return draw(st.lists(st.one_of(*kinds), max_size=8))


def render(segments: Sequence[tuple[str, str | None, str | None]]) -> str:
    return "".join(text for text, _, _ in segments)


def first_seen(names: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in names if n is not None))


# --- template variables ------------------------------------------------------------------------


def test_modes() -> None:
    assert SEQUENCE_MODES == ("use_existing", "map_variables", "author_steps")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi {{firstName}}", ("firstName",)),
        ("Hi {{ firstName }}", ("firstName",)),
        ("Hi {{firstName|there}}", ("firstName",)),
        ("Hi {{ firstName | there friend }}", ("firstName",)),
        ("{{RANDOM | Hi | Hello}} {{companyName}}", ("companyName",)),
        ("{{random|a|b}}", ()),
        ("{{Plan_Tier}} {{plan_tier}} {{Plan_Tier}}", ("Plan_Tier", "plan_tier")),
        ("{{}} {{ }} {{ | x}}", ()),
        ("{{b}} {{a}} {{b}}", ("b", "a")),
        ("{{{x}}}", ("x",)),
        ("no variables { here } {single}", ()),
        ("{{RANDOM}}", ("RANDOM",)),
    ],
)
def test_extract_variables(text: str, expected: tuple[str, ...]) -> None:
    assert extract_variables(text) == expected


@given(template())
def test_extract_finds_each_variable_once_in_order(segments: list[Any]) -> None:
    assert extract_variables(render(segments)) == first_seen([n for _, n, _ in segments])


@given(st.text(max_size=60))
def test_extract_on_any_text_is_unique_and_stripped(text: str) -> None:
    found = extract_variables(text)
    assert len(set(found)) == len(found)
    for name in found:
        assert name
        assert name == name.strip()
        assert "{" not in name
        assert "|" not in name
        assert name in text


def test_core_and_sender_variables() -> None:
    assert CORE_VARIABLES == (
        "firstName",
        "lastName",
        "companyName",
        "email",
        "jobTitle",
        "website",
        "phone",
        "personalization",
    )
    # Every core variable is filled from a lead field that the field mapping knows.
    assert set(CORE_VARIABLE_FIELDS.values()) <= set(FieldMappingConfig.model_fields)
    assert CORE_VARIABLE_FIELDS["firstName"] == "first_name"
    assert {"sendingAccountFirstName", "accountSignature"} <= set(SENDER_VARIABLES)
    assert classify_variable("firstName") == "core"
    assert classify_variable("accountSignature") == "sender"
    assert classify_variable("first_name") == "custom"


# --- parsing steps -----------------------------------------------------------------------------

CAMPAIGN_SEQUENCES: list[Any] = [
    {
        "steps": [
            {
                "type": "email",
                "delay": 2,
                "delay_unit": "days",
                "id": "0199-step",
                "variants": [
                    {"subject": "{{firstName}}, quick one", "body": "Hi {{firstName}},<br/>x"},
                    {"subject": "For {{companyName}}", "body": "Hey", "v_disabled": True},
                ],
            },
            {"type": "email", "delay": 3, "variants": [{"subject": "", "body": "{{plan}} up"}]},
            {"type": "email"},
        ]
    },
    {"steps": [{"variants": [{"subject": "ignored {{never}}", "body": "x"}]}]},
]


def test_parse_steps_reads_element_zero_and_tolerates_gaps() -> None:
    steps = parse_steps(CAMPAIGN_SEQUENCES)
    assert len(steps) == 3
    first, second, third = steps
    assert first.subject == "{{firstName}}, quick one"
    assert (first.delay, first.delay_unit) == (2, "days")
    assert first.variants == (Variant("For {{companyName}}", "Hey", disabled=True),)
    assert second == Step("", "{{plan}} up", delay=3)
    assert third == Step("", "", delay=0, delay_unit="days")
    assert campaign_variables(CAMPAIGN_SEQUENCES) == ("firstName", "companyName", "plan")
    assert used_variables(steps) == campaign_variables({"sequences": CAMPAIGN_SEQUENCES})


@pytest.mark.parametrize(
    "empty", [None, [], {"sequences": None}, {"id": "c1", "name": "x"}, [{}], [{"steps": None}]]
)
def test_parse_steps_of_nothing(empty: object) -> None:
    assert parse_steps(empty) == []


def test_parse_steps_reports_paths() -> None:
    with pytest.raises(SequenceError) as exc:
        parse_steps([{"steps": [{"delay": 1}, {"delay": "soon", "variants": [{"body": 3}]}]}])
    assert paths(exc) == ["sequences[0].steps[1].delay", "sequences[0].steps[1].variants[0].body"]
    with pytest.raises(SequenceError) as exc:
        parse_steps({"steps": []})
    assert paths(exc) == ["sequences"]
    with pytest.raises(SequenceError) as exc:
        parse_steps([{"steps": [{"delay_unit": "weeks"}]}])
    assert paths(exc) == ["sequences[0].steps[0].delay_unit"]
    assert isinstance(exc.value, ConfigError)


def test_step_repr_is_short() -> None:
    step = Step("S" * 200, "B" * 5000, delay=2, variants=(Variant("a", "b"),))
    text = repr(step)
    assert len(text) < 120
    assert "5000 chars" in text
    assert "+1" in text


# --- bindings, preview -------------------------------------------------------------------------


def test_core_bindings_follow_the_field_mapping() -> None:
    fields = {"email": "c_email", "first_name": "c_first", "company_name": "c_co"}
    assert core_bindings(fields) == {
        "firstName": "c_first",
        "companyName": "c_co",
        "email": "c_email",
    }
    assert core_bindings(fields, ["firstName", "plan"]) == {"firstName": "c_first"}


STEPS = parse_steps(
    [
        {
            "steps": [
                {
                    "delay": 2,
                    "variants": [
                        {
                            "subject": "{{firstName}}, about {{plan}}",
                            "body": "Hi {{firstName|there}}",
                        },
                        {"subject": "B", "body": "{{companyName}}", "v_disabled": True},
                    ],
                },
                {
                    "variants": [
                        {
                            "subject": "",
                            "body": (
                                "{{RANDOM | Bye | Cheers}} {{city}}, {{sendingAccountFirstName}}"
                            ),
                        }
                    ]
                },
            ]
        }
    ]
)


def test_preview_flags_missing_and_blank_and_never_blanks_them() -> None:
    bindings = {"firstName": "c_first", "plan": "c_plan"}
    rows: list[dict[str, object]] = [
        {"c_first": "Ada", "c_plan": "Pro"},
        {"c_first": "  ", "c_plan": float("nan")},
        {"c_plan": 3},
        {"c_first": "never previewed"},
    ]
    out = preview(STEPS, bindings, rows)
    assert [r.index for r in out] == [0, 1, 2]  # three rows by default
    ada, blank, absent = out
    assert [(s.step, s.variant) for s in ada.steps] == [(1, 1), (2, 1)]  # disabled B skipped
    assert ada.steps[0].subject == "Ada, about Pro"
    assert ada.steps[0].body == "Hi Ada"
    assert ada.steps[1].body == "{{RANDOM | Bye | Cheers}} {{city}}, {{sendingAccountFirstName}}"
    assert ada.missing == ("city",)
    assert ada.blank == ()
    assert not ada.complete
    assert ada.sender == ("sendingAccountFirstName",)
    assert blank.steps[0].subject == "{{firstName}}, about {{plan}}"
    assert blank.steps[0].body == "Hi there"  # the template's fallback
    assert blank.blank == ("firstName", "plan")
    assert absent.steps[0].subject == "{{firstName}}, about 3"
    assert absent.blank == ("firstName",)
    assert "missing=['city']" in repr(ada)
    assert "<table>" in ada._repr_html_()
    assert "Ada" in ada._repr_html_()


def test_preview_fills_sender_values_and_limit() -> None:
    rows = [{"c": "x"}] * 5
    out = preview(
        STEPS,
        {"firstName": "c", "plan": "c", "city": "c"},
        rows,
        sender={"sendingAccountFirstName": "Sam"},
        limit=None,
    )
    assert len(out) == 5
    assert out[0].complete
    assert out[0].sender == ()
    assert out[0].steps[1].body.endswith("x, Sam")
    assert repr(out[0]) == "PreviewRow(index=0, 2 emails, complete)"
    assert preview(STEPS, {}, rows, limit=0) == []
    with pytest.raises(SequenceError) as exc:
        preview(STEPS, {}, rows, limit=-1)
    assert paths(exc) == ["limit"]


@given(st.lists(template(spintax=False), min_size=1, max_size=3), st.data())
def test_a_full_preview_leaves_no_variable_braces(
    bodies: list[list[Any]], data: st.DataObject
) -> None:
    steps = [Step(f"S{i} " + render(b[:2]), render(b), delay=1) for i, b in enumerate(bodies)]
    names = used_variables(steps)
    value = st.text(alphabet=st.characters(exclude_characters="{}"), min_size=1).filter(
        lambda s: bool(s.strip())
    )
    row = {f"col:{n}": data.draw(value) for n in names}
    [result] = preview(steps, {n: f"col:{n}" for n in names}, [row])
    assert result.complete
    for email in result.steps:
        assert "{{" not in email.subject
        assert "{{" not in email.body


@given(template())
def test_unbound_variables_stay_visible_or_use_their_fallback(segments: list[Any]) -> None:
    body = render(segments)
    [result] = preview([Step("Hello", body)], {}, [{}])
    expected = "".join(
        text if name is None or fallback is None else fallback.strip()
        for text, name, fallback in segments
    )
    assert result.steps[0].body == expected
    assert result.missing == extract_variables(body)


def test_lead_custom_variables() -> None:
    bindings = {
        "firstName": "c1",
        "plan": "c2",
        "seats": "c3",
        "when": "c4",
        "gone": "c5",
        "nan": "c6",
        "tags": "c7",
    }
    row: dict[str, object] = {
        "c1": "Ada",
        "c2": "Pro",
        "c3": 4,
        "c4": date(2026, 1, 2),
        "c6": float("nan"),
        "c7": ["a", "é"],
    }
    assert lead_custom_variables(bindings, row) == {
        "plan": "Pro",
        "seats": 4,
        "when": "2026-01-02",
        "gone": None,
        "nan": None,
        "tags": '["a", "é"]',
    }


# --- validation --------------------------------------------------------------------------------


def test_validate_steps_lists_every_problem_with_paths() -> None:
    steps = [
        Step("  ", "Hi {{first_name}}", delay=-1, variants=(Variant("{{plan}}", ""),)),
        Step("", "ok", delay_unit="weeks"),  # type: ignore[arg-type]
        Step("", " ", delay=True),
    ]
    with pytest.raises(SequenceError) as exc:
        validate_steps(steps)
    assert paths(exc) == [
        "steps[0].subject",
        "steps[0].body",
        "steps[0].variants[0].body",
        "steps[0].variants[0].subject",
        "steps[0].delay",
        "steps[1].delay_unit",
        "steps[2].body",
        "steps[2].delay",
    ]
    messages = [p.message for p in exc.value.problems]
    assert "unknown variable {{first_name}}" in messages[1]
    assert "did you mean {{firstName}}" in messages[1]
    assert "step 1 needs a subject" in messages[0]


def test_validate_steps_empty_and_known_variables() -> None:
    with pytest.raises(SequenceError) as exc:
        validate_steps([])
    assert paths(exc) == ["steps"]
    steps = [Step("Hi {{firstName}}", "{{plan}} {{accountSignature}}")]
    with pytest.raises(SequenceError) as exc:
        validate_steps(steps)
    assert paths(exc) == ["steps[0].body"]
    assert "{{plan}}" in str(exc.value)
    validate_steps(steps, bindings={"plan": "c"})
    validate_steps(steps, known_variables=["plan"])


def test_validate_bindings() -> None:
    steps = [Step("Hi {{firstName}}", "x")]
    with pytest.raises(SequenceError) as exc:
        validate_steps(
            steps,
            bindings={
                "firstName": "c_name",
                "email": "c_mail",
                "accountSignature": "c_sig",
                "plan": "",
            },
            field_columns={"first_name": "c_first"},
        )
    assert paths(exc) == [
        "bindings.firstName",
        "bindings.email",
        "bindings.accountSignature",
        "bindings.plan",
    ]
    validate_steps(
        steps, bindings={"firstName": "c_first"}, field_columns={"first_name": "c_first"}
    )


# --- author_steps ------------------------------------------------------------------------------


@given(st.integers(1, 30))
def test_scaffold_names_and_order(n: int) -> None:
    specs = scaffold_step_columns(n)
    assert [s.name for s in specs] == [
        f"Step {i} {part}" for i in range(1, n + 1) for part in ("Subject", "Body")
    ]
    assert [(s.step_number, s.field) for s in specs] == [
        (i, f) for i in range(1, n + 1) for f in ("subject", "body")
    ]
    assert len({s.variable for s in specs}) == 2 * n
    assert find_step_columns(["Email", *(s.name for s in specs), "Notes"]) == specs
    validate_step_columns(specs)


@given(st.integers(2, 6), st.randoms(use_true_random=False))
def test_step_columns_in_any_order_are_checked(n: int, rnd: random.Random) -> None:
    names = [s.name for s in scaffold_step_columns(n)]
    rnd.shuffle(names)
    numbers = [int(name.split()[1]) for name in names]
    if numbers == sorted(numbers):
        assert len(find_step_columns(names)) == 2 * n
    else:
        with pytest.raises(SequenceError) as exc:
            find_step_columns(names)
        assert any("out of order" in p.message for p in exc.value.problems)


def test_step_columns_problems() -> None:
    headers = ["Email", "Step 1 Subject", "Step 1 Body", "step 1 body", "Step 3 Subject"]
    with pytest.raises(SequenceError) as exc:
        find_step_columns(headers)
    assert paths(exc) == ["headers[3]", "columns", "columns"]
    assert "repeats step 1 body" in str(exc.value)
    assert "step 2 has no columns" in str(exc.value)
    assert "'Step 3 Body'" in str(exc.value)
    with pytest.raises(SequenceError):
        validate_step_columns([])
    assert find_step_columns(["x", " STEP 1  body", "step 1 Subject"]) == [
        StepColumnSpec(" STEP 1  body", 1, "body"),
        StepColumnSpec("step 1 Subject", 1, "subject"),
    ]
    spec = StepColumnSpec("Step 1 Body", 1, "body")
    assert spec.variable == "step_1_body"


def test_step_names_and_variables() -> None:
    assert step_variable(3, "subject") == "step_3_subject"
    assert step_column_name(12, "body") == "Step 12 Body"
    for bad in (0, -1, True, 1.0, MAX_STEPS + 1):
        with pytest.raises(SequenceError):
            step_variable(bad, "body")  # type: ignore[arg-type]
    with pytest.raises(SequenceError):
        step_variable(1, "Subject")  # type: ignore[arg-type]
    for bad_n in (0, MAX_STEPS + 1, "3", None):
        with pytest.raises(SequenceError) as exc:
            scaffold_step_columns(bad_n)  # type: ignore[arg-type]
        assert paths(exc) == ["n"]


@given(st.integers(1, 12), st.integers(0, 30))
def test_author_sequence_round_trips_through_parse(n: int, wait: int) -> None:
    sequences = author_sequence(n, delays=wait)
    steps = parse_steps(json.loads(json.dumps(sequences)))
    assert len(steps) == n
    assert all(s.delay == wait and s.delay_unit == "days" for s in steps)
    assert used_variables(steps) == tuple(s.variable for s in scaffold_step_columns(n))
    validate_steps(steps, known_variables=used_variables(steps))


def test_author_sequence_shape_and_delays() -> None:
    assert author_sequence(2, delays=[4]) == [
        {
            "steps": [
                {
                    "type": "email",
                    "delay": 4,
                    "delay_unit": "days",
                    "variants": [{"subject": "{{step_1_subject}}", "body": "{{step_1_body}}"}],
                },
                {
                    "type": "email",
                    "delay": 0,
                    "delay_unit": "days",
                    "variants": [{"subject": "{{step_2_subject}}", "body": "{{step_2_body}}"}],
                },
            ]
        }
    ]
    threaded = author_sequence(3, delays=[1, 2, 3], delay_unit="hours", reply_in_thread=True)
    steps = threaded[0]["steps"]
    assert [s["delay"] for s in steps] == [1, 2, 3]
    assert {s["delay_unit"] for s in steps} == {"hours"}
    assert [s["variants"][0]["subject"] for s in steps] == ["{{step_1_subject}}", "", ""]


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"delays": -1}, "steps[0].delay"),
        ({"delays": [1, 2.5]}, "steps[1].delay"),
        ({"delays": [1, True]}, "steps[1].delay"),
        ({"delays": [1]}, "delays"),
        ({"delays": "3"}, "delays"),
        ({"delay_unit": "weeks"}, "delay_unit"),
    ],
)
def test_author_sequence_rejects_bad_delays(kwargs: dict[str, Any], where: str) -> None:
    with pytest.raises(SequenceError) as exc:
        author_sequence(3, **kwargs)
    assert paths(exc)[0] == where


def test_step_custom_variables() -> None:
    values: dict[tuple[int, Any], object] = {
        (1, "subject"): "Quick\nquestion ",
        (1, "body"): "Hi Ada,\nFish & <chips>?",
        (2, "subject"): None,
        (2, "body"): "<p>Following up</p>\n<p>Bye</p>",
    }
    out = step_custom_variables(values)
    assert out == {
        "step_1_subject": "Quick question",
        "step_1_body": "Hi Ada,<br/>Fish &amp; &lt;chips&gt;?",
        "step_2_subject": "",
        "step_2_body": "<p>Following up</p>\n<p>Bye</p>",
    }
    with pytest.raises(SequenceError) as exc:
        step_custom_variables({(1, "body"): "x", (3, "body"): " "}, steps=2)
    assert paths(exc) == ["steps[2].body", "steps[0].subject", "steps[1].body"]
    with pytest.raises(SequenceError) as exc:
        step_custom_variables({(0, "body"): "x", (1, "title"): "y"})  # type: ignore[dict-item]
    assert len(exc.value.problems) == 2
    with pytest.raises(SequenceError):
        step_custom_variables({})


@given(
    st.integers(1, 5),
    st.lists(PLAIN.filter(lambda s: bool(s.strip())), min_size=10, max_size=10),
)
def test_step_custom_variables_cover_every_step(n: int, texts: list[str]) -> None:
    values: dict[tuple[int, Any], object] = {}
    for i in range(1, n + 1):
        values[(i, "subject")] = texts[2 * i - 2]
        values[(i, "body")] = texts[2 * i - 1]
    out = step_custom_variables(values)
    assert list(out) == [s.variable for s in scaffold_step_columns(n)]
    for i in range(1, n + 1):
        assert out[f"step_{i}_body"] == text_to_html(texts[2 * i - 1])
        assert "\n" not in out[f"step_{i}_subject"]


def test_authored_copy_previews_per_row() -> None:
    steps = parse_steps(author_sequence(2))
    specs = scaffold_step_columns(2)
    bindings = {s.variable: s.name for s in specs}
    rows = [
        {"Step 1 Subject": "Hi Ada", "Step 1 Body": "Ada's copy", "Step 2 Body": "Bump"},
        {"Step 1 Subject": "Hi Bo", "Step 1 Body": "Bo's copy", "Step 2 Body": "Nudge"},
    ]
    first, second = preview(steps, bindings, rows)
    assert [e.body for e in first.steps] == ["Ada's copy", "Bump"]
    assert [e.body for e in second.steps] == ["Bo's copy", "Nudge"]
    assert first.blank == ("step_2_subject",)


# --- HTML --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "is_html"),
    [
        ("<p>Hi</p>", True),
        ("Hi<br>there", True),
        ("Hi<BR />there", True),
        ('<a href="https://x.test">x</a>', True),
        ("<div class='m'>x", True),
        ("a < b and c > d", False),
        ("I <3 this", False),
        ("Press <Enter>", False),
        ("<paragraph>", False),
        ("Tom &amp; Jerry", False),
    ],
)
def test_looks_like_html(text: str, is_html: bool) -> None:
    assert looks_like_html(text) is is_html


@given(st.text(max_size=80))
def test_plain_text_to_html_round_trips(text: str) -> None:
    out = text_to_html(text)
    if looks_like_html(text):
        assert out == text
        return
    assert "\n" not in out
    assert "\r" not in out
    assert out.replace("<br/>", "").count("<") == 0
    assert ">" not in out.replace("<br/>", "")
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    assert html.unescape(out.replace("<br/>", "\n")) == normalised


@given(template())
def test_html_conversion_keeps_variables(segments: list[Any]) -> None:
    text = render(segments)
    assert extract_variables(text_to_html(text)) == extract_variables(text)


def test_preview_row_is_a_value() -> None:
    row = PreviewRow(0, ())
    assert row.complete
    assert row == PreviewRow(0, ())


# --- no clock ----------------------------------------------------------------------------------


def test_no_system_clock() -> None:
    # Everything that was sequences.py: the package, schedules and time zones.
    domain = Path(__file__).parent.parent / "src/instantly_columns/domain"
    sources = [*sorted((domain / "sequences").glob("*.py")), domain / "schedules.py"]
    sources.append(domain / "timezones.py")
    assert len(sources) == 6
    clock_reads = {"now", "utcnow", "today", "time", "monotonic", "perf_counter"}
    calls: set[str] = set()
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        assert not clock_reads & found, path
        calls |= found
    assert calls
