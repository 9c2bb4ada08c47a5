"""OCPP 2.1: the 2.0.1 messages the CSMS handles, spoken over the ``ocpp2.1`` subprotocol.

For those messages 2.1 is a superset of 2.0.1 (checked schema by schema: no new required field, every
response the 2.0.1 handlers build is a valid 2.1 response, the 2.0.1 commands are valid 2.1 requests), so
this connection is the 2.0.1 one with the 2.1 schemas and two differences:

* Sampled values of measurands new in 2.1 (``Display.*``, ``EnergyRequest.*``, setpoints, offered and
  minimum limits...) are skipped: some have no base unit here (remaining times), which would fail the whole
  message, and none is used yet. Every 2.0.1 measurand is stored as before.
* OCPP-J 2.1 adds CALLRESULTERROR (5) and SEND (6), which are never answered: they are logged and dropped.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import on
from ocpp.v21.enums import Action
from ocpp.v21.enums import MeasurandEnumType as Measurand21
from ocpp.v201.enums import MeasurandEnumType as Measurand201

from csms.domain.metering import ENERGY_REGISTER
from csms.ocpp_handlers.v201 import V201Connection

log = logging.getLogger("csms.ocpp")

NEW_MEASURANDS = frozenset(m.value for m in Measurand21) - {m.value for m in Measurand201}
"""Measurands 2.1 added to 2.0.1; sampled values of these are skipped."""


def known_measurands(meter_value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The readings (as on the wire) without their sampled values of 2.1-only measurands.

    >>> sv = [{"value": 1}, {"value": 80, "measurand": "Display.PresentSOC"}]
    >>> known_measurands([{"timestamp": "t", "sampledValue": sv}])
    [{'timestamp': 't', 'sampledValue': [{'value': 1}]}]
    """

    def known(sv: dict[str, Any]) -> bool:
        return sv.get("measurand", ENERGY_REGISTER) not in NEW_MEASURANDS

    if all(known(sv) for r in meter_value for sv in r["sampledValue"]):
        return meter_value
    return [{**r, "sampledValue": [sv for sv in r["sampledValue"] if known(sv)]} for r in meter_value]


class V21Connection(V201Connection):
    """A 2.1 station: 2.0.1 handlers, error codes and commands, validated against the 2.1 schemas."""

    ocpp_version = "2.1"
    subprotocol = "ocpp2.1"

    unanswered_kinds = frozenset({5, 6})  # OCPP-J 2.1: CALLRESULTERROR and SEND get no answer

    def unanswered(self, frame: list[Any], raw_msg: str | bytes) -> None:
        if frame[0] == 5:  # the station could not process one of our CALLRESULTs
            log.warning("station=%s event=callresulterror frame=%.300s", self.id, raw_msg)
        else:  # SEND (NotifyPeriodicEventStream): no periodic event stream is ever opened by this CSMS
            log.info("station=%s event=send_ignored frame=%.120s", self.id, raw_msg)

    @on(Action.transaction_event)
    async def on_transaction_event(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("meterValue"):
            p = {**p, "meterValue": known_measurands(p["meterValue"])}
        return await super().on_transaction_event(p)

    @on(Action.meter_values)
    async def on_meter_values(self, p: dict[str, Any]) -> dict[str, Any]:
        return await super().on_meter_values({**p, "meterValue": known_measurands(p["meterValue"])})
