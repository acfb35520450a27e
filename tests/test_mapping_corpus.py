"""The detector against the corpus of real export header sets (``tests/exports``).

Every set must map as expected from its headers alone and with invented sample rows; the
summary test prints the per-field accuracy. Property tests check what must hold whatever the
order of the columns, the extra describing columns or the headers over the values.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exports import CORE_FIELDS, CORPUS, SEVEN_LANGUAGES, ExportSet, sample_rows
from instantly_columns.domain.mapping import (
    FULL_NAME,
    LEAD_FIELDS,
    FieldMapping,
    detect_field_mapping,
)

ALL_FIELDS = (*LEAD_FIELDS, FULL_NAME)
IDS = [e.name for e in CORPUS]
OUTSIDE = [e for e in CORPUS if e.lang not in SEVEN_LANGUAGES]


def standard(mapping: FieldMapping) -> dict[str, str | None]:
    return {field: getattr(mapping, field) for field in ALL_FIELDS}


def test_the_corpus() -> None:
    assert len(CORPUS) >= 60
    assert len(set(IDS)) == len(IDS)
    assert len({e.tool for e in CORPUS}) >= 30
    languages = Counter(e.lang for e in CORPUS)
    assert set(languages) >= SEVEN_LANGUAGES
    assert {"pl", "sv", "da", "no", "fi", "cs", "tr", "ja", "zh", "ru"} <= set(languages)
    for export in CORPUS:
        assert set(export.expect) == set(ALL_FIELDS), export.name
        assert all(h.strip() for h in export.headers), export.name


@pytest.mark.parametrize("export", CORPUS, ids=IDS)
def test_headers_alone(export: ExportSet) -> None:
    mapping = detect_field_mapping(list(export.headers))
    assert standard(mapping) == export.expect


@pytest.mark.parametrize("export", CORPUS, ids=IDS)
def test_with_sample_rows(export: ExportSet) -> None:
    mapping = detect_field_mapping(list(export.headers), sample_rows(export))
    assert standard(mapping) == export.expect_sampled


def opaque(export: ExportSet) -> tuple[list[str], list[dict[str, object]]]:
    """The same table with headers that say nothing ("Column 1"...)."""
    names = {h: f"Column {i + 1}" for i, h in enumerate(export.headers)}
    rows = [{names[h]: v for h, v in row.items()} for row in sample_rows(export)]
    return list(names.values()), rows


@pytest.mark.parametrize("export", OUTSIDE, ids=[e.name for e in OUTSIDE])
def test_values_find_the_email_outside_the_seven_languages(export: ExportSet) -> None:
    expected = export.expect_sampled["email"]
    assert expected is not None
    assert detect_field_mapping(list(export.headers), sample_rows(export)).email == expected
    headers, rows = opaque(export)
    mapping = detect_field_mapping(headers, rows)
    assert mapping.email == f"Column {export.headers.index(expected) + 1}"
    assert "samples are emails" in mapping.decisions[export.headers.index(expected)].reason


@pytest.mark.parametrize("export", CORPUS, ids=IDS)
def test_values_alone_find_the_work_email(export: ExportSet) -> None:
    expected = export.expect_sampled["email"]
    headers, rows = opaque(export)
    found = detect_field_mapping(headers, rows).email
    if expected is None:
        assert found is None or all(
            "@" not in str(row[found]) or "seller" in str(row[found]) for row in rows
        )
    else:
        assert found == f"Column {export.headers.index(expected) + 1}"


def accuracy(sampled: bool) -> dict[str, float]:
    right: Counter[str] = Counter()
    for export in CORPUS:
        rows = sample_rows(export) if sampled else None
        mapping = detect_field_mapping(list(export.headers), rows)
        expected = export.expect_sampled if sampled else export.expect
        for field in ALL_FIELDS:
            right[field] += getattr(mapping, field) == expected[field]
    return {field: right[field] / len(CORPUS) for field in ALL_FIELDS}


def test_accuracy_on_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    headers_only, sampled = accuracy(sampled=False), accuracy(sampled=True)
    with capsys.disabled():
        print(f"\nfield-mapping accuracy on {len(CORPUS)} export header sets")
        print(f"{'field':<16}{'headers':>9}{'+ samples':>11}")
        for field in ALL_FIELDS:
            print(f"{field:<16}{headers_only[field]:>9.1%}{sampled[field]:>11.1%}")
    for result in (headers_only, sampled):
        assert result["email"] == 1.0
        core = [result[field] for field in CORE_FIELDS[1:]]
        assert sum(core) / len(core) >= 0.95
        assert min(core) >= 0.95


# --- properties over the corpus ---------------------------------------------------------------

exports = st.sampled_from(CORPUS)


@given(exports, st.randoms(use_true_random=False), st.booleans())
def test_column_order_never_changes_the_mapping(
    export: ExportSet, rnd: random.Random, with_rows: bool
) -> None:
    headers = list(export.headers)
    rnd.shuffle(headers)
    rows = sample_rows(export) if with_rows else None
    expected = export.expect_sampled if with_rows else export.expect
    assert standard(detect_field_mapping(headers, rows)) == expected


DESCRIBERS = (
    "Status",
    "Type",
    "Label",
    "Source",
    "Date",
    "Score",
    "Flag",
    "Kind",
    "Count",
    "Typ",
    "Tipo",
    "Statut",
    "Estado",
    "Stato",
)
DESCRIBER_VALUES = ("valid", "Work", "mobile", "yes", "Verified", "primary", "2024-03-01", "87")
FORMS = ("{h} {d}", "{h} - {d}", "{h}_{d}", "{d} {h}", "{d}: {h}", "{h} ({d})")


@given(exports, st.data())
def test_a_column_describing_a_field_never_steals_it(
    export: ExportSet, data: st.DataObject
) -> None:
    with_rows = data.draw(st.booleans(), "with rows")
    expected = export.expect_sampled if with_rows else export.expect
    described = data.draw(st.sampled_from([h for h in expected.values() if h is not None]))
    describer = data.draw(st.sampled_from(DESCRIBERS), "describer")
    extra = data.draw(st.sampled_from(FORMS), "form").format(h=described.strip(), d=describer)
    if extra in export.headers:
        return
    headers = list(export.headers)
    headers.insert(data.draw(st.integers(0, len(headers)), "position"), extra)
    rows = None
    if with_rows:
        value = data.draw(st.sampled_from(DESCRIBER_VALUES), "value")
        rows = [{**row, extra: value} for row in sample_rows(export)]
    mapping = detect_field_mapping(headers, rows)
    assert standard(mapping) == expected
    assert str(mapping.field_of(extra)).startswith("custom_variables."), extra


MISLEADING = (
    "Notes",
    "Secondary Email",
    "Personal Email",
    "Other Email",
    "Email 2",
    "Alt. Email",
    "Private E-mail",
    "E-Mail privat",
    "Column 7",
    "Contact",
)


def at_company_domain(value: object) -> bool:
    """Whether `value` is an invented work address (``samples.Person``), not the seller's."""
    text = str(value)
    return "@" in text and ".example." in text and "seller.example" not in text


