from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# A deadline is a timed assertion; machines here are shared and noisy.
settings.register_profile(
    "ci", deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
