"""OCPP 2.0.1 monitoring and customer information (block N): NotifyMonitoringReport (N02) and
NotifyCustomerInformation (N09/N10); the shapes of SetVariableMonitoring (N04), ClearVariableMonitoring
(N06), SetMonitoringBase (N03), SetMonitoringLevel (N05), GetMonitoringReport (N02) and CustomerInformation.

What the answers and reports change is ``csms.services.monitoring``'s and
``csms.services.customer_information``'s.
SetVariableMonitoring and ClearVariableMonitoring go out split to the station's ItemsPerMessage /
BytesPerMessage (N18, :class:`~csms.ocpp_handlers.v201_tariff.V201MessageSplitting`).
"""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v201.enums import Action

from csms.ocpp_handlers.commands import Translator, need, optional


class V201Monitoring:
    """Mixin of :class:`~csms.ocpp_handlers.v201.V201Connection`."""

    id: str
    services: Any
    translators: dict[str, Translator] = {}
    """This block's commands (``COMMANDS``), for the connection's ``commands``."""

    @on(Action.notify_monitoring_report)
    async def on_notify_monitoring_report(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.monitoring.report(self.id, p)
        return {}

    @on(Action.notify_customer_information)
    async def on_notify_customer_information(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.customer_information.notify(self.id, p)
        return {}


COMMANDS: dict[str, Translator] = {
    "set-variable-monitoring": lambda p: (
        "SetVariableMonitoring", {"setMonitoringData": need(p, "monitors")}
    ),
    "clear-variable-monitoring": lambda p: ("ClearVariableMonitoring", {"id": need(p, "ids")}),
    "set-monitoring-base": lambda p: ("SetMonitoringBase", {"monitoringBase": need(p, "base")}),
    "set-monitoring-level": lambda p: ("SetMonitoringLevel", {"severity": need(p, "severity")}),
    "get-monitoring-report": lambda p: (
        "GetMonitoringReport",
        optional(
            requestId=need(p, "request_id"),
            monitoringCriteria=p.get("criteria") or None,
            componentVariable=p.get("component_variables") or None,
        ),
    ),
    "customer-information": lambda p: (
        "CustomerInformation",
        {"requestId": need(p, "request_id"), "report": need(p, "report"), "clear": need(p, "clear"),
         **need(p, "subject")},
    ),  # fmt: skip
}
"""Commands the monitoring and customer-information services send (not operator commands of
``csms.domain.commands``: those services store what the answers change)."""

V201Monitoring.translators = COMMANDS
