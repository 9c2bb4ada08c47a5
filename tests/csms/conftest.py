"""Fixtures for the CSMS tests live in tests/harness.py (shared with the end-to-end tests)."""

from tests.harness import Csms, Wire, csms, csms_settings, live_csms, make_settings  # noqa: F401
