"""Alembic environment: migrates the ``raw`` and ``ops`` schemas only.

dbt owns every other schema (staging, marts, ...); ``include_name`` keeps
autogenerate from ever proposing to drop what dbt built. The version table
lives in ``ops`` so the public schema stays empty.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from etl.database import database_url, sqlalchemy_url
from models import OWNED_SCHEMAS, metadata

config = context.config


def _url() -> str:
    return config.attributes.get("url") or database_url()


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    if type_ == "schema":
        return name in OWNED_SCHEMAS
    return True


def run_migrations_offline() -> None:
    context.configure(
        url=sqlalchemy_url(_url()),
        target_metadata=metadata,
        literal_binds=True,
        include_schemas=True,
        include_name=include_name,
        version_table_schema="ops",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(sqlalchemy_url(_url()), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection) -> None:
    connection.exec_driver_sql("create schema if not exists ops")
    connection.commit()
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_schemas=True,
        include_name=include_name,
        version_table_schema="ops",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
