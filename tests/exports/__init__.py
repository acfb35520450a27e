"""Header sets of real exports (CRMs, sales tools, address books, forms, shops) with invented
sample rows, for the field-mapping detector's tests."""

from __future__ import annotations

from exports.headers import CORE_FIELDS, CORPUS, SEVEN_LANGUAGES, ExportSet
from exports.samples import sample_rows

__all__ = ["CORE_FIELDS", "CORPUS", "SEVEN_LANGUAGES", "ExportSet", "sample_rows"]
