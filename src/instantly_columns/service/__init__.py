"""The service layer: flows that drive Instantly from a lead table, and the two faces that run
them ([`InstantlyColumns`][instantly_columns.service.facade.InstantlyColumns], blocking, and
[`AsyncInstantlyColumns`][instantly_columns.service.facade.AsyncInstantlyColumns], awaited).

Above the API client and the engine, which sit above the pure domain.
"""

from __future__ import annotations

from instantly_columns.service.facade import AsyncInstantlyColumns, InstantlyColumns

__all__ = ["AsyncInstantlyColumns", "InstantlyColumns"]
