"""Alembic, driven from code: `lookout db upgrade`, readiness checks and the tests.

Replicas that start together all run `lookout db upgrade` (the Docker image does it before
`lookout serve`), so an upgrade holds a lock for its whole run: a PostgreSQL advisory lock, or
on SQLite an exclusive lock on a file beside the database. The second replica waits, finds the
schema at head and does nothing, instead of racing the first into a half-applied revision.
"""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from app.db import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# pg_advisory_lock takes one bigint: a fixed key for "Lookout schema migration" ("LKOUTMIG").
MIGRATION_LOCK_KEY = 0x4C4B4F55544D4947


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(rev)s_%%(slug)s")
    # ConfigParser interpolation would eat the '%' of URL-encoded passwords.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Held while migrating: one migrating process per database at a time."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        engine = make_engine(database_url, poolclass=NullPool)
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(
                    text("SELECT pg_advisory_lock(:key)"), {"key": _signed(MIGRATION_LOCK_KEY)}
                )
                try:
                    yield
                finally:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"),
                        {"key": _signed(MIGRATION_LOCK_KEY)},
                    )
        finally:
            engine.dispose()
        return
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrating")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _signed(key: int) -> int:
    return key - (1 << 64) if key >= 1 << 63 else key


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_problem(engine: Engine, database_url: str) -> str | None:
    """Why this process cannot run on the database yet (None when the schema is at head), said
    the way an operator can act on: processes started before `lookout db upgrade` otherwise
    fail on every query with "no such table"."""
    current = current_revision(engine)
    head = head_revision(database_url)
    if current == head:
        return None
    if current is None:
        return "the database has no Lookout schema yet: run `lookout db upgrade` first"
    known = ScriptDirectory.from_config(alembic_config(database_url))
    try:
        known.get_revision(current)
    except Exception:  # alembic raises several kinds for an unknown id
        return (
            f"the database is at revision {current}, which this version of Lookout does not "
            f"know (newer software migrated it?); expected {head}"
        )
    return f"the database is at revision {current}, not {head}: run `lookout db upgrade` first"
