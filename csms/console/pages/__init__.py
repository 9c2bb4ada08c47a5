"""The console's routers, one module per area."""

from csms.console.pages import home, signin

ROUTERS = (signin.router, home.router)
