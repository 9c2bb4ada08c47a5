"""The console's routers, one module per area."""

from csms.console.pages import compliance, home, signin

ROUTERS = (signin.router, home.router, compliance.router)
