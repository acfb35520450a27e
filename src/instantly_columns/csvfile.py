"""Reading lead exports: CSV files the way spreadsheets and CRMs write them.

[`read_csv`][instantly_columns.csvfile.read_csv] opens a file the way a person would:

- **Encoding**: a UTF-16 or UTF-8 byte-order mark decides; otherwise strict UTF-8, then
  Windows-1252 (Excel on a Western Windows), then Latin-1, which never fails. The table says
  which one was used (`encoding`, `encoding_label`).
- **Delimiter**: an Excel ``sep=;`` first line decides; otherwise, of comma, semicolon, tab and
  pipe, the one that splits the most rows into the same number of fields (more than one).
- **Header row**: exports often start with notes or a title (LinkedIn's ``Connections.csv``,
  some Apollo exports). The header is the first row that has as many fields as most rows
  below it and names an email or a name column (see
  [`find_header_row`][instantly_columns.csvfile.find_header_row]); the lines above it are
  skipped.

The decoding, sniffing and header finding are pure functions over text; only `read_csv`
touches the file system.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import attrs

from instantly_columns.domain.columns import Column, Row
from instantly_columns.domain.mapping import detect_field_mapping
from instantly_columns.errors import ConfigError

__all__ = [
    "DELIMITERS",
    "ENCODING_LABELS",
    "CsvTable",
    "decode",
    "find_header_row",
    "names_a_lead",
    "parse_csv",
    "read_csv",
    "sniff_delimiter",
    "table_columns_and_rows",
]

#: The delimiters sniffed, in order of preference on a tie.
DELIMITERS = (",", ";", "\t", "|")
#: How each codec `decode` may pick is shown to a person.
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
}
_SNIFF_LINES = 100  # physical lines read to pick the delimiter
_HEADER_SCAN = 50  # rows considered as the header row, and rows below it compared with it
_SEP_LINE = re.compile(r"^sep=(.)\r?$")
_EMAIL_VALUE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LEAD_FIELDS = ("email", "first_name", "last_name", "full_name")


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the codec that read it (a key of `ENCODING_LABELS`)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            data = data[len(codecs.BOM_UTF8) :]
    for codec in ("utf-8", "cp1252"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _records(text: str, delimiter: str) -> list[tuple[list[str], int]]:
    """Each record with the physical line it ends on (1-based)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(row, reader.line_num) for row in reader]


