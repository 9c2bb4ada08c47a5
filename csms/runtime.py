"""What the application's lifespan builds; routes reach it through ``app.state.runtime``."""

from __future__ import annotations

from dataclasses import dataclass

from csms.config import Settings
from csms.ocpp_handlers.registry import ConnectionRegistry
from csms.ocpp_handlers.server import OcppServer
from csms.services import Services


@dataclass
class Runtime:
    settings: Settings
    services: Services
    registry: ConnectionRegistry
    ocpp: OcppServer
