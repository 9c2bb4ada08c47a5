"""Storage: typed SQLAlchemy 2 models, the async engine/session factory and repositories (which never
commit)."""

from csms.db.base import Base

__all__ = ["Base"]
