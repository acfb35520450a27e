"""Test doubles for code that talks to Instantly: :class:`FakeInstantly` and :class:`FakeClock`.

``FakeInstantly`` is a stateful, in-memory Instantly API v2 workspace that answers like the
real API (see the "Testing with FakeInstantly" page); ``FakeClock`` is a clock that only moves
when told to. The ``fake_instantly`` pytest fixture (installed with the package) hands out a
fresh ``FakeInstantly`` per test. :func:`link_table` links a table to a campaign through the
wizard in one call, for tests about what comes after.
"""

from __future__ import annotations

from instantly_columns.testing._fake_engagement import AdvanceReport, EngagementRates
from instantly_columns.testing._fake_faults import FaultEvent, FaultKind, FaultRule, Faults
from instantly_columns.testing._fake_report import FakeReport, RequestRecord
from instantly_columns.testing._fake_webhooks import DeliveryResult, WebhookDelivery
from instantly_columns.testing.clock import FakeClock
from instantly_columns.testing.fake import BASE_URL, FakeInstantly, WebhookReceiver
from instantly_columns.testing.linking import link_table

__all__ = [
    "BASE_URL",
    "AdvanceReport",
    "DeliveryResult",
    "EngagementRates",
    "FakeClock",
    "FakeInstantly",
    "FakeReport",
    "FaultEvent",
    "FaultKind",
    "FaultRule",
    "Faults",
    "RequestRecord",
    "WebhookDelivery",
    "WebhookReceiver",
    "link_table",
]
