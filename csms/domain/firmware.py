"""Firmware update campaigns (OCPP block L): where each station stands, from what it answered and reported.

Pure. A station of a campaign is ``pending`` until it answers UpdateFirmware, ``refused`` when it did not
accept it (or could not be reached), ``in_progress`` while it reports download and installation steps, and
``installed`` or ``failed`` once it reports an end status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from enum import StrEnum


class Outcome(StrEnum):
    PENDING = "pending"
    REFUSED = "refused"
    IN_PROGRESS = "in_progress"
    INSTALLED = "installed"
    FAILED = "failed"


ACCEPTED_ANSWERS = frozenset({"Accepted", "AcceptedCanceled"})
FAILED_STATUSES = frozenset(
    {"DownloadFailed", "InstallationFailed", "InstallVerificationFailed", "InvalidSignature"}
)
"""FirmwareStatusNotification statuses (1.6 and 2.0.1) after which the station will not install the image."""


def outcome(answer: str | None, status: str | None) -> Outcome:
    """Where one station stands: its UpdateFirmware ``answer`` and last reported ``status``."""
    if answer is None:
        return Outcome.PENDING
    if answer not in ACCEPTED_ANSWERS:
        return Outcome.REFUSED
    if status == "Installed":
        return Outcome.INSTALLED
    if status in FAILED_STATUSES:
        return Outcome.FAILED
    return Outcome.IN_PROGRESS


def summary(outcomes: Iterable[Outcome]) -> dict[str, int]:
    """How many stations stand where, every outcome listed."""
    counts = Counter(outcomes)
    return {o.value: counts.get(o, 0) for o in Outcome}
