"""Alembic environment: metadata from app.models, URL from the caller or Settings."""

import re
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import app.models  # noqa: F401 - registers every table on SQLModel.metadata
from app.db import UtcDateTime, make_engine
from app.settings import Settings

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().database_url


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Revisions import only alembic and sqlalchemy, never app code.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return "sa.String()"
    return False


# On PostgreSQL plate_read (revision 0016) and officer_location (0017) are partitioned by day:
# their partitions are tables no model describes, and the foreign keys to plate_read are kept
# in code, not in the schema.
_PARTITION = re.compile(r"(plate_read|officer_location)_(p\d{8}|default|detached_p\d{8})")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (type_ == "table" and name is not None and _PARTITION.fullmatch(name))


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if type_ != "foreign_key_constraint" or context.get_context().dialect.name != "postgresql":
        return True
    return bool(obj.referred_table.name != "plate_read")


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=render_item,
        include_name=include_name,
        include_object=include_object,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # Batch mode rebuilds a table to alter it; with foreign keys enforced, dropping
                # the old copy of a referenced table fails. The pragma only works outside a
                # transaction, so it goes straight to the driver; integrity is checked after.
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            _configure(connection=connection, render_as_batch=sqlite)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left foreign keys broken: {broken[:5]}")
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
