"""Day partitions of the high-volume tables on PostgreSQL: which exist, and the upkeep that
creates the next days before their rows arrive.

Two tables grow with time and are removed by time: plate_read, by `read_at` (revision 0016),
and officer_location, the officers' breadcrumbs, by `recorded_at` (revision 0017). Each UTC
day of that column is one partition, `<table>_pYYYYMMDD`; `<table>_default` takes every row no
day covers, so an insert never fails for want of a partition. Upkeep creates today's and the
next `AHEAD_DAYS` days' partitions: as a plain table that is then ATTACHed (which locks the
parent only against other schema changes, never against inserts), after moving into it the
rows of that day the default partition caught meanwhile. It is idempotent and takes a
transaction-scoped advisory lock per table, so several workers may run it at once: one works,
the others find it done. SQLite keeps plain tables: everything here is a no-op there.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import MetaData, Table, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

from app.db import transaction

AHEAD_DAYS = 3  # partitions made ahead: a worker down over a long weekend still finds its days
LOCK_TIMEOUT = "5s"  # a schema change waits no longer for a lock: it is retried next round


@dataclass(frozen=True, slots=True)
class Day:
    name: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class DayPartitioned:
    """A table partitioned by UTC day of `column`."""

    parent: str
    column: str
    model: type[SQLModel]
    upkeep_lock: int  # the advisory lock the process making this table's days holds

    @property
    def default(self) -> str:
        return f"{self.parent}_default"

    def day_name(self, day: date) -> str:
        return f"{self.parent}_p{day:%Y%m%d}"

    def day_of(self, name: str) -> Day | None:
        found = re.fullmatch(rf"{self.parent}_p(\d{{8}})", name)
        if found is None:
            return None
        digits = found[1]
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        start = datetime.combine(day, time(), tzinfo=UTC)
        return Day(name, start, start + timedelta(days=1))

    def is_partitioned(self, connection: Connection | Session) -> bool:
        bind = connection.get_bind() if isinstance(connection, Session) else connection
        if bind.dialect.name != "postgresql":
            return False
        return bool(
            connection.execute(
                text(
                    "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table"
                    " WHERE partrelid = to_regclass(:parent))"
                ),
                {"parent": self.parent},
            ).scalar()
        )

    def days(self, connection: Connection | Session) -> list[Day]:
        """The day partitions attached, oldest first."""
        names = connection.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = to_regclass(:parent)"
            ),
            {"parent": self.parent},
        ).scalars()
        found = (d for n in names if (d := self.day_of(n)) is not None)
        return sorted(found, key=lambda d: d.start)

    def detached_name(self, day: str) -> str:
        """What retention renames a detached day to until it is counted and dropped."""
        return f"{self.parent}_detached_{day.removeprefix(self.parent + '_')}"

    def detached(self, connection: Connection | Session) -> list[str]:
        """Days retention detached and has not dropped yet (a run stopped in between)."""
        pattern = self.parent.replace("_", "\\_") + "\\_detached\\_p%"
        return list(
            connection.execute(
                text(
                    "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE :pattern"
                    " ORDER BY relname"
                ),
                {"pattern": pattern},
            ).scalars()
        )

    def table(self, name: str) -> Table:
        """One partition as a table with the parent's columns, for queries on it alone."""
        columns: Table = self.model.__table__  # type: ignore[attr-defined]
        return columns.to_metadata(MetaData(), name=name)

    def ensure_ahead(self, engine: Engine, today: date, *, ahead: int = AHEAD_DAYS) -> list[str]:
        """Create the partitions of `today` and the `ahead` days after it that do not exist
        yet; the names created (none on SQLite, on an unpartitioned table, or while another
        process holds the upkeep lock)."""
        if engine.dialect.name != "postgresql":
            return []
        created: list[str] = []
        with transaction(engine) as session:
            if not self.is_partitioned(session):
                return []
            if not session.execute(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": self.upkeep_lock}
            ).scalar():
                return []
            session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            existing = {d.name for d in self.days(session)}
            for n in range(ahead + 1):
                day = today + timedelta(days=n)
                if self.day_name(day) not in existing:
                    self._create(session, day)
                    created.append(self.day_name(day))
        return created

    def _create(self, session: Session, day: date) -> None:
        name, column = self.day_name(day), self.column
        start = datetime.combine(day, time(), tzinfo=UTC)
        bounds = {"start": start, "end": start + timedelta(days=1)}
        session.execute(text(f"CREATE TABLE {name} (LIKE {self.parent} INCLUDING DEFAULTS)"))
        # Rows of that day the default partition caught: ATTACH refuses while they are there.
        session.execute(
            text(
                f"WITH moved AS (DELETE FROM {self.default} WHERE {column} >= :start"
                f" AND {column} < :end RETURNING *) INSERT INTO {name} SELECT * FROM moved"
            ),
            bounds,
        )
        # The constraint lets ATTACH skip scanning the new table; the indexes come with ATTACH.
        literal = {k: f"'{v.isoformat()}'" for k, v in bounds.items()}
        session.execute(
            text(
                f"ALTER TABLE {name} ADD CONSTRAINT {name}_range CHECK ({column} IS NOT NULL"
                f" AND {column} >= {literal['start']} AND {column} < {literal['end']})"
            )
        )
        session.execute(
            text(
                f"ALTER TABLE {self.parent} ATTACH PARTITION {name}"
                f" FOR VALUES FROM ({literal['start']}) TO ({literal['end']})"
            )
        )
        session.execute(text(f"ALTER TABLE {name} DROP CONSTRAINT {name}_range"))
