"""End-to-end fixtures: the real server on real sockets (see tests/harness.py)."""

from tests.harness import Csms, csms_settings, live_csms  # noqa: F401
