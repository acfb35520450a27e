"""Field mapping: which column of a lead table feeds which Instantly lead field.

[`detect_field_mapping`][instantly_columns.domain.mapping.detect_field_mapping] reads the column
headers of a host table (and, optionally, a few sample rows) and proposes a
[`FieldMapping`][instantly_columns.domain.mapping.FieldMapping]: one column per Instantly lead field
(`email`, `first_name`, `last_name`, `company_name`, `job_title`, `phone`, `website`,
`personalization`), an optional full-name column split into first and last name, and every
other column as a custom variable with a sanitized name.

How it works, in four steps:

1. **Normalize** each header: Unicode NFKC, BOMs, zero-width characters and NBSP removed,
   camelCase split, case folded, accents stripped, split into words; known compounds are
   joined (`E-Mail` -> `email`, `Linked In` -> `linkedin`) or split (`firstname` ->
   `first name`), and filler words (`de`, `la`, `the`, `your`...) dropped.
2. **Score** the words against an alias table (per lead field and language, each alias with a
   score) with qualifier words that adjust it (`personal` -0.10 for email, `company` -0.25 for
   phone...), negative words that rule a field out (`Email Status`, `Company LinkedIn URL`), and
   a veto on words naming the CRM user (`Owner Email`, `Sales Rep`).
3. **Sniff** sample values, when given: mostly valid emails make an email column whatever its
   name; phone-like and URL-like values help phone and website; values that contradict a header
   lower its score. Then across columns: addresses at the company's own domain (from the
   website column, or the row's majority work domain) are the work email, and a column of
   people's names is never the company, whatever the headers say.
4. **Assign** greedily, best score first, one column per field and one field per column; ties
   go to the field listed first in `LEAD_FIELDS`, then to the left-most column.

Nothing here does I/O; the package is pure and deterministic. Steps 1 and 2 live in
``_headers``, over the literal word and alias tables of ``_aliases``; step 3 in ``values`` and
``_evidence``, and step 4 in ``detection``. ``result`` holds the ``FieldMapping``, ``names``
the variable-name and full-name helpers, and ``fields`` the lead fields.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from instantly_columns.domain.mapping.fields import (
    FULL_NAME,
    LEAD_FIELDS,
    RESERVED_VARIABLE_NAMES,
    LeadField,
)

if TYPE_CHECKING:
    from instantly_columns.domain.mapping.detection import MIN_SCORE, detect_field_mapping
    from instantly_columns.domain.mapping.names import sanitize_variable_name, split_full_name
    from instantly_columns.domain.mapping.result import Decision, FieldMapping
    from instantly_columns.domain.mapping.values import normalize_email

# The detector and its alias tables load on first use: reading the lead fields (what a
# column's config checks) does not need them.
_LAZY: dict[str, str] = {
    "MIN_SCORE": "detection",
    "detect_field_mapping": "detection",
    "sanitize_variable_name": "names",
    "split_full_name": "names",
    "Decision": "result",
    "FieldMapping": "result",
    "normalize_email": "values",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "FULL_NAME",
    "LEAD_FIELDS",
    "MIN_SCORE",
    "RESERVED_VARIABLE_NAMES",
    "Decision",
    "FieldMapping",
    "LeadField",
    "detect_field_mapping",
    "normalize_email",
    "sanitize_variable_name",
    "split_full_name",
]
