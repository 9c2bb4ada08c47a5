"""The way services reach connected stations, kept abstract: services never import the charger-facing edge.

The edge's connection registry (``csms.ocpp_handlers.registry``) is the implementation; :class:`NoStations`
stands in where no OCPP server runs (the CLI, some tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from csms.errors import StationNotConnected


class StationGateway(Protocol):
    def is_online(self, station_id: str) -> bool: ...

    def online_ids(self) -> set[str]: ...

    def get(self, station_id: str) -> Any:
        """The station's live connection (``.ocpp_version``, ``.boot_accepted``); raises
        :class:`~csms.errors.StationNotConnected`."""

    async def call(
        self, station_id: str, action: str, payload: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        """Send ``action`` exactly as given and return the station's CALLRESULT payload."""

    async def command(
        self, station_id: str, name: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """Translate an operator command for the station's version, send it, return (action, result)."""


class NoStations:
    """A gateway with no station connected."""

    def is_online(self, station_id: str) -> bool:
        return False

    def online_ids(self) -> set[str]:
        return set()

    def get(self, station_id: str) -> Any:
        raise StationNotConnected(f"station {station_id!r} is not connected")

    async def call(
        self, station_id: str, action: str, payload: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        raise StationNotConnected(f"station {station_id!r} is not connected")

    async def command(
        self, station_id: str, name: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        raise StationNotConnected(f"station {station_id!r} is not connected")
