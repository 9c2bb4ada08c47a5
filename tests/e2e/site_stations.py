"""A scripted OCPP station (1.6J or 2.0.1) for site tests: it obeys SetChargingProfile and reports its power.

The EV on each EVSE draws ``min(ev_max_w, limit)`` where the limit is the station's effective profile:
the TxProfile of the running transaction if it has one, else the TxDefaultProfile, capped by the
station-wide maximum profile, each read at the period in force (so a TxProfile's fallback period counts).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

VOLTAGE_V = 220.0


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Evse:
    ev_max_w: float
    phases: int = 3
    tx: int | str | None = None
    energy_wh: float = 0.0


@dataclass
class ScriptedStation:
    station_id: str
    url: str
    password: str
    protocol: str = "ocpp1.6"
    evses: dict[int, Evse] = field(default_factory=dict)
    profiles: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    received: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ws: ClientConnection | None = None
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    @property
    def v16(self) -> bool:
        return self.protocol == "ocpp1.6"

    # -- connection ------------------------------------------------------------------------------------
    async def start(self) -> None:
        auth = base64.b64encode(f"{self.station_id}:{self.password}".encode()).decode()
        self._ws = await connect(
            f"{self.url}/{self.station_id}",
            subprotocols=[self.protocol],  # type: ignore[list-item]
            additional_headers={"Authorization": f"Basic {auth}"},
        )
        self._reader = asyncio.create_task(self._read())
        if self.v16:
            boot = await self.call(
                "BootNotification", {"chargePointVendor": "Sim", "chargePointModel": "Site"}
            )
        else:
            boot = await self.call(
                "BootNotification",
                {"chargingStation": {"vendorName": "Sim", "model": "Site"}, "reason": "PowerUp"},
            )
        assert boot["status"] == "Accepted", boot

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        assert self._ws is not None
        uid = f"{self.station_id}-{next(self._ids)}"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[uid] = future
        await self._ws.send(json.dumps([2, uid, action, payload]))
        frame = await asyncio.wait_for(future, 5)
        assert frame[0] == 3, frame
        return frame[2]

    async def _read(self) -> None:
        assert self._ws is not None
        async for raw in self._ws:
            frame = json.loads(raw)
            if frame[0] in (3, 4):
                fut = self._pending.pop(frame[1], None)
                if fut is not None and not fut.done():
                    fut.set_result(frame)
                continue
            action, payload = frame[2], frame[3]
            answer: dict[str, Any] = {"status": "Rejected"}
            if action == "SetChargingProfile":
                answer = self._set_profile(payload)
            await self._ws.send(json.dumps([3, frame[1], answer]))
            async with self._changed:
                self._changed.notify_all()

    def _set_profile(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self.v16:
            scope, profile = payload["connectorId"], payload["csChargingProfiles"]
            schedule = profile["chargingSchedule"]
        else:
            scope, profile = payload["evseId"], payload["chargingProfile"]
            schedule = profile["chargingSchedule"][0]
        self.received.append((datetime.now(UTC), payload))
        self.profiles[(scope, profile["chargingProfilePurpose"])] = {
            "start": datetime.fromisoformat(schedule["startSchedule"].replace("Z", "+00:00")),
            "unit": schedule["chargingRateUnit"],
            "periods": schedule["chargingSchedulePeriod"],
            "tx": profile.get("transactionId"),
        }
        return {"status": "Accepted"}

    # -- the EVs -----------------------------------------------------------------------------------------
    def _limit_w(self, scope: int, purpose: str, phases: int, now: datetime, tx: Any = None) -> float | None:
        p = self.profiles.get((scope, purpose))
        if p is None or (purpose == "TxProfile" and p["tx"] != tx):
            return None
        elapsed = (now - p["start"]).total_seconds()
        period = [q for q in p["periods"] if q["startPeriod"] <= elapsed][-1]
        n = period.get("numberPhases", phases)
        return period["limit"] * VOLTAGE_V * n if p["unit"] == "A" else period["limit"]

    def power_w(self, evse_id: int, now: datetime | None = None) -> float:
        """What the EV on ``evse_id`` draws now [W]."""
        now = now or datetime.now(UTC)
        e = self.evses[evse_id]
        if e.tx is None:
            return 0.0
        limits = [e.ev_max_w]
        tx_limit = self._limit_w(evse_id, "TxProfile", e.phases, now, e.tx)
        default = self._limit_w(0, "TxDefaultProfile", e.phases, now)
        chosen = tx_limit if tx_limit is not None else default
        if chosen is not None:
            limits.append(chosen)
        cap = self._limit_w(
            0, "ChargePointMaxProfile" if self.v16 else "ChargingStationMaxProfile", e.phases, now
        )
        if cap is not None:
            limits.append(cap)
        return min(limits)

    async def wait_until(self, predicate: Any, timeout_s: float = 5.0) -> None:
        """Wait (on profile arrivals, no polling) until ``predicate()`` holds."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout_s)

    async def start_transaction(self, evse_id: int, id_tag: str, at: datetime) -> None:
        e = self.evses[evse_id]
        if self.v16:
            r = await self.call(
                "StartTransaction",
                {"connectorId": evse_id, "idTag": id_tag, "meterStart": 0, "timestamp": _iso(at)},
            )
            e.tx = r["transactionId"]
        else:
            e.tx = f"{self.station_id}-tx{evse_id}"
            await self.call(
                "TransactionEvent",
                {
                    "eventType": "Started",
                    "timestamp": _iso(at),
                    "triggerReason": "Authorized",
                    "seqNo": 0,
                    "transactionInfo": {"transactionId": e.tx},
                    "evse": {"id": evse_id, "connectorId": 1},
                    "idToken": {"idToken": id_tag, "type": "ISO14443"},
                },
            )

    async def report(self, evse_id: int, at: datetime, seq_no: int = 1) -> float:
        """Send the EVSE's power and energy register as meter values; return the power [W]."""
        e = self.evses[evse_id]
        power = self.power_w(evse_id)
        values = [
            {"value": str(round(power, 1)), "measurand": "Power.Active.Import", "unit": "W"},
            {"value": str(round(e.energy_wh, 1)), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
        ]
        if self.v16:
            await self.call(
                "MeterValues",
                {
                    "connectorId": evse_id,
                    "transactionId": e.tx,
                    "meterValue": [{"timestamp": _iso(at), "sampledValue": values}],
                },
            )
        else:
            sampled = [
                {
                    "value": float(v["value"]),
                    "measurand": v["measurand"],
                    "unitOfMeasure": {"unit": v["unit"]},
                }
                for v in values
            ]
            await self.call(
                "TransactionEvent",
                {
                    "eventType": "Updated",
                    "timestamp": _iso(at),
                    "triggerReason": "MeterValuePeriodic",
                    "seqNo": seq_no,
                    "transactionInfo": {"transactionId": e.tx},
                    "meterValue": [{"timestamp": _iso(at), "sampledValue": sampled}],
                },
            )
        return power
