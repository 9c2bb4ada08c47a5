"""The application factory: ``create_app(settings)`` builds the FastAPI app whose lifespan runs the CSMS."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from fastapi import FastAPI

from csms.api import install_routes
from csms.api.limits import DEFAULT_LIMITS, BodyLimitMiddleware, BodyLimits
from csms.config import Settings, get_settings
from csms.console import ANONYMOUS_PATHS, SESSION_COOKIE, UPLOAD_BODY_BYTES, UPLOAD_PATHS, install_console
from csms.db.session import create_engine, create_session_factory
from csms.domain.timeutil import Clock, utcnow
from csms.ocpp_handlers.registry import ConnectionRegistry
from csms.ocpp_handlers.rpc import MessageIds, uuid4_ids
from csms.ocpp_handlers.server import OcppServer
from csms.runtime import Runtime
from csms.services import Services, build_services
from csms.services.cost_updates import CostUpdater
from csms.services.energy_manager import EnergyManager
from csms.services.external_dr import ExternalDemandResponse
from csms.services.leases import SingleNode, SiteLeases

if TYPE_CHECKING:
    from csms.openadr.ven import Ven

log = logging.getLogger("csms")


def _registry(settings: Settings) -> ConnectionRegistry:
    if settings.redis_url is None:
        return ConnectionRegistry()
    from csms.ocpp_handlers.cluster import ClusterRegistry

    return ClusterRegistry(
        settings.redis_url, settings.node_id, timeout_s=settings.ocpp_response_timeout_s + 5
    )


def _leases(settings: Settings) -> SiteLeases:
    """One node holds every site; with Redis, each site's cycle runs on the node holding its lease."""
    if settings.redis_url is None:
        return SingleNode()
    from csms.db.leases import RedisSiteLeases

    return RedisSiteLeases(settings.redis_url, settings.node_id, settings.energy_lease_ttl_s)


async def _start_ven(settings: Settings, services: Services, clock: Clock) -> Ven | None:
    """The OpenADR VEN, when a VTN is configured: the load-management centre's events in, site load out."""
    if settings.openadr_vtn_url is None:
        return None
    from csms.openadr.ven import Ven

    external = ExternalDemandResponse(
        services.demand_response, services.sites, clock, settings.openadr_resources
    )
    ven = Ven(settings, external)
    await ven.start()
    return ven


def _limits(limits: BodyLimits) -> BodyLimits:
    """The REST edge's body limits with the console's: its session cookie, its sign-in form, its uploads."""
    return replace(
        limits,
        session_cookie=SESSION_COOKIE,
        anonymous={**limits.anonymous, **ANONYMOUS_PATHS},
        by_path={**limits.by_path, **dict.fromkeys(UPLOAD_PATHS, UPLOAD_BODY_BYTES)},
    )


def create_app(
    settings: Settings | None = None, *, clock: Clock = utcnow, message_ids: MessageIds = uuid4_ids
) -> FastAPI:
    """The CSMS app; ``clock`` is every service's time and ``message_ids`` makes the id of each CALL sent to
    a station (tests pass deterministic ones)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        registry = _registry(settings)
        services = build_services(settings, create_session_factory(engine), clock, registry)
        ocpp = OcppServer(settings, services, registry, clock=clock, message_ids=message_ids)
        services.committer.start(settings.database_url)
        await registry.start()
        await ocpp.start()
        # Subscribed to the bus, not called by any edge: telemetry, site and demand-response changes,
        # connections, accepted boots and sessions each run the site concerned at once.
        services.energy = EnergyManager(
            settings,
            services.sites,
            services.demand_response,
            registry,
            clock,
            events=services.events,
            leases=_leases(settings),
            external_limits=services.smart_charging.external_limits if services.smart_charging else None,
        )
        if settings.energy_manager_enabled:
            services.energy.start()
        ven = await _start_ven(settings, services, clock)
        cost_updates = CostUpdater(
            services.costs,
            registry,
            clock,
            settings.cost_update_interval_s,
            check_every_s=settings.cost_update_check_s,
        )
        cost_updates.start()
        services.costs.start()
        app.state.cost_updates = cost_updates
        app.state.runtime = Runtime(settings, services, registry, ocpp)
        app.state.ven = ven
        app.state.services, app.state.ocpp_port = services, ocpp.port
        try:
            yield
        finally:
            if ven is not None:
                await ven.stop()
            await services.energy.stop()
            await cost_updates.stop()
            await ocpp.stop()
            await services.costs.stop()  # after the stations: no session ends after it
            await registry.stop()
            await services.committer.stop()
            await engine.dispose()

    app = FastAPI(
        title="Xiangjiang CSMS",
        summary="OCPP 1.6J / 2.0.1 central system of the Xiangjiang New Area charging platform",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_routes(app)
    install_console(app, settings.console_secret)
    # Outermost but for Starlette's error middleware: limits apply before routing, parsing and auth.
    app.add_middleware(BodyLimitMiddleware, limits=_limits(DEFAULT_LIMITS))
    return app