def _blank(row: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _modal_width(rows: Iterable[Sequence[str]]) -> int | None:
    """The most common field count of the non-blank rows (the wider one on a tie)."""
    counts = Counter(len(row) for row in rows if not _blank(row))
    if not counts:
        return None
    return max(counts, key=lambda width: (counts[width], width))


def sniff_delimiter(text: str) -> str:
    """The delimiter of DELIMITERS that splits the most rows of ``text`` into the same number
    of fields; a comma when none splits anything."""
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [row for row, _ in _records(sample, delimiter)]
        except csv.Error:
            continue
        width = _modal_width(rows)
        if width is None or width < 2:
            continue
        score = (sum(1 for row in rows if len(row) == width), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def lead_fields_named(cells: Sequence[str]) -> int:
    """How many of a lead's fields (email, names, company...) a row names as headers, in
    any of the languages field mapping knows; 0 for a row holding an email address."""
    if any(_EMAIL_VALUE.match(cell.strip()) for cell in cells):
        return 0
    mapping = detect_field_mapping([cell for cell in cells if cell.strip()])
    return sum(1 for field in _LEAD_FIELDS if getattr(mapping, field) is not None)


def names_a_lead(cells: Sequence[str]) -> bool:
    """Whether a row reads as a lead table's header: it names an email or a name column
    (in any of the languages field mapping knows) and holds no email address itself."""
    return lead_fields_named(cells) > 0


def find_header_row(
    rows: Sequence[Sequence[str]],
    looks_like_header: Callable[[Sequence[str]], bool] = names_a_lead,
) -> int:
    """The index of the header row among ``rows``.

    A row is *consistent* when it has as many fields as most non-blank rows below it (or is
    the last non-blank row). The header is the consistent row that names the most lead fields
    (with a custom ``looks_like_header``: the first consistent row that passes it); failing
    that, the first consistent row with more than one field; failing that, the first
    non-blank row (0 for no rows). Only the first rows are candidates.
    """
    candidates = [i for i, row in enumerate(rows[:_HEADER_SCAN]) if not _blank(row)]
    consistent = []
    for i in candidates:
        below = _modal_width(rows[i + 1 : i + 1 + _HEADER_SCAN])
        if below is None or below == len(rows[i]):
            consistent.append(i)
    if looks_like_header is names_a_lead:
        # The row naming the most lead fields: a note above the table that happens to hold
        # one header word ("Ad" is a Turkish first-name header) loses to the real header.
        scores = [(lead_fields_named(rows[i]), -i) for i in consistent]
        if scores and max(scores)[0] > 0:
            return -max(scores)[1]
    else:
        for i in consistent:
            if looks_like_header(rows[i]):
                return i
    wide = [i for i in consistent if len(rows[i]) > 1]
    if wide:
        return wide[0]
    return candidates[0] if candidates else 0


@attrs.frozen
class CsvTable:
    """A lead export as read: headers, the rows below them, and how the file was read."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    """Each as long as ``headers``: short rows padded with ``""``, extra fields dropped."""
    encoding: str
    """The codec that decoded the file: a key of `ENCODING_LABELS`."""
    delimiter: str
    header_line: int
    """The physical line of the header row, 1-based."""
    skipped_lines: int = 0
    """Lines above the header row (notes, a title, blank lines, a ``sep=`` line)."""
    extra_fields: int = 0
    """Rows that had more fields than the header (the extra ones are dropped)."""

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    def records(self, limit: int | None = None) -> list[dict[str, str]]:
        """The first ``limit`` rows (all by default) as ``{header: value}``; a repeated header
        keeps its first column's value."""
        out = []
        for row in self.rows[:limit]:
            record: dict[str, str] = {}
            for header, value in zip(self.headers, row, strict=True):
                record.setdefault(header, value)
            out.append(record)
        return out


def parse_csv(text: str, encoding: str = "utf-8") -> CsvTable:
    """Parse decoded text into a `CsvTable` (see the module docs for the rules)."""
    lines = text.splitlines()
    sep = _SEP_LINE.match(lines[0]) if lines else None
    offset = 0
    if sep is not None:
        delimiter = sep.group(1)
        offset = 1
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = sniff_delimiter(text)
    try:
        parsed = _records(text, delimiter)
    except csv.Error as exc:
        raise ConfigError(f"not a readable CSV file: {exc}") from None
    rows = [row for row, _ in parsed]
    if all(_blank(row) for row in rows):
        raise ConfigError("the file has no rows")
    index = find_header_row(rows)
    headers = list(rows[index])
    while len(headers) > 1 and not headers[-1].strip():
        headers.pop()  # Excel pads rows with empty trailing fields
    width = len(headers)
    body = [row for row in rows[index + 1 :] if not _blank(row)]
    extra = sum(1 for row in body if len(row) > width and not _blank(row[width:]))
    first_line = parsed[index - 1][1] + 1 if index else 1
    return CsvTable(
        headers=tuple(headers),
        rows=tuple(tuple((row + [""] * width)[:width]) for row in body),
        encoding=encoding,
        delimiter=delimiter,
        header_line=first_line + offset,
        skipped_lines=first_line + offset - 1,
        extra_fields=extra,
    )


def read_csv(path: str | os.PathLike[str]) -> CsvTable:
    """Read a CSV export (or an Excel sheet saved as CSV or "Unicode Text").

    Raises ``OSError`` when the file cannot be read, and
    [`ConfigError`][instantly_columns.errors.ConfigError] when it holds no rows.
    """
    with open(path, "rb") as handle:
        data = handle.read()
    text, encoding = decode(data)
    return parse_csv(text, encoding)


def table_columns_and_rows(table: CsvTable) -> tuple[list[Column], list[Row]]:
    """The columns (ids ``c0``, ``c1``..., named by the headers) and rows (ids ``r000001``...)
    of a lead table holding ``table``; empty fields become missing cells."""
    columns = [Column(id=f"c{i}", key=f"c{i}", name=h) for i, h in enumerate(table.headers)]
    rows = [
        Row(
            id=f"r{n:06d}",
            cells={f"c{i}": value for i, value in enumerate(row) if value != ""},
        )
        for n, row in enumerate(table.rows, 1)
    ]
    return columns, rows
