"""The console's routers, one module per area."""

from csms.console.pages import (
    admin,
    compliance,
    home,
    id_tokens,
    live,
    planning,
    signin,
    station,
    stations,
)

ROUTERS = (
    signin.router, home.router, live.router, stations.router, station.router, id_tokens.router,
    compliance.router, planning.router, admin.router,
)
