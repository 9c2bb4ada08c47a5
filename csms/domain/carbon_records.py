"""Session carbon records a 碳普惠 (carbon-inclusive) platform can take, with their signed meter values.

One record per charging session: when and where (start, end, station, EVSE, site), how much (energy, its
green share), the emission factor with its source and year, the methodology by name and version, and the
signed meter values the station sent (OCMF and the like), verbatim, so the platform can verify the energy
against the meter's own signature. Exports as JSON and CSV (the CSV writer is injected: the REST edge passes a
formula-safe one, since id tokens and station ids come from stations).

Signed values are read from the wire as they are, never re-encoded: OCPP 1.6 sends them as a sampled value
with ``format: "SignedData"`` (its ``value`` is the signed data, an ``OCMF|{...}|{...}`` string for OCMF
meters); OCPP 2.0.1 as a sampled value's ``signedMeterValue`` (``signedMeterData``, ``signingMethod``,
``encodingMethod``, ``publicKey``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from csms.domain.carbon import GridEmissionFactor, PetrolBaseline, SessionCarbon
from csms.domain.timeutil import parse_timestamp

__all__ = [
    "METHODOLOGY_NAME",
    "METHODOLOGY_VERSION",
    "CarbonRecord",
    "SignedValue",
    "carbon_record",
    "records_csv",
    "records_json",
    "signed_format",
    "signed_values_v16",
    "signed_values_v201",
]

METHODOLOGY_NAME = (
    "Xiangjiang PV-storage-charging session carbon accounting: time-aligned green/grid split "
    "(PV to base load first), location-based grid factor, petrol baseline per T/CSAE 235-2021"
)
METHODOLOGY_VERSION = "1.0"
"""Bump when the rule of :mod:`csms.domain.carbon` changes (a record says which rule made it)."""

BEGIN, END = "Transaction.Begin", "Transaction.End"


@dataclass(frozen=True)
class SignedValue:
    """One signed meter value as the station sent it. ``format`` is ``OCMF`` when the data is an OCMF
    string, else what the station declared (``SignedData`` for 1.6, its encoding method for 2.0.1)."""

    timestamp: datetime
    context: str | None
    measurand: str
    format: str
    signed_meter_data: str
    signing_method: str | None = None
    encoding_method: str | None = None
    public_key: str | None = None


def signed_format(data: str, declared: str) -> str:
    """``OCMF`` for an OCMF string, else what the station declared."""
    return "OCMF" if data.startswith("OCMF|") else declared


def signed_values_v16(meter_value: Iterable[dict[str, Any]]) -> list[SignedValue]:
    """The ``format: "SignedData"`` sampled values of a 1.6 ``meterValue`` / ``transactionData`` list."""
    out = []
    for reading in meter_value:
        signed = [sv for sv in reading["sampledValue"] if sv.get("format") == "SignedData"]
        if not signed:
            continue  # the common reading: its time is parsed once, by the samples' reader
        at = parse_timestamp(reading["timestamp"])
        for sv in signed:
            data = str(sv["value"])
            out.append(
                SignedValue(
                    at, sv.get("context"), sv.get("measurand", "Energy.Active.Import.Register"),
                    signed_format(data, "SignedData"), data,
                )
            )  # fmt: skip
    return out


def signed_values_v201(meter_value: Iterable[dict[str, Any]]) -> list[SignedValue]:
    """The ``signedMeterValue`` objects of a 2.0.1 ``meterValue`` list."""
    out = []
    for reading in meter_value:
        values = [sv for sv in reading["sampledValue"] if sv.get("signedMeterValue")]
        if not values:
            continue
        at = parse_timestamp(reading["timestamp"])
        for sv in values:
            signed = sv["signedMeterValue"]
            data = str(signed["signedMeterData"])
            out.append(
                SignedValue(
                    at, sv.get("context"), sv.get("measurand", "Energy.Active.Import.Register"),
                    signed_format(data, str(signed.get("encodingMethod") or "signedMeterValue")), data,
                    signed.get("signingMethod"), signed.get("encodingMethod"), signed.get("publicKey"),
                )
            )  # fmt: skip
    return out


@dataclass(frozen=True)
class CarbonRecord:
    """One session's record (energies Wh, emissions kg CO2, factor kg CO2/kWh)."""

    record_id: str
    session_id: str
    site_id: str
    station_id: str
    evse_id: int
    id_token: str
    started_at: datetime
    ended_at: datetime | None
    energy_wh: float
    green_wh: float
    grid_wh: float
    green_share_pct: float
    emissions_kg_co2: float
    avoided_kg_co2: float
    factor_key: str
    factor_kg_co2_per_kwh: float
    factor_year: int | None
    factor_source: str
    factor_url: str
    baseline_petrol_l_per_100km: float
    baseline_ev_kwh_per_100km: float
    methodology_name: str
    methodology_version: str
    signed_meter_values: tuple[SignedValue, ...] = ()

    @property
    def signed_start(self) -> SignedValue | None:
        begins = [v for v in self.signed_meter_values if v.context == BEGIN]
        values = begins or self.signed_meter_values
        return values[0] if values else None

    @property
    def signed_end(self) -> SignedValue | None:
        ends = [v for v in self.signed_meter_values if v.context == END]
        if ends:
            return ends[-1]
        values = self.signed_meter_values
        return values[-1] if len(values) >= 2 else None  # a single value is the start


