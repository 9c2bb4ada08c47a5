"""The console's routers, one module per area."""

from csms.console.pages import admin, home, planning, signin

ROUTERS = (signin.router, home.router, planning.router, admin.router)
