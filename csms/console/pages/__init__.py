"""The console's routers, one module per area."""

from csms.console.pages import (
    admin,
    compliance,
    home,
    id_tokens,
    live,
    planning,
    sessions,
    signin,
    sites,
    station,
    stations,
)

ROUTERS = (
    signin.router, home.router, live.router, stations.router, station.router, id_tokens.router,
    sessions.router, sites.router, compliance.router, planning.router, admin.router,
)