def carbon_record(
    sc: SessionCarbon,
    *,
    site_id: str,
    station_id: str,
    evse_id: int,
    started_at: datetime,
    ended_at: datetime | None,
    factor: GridEmissionFactor,
    baseline: PetrolBaseline,
    signed: Sequence[SignedValue] = (),
) -> CarbonRecord:
    return CarbonRecord(
        record_id=f"{site_id}:{sc.session_id}",
        session_id=sc.session_id,
        site_id=site_id,
        station_id=station_id,
        evse_id=evse_id,
        id_token=sc.id_token,
        started_at=started_at,
        ended_at=ended_at,
        energy_wh=sc.energy_wh,
        green_wh=sc.green_wh,
        grid_wh=sc.grid_wh,
        green_share_pct=sc.green_share_pct,
        emissions_kg_co2=sc.emissions_kg_co2,
        avoided_kg_co2=sc.avoided_kg_co2,
        factor_key=factor.key,
        factor_kg_co2_per_kwh=factor.kg_co2_per_kwh,
        factor_year=factor.data_year,
        factor_source=" / ".join(x for x in (factor.publisher, factor.document) if x),
        factor_url=factor.url,
        baseline_petrol_l_per_100km=baseline.petrol_l_per_100km,
        baseline_ev_kwh_per_100km=baseline.ev_kwh_per_100km,
        methodology_name=METHODOLOGY_NAME,
        methodology_version=METHODOLOGY_VERSION,
        signed_meter_values=tuple(sorted(signed, key=lambda v: v.timestamp)),
    )


def _jsonable(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat().replace("+00:00", "Z")
    if isinstance(v, float):
        return round(v, 4)
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


def records_json(records: Iterable[CarbonRecord]) -> str:
    """A JSON array; each record with all its signed meter values."""
    return json.dumps([_jsonable(asdict(r)) for r in records], ensure_ascii=False, indent=2)


_SIGNED_COLUMNS = ("format", "signed_meter_data", "signing_method", "encoding_method", "public_key")


def records_csv(records: Iterable[CarbonRecord], *, writer_factory: Callable[..., Any] = csv.writer) -> str:
    """CSV: one row per record; of the signed values, the session's start and end (``Transaction.Begin`` /
    ``Transaction.End``, else the first and last sent) and how many there were."""
    buf = io.StringIO()
    writer = writer_factory(buf, lineterminator="\n")
    head: list[str] | None = None
    for r in records:
        row = {k: v for k, v in asdict(r).items() if k != "signed_meter_values"}
        row["signed_values_count"] = len(r.signed_meter_values)
        for side, v in (("start", r.signed_start), ("end", r.signed_end)):
            for col in _SIGNED_COLUMNS:
                row[f"signed_{side}_{col}"] = getattr(v, col) if v is not None else None
        row = {k: _jsonable(v) for k, v in row.items()}
        if head is None:
            head = list(row)
            writer.writerow(head)
        writer.writerow(["" if row[k] is None else row[k] for k in head])
    return buf.getvalue()
