"""``mapping`` and ``import``: lead exports, read as they come."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from instantly_columns.cli._app import app, db_option, handled, table_option
from instantly_columns.cli._output import Output
from instantly_columns.cli._session import Failure, open_store, shown
from instantly_columns.csvfile import CsvTable, read_csv, table_columns_and_rows
from instantly_columns.domain.mapping import FieldMapping, detect_field_mapping
from instantly_columns.errors import RecordNotFound
from instantly_columns.service.facade import InstantlyColumns

__all__ = ["import_command", "mapping_command", "mapping_report"]

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def read_export(path: str, samples: int) -> tuple[CsvTable, FieldMapping]:
    """The table and its detected mapping; a `Failure` when no column holds emails."""
    table = read_csv(path)
    mapping = detect_field_mapping(list(table.headers), table.records(samples) or None)
    if mapping.email is None:
        raise Failure(
            f"{path}: no column holds email addresses, and Instantly needs one per lead "
            f"(headers: {', '.join(table.headers)})",
            hint="add an email column to the export, or check that the right file was given",
        )
    return table, mapping


def file_facts(path: str, table: CsvTable) -> dict[str, Any]:
    return {
        "path": path,
        "encoding": table.encoding_label,
        "delimiter": table.delimiter,
        "header_line": table.header_line,
        "skipped_lines": table.skipped_lines,
        "rows": len(table.rows),
        "headers": list(table.headers),
    }


def describe_file(out: Output, path: str, table: CsvTable) -> None:
    skipped = (
        f", {table.skipped_lines} line{'s' * (table.skipped_lines != 1)} above it skipped"
        if table.skipped_lines
        else ""
    )
    delimiter = _DELIMITER_NAMES.get(table.delimiter, repr(table.delimiter))
    out.say(
        f"Read [bold]{escape(path)}[/]: {table.encoding_label}, {delimiter}-separated, "
        f"{len(table.rows)} rows; header on line {table.header_line}{skipped}."
    )
    if table.extra_fields:
        out.warn(f"{table.extra_fields} rows had more fields than the header; extras dropped")


def show_mapping(out: Output, mapping: FieldMapping) -> None:
    out.table(
        ["field", "column", "reason"],
        [(d.field or "—", d.header, d.reason) for d in mapping.decisions],
    )


def mapping_report(out: Output, path: str, samples: int) -> int:
    table, mapping = read_export(path, samples)
    out.data(
        {
            "file": file_facts(path, table),
            "mapping": mapping.to_dict(),
            "decisions": mapping.decisions,
        }
    )
    describe_file(out, path, table)
    show_mapping(out, mapping)
    return 0


@app.command("mapping")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--samples", default=100, show_default=True, help="Rows read for value sniffing.")
@handled
def mapping_command(out: Output, path: str, samples: int) -> int:
    """Show the field mapping detected for a CSV export (no database needed)."""
    return mapping_report(out, path, samples)


@app.command("import")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@table_option
@click.option("--name", default=None, help="The table's display name (default: the file's).")
@click.option(
    "--replace",
    is_flag=True,
    help="Replace a table of that name, with its rows and campaign links.",
)
@db_option
@handled
def import_command(
    out: Output, path: str, table: str, name: str | None, replace: bool, db: str
) -> int:
    """Import a CSV export (or an Excel sheet saved as CSV) into a lead table."""
    export, mapping = read_export(path, 100)
    columns, rows = table_columns_and_rows(export)
    store = open_store(db)
    try:
        try:
            existing = store.columns(table)
        except RecordNotFound:
            existing = None
        if existing is not None:
            if not replace:
                raise Failure(
                    f"table {table!r} already exists in {shown(db)}",
                    hint="pass --replace to replace it, or --table NAME for another table",
                )
            with InstantlyColumns(store) as service:
                for link in service.links(table):
                    service.delete_link(link.id, keep_step_columns=False)
            store.delete_table(table)
        store.create_table(table, name or click.format_filename(path, shorten=True))
        store.save_columns(table, columns)
        store.insert_rows(table, rows)
    finally:
        store.close()
    out.data(
        {
            "table": table,
            "rows": len(rows),
            "columns": [{"id": c.id, "name": c.name} for c in columns],
            "file": file_facts(path, export),
            "mapping": mapping.to_dict(),
        }
    )
    describe_file(out, path, export)
    show_mapping(out, mapping)
    out.say(
        f"Imported {len(rows)} rows and {len(columns)} columns into table "
        f"[bold]{escape(table)}[/] of {escape(shown(db))}. Next: [bold]instantly-columns link[/]"
    )
    return 0
