"""Day partitions of plate_read on PostgreSQL (made by revision 0016): which exist, and the
worker's upkeep that creates the next days before their reads arrive.

Each UTC day of `read_at` is one partition, `plate_read_pYYYYMMDD`; `plate_read_default` takes
every read no day covers, so ingest never fails for want of a partition. Upkeep creates
today's and the next `AHEAD_DAYS` days' partitions: as a plain table that is then ATTACHed
(which locks the parent only against other schema changes, never against ingest), after moving
into it any reads of that day the default partition caught meanwhile. It is idempotent and
takes a transaction-scoped advisory lock, so several workers may run it at once: one works,
the others find it done. SQLite keeps a plain table: everything here is a no-op there.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import MetaData, Table, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from app.db import transaction
from app.models import Read

PARENT = "plate_read"
DEFAULT = "plate_read_default"
AHEAD_DAYS = 3  # partitions made ahead: a worker down over a long weekend still finds its days
_UPKEEP_LOCK = 7_201_016  # any fixed number: the advisory lock one upkeeping process holds
_DAY_NAME = re.compile(r"plate_read_p(\d{8})")
LOCK_TIMEOUT = "5s"  # a schema change waits no longer for a lock: it is retried next round


@dataclass(frozen=True, slots=True)
class Day:
    name: str
    start: datetime
    end: datetime


def day_name(day: date) -> str:
    return f"plate_read_p{day:%Y%m%d}"


def day_of(name: str) -> Day | None:
    found = _DAY_NAME.fullmatch(name)
    if found is None:
        return None
    digits = found[1]
    day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    start = datetime.combine(day, time(), tzinfo=UTC)
    return Day(name, start, start + timedelta(days=1))


def is_partitioned(connection: Connection | Session) -> bool:
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    if bind.dialect.name != "postgresql":
        return False
    return bool(
        connection.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table"
                " WHERE partrelid = to_regclass(:parent))"
            ),
            {"parent": PARENT},
        ).scalar()
    )


def days(connection: Connection | Session) -> list[Day]:
    """The day partitions attached to plate_read, oldest first."""
    names = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = to_regclass(:parent)"
        ),
        {"parent": PARENT},
    ).scalars()
    return sorted((d for n in names if (d := day_of(n)) is not None), key=lambda d: d.start)


def detached_name(day: str) -> str:
    """What retention renames a detached day to until it is counted and dropped."""
    return f"plate_read_detached_{day.removeprefix('plate_read_')}"


def detached(connection: Connection | Session) -> list[str]:
    """Days retention detached and has not dropped yet (a run stopped in between)."""
    return list(
        connection.execute(
            text(
                "SELECT relname FROM pg_class WHERE relkind = 'r'"
                " AND relname LIKE 'plate\\_read\\_detached\\_p%' ORDER BY relname"
            )
        ).scalars()
    )


def table(name: str) -> Table:
    """One partition as a table with plate_read's columns, for queries on it alone."""
    return Read.__table__.to_metadata(MetaData(), name=name)  # type: ignore[attr-defined,no-any-return]


def ensure_ahead(engine: Engine, today: date, *, ahead: int = AHEAD_DAYS) -> list[str]:
    """Create the partitions of `today` and the `ahead` days after it that do not exist yet;
    the names created (none on SQLite, on an unpartitioned table, or while another process
    holds the upkeep lock)."""
    if engine.dialect.name != "postgresql":
        return []
    created: list[str] = []
    with transaction(engine) as session:
        if not is_partitioned(session):
            return []
        if not session.execute(
            text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _UPKEEP_LOCK}
        ).scalar():
            return []
        session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        existing = {d.name for d in days(session)}
        for n in range(ahead + 1):
            day = today + timedelta(days=n)
            if day_name(day) not in existing:
                _create(session, day)
                created.append(day_name(day))
    return created


def _create(session: Session, day: date) -> None:
    name = day_name(day)
    start = datetime.combine(day, time(), tzinfo=UTC)
    bounds = {"start": start, "end": start + timedelta(days=1)}
    session.execute(text(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS)"))
    # Reads of that day the default partition caught: ATTACH refuses while they are there.
    session.execute(
        text(
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE read_at >= :start AND read_at < :end"
            f" RETURNING *) INSERT INTO {name} SELECT * FROM moved"
        ),
        bounds,
    )
    # The constraint lets ATTACH skip scanning the new table; the indexes come with ATTACH.
    literal = {k: f"'{v.isoformat()}'" for k, v in bounds.items()}
    session.execute(
        text(
            f"ALTER TABLE {name} ADD CONSTRAINT {name}_range CHECK (read_at IS NOT NULL"
            f" AND read_at >= {literal['start']} AND read_at < {literal['end']})"
        )
    )
    session.execute(
        text(
            f"ALTER TABLE {PARENT} ATTACH PARTITION {name}"
            f" FOR VALUES FROM ({literal['start']}) TO ({literal['end']})"
        )
    )
    session.execute(text(f"ALTER TABLE {name} DROP CONSTRAINT {name}_range"))
