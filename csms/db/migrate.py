"""Apply the Alembic history programmatically (``csms db upgrade``, the app's tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database at ``database_url`` to ``revision`` (blocking; run it outside an event loop)."""
    command.upgrade(alembic_config(database_url), revision)
