"""``csms``: serve, apply migrations, register stations, issue API tokens."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import ValidationError

from csms.config import Settings, get_settings
from csms.db.migrate import upgrade
from csms.db.session import create_engine, create_session_factory
from csms.domain.access import Role
from csms.errors import CsmsError
from csms.logs import configure_logging
from csms.services import Services, build_services

T = TypeVar("T")


def _with_services(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            return await work(build_services(settings, create_session_factory(engine)))
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def _first_admin_token(services: Services) -> str | None:
    """On a fresh database nobody could call the API: create one admin token and show it once."""
    if await services.api_tokens.list():
        return None
    _, secret = await services.api_tokens.create("admin", "first admin (created by csms serve)")
    return secret


def _serve(settings: Settings) -> None:
    import uvicorn

    from csms.gc_tuning import tune_for_server
    from csms.main import create_app

    configure_logging(settings.log_level)  # one line per record, station- and client-given values escaped
    secret = _with_services(settings, _first_admin_token)
    if secret:
        print(f"First start: an admin API token was created (shown once): {secret}", flush=True)
    print(f"REST API http://{settings.api_host}:{settings.api_port}/docs · OCPP ws://{settings.ocpp_host}:"
          f"{settings.ocpp_port}/ocpp/{{station_id}}", flush=True)
    app = create_app(settings)
    tune_for_server()
    # log_config=None: uvicorn's records go through the one-line handler above, not a handler of its own.
    uvicorn.run(app, host=settings.api_host, port=settings.api_port, log_level="info", log_config=None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="csms", description="Xiangjiang CSMS: OCPP 1.6J / 2.0.1 central system"
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="start the REST API and the OCPP server")
    serve.add_argument("--api-port", type=int)
    serve.add_argument("--ocpp-port", type=int)
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    stations = sub.add_parser("stations", help="register stations")
    stations_sub = stations.add_subparsers(dest="action", required=True)
    add = stations_sub.add_parser("add", help="register a station")
    add.add_argument("station_id")
    add.add_argument("--password", help="Basic-auth password (security profile 1); omit for none")
    tokens = sub.add_parser("tokens", help="REST API bearer tokens")
    tokens_sub = tokens.add_subparsers(dest="action", required=True)
    create = tokens_sub.add_parser("create", help="create a token and print its secret (shown once)")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--name", default="")
    args = parser.parse_args(argv)

    overrides = {}
    if getattr(args, "api_port", None):
        overrides["api_port"] = args.api_port
    if getattr(args, "ocpp_port", None):
        overrides["ocpp_port"] = args.ocpp_port
    try:
        settings = get_settings(**overrides)
    except ValidationError as exc:  # the environment's CSMS_* settings: name each bad one, no traceback
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "settings"
            print(f"error: configuration: {where}: {error['msg']}", file=sys.stderr)
        return 2
    try:
        if args.cmd == "serve":
            _serve(settings)
        elif args.cmd == "db":
            upgrade(settings.database_url)
            print(f"database at {settings.database_url} is up to date")
        elif args.cmd == "stations":
            station = _with_services(settings, lambda s: s.stations.register(args.station_id, args.password))
            auth = "Basic auth" if args.password else "no password (security profile 0)"
            print(f"station {station.id} registered, {auth}")
        elif args.cmd == "tokens":
            _, secret = _with_services(settings, lambda s: s.api_tokens.create(args.role, args.name))
            print(secret)
    except CsmsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
