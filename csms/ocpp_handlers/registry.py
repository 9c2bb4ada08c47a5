"""Which stations are connected to this node, and the gateway services use to command them."""

from __future__ import annotations

import logging
from typing import Any

from csms.errors import InvalidInput, StationNotConnected
from csms.ocpp_handlers.rpc import StationConnection

log = logging.getLogger("csms.ocpp")


class ConnectionRegistry:
    """station id -> its live connection. A station connecting again replaces (and closes) the old socket."""

    def __init__(self) -> None:
        self._live: dict[str, StationConnection] = {}

    async def start(self) -> None:
        """Nothing to start for one node (see ``cluster.py`` for several)."""

    async def stop(self) -> None:
        """Nothing to stop for one node."""

    def attach(self, conn: StationConnection) -> StationConnection | None:
        """Make ``conn`` the station's connection; return the one it replaces, for the caller to close."""
        old = self._live.get(conn.id)
        self._live[conn.id] = conn
        return old

    def detach(self, conn: StationConnection) -> bool:
        """Forget ``conn``; whether it was the station's current connection (not one already replaced)."""
        if self._live.get(conn.id) is conn:
            del self._live[conn.id]
            return True
        return False

    def get(self, station_id: str) -> StationConnection:
        try:
            return self._live[station_id]
        except KeyError:
            raise StationNotConnected(f"station {station_id!r} is not connected") from None

    def is_online(self, station_id: str) -> bool:
        return station_id in self._live

    def online_ids(self) -> set[str]:
        return set(self._live)

    async def call(
        self, station_id: str, action: str, payload: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        """Send ``action`` to the station and return its CALLRESULT payload (see ``call_raw``)."""
        return await self.get(station_id).call_raw(action, payload, timeout_s=timeout_s)

    async def command(self, station_id: str, name: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Translate an operator command for the station's OCPP version, send it, return (action, result)."""
        conn = self.get(station_id)
        translate = conn.commands.get(name)
        if translate is None:
            raise InvalidInput(
                f"command {name!r} does not exist in OCPP {conn.ocpp_version}", field="command"
            )
        action, payload = translate(params)
        return action, await conn.call_raw(action, payload)
