"""The CSMS under test, as in production (validation on, every state change stored), on SQLite.

Run: ``python -m bench._load.csms_server DB_PATH PORT_FILE STATIONS``: migrates, registers STATIONS stations
(``LOAD-000000``...; no password, to measure OCPP rather than argon2), writes its OCPP port to PORT_FILE.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from sqlalchemy import insert

from bench._load.common import raise_fd_limit
from csms.config import Settings
from csms.db.migrate import upgrade
from csms.db.models import Station
from csms.domain.timeutil import utcnow
from csms.gc_tuning import tune_for_server
from csms.main import create_app


async def main(db_path: str, port_file: str, stations: int) -> None:
    raise_fd_limit()
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{db_path}", ocpp_host="127.0.0.1", ocpp_port=0,
                        ocpp_ping_interval_s=None)
    app = create_app(settings)
    tune_for_server()
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        now = utcnow()
        async with runtime.services.uow() as session:
            await session.execute(
                insert(Station),
                [{"id": f"LOAD-{i:06d}", "registration_status": "Accepted", "created_at": now}
                 for i in range(stations)],
            )
        Path(port_file).write_text(str(runtime.ocpp.port))  # noqa: ASYNC240  (one-off tiny write at startup)
        await asyncio.Future()


if __name__ == "__main__":
    db, port_file, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    upgrade(f"sqlite+aiosqlite:///{db}")
    asyncio.run(main(db, port_file, n))
