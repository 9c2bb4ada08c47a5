"""Variable monitors of OCPP 2.0.1 stations (block N), pure: what the station's answers and reports mean.

A monitor watches one variable of one component (a threshold, a delta or a periodic report) and has an id
the station gives it. The CSMS keeps each station's monitors as :class:`Monitor` records:

* :func:`accepted_monitors` pairs a SetVariableMonitoring request with the station's answer: every result
  ``Accepted`` is a monitor (with the id the station gave it and the value that was asked);
* :func:`reported_monitors` reads the monitors of a NotifyMonitoringReport;
* :func:`in_scope` says whether a stored monitor is one a GetMonitoringReport with these criteria and
  component/variables would report, so that the report replaces exactly those.

>>> request = [{"value": 250.0, "type": "UpperThreshold", "severity": 4,
...             "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}}]
>>> answer = [{"id": 7, "status": "Accepted", "type": "UpperThreshold", "severity": 4,
...            "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}}]
>>> [(m.monitor_id, m.component, m.evse_id, m.variable, m.value) for m in accepted_monitors(request, answer)]
[(7, 'EVSE', 1, 'Power', 250.0)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MONITOR_TYPES = ("UpperThreshold", "LowerThreshold", "Delta", "Periodic", "PeriodicClockAligned")

CRITERIA_TYPES: Mapping[str, frozenset[str]] = {
    "ThresholdMonitoring": frozenset({"UpperThreshold", "LowerThreshold"}),
    "DeltaMonitoring": frozenset({"Delta"}),
    "PeriodicMonitoring": frozenset({"Periodic", "PeriodicClockAligned"}),
}
"""GetMonitoringReport ``monitoringCriteria`` -> the monitor types each selects."""


@dataclass(frozen=True)
class Monitor:
    """One monitor as the CSMS keeps it (``component``/``variable`` are names, as on the wire)."""

    monitor_id: int
    component: str
    component_instance: str | None
    evse_id: int | None
    connector_id: int | None
    variable: str
    variable_instance: str | None
    type: str
    value: float
    severity: int
    transaction: bool


def _component(c: Mapping[str, Any]) -> tuple[str, str | None, int | None, int | None]:
    evse = c.get("evse") or {}
    return str(c["name"]), c.get("instance"), evse.get("id"), evse.get("connectorId")


def _variable(v: Mapping[str, Any]) -> tuple[str, str | None]:
    return str(v["name"]), v.get("instance")


def _key(item: Mapping[str, Any]) -> tuple[Any, ...]:
    return (*_component(item["component"]), *_variable(item["variable"]), item.get("type"))


def accepted_monitors(
    request: Sequence[Mapping[str, Any]], results: Sequence[Mapping[str, Any]]
) -> list[Monitor]:
    """The monitors a SetVariableMonitoring set: each Accepted result (its id is the station's) with the
    value and transaction flag of the request item it answers.

    Results are matched to request items by component, variable and type, in order (a station answers in
    the request's order, but the spec does not promise it); the severity is the result's, else the
    request's. An Accepted result without an id, or answering no item, is left out (nothing to store).
    """
    unused = list(request)
    out = []
    for result in results:
        key = _key(result)
        match = next((i for i, item in enumerate(unused) if _key(item) == key), None)
        if match is None:
            continue
        if result.get("status") != "Accepted" or result.get("id") is None:
            unused.pop(match)
            continue
        item = unused.pop(match)
        component, instance, evse_id, connector_id = _component(result["component"])
        variable, variable_instance = _variable(result["variable"])
        severity = result.get("severity", item.get("severity"))
        out.append(Monitor(
            int(result["id"]), component, instance, evse_id, connector_id, variable, variable_instance,
            str(result["type"]), float(item["value"]), int(severity if severity is not None else 0),
            bool(item.get("transaction", False)),
        ))  # fmt: skip
    return out


def reported_monitors(monitor_data: Iterable[Mapping[str, Any]]) -> list[Monitor]:
    """The monitors of a NotifyMonitoringReport's ``monitor`` list (each variable's ``variableMonitoring``).

    >>> data = [{"component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
    ...          "variable": {"name": "Temperature"},
    ...          "variableMonitoring": [{"id": 3, "transaction": False, "value": 80, "type": "UpperThreshold",
    ...                                  "severity": 2}]}]
    >>> [(m.monitor_id, m.connector_id, m.value, m.severity) for m in reported_monitors(data)]
    [(3, 1, 80.0, 2)]
    """
    out = []
    for entry in monitor_data:
        component, instance, evse_id, connector_id = _component(entry["component"])
        variable, variable_instance = _variable(entry["variable"])
        for m in entry.get("variableMonitoring") or ():
            out.append(Monitor(
                int(m["id"]), component, instance, evse_id, connector_id, variable, variable_instance,
                str(m["type"]), float(m["value"]), int(m["severity"]), bool(m.get("transaction", False)),
            ))  # fmt: skip
    return out


def in_scope(
    monitor: Monitor, criteria: Sequence[str] | None, component_variables: Sequence[Mapping[str, Any]] | None
) -> bool:
    """Whether a GetMonitoringReport with ``monitoringCriteria`` and ``componentVariable`` reports
    ``monitor`` (both omitted: every monitor). A component without a variable selects all its variables;
    a component or variable without an instance (or an EVSE) selects every instance.

    >>> m = Monitor(1, "EVSE", None, 2, None, "Power", None, "Delta", 5.0, 7, False)
    >>> in_scope(m, ["ThresholdMonitoring"], None)
    False
    >>> in_scope(m, ["DeltaMonitoring"], [{"component": {"name": "EVSE"}}])
    True
    >>> in_scope(m, None, [{"component": {"name": "EVSE", "evse": {"id": 1}}}])
    False
    """
    if criteria:
        types = frozenset().union(*(CRITERIA_TYPES.get(c, frozenset()) for c in criteria))
        if monitor.type not in types:
            return False
    if not component_variables:
        return True
    return any(_selects(cv, monitor) for cv in component_variables)


def _selects(cv: Mapping[str, Any], m: Monitor) -> bool:
    c = cv.get("component") or {}
    if c.get("name") != m.component:
        return False
    if c.get("instance") is not None and c["instance"] != m.component_instance:
        return False
    evse = c.get("evse")
    if evse is not None:
        if evse.get("id") != m.evse_id:
            return False
        if evse.get("connectorId") is not None and evse["connectorId"] != m.connector_id:
            return False
    v = cv.get("variable")
    if v is None:
        return True
    if v.get("name") != m.variable:
        return False
    return v.get("instance") is None or v["instance"] == m.variable_instance


def cleared_ids(results: Iterable[Mapping[str, Any]]) -> list[int]:
    """Ids a ClearVariableMonitoring answer says are gone: Accepted, and NotFound (the station has no such
    monitor, so neither should the CSMS's copy). Rejected ones (hard-wired monitors) stay.

    >>> cleared_ids([{"id": 1, "status": "Accepted"}, {"id": 2, "status": "Rejected"},
    ...              {"id": 3, "status": "NotFound"}])
    [1, 3]
    """
    return [int(r["id"]) for r in results if r.get("status") in ("Accepted", "NotFound")]
