"""partitioned reads: on PostgreSQL plate_read becomes a table partitioned by day on read_at

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 16:00:00

Retention removes reads by `read_at` (app/retention/enforce.py), and searches ask for a plate
over a time window: a day partition per UTC day of `read_at` lets retention drop a whole day
(DETACH, DROP) instead of deleting a million rows, and a search by time scan only the days it
asks for. A DEFAULT partition takes every read no day partition covers (a camera with a
garbage clock that ingest stored with a note, a day the worker has not created yet), so ingest
never fails for want of a partition. The worker creates the days ahead (app/partitions.py).

The conversion happens in place, in this transaction: the old table is renamed, the
partitioned parent is created with the same columns (LIKE), constraints and indexes, day
partitions are made for every day that holds reads in the last `HISTORY_DAYS` and for today
and `AHEAD_DAYS` days ahead, the rows move across in one INSERT ... SELECT, the id sequence
is handed to the new table (its value is kept: ids are never handed out twice), and the old
table is dropped. It rewrites every read once, holding plate_read meanwhile: about as long
as loading the rows took (minutes for tens of millions), so run it in a quiet hour with the
cameras' posts queued at the vendor, and the disk must hold the table twice.

Foreign keys to plate_read.id (from hit.read_id, read_source_key.read_id and
bulletin_match.read_id) are dropped on PostgreSQL. A partitioned table's primary key must
include the partition column, so it is (id, read_at), and a foreign key could only point at
that pair: each referencing table would need a copy of read_at, kept equal forever, and a
referenced partition could not be dropped while any row points into it, which is exactly what
retention must do with a day whose hit reads outlive it (it moves them to the default
partition first). Integrity is kept in code instead, as it already was for deletion:
retention removes a read's dependants before the read, and every insert of a dependant
follows the insert of its read in the same transaction. `id` stays unique: it comes from one
sequence, and nothing else writes it. SQLite keeps plain tables and its foreign keys.

Downgrade puts a plain table back (rows, indexes, sequence) and the three foreign keys.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from alembic import op
from sqlalchemy import text

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORY_DAYS = 400  # older reads (none, under any shipped policy but the longest) go to default
AHEAD_DAYS = 3  # as app/partitions.py keeps ahead

_REFERENCES = (  # (table, foreign key) pointing at plate_read.id
    ("hit", "fk_hit_read_id_plate_read"),
    ("read_source_key", "fk_read_source_key_read_id_plate_read"),
    ("bulletin_match", "fk_bulletin_match_read_id_plate_read"),
)
_INDEXES = (
    ("ix_plate_read_plate_key_read_at", "plate_key, read_at"),
    ("ix_plate_read_plate_fold_read_at", "plate_fold, read_at"),
    ("ix_plate_read_camera_id_received_at", "camera_id, received_at"),
    ("ix_plate_read_read_at", "read_at"),
)


def _day_name(day: date) -> str:
    return f"plate_read_p{day:%Y%m%d}"


def _bound(day: date) -> str:
    return f"'{day.isoformat()} 00:00:00+00'"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, fk in _REFERENCES:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {fk}")
    op.execute("ALTER TABLE plate_read RENAME TO plate_read_old")
    op.execute("ALTER TABLE plate_read_old DROP CONSTRAINT fk_plate_read_camera_id_camera")
    op.execute("ALTER TABLE plate_read_old DROP CONSTRAINT pk_plate_read")
    for name, _ in _INDEXES:
        op.execute(f"DROP INDEX {name}")
    _create_parent(like="plate_read_old")
    today = datetime.now(UTC).date()
    days = {today + timedelta(days=n) for n in range(AHEAD_DAYS + 1)}
    since = today - timedelta(days=HISTORY_DAYS)
    days.update(
        row[0]
        for row in op.get_bind().execute(
            text(
                "SELECT DISTINCT (read_at AT TIME ZONE 'UTC')::date FROM plate_read_old"
                " WHERE read_at >= :since AND read_at < :until"
            ),
            {"since": since, "until": today + timedelta(days=AHEAD_DAYS + 1)},
        )
    )
    for day in sorted(days):
        op.execute(
            f"CREATE TABLE {_day_name(day)} PARTITION OF plate_read"
            f" FOR VALUES FROM ({_bound(day)}) TO ({_bound(day + timedelta(days=1))})"
        )
    op.execute("CREATE TABLE plate_read_default PARTITION OF plate_read DEFAULT")
    op.execute("INSERT INTO plate_read SELECT * FROM plate_read_old")
    op.execute("ALTER SEQUENCE plate_read_id_seq OWNED BY plate_read.id")
    op.execute("DROP TABLE plate_read_old")


def _create_parent(*, like: str) -> None:
    # LIKE copies the columns in order with their types, NOT NULLs and the id's default
    # (nextval of plate_read_id_seq), so SELECT * moves rows across.
    op.execute(
        f"CREATE TABLE plate_read (LIKE {like} INCLUDING DEFAULTS) PARTITION BY RANGE (read_at)"
    )
    op.execute(
        "ALTER TABLE plate_read ADD CONSTRAINT pk_plate_read PRIMARY KEY (id, read_at),"
        " ADD CONSTRAINT fk_plate_read_camera_id_camera FOREIGN KEY (camera_id)"
        " REFERENCES camera (id)"
    )
    for name, columns in _INDEXES:
        op.execute(f"CREATE INDEX {name} ON plate_read ({columns})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE plate_read RENAME TO plate_read_partitioned")
    op.execute("ALTER TABLE plate_read_partitioned DROP CONSTRAINT fk_plate_read_camera_id_camera")
    op.execute("ALTER TABLE plate_read_partitioned DROP CONSTRAINT pk_plate_read")
    for name, _ in _INDEXES:
        op.execute(f"DROP INDEX {name}")
    op.execute("CREATE TABLE plate_read (LIKE plate_read_partitioned INCLUDING DEFAULTS)")
    op.execute("INSERT INTO plate_read SELECT * FROM plate_read_partitioned")
    op.execute(
        "ALTER TABLE plate_read ADD CONSTRAINT pk_plate_read PRIMARY KEY (id),"
        " ADD CONSTRAINT fk_plate_read_camera_id_camera FOREIGN KEY (camera_id)"
        " REFERENCES camera (id)"
    )
    for name, columns in _INDEXES:
        op.execute(f"CREATE INDEX {name} ON plate_read ({columns})")
    op.execute("ALTER SEQUENCE plate_read_id_seq OWNED BY plate_read.id")
    op.execute("DROP TABLE plate_read_partitioned")  # its partitions with it
    for table, fk in _REFERENCES:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {fk} FOREIGN KEY (read_id)"
            " REFERENCES plate_read (id)"
        )
