"""Hypothesis settings for the quality tests: modest example counts (2 shared cores)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "quality", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
