"""Which adapter speaks which websocket subprotocol."""

from __future__ import annotations


def adapter_for(protocol: str) -> type:
    """The ChargePoint adapter class for ``"ocpp1.6"`` or ``"ocpp2.0.1"``."""
    if protocol == "ocpp1.6":
        from charger_simulator.v16 import V16Station

        return V16Station
    if protocol == "ocpp2.0.1":
        from charger_simulator.v201 import V201Station

        return V201Station
    raise ValueError(f"protocol: {protocol!r} is not ocpp1.6 or ocpp2.0.1")
