from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# A deadline is a timed assertion; machines here are shared and noisy.
settings.register_profile(
    "ci", deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _no_api_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client or service given no key reads `INSTANTLY_API_KEY`: no test may pick up a real
    key from the developer's shell and reach the network with it. Tests that need the
    variable set it themselves (`monkeypatch.setenv`)."""
    monkeypatch.delenv("INSTANTLY_API_KEY", raising=False)
