"""SQLAlchemy definitions of the schemas the loader owns (``raw`` and ``ops``).

Alembic migrations are written against this metadata; dbt owns every other
schema and Alembic ignores them (see ``migrations/env.py``).
"""

from models.tables import OWNED_SCHEMAS, metadata

__all__ = ["OWNED_SCHEMAS", "metadata"]
