"""Operator commands to stations, in one vocabulary whatever a station's OCPP version.

The charger-facing edge translates each to its version's action and payload (``csms.ocpp_handlers``).
"""

from __future__ import annotations

COMMANDS = (
    "remote-start", "remote-stop", "reset", "unlock-connector", "change-availability", "get-configuration",
    "change-configuration", "get-variables", "set-variables", "get-base-report", "trigger-message",
    "clear-cache", "data-transfer",
    # security and certificates (issue 13)
    "get-log", "install-certificate", "delete-certificate", "get-installed-certificate-ids",
    "signed-update-firmware", "extended-trigger-message",
    # display messages, OCPP 2.0.1 block O (stored by csms.services.display_messages)
    "set-display-message", "get-display-messages", "clear-display-message",
)

ISSUED_IDS = {
    "remote-start": "remoteStartId", "get-base-report": "requestId",
    "get-log": "requestId", "signed-update-firmware": "requestId", "get-display-messages": "requestId",
}
"""Commands whose request carries an id the CSMS issues (2.0.1 wire name): the command service draws it from
the database into ``params["request_id"]`` so that it never repeats across nodes or restarts."""
