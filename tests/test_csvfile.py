"""Reading real exports: encodings, delimiters, and the header row below notes and titles."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from instantly_columns.csvfile import (
    DELIMITERS,
    decode,
    find_header_row,
    names_a_lead,
    parse_csv,
    read_csv,
    sniff_delimiter,
    table_columns_and_rows,
)
from instantly_columns.errors import ConfigError

EXPORTS = Path(__file__).parent / "data" / "exports"

# --- encodings ---------------------------------------------------------------------------

# Accented letters whose Windows-1252 bytes (0xC0-0xFF) can never continue a UTF-8 sequence.
FRENCH = "éèêàâçôûùïÉÈÀÇœ"
french_text = st.text(alphabet=st.sampled_from("abc XYZ;,.@-" + FRENCH), min_size=1)


@given(st.text())
def test_utf8_is_read_as_utf8_with_or_without_a_bom(text: str) -> None:
    assume(not text.startswith("\ufeff"))
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")


@given(french_text)
def test_windows_1252_is_read_when_the_bytes_are_not_utf8(text: str) -> None:
    assume(any(ch in FRENCH for ch in text))
    data = text.encode("cp1252")
    try:  # a few short Windows-1252 strings happen to be valid UTF-8 too ("Çœ" reads "ǜ")
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert decode(data) == (text, "cp1252")
    else:
        assert decode(data)[1] in ("utf-8", "utf-8-sig")


@given(st.binary())
def test_any_bytes_decode_and_the_named_codec_gives_them_back(data: bytes) -> None:
    text, codec = decode(data)
    assert codec in ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1")
    if codec == "latin-1":  # only when Windows-1252 cannot read them
        with pytest.raises(UnicodeDecodeError):
            data.decode("cp1252")
    if codec in ("utf-8", "cp1252", "latin-1"):
        assert text.encode(codec) == data


def test_utf16_with_a_bom_is_read() -> None:
    text = "Email\tVorname\nada@example.com\tAda\n"
    assert decode(text.encode("utf-16")) == (text, "utf-16")


# --- delimiters ---------------------------------------------------------------------------

cell = st.text(alphabet=st.sampled_from("abcdefgh XYZ0123456789@."), max_size=12)


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    width = draw(st.integers(2, 6))
    height = draw(st.integers(2, 12))
    return [draw(st.lists(cell, min_size=width, max_size=width)) for _ in range(height)]


def written(rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


@given(tables(), st.sampled_from(DELIMITERS))
def test_the_delimiter_a_table_was_written_with_is_found(
    rows: list[list[str]], delimiter: str
) -> None:
    text = written(rows, delimiter)
    # A table of empty cells written with ";" reads ";;" and with "," reads ",,": equally
    # good evidence for both, when the writer did not quote them apart.
    assume(any(cell for row in rows for cell in row) or '""' in text)
    assert sniff_delimiter(text) == delimiter


def test_a_delimiter_inside_quoted_cells_does_not_fool_the_sniffer() -> None:
    text = 'Name;Company;Email\n"Dupont, Jean";"Crème, SA";j@x.fr\n"Roy, Ana";"B, C";a@x.fr\n'
    assert sniff_delimiter(text) == ";"


# --- header row ---------------------------------------------------------------------------

HEADERS = ["Email", "First Name", "Last Name", "Company"]
preamble_line = st.lists(
    st.text(alphabet=st.sampled_from("Notes:Export generated on 2026 ."), max_size=40),
    min_size=0,
    max_size=3,
)


@st.composite
def exports(draw: st.DrawFn) -> tuple[list[list[str]], int]:
    """A lead table with a preamble of notes or title rows narrower than it."""
    extra = draw(st.lists(st.sampled_from(["Phone", "Industry", "Title", "Website"]), unique=True))
    header = HEADERS + extra
    body = [
        [f"lead{n}@example.com", f"First{n}", f"Last{n}", "Acme", *("x" for _ in extra)]
        for n in range(draw(st.integers(1, 20)))
    ]
    preamble = draw(st.lists(preamble_line, max_size=5))
    preamble = [row for row in preamble if len(row) != len(header)]
    return [*preamble, header, *body], len(preamble)


@given(exports())
def test_the_header_row_is_found_below_any_preamble(case: tuple[list[list[str]], int]) -> None:
    rows, expected = case
    assert find_header_row(rows) == expected


@given(exports(), st.integers(1, 4))
def test_blank_lines_above_the_header_only_shift_it(
    case: tuple[list[list[str]], int], blanks: int
) -> None:
    rows, expected = case
    blank: list[list[str]] = [[] for _ in range(blanks)]
    assert find_header_row(blank + rows) == expected + blanks


@given(exports())
def test_a_padded_preamble_as_wide_as_the_table_is_still_skipped(
    case: tuple[list[list[str]], int],
) -> None:
    rows, expected = case
    width = len(rows[expected])
    padded = [(row + [""] * width)[:width] if row else row for row in rows[:expected]]
    assert find_header_row(padded + rows[expected:]) == expected


def test_header_rows_name_a_lead_and_data_rows_do_not() -> None:
    assert names_a_lead(["Adresse e-mail", "Prénom"])
    assert names_a_lead(["Full Name", "Company"])
    assert not names_a_lead(["ada@example.com", "Ada"])
    assert not names_a_lead(["Notes:"])
    assert not names_a_lead(["Phone", "Industry"])


def test_without_any_plausible_header_the_first_consistent_wide_row_is_taken() -> None:
    rows = [["Export"], ["a", "b", "c"], ["1", "2", "3"], ["4", "5", "6"]]
    assert find_header_row(rows) == 1
    assert find_header_row([]) == 0


# --- whole files --------------------------------------------------------------------------


def test_a_windows_1252_french_export_with_semicolons() -> None:
    table = read_csv(EXPORTS / "french-cp1252.csv")
    assert (table.encoding_label, table.delimiter, table.header_line) == ("Windows-1252", ";", 1)
    assert table.headers[:4] == ("Prénom", "Nom", "Société", "Adresse e-mail")
    assert table.records()[0]["Société"] == "Crème & Cie"


def test_linkedin_connections_skip_the_notes() -> None:
    table = read_csv(EXPORTS / "Connections.csv")
    assert table.header_line == 4
    assert table.skipped_lines == 3
    assert table.headers[0] == "First Name"
    assert "Email Address" in table.headers
    assert len(table.rows) == 3
    assert table.records()[2]["Company"] == "Kernel, Inc."


def test_an_apollo_export_skips_its_title_line() -> None:
    table = read_csv(EXPORTS / "apollo-people.csv")
    assert (table.header_line, table.skipped_lines) == (2, 1)
    assert table.headers[4] == "Email"


def test_excel_sep_line_short_rows_and_long_rows() -> None:
    table = parse_csv("sep=|\r\nEmail|Name||\r\na@x.io|Ada\r\nb@x.io|Bo|extra|more\r\n")
    assert table.delimiter == "|"
    assert table.header_line == 2
    assert table.skipped_lines == 1
    assert table.headers == ("Email", "Name")
    assert table.rows == (("a@x.io", "Ada"), ("b@x.io", "Bo"))
    assert table.extra_fields == 1


def test_an_empty_file_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no rows"):
        parse_csv("\n\n")


def test_columns_and_rows_for_a_lead_table() -> None:
    table = parse_csv("Email,Name,Email\na@x.io,,dup@x.io\n")
    assert table.records() == [{"Email": "a@x.io", "Name": ""}]
    columns, rows = table_columns_and_rows(table)
    assert [(c.id, c.name) for c in columns] == [("c0", "Email"), ("c1", "Name"), ("c2", "Email")]
    assert rows[0].id == "r000001"
    assert rows[0].cells == {"c0": "a@x.io", "c2": "dup@x.io"}
