"""A station's variable monitors (OCPP 2.0.1 block N) and customer information requests (N09/N10)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from csms.api.deps import DB_INT_MAX, Operator, Reader, RowId, ServicesDep

router = APIRouter(prefix="/api/v1/stations/{station_id}", tags=["monitoring"])

MonitorType = Literal["UpperThreshold", "LowerThreshold", "Delta", "Periodic", "PeriodicClockAligned"]
Criterion = Literal["ThresholdMonitoring", "DeltaMonitoring", "PeriodicMonitoring"]
IdTokenType = Literal[
    "Central", "eMAID", "ISO14443", "ISO15693", "KeyCode", "Local", "MacAddress", "NoAuthorization"
]


class EvseRef(BaseModel):
    id: int = Field(ge=0, le=DB_INT_MAX)
    connector_id: int | None = Field(default=None, ge=0, le=DB_INT_MAX)


class ComponentRef(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    instance: str | None = Field(default=None, max_length=50)
    evse: EvseRef | None = None

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.instance is not None:
            out["instance"] = self.instance
        if self.evse is not None:
            out["evse"] = {"id": self.evse.id}
            if self.evse.connector_id is not None:
                out["evse"]["connectorId"] = self.evse.connector_id
        return out


class VariableRef(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    instance: str | None = Field(default=None, max_length=50)

    def wire(self) -> dict[str, Any]:
        return {"name": self.name, **({"instance": self.instance} if self.instance is not None else {})}


class MonitorIn(BaseModel):
    """One SetMonitoringData: a monitor to add, or (with ``id``) to replace."""

    component: ComponentRef
    variable: VariableRef
    type: MonitorType
    value: float = Field(allow_inf_nan=False)
    """Threshold, delta, or interval [s] of a periodic monitor."""
    severity: int = Field(ge=0, le=9)
    """0 danger .. 9 debug."""
    transaction: bool = False
    """Active only during a transaction."""
    id: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    """The id of a monitor of the station to replace."""

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "value": self.value, "type": self.type, "severity": self.severity,
            "transaction": self.transaction, "component": self.component.wire(),
            "variable": self.variable.wire(),
        }  # fmt: skip
        if self.id is not None:
            out["id"] = self.id
        return out


class SetMonitors(BaseModel):
    monitors: list[MonitorIn] = Field(min_length=1, max_length=500)


class ClearMonitors(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=500)


class ComponentVariableIn(BaseModel):
    component: ComponentRef
    variable: VariableRef | None = None
    """Omitted: every variable of the component."""

    def wire(self) -> dict[str, Any]:
        out = {"component": self.component.wire()}
        if self.variable is not None:
            out["variable"] = self.variable.wire()
        return out


class ReportIn(BaseModel):
    """GetMonitoringReport criteria; every one omitted: every monitor of the station."""

    criteria: list[Criterion] | None = Field(default=None, min_length=1, max_length=3)
    component_variables: list[ComponentVariableIn] | None = Field(default=None, min_length=1, max_length=500)


class BaseIn(BaseModel):
    base: Literal["All", "FactoryDefault", "HardWiredOnly"]
    report: bool = True
    """Once Accepted, ask the station for its monitors (GetMonitoringReport of everything)."""


class LevelIn(BaseModel):
    severity: int = Field(ge=0, le=9)


class MonitorPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
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
    source: str
    """``set`` (Accepted in a SetVariableMonitoring answer) or ``report`` (NotifyMonitoringReport)."""
    request_id: int | None
    updated_at: datetime


class MonitoringRequestPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    request_id: int
    criteria: list[str] | None
    component_variables: list[dict[str, Any]] | None
    status: str
    reports: int
    requested_at: datetime
    completed_at: datetime | None


class MonitorsPublic(BaseModel):
    monitors: list[MonitorPublic]
    base: str | None
    """The monitoring base the station last accepted (None: never set through the CSMS)."""
    level: int | None
    """The monitoring level (severity) the station last accepted."""
    requests: list[MonitoringRequestPublic]
    """The latest GetMonitoringReport requests (20 at most)."""


class MonitoringReportPublic(BaseModel):
    request: MonitoringRequestPublic
    monitors: list[MonitorPublic]


class ResultsPublic(BaseModel):
    results: list[dict[str, Any]]
    """The station's set/clearMonitoringResult, as on the wire (merged when the request was split)."""


class StatusPublic(BaseModel):
    status: str


class BasePublic(BaseModel):
    status: str
    report: MonitoringRequestPublic | None


@router.get("/monitors")
async def monitors(station_id: str, services: ServicesDep, _: Reader) -> MonitorsPublic:
    view = await services.monitoring.view(station_id)
    return MonitorsPublic(
        monitors=[MonitorPublic.model_validate(m) for m in view.monitors],
        base=view.settings.base if view.settings else None,
        level=view.settings.level if view.settings else None,
        requests=[MonitoringRequestPublic.model_validate(r) for r in view.requests],
    )


@router.post("/monitors")
async def set_monitors(
    station_id: str, body: SetMonitors, services: ServicesDep, _: Operator
) -> ResultsPublic:
    """SetVariableMonitoring (N04); the Accepted monitors are stored with the ids the station gave them."""
    results = await services.monitoring.set(station_id, [m.wire() for m in body.monitors])
    return ResultsPublic(results=results)


