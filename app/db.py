"""Engines, sessions and the column types every table shares."""

import select
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, event
from sqlalchemy import exc as sql_errors
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

# Integer on SQLite, where only INTEGER PRIMARY KEY autoincrements; 64 bits elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend; a naive value is refused on write.

    SQLite keeps no offset, so values are stored as naive UTC there and UTC is put back on read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused; pass a UTC-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite files get their directory, WAL and serialised writes.
    Statement parameters never appear in an error's text (they hold plates, device tokens,
    token hashes): `hide_parameters`."""
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        if "poolclass" not in kwargs:
            kwargs.setdefault("pool_size", 10)
            kwargs.setdefault("max_overflow", 20)
        engine = create_engine(url, **kwargs)
        if not kwargs["pool_pre_ping"]:
            _ping_when_dropped(engine)
        return engine

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    kwargs.pop("pool_pre_ping", None)  # a file cannot go away under a connection
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to the "begin" hook below instead of pysqlite's own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # a 202 promises the read survives a crash
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        # writes fails at once with SQLITE_BUSY when another writer got in between.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def looks_dropped(fileno: int) -> bool:
    """Whether an idle connection's socket has something to read. An idle PostgreSQL
    connection is sent nothing, except the server's goodbye (a FATAL notice, then EOF) when it
    ends the session: a restart, a failover, pg_terminate_backend. One poll, no round trip."""
    try:
        readable, _, _ = select.select([fileno], [], [], 0)
    except (OSError, ValueError):  # a closed descriptor
        return True
    return bool(readable)


def _ping_when_dropped(engine: Engine) -> None:
    """Pessimistic disconnect handling for an engine without a ping per checkout (the ingest
    writer's, where a round trip per batch would cost): a pooled connection is pinged only
    when its socket says the server may have hung up, and replaced if the ping fails. So the
    first write after the database comes back succeeds rather than meeting a dead connection."""

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        fileno = getattr(dbapi_connection, "fileno", None)
        if fileno is None or not looks_dropped(fileno()):
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception:
            alive = False
        if not alive:
            # The pool drops this connection and checks out another (a new one if need be).
            raise sql_errors.DisconnectionError("the server closed this pooled connection")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session inside one transaction: commits on success, rolls back on any exception."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
