"""The console's routers, one module per area."""

from csms.console.pages import home, sessions, signin, sites

ROUTERS = (signin.router, home.router, sessions.router, sites.router)
