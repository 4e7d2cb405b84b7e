"""Test-wide settings.

Hypothesis: no per-example deadline and no "too slow" health check, so that a
loaded CI machine changes how long the suite takes, never whether it passes.
Timing goals live in `make bench`, not in tests.
"""
from hypothesis import HealthCheck, settings

settings.register_profile("reader", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("reader")