def work_email_column(export: ExportSet) -> str | None:
    """The set's email column when its sample values are work addresses."""
    header = export.expect_sampled["email"]
    rows = sample_rows(export)
    if header is None or not all(at_company_domain(row[header]) for row in rows):
        return None
    return header


with_work_email = [e for e in CORPUS if work_email_column(e) is not None]


@given(st.sampled_from(with_work_email), st.sampled_from(MISLEADING))
def test_values_at_the_company_domain_beat_a_misleading_header(
    export: ExportSet, misleading: str
) -> None:
    work = work_email_column(export)
    assert work is not None
    if misleading in export.headers:
        return
    renamed = [misleading if h == work else h for h in export.headers]
    rows = [
        {misleading if h == work else h: v for h, v in row.items()} for row in sample_rows(export)
    ]
    rival = "Email" not in renamed
    if rival:  # a column the header alone prefers, of the same people's personal addresses
        renamed.insert(0, "Email")
        rows = [
            {**row, "Email": str(row[misleading]).split("@")[0] + ".home@gmail.com"} for row in rows
        ]
    mapping = detect_field_mapping(renamed, rows)
    chosen = mapping.email
    assert chosen is not None
    assert all(at_company_domain(row[chosen]) for row in rows)
    if rival:
        assert chosen == misleading
        reason = mapping.decisions[renamed.index(chosen)].reason
        assert "at the company's own domain" in reason


with_company = [
    e for e in CORPUS if e.expect_sampled["company_name"] is not None and e.lang not in {"ja", "zh"}
]


@given(st.sampled_from(with_company), st.booleans())
def test_a_column_of_peoples_names_is_never_the_company(export: ExportSet, own: bool) -> None:
    company = export.expect_sampled["company_name"]
    assert company is not None
    first, last = export.expect_sampled["first_name"], export.expect_sampled["last_name"]
    rows = sample_rows(export)
    reps = ("Sam Rivera", "Anna Kowalska", "Peter Lindqvist", "Maria Nowak")
    for i, row in enumerate(rows):
        if own and first is not None and last is not None:
            row[company] = f"{row[first]} {row[last]}"
        else:
            row[company] = reps[i % len(reps)]
    mapping = detect_field_mapping(list(export.headers), rows)
    assert mapping.company_name != company
    assert "look like people's names" in mapping.decisions[export.headers.index(company)].reason
