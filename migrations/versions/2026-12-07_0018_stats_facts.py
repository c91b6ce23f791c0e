"""the statistics' facts on the rows: when an alert was first answered `responding` or
`on_scene` (by anyone, and by each officer told) and how many of its pushes were sent (in all,
and to each officer told)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 20:00:00

Issue 12: a year of the agency's statistics read every alert with its pushes and answers.
From now on the service writes these four columns in the transaction that records the answer
or the sent push (app/lifecycle/responses.py, app/delivery/worker.py); here they are filled
from the rows already stored, one aggregate per table joined back (UPDATE ... FROM, on
PostgreSQL and on SQLite since 3.33). Two indexes: a window's alerts with their beats without
reading the rows, and the officers sent a push of each alert (the rows with `pushes > 0`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)
_ACTIVE = "('on_scene', 'responding')"  # alerts.lifecycle.ACTIVE, as it is at this revision

BACKFILL = [
    f"""UPDATE alert SET responding_at = first.at
    FROM (SELECT alert_id, min(at) AS at FROM alert_response WHERE status IN {_ACTIVE}
          GROUP BY alert_id) AS first
    WHERE alert.id = first.alert_id""",
    """UPDATE alert SET pushes = sent.n
    FROM (SELECT alert_id, count(*) AS n FROM delivery WHERE status = 'sent'
          GROUP BY alert_id) AS sent
    WHERE alert.id = sent.alert_id""",
    f"""UPDATE alert_recipient SET responding_at = first.at
    FROM (SELECT alert_id, user_id, min(at) AS at FROM alert_response
          WHERE status IN {_ACTIVE} GROUP BY alert_id, user_id) AS first
    WHERE alert_recipient.alert_id = first.alert_id
      AND alert_recipient.user_id = first.user_id""",
    """UPDATE alert_recipient SET pushes = sent.n
    FROM (SELECT recipient_id, count(*) AS n FROM delivery WHERE status = 'sent'
          GROUP BY recipient_id) AS sent
    WHERE alert_recipient.id = sent.recipient_id""",
]


def upgrade() -> None:
    for table in ("alert", "alert_recipient"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("responding_at", _AT, nullable=True))
            batch.add_column(sa.Column("pushes", sa.Integer(), nullable=False, server_default="0"))
    for statement in BACKFILL:
        op.execute(statement)
    op.create_index("ix_alert_created_at_beat_id", "alert", ["created_at", "beat", "id"])
    pushed = sa.text("pushes > 0")
    op.create_index(
        "ix_alert_recipient_pushed", "alert_recipient", ["alert_id", "user_id"],
        postgresql_where=pushed, sqlite_where=pushed,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_alert_recipient_pushed", table_name="alert_recipient")
    op.drop_index("ix_alert_created_at_beat_id", table_name="alert")
    for table in ("alert_recipient", "alert"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("pushes")
            batch.drop_column("responding_at")
