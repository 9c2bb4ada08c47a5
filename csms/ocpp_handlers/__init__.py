"""The charger-facing edge: OCPP-J over websockets, 1.6 and 2.0.1, translated to services."""
