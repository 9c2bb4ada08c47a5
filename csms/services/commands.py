"""Operator commands and raw calls to stations (the REST edge's use case; the gateway does the talking)."""

from __future__ import annotations

from typing import Any

from csms.domain.commands import ISSUED_IDS
from csms.errors import InvalidInput
from csms.services.display_messages import COMMANDS as DISPLAY_COMMANDS
from csms.services.display_messages import DisplayMessageService
from csms.services.gateway import StationGateway
from csms.services.ids import IdService
from csms.services.transactions import TransactionService


class CommandService:
    def __init__(
        self, gateway: StationGateway, transactions: TransactionService, ids: IdService,
        display: DisplayMessageService | None = None,
    ) -> None:
        self._gateway = gateway
        self._transactions = transactions
        self._ids = ids
        self._display = display

    async def send(self, station_id: str, command: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Send ``command`` to the station; return the action sent and the station's answer.

        A ``transaction_id`` (the CSMS's id) is resolved to what the station calls its transaction; a command
        that carries an id the CSMS issues (:data:`~csms.domain.commands.ISSUED_IDS`) gets a new one from the
        database in ``request_id``.
        """
        params = dict(params)
        if command in ISSUED_IDS:
            params["request_id"] = await self._ids.issue(command, station_id)
        if params.get("transaction_id") is not None:
            tx, _values = await self._transactions.detail(params["transaction_id"])
            if tx.station_id != station_id:
                raise InvalidInput(
                    f"transaction {tx.id} is not on station {station_id}", field="transaction_id"
                )
            params["transaction_uid"] = tx.uid or str(tx.id)
        if command in DISPLAY_COMMANDS and self._display is not None:  # block O: sent and stored
            return await self._display.send(station_id, command, params)
        return await self._gateway.command(station_id, command, params)

    async def call(self, station_id: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send any action with its payload exactly as on the wire; return the CALLRESULT payload."""
        return await self._gateway.call(station_id, action, payload)
