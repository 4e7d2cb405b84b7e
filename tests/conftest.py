"""Test-wide settings.

Hypothesis: no per-example deadline and no "too slow" health check, so that a
loaded CI machine changes how long the suite takes, never whether it passes.
Timing goals live in `make bench`, not in tests.
"""
import os

from hypothesis import HealthCheck, settings

# the annotator shown in the header (snapshots) and recorded by CLI/UI sessions: the same on every machine
os.environ["READER_ANNOTATOR"] = "tester"

settings.register_profile("reader", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("reader")

# a real PostgreSQL (pgserver) for the store tests: pg_server, pg_url, own_pg_server, store_location
from pg_fixtures import own_pg_server, pg_server, pg_url, store_location  # noqa: E402,F401
