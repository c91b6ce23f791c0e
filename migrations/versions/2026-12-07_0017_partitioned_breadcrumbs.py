"""partitioned breadcrumbs: on PostgreSQL officer_location becomes a table partitioned by day
on recorded_at

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 19:00:00

Breadcrumbs are the second table that grows with time: a fix every 15 s from every officer on
duty is half a million rows a day for one city, and retention removes them by `recorded_at`
(the positions clock). As plate_read in revision 0016: a partition per UTC day, a DEFAULT
partition for rows no day covers (a fix from a phone whose clock is off, a day the worker has
not made yet), the worker making the days ahead (app/partitions.py), and retention dropping a
whole expired day instead of deleting its rows one batch at a time.

The conversion is in place, in this transaction: rename, create the partitioned parent with
the same columns (LIKE), primary key (id, recorded_at), the foreign key to app_user and the
index; day partitions for every day holding fixes in the last `HISTORY_DAYS`, today and
`AHEAD_DAYS` ahead; one INSERT ... SELECT; the id sequence handed over with its value; the old
table dropped. Nothing references officer_location, so no foreign key is lost. SQLite keeps
its plain table. Downgrade puts a plain table back.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from alembic import op
from sqlalchemy import text

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORY_DAYS = 400
AHEAD_DAYS = 3  # as app/partitions.py keeps ahead

_INDEX = ("ix_officer_location_user_recorded", "user_id, recorded_at")
_CONSTRAINTS = (
    "ADD CONSTRAINT fk_officer_location_user_id_app_user FOREIGN KEY (user_id)"
    " REFERENCES app_user (id)"
)


def _day_name(day: date) -> str:
    return f"officer_location_p{day:%Y%m%d}"


def _bound(day: date) -> str:
    return f"'{day.isoformat()} 00:00:00+00'"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE officer_location RENAME TO officer_location_old")
    op.execute(
        "ALTER TABLE officer_location_old DROP CONSTRAINT fk_officer_location_user_id_app_user"
    )
    op.execute("ALTER TABLE officer_location_old DROP CONSTRAINT pk_officer_location")
    op.execute(f"DROP INDEX {_INDEX[0]}")
    # LIKE copies the columns in order with their types, NOT NULLs and the id's default.
    op.execute(
        "CREATE TABLE officer_location (LIKE officer_location_old INCLUDING DEFAULTS)"
        " PARTITION BY RANGE (recorded_at)"
    )
    op.execute(
        "ALTER TABLE officer_location ADD CONSTRAINT pk_officer_location"
        f" PRIMARY KEY (id, recorded_at), {_CONSTRAINTS}"
    )
    op.execute(f"CREATE INDEX {_INDEX[0]} ON officer_location ({_INDEX[1]})")
    today = datetime.now(UTC).date()
    days = {today + timedelta(days=n) for n in range(AHEAD_DAYS + 1)}
    days.update(
        row[0]
        for row in op.get_bind().execute(
            text(
                "SELECT DISTINCT (recorded_at AT TIME ZONE 'UTC')::date FROM officer_location_old"
                " WHERE recorded_at >= :since AND recorded_at < :until"
            ),
            {
                "since": today - timedelta(days=HISTORY_DAYS),
                "until": today + timedelta(days=AHEAD_DAYS + 1),
            },
        )
    )
    for day in sorted(days):
        op.execute(
            f"CREATE TABLE {_day_name(day)} PARTITION OF officer_location"
            f" FOR VALUES FROM ({_bound(day)}) TO ({_bound(day + timedelta(days=1))})"
        )
    op.execute("CREATE TABLE officer_location_default PARTITION OF officer_location DEFAULT")
    op.execute("INSERT INTO officer_location SELECT * FROM officer_location_old")
    op.execute("ALTER SEQUENCE officer_location_id_seq OWNED BY officer_location.id")
    op.execute("DROP TABLE officer_location_old")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE officer_location RENAME TO officer_location_partitioned")
    op.execute(
        "ALTER TABLE officer_location_partitioned"
        " DROP CONSTRAINT fk_officer_location_user_id_app_user"
    )
    op.execute("ALTER TABLE officer_location_partitioned DROP CONSTRAINT pk_officer_location")
    op.execute(f"DROP INDEX {_INDEX[0]}")
    op.execute(
        "CREATE TABLE officer_location (LIKE officer_location_partitioned INCLUDING DEFAULTS)"
    )
    op.execute("INSERT INTO officer_location SELECT * FROM officer_location_partitioned")
    op.execute(
        f"ALTER TABLE officer_location ADD CONSTRAINT pk_officer_location PRIMARY KEY (id),"
        f" {_CONSTRAINTS}"
    )
    op.execute(f"CREATE INDEX {_INDEX[0]} ON officer_location ({_INDEX[1]})")
    op.execute("ALTER SEQUENCE officer_location_id_seq OWNED BY officer_location.id")
    op.execute("DROP TABLE officer_location_partitioned")  # its partitions with it
