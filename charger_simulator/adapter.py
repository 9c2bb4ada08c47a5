"""What the 1.6 and 2.0.1 adapters share: construction, calls, and the handlers whose payloads agree.

Handlers defined here answer with ``self._call_result`` (the version's result module), so one
definition serves both versions; version-specific payloads stay in ``v16.py``/``v201.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ocpp.routing import on

from charger_simulator import commands
from charger_simulator.rpc import SimChargePointMixin

if TYPE_CHECKING:
    from charger_simulator.station import Station


class StationAdapter(SimChargePointMixin):
    """Base of ``V16Station``/``V201Station``; mixed in before the ``ocpp`` ChargePoint class."""

    _call_result: Any
    #: The version's ``call`` module (request payload classes).
    CALLS: Any

    def __init__(self, station: Station, connection: Any) -> None:
        super().__init__(  # type: ignore[call-arg]
            station.config.station_id, connection, response_timeout=station.config.response_timeout_s
        )
        self.station = station
        self.setup_rpc(station.config.validate_schemas, station.on_frame, station.rtt_s)

    def spawn(self, coro: Any) -> None:
        self.station.spawn(coro)

    async def _request(self, payload: Any) -> Any:
        return await self.timed_call(payload)

    async def heartbeat(self) -> None:
        await self._request(self.CALLS.Heartbeat())

    async def reservation_ended(self, reservation_id: int, status: str) -> None:
        """1.6 reports an expired reservation by the status change alone; 2.0.1 overrides this."""

    def station_statuses(self) -> list:
        """Statuses of the station as a whole to report after each boot (none by default)."""
        return []

    def defer(self, send: Callable[[], Awaitable[Any]]) -> None:
        """Run ``send()`` after the reply (a triggered message must follow its TriggerMessage result)."""

        async def after() -> None:
            await send()

        self.after_reply(after)

    def clear_profiles(self, profile_id, connector_id, purpose, stack_level) -> str:
        """ClearChargingProfile on neutral criteria: Accepted if any profile was removed, else Unknown."""
        self.station.model.advance(self.station.clock.now())
        removed = self.station.model.profiles.clear(profile_id, connector_id, purpose, stack_level)
        self.station.profiles_changed()
        return "Accepted" if removed else "Unknown"

    def install_profile(self, profile, max_stack_key: str) -> str:
        """SetChargingProfile: Accepted when valid and installed (the power follows at once)."""
        max_level = self.station.settings.int_value(max_stack_key)
        ok = profile is not None and commands.set_profile(self.station, profile, max_level)
        return "Accepted" if ok else "Rejected"

    @on("ClearCache")
    def on_clear_cache(self, **_):
        self.station.auth_cache.clear()
        return self._call_result.ClearCache(status="Accepted")

    @on("DataTransfer")
    def on_data_transfer(self, vendor_id: str, message_id: str | None = None, data: Any = None, **_):
        status, reply = commands.data_transfer(self.station, vendor_id, message_id, data)
        return self._call_result.DataTransfer(status=status, data=reply)
