"""Migration 0007 repairs the values hostile stations stored before the edge bounded them (issue 14, finding
2), on SQLite and on PostgreSQL (see ``test_migrations.py`` for the databases), and counts stored payloads."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command

from csms.db.base import UtcDateTime
from csms.db.migrate import alembic_config, upgrade
from tests.csms.test_migrations import _on, empty_url  # noqa: F401  (the per-test database fixture)

BEFORE = "0006_register_window_issued_ids"
AFTER = "0007_repair_poisoned_values"
T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
S = "CS-POISON"


def _t(name: str, *columns: tuple[str, Any]) -> sa.TableClause:
    return sa.table(name, *(sa.column(c, t) for c, t in columns))


stations = _t(
    "stations", ("id", sa.String()), ("registration_status", sa.String()), ("created_at", UtcDateTime())
)
connectors = _t(
    "connectors",
    ("station_id", sa.String()),
    ("evse_id", sa.Float()),
    ("connector_id", sa.Integer()),
    ("status", sa.String()),
    ("updated_at", UtcDateTime()),
)
status_events = _t(
    "status_events",
    ("id", sa.Integer()),
    ("station_id", sa.String()),
    ("evse_id", sa.Float()),
    ("connector_id", sa.Integer()),
    ("status", sa.String()),
    ("timestamp", UtcDateTime()),
    ("received_at", UtcDateTime()),
)
transactions = _t(
    "transactions",
    ("id", sa.Integer()),
    ("station_id", sa.String()),
    ("evse_id", sa.Integer()),
    ("connector_id", sa.Integer()),
    ("status", sa.String()),
    ("started_at", UtcDateTime()),
    ("offline", sa.Boolean()),
    ("meter_start_wh", sa.Float()),
    ("energy_wh", sa.Float()),
)
readings = _t(
    "meter_readings",
    ("id", sa.Integer()),
    ("station_id", sa.String()),
    ("evse_id", sa.Integer()),
    ("timestamp", UtcDateTime()),
    ("samples", sa.JSON()),
)
messages = _t(
    "station_messages",
    ("id", sa.Integer()),
    ("station_id", sa.String()),
    ("action", sa.String()),
    ("payload", sa.JSON()),
    ("received_at", UtcDateTime()),
)


def _insert_poison(conn: sa.Connection) -> None:
    sqlite = conn.dialect.name == "sqlite"
    # SQLite stored a 2.0.1 evseId of 2^64 as REAL; PostgreSQL refused it, but stored -1.
    huge = float(2**64) if sqlite else -1
    conn.execute(sa.insert(stations).values(id=S, registration_status="Accepted", created_at=T0))
    status = {"station_id": S, "connector_id": 1, "status": "Available"}
    conn.execute(
        sa.insert(connectors),
        [{**status, "evse_id": huge, "updated_at": T0}, {**status, "evse_id": 1, "updated_at": T0}],
    )
    conn.execute(
        sa.insert(status_events),
        [
            {**status, "id": 1, "evse_id": huge, "timestamp": T0, "received_at": T0},
            {**status, "id": 2, "evse_id": 1, "timestamp": T0, "received_at": T0},
        ],
    )
    tx = {"station_id": S, "status": "Ended", "started_at": T0, "offline": False}
    conn.execute(
        sa.insert(transactions),
        [
            {
                **tx,
                "id": 1,
                "evse_id": 1,
                "connector_id": -1,
                "meter_start_wh": math.inf,
                "energy_wh": -math.inf,
            },
            {
                **tx,
                "id": 2,
                "evse_id": 2,
                "connector_id": 1,
                "meter_start_wh": 10.0,
                "energy_wh": math.nan if not sqlite else 5.0,
            },  # SQLite keeps NaN as NULL already
        ],
    )
    if sqlite:  # PostgreSQL's json type refuses NaN, so only SQLite holds such readings
        conn.execute(
            sa.insert(readings),
            [
                {
                    "id": 1,
                    "station_id": S,
                    "evse_id": 1,
                    "timestamp": T0,
                    "samples": [
                        {"measurand": "Voltage", "value": 230.0, "unit": "V"},
                        {"measurand": "Energy.Active.Import.Register", "value": math.nan, "unit": "Wh"},
                    ],
                },
                {
                    "id": 2,
                    "station_id": S,
                    "evse_id": 1,
                    "timestamp": T0,
                    "samples": [
                        {"measurand": "Energy.Active.Import.Register", "value": math.inf, "unit": "Wh"}
                    ],
                },
            ],
        )
    conn.execute(
        sa.insert(messages).values(
            id=1, station_id=S, action="DataTransfer", payload={"vendorId": "X"}, received_at=T0
        )
    )


def _state(conn: sa.Connection) -> dict[str, Any]:
    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in conn.execute(sa.text(sql))]

    return {
        "connectors": rows("SELECT evse_id FROM connectors"),
        "status_events": rows("SELECT id, evse_id FROM status_events ORDER BY id"),
        "transactions": rows(
            "SELECT id, connector_id, meter_start_wh, energy_wh FROM transactions ORDER BY id"
        ),
        "readings": [(r.id, r.samples) for r in conn.execute(sa.select(readings).order_by(readings.c.id))],
        "payload_bytes": rows("SELECT payload_bytes FROM station_messages"),
    }


def test_poisoned_rows_are_repaired_and_payload_sizes_counted(empty_url: str) -> None:  # noqa: F811
    upgrade(empty_url, BEFORE)
    _on(empty_url, _insert_poison)
    upgrade(empty_url, AFTER)
    state = _on(empty_url, _state)
    sqlite = empty_url.startswith("sqlite")
    assert state["connectors"] == [(1,)]
    assert state["status_events"] == [(2, 1)]
    assert state["transactions"] == [(1, 0, None, None), (2, 1, 10.0, 5.0 if sqlite else None)]
    assert state["readings"] == (
        [(1, [{"measurand": "Voltage", "value": 230.0, "unit": "V"}])] if sqlite else []
    )
    assert state["payload_bytes"] in ([(len('{"vendorId":"X"}'),)], [(len('{"vendorId": "X"}'),)])

    command.downgrade(alembic_config(empty_url), BEFORE)
    assert "payload_bytes" not in _on(
        empty_url, lambda conn: [c["name"] for c in sa.inspect(conn).get_columns("station_messages")]
    )