@router.post("/monitors/clear")
async def clear_monitors(
    station_id: str, body: ClearMonitors, services: ServicesDep, _: Operator
) -> ResultsPublic:
    """ClearVariableMonitoring (N06); monitors answered Accepted or NotFound are removed."""
    return ResultsPublic(results=await services.monitoring.clear(station_id, body.ids))


@router.post("/monitors/reports", status_code=202)
async def request_report(
    station_id: str, services: ServicesDep, _: Operator, body: ReportIn | None = None
) -> MonitoringRequestPublic:
    """GetMonitoringReport (N02); the station's reports arrive on their own, by the returned
    ``request_id``."""
    body = body or ReportIn()
    cvs = [cv.wire() for cv in body.component_variables] if body.component_variables else None
    row = await services.monitoring.request_report(station_id, list(body.criteria or []) or None, cvs)
    return MonitoringRequestPublic.model_validate(row)


@router.get("/monitors/reports/{request_id}")
async def report(
    station_id: str, request_id: RowId, services: ServicesDep, _: Reader
) -> MonitoringReportPublic:
    row, found = await services.monitoring.request(station_id, request_id)
    return MonitoringReportPublic(
        request=MonitoringRequestPublic.model_validate(row),
        monitors=[MonitorPublic.model_validate(m) for m in found],
    )


@router.put("/monitoring-base")
async def set_base(station_id: str, body: BaseIn, services: ServicesDep, _: Operator) -> BasePublic:
    """SetMonitoringBase (N03); once Accepted, stored, and (``report``) a report of every monitor asked."""
    status, row = await services.monitoring.set_base(station_id, body.base, report=body.report)
    return BasePublic(status=status, report=MonitoringRequestPublic.model_validate(row) if row else None)


@router.put("/monitoring-level")
async def set_level(station_id: str, body: LevelIn, services: ServicesDep, _: Operator) -> StatusPublic:
    """SetMonitoringLevel (N05); once Accepted, stored."""
    return StatusPublic(status=await services.monitoring.set_level(station_id, body.severity))


# -- customer information (N09, N10) ------------------------------------------------------------------------
class IdTokenIn(BaseModel):
    id_token: str = Field(min_length=1, max_length=36)
    type: IdTokenType = "ISO14443"


class CertificateHashIn(BaseModel):
    hash_algorithm: Literal["SHA256", "SHA384", "SHA512"]
    issuer_name_hash: str = Field(min_length=1, max_length=128)
    issuer_key_hash: str = Field(min_length=1, max_length=128)
    serial_number: str = Field(min_length=1, max_length=40)


class CustomerInformationIn(BaseModel):
    """Name the customer by exactly one of ``id_token``, ``customer_certificate``, ``customer_identifier``."""

    report: bool = True
    clear: bool = False
    """Clear the customer's data on the station; with an ``id_token``, once Accepted, in the CSMS too."""
    id_token: IdTokenIn | None = None
    customer_certificate: CertificateHashIn | None = None
    customer_identifier: str | None = Field(default=None, min_length=1, max_length=64)


class CustomerRequestPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    request_id: int
    report: bool
    clear: bool
    subject: dict[str, Any]
    """The customer as named on the wire; an erased id token shows as its pseudonym."""
    status: str
    local_erasure: dict[str, Any] | None
    """What the CSMS erased of its own data: rows changed per table, and the pseudonym."""
    requested_at: datetime
    completed_at: datetime | None


class CustomerPartPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq_no: int
    tbc: bool
    data: str
    generated_at: datetime
    received_at: datetime


class CustomerReportPublic(BaseModel):
    request: CustomerRequestPublic | None
    """``None``: parts the station sent for a request id the CSMS did not issue to it."""
    parts: list[CustomerPartPublic]
    text: str
    """The parts' data in seqNo order."""
    complete: bool
    missing: list[int]


@router.post("/customer-information", status_code=202)
async def customer_information(
    station_id: str, body: CustomerInformationIn, services: ServicesDep, _: Operator
) -> CustomerRequestPublic:
    """CustomerInformation (N09 report, N10 clear); the report parts arrive by the returned ``request_id``."""
    token = {"idToken": body.id_token.id_token, "type": body.id_token.type} if body.id_token else None
    cert = body.customer_certificate
    row = await services.customer_information.request(
        station_id, report=body.report, clear=body.clear, id_token=token,
        customer_certificate={
            "hashAlgorithm": cert.hash_algorithm, "issuerNameHash": cert.issuer_name_hash,
            "issuerKeyHash": cert.issuer_key_hash, "serialNumber": cert.serial_number,
        } if cert else None,
        customer_identifier=body.customer_identifier,
    )  # fmt: skip
    return CustomerRequestPublic.model_validate(row)


@router.get("/customer-information")
async def customer_requests(
    station_id: str, services: ServicesDep, _: Operator
) -> list[CustomerRequestPublic]:
    """The latest 50 requests (operators only: they name customers)."""
    rows = await services.customer_information.list(station_id)
    return [CustomerRequestPublic.model_validate(r) for r in rows]


@router.get("/customer-information/{request_id}")
async def customer_report(
    station_id: str, request_id: RowId, services: ServicesDep, _: Operator
) -> CustomerReportPublic:
    """The request and the report parts collected for it (operators only: personal data)."""
    row, parts, whole = await services.customer_information.get(station_id, request_id)
    return CustomerReportPublic(
        request=CustomerRequestPublic.model_validate(row) if row else None,
        parts=[CustomerPartPublic.model_validate(p) for p in parts],
        text=whole.text, complete=whole.complete, missing=whole.missing,
    )
