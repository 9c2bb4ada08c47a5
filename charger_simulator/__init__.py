"""Simulated OCPP 1.6J / 2.0.1 charging stations, scenarios, fleets and 光储充 sites.

An honest outside client of any CSMS: it speaks OCPP through the ``ocpp`` library over ``websockets``
and never imports ``csms``. Public API::

    from charger_simulator import FleetConfig, ScaledClock, Station, StationConfig, run_fleet
"""

from charger_simulator.clock import ScaledClock
from charger_simulator.config import StationConfig
from charger_simulator.fleet import FleetConfig, FleetReport, run_fleet
from charger_simulator.station import Station

__all__ = ["FleetConfig", "FleetReport", "ScaledClock", "Station", "StationConfig", "run_fleet"]
