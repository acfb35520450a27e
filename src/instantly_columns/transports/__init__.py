"""Transports: how an `ApiRequest` reaches the Instantly API.

The HTTP transports live in `instantly_columns.transports.http`; tests use the fake's
transports from `instantly_columns.testing` instead.
"""

from __future__ import annotations

from instantly_columns.transports.http import AsyncHttpxTransport, HttpxTransport

__all__ = ["AsyncHttpxTransport", "HttpxTransport"]
