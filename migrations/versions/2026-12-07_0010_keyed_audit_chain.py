"""the audit chain keyed: each row names the key of its seal (an HMAC keyed by
LOOKOUT_AUDIT_SECRET) and keeps its plate normalised beside the plate as met

Rows written before this revision keep their plain SHA-256 seals and get no `key_id`: their
content is not touched (re-sealing them would be the very rewrite the key is there to catch).
They stay verifiable as before, and the first keyed row chains onto the last of them, so
rewriting them breaks that keyed row's link. Their `plate_key` is filled here with lpr's
normaliser; verification checks it against `plate`, since no seal of theirs covers it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lpr import plates

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("plate_key", sa.String(), nullable=True))
        batch.add_column(sa.Column("key_id", sa.String(), nullable=True))
        batch.create_index(op.f("ix_audit_log_plate_key"), ["plate_key"])
    connection = op.get_bind()
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.BigInteger()),
        sa.column("plate", sa.String()),
        sa.column("plate_key", sa.String()),
    )
    after = 0
    while True:
        rows = connection.execute(
            sa.select(audit.c.id, audit.c.plate)
            .where(audit.c.id > after, audit.c.plate.is_not(None))
            .order_by(audit.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            audit.update()
            .where(audit.c.id == sa.bindparam("row_id"))
            .values(plate_key=sa.bindparam("key")),
            [{"row_id": row_id, "key": plates.normalize_pattern(plate) or None} for row_id, plate in rows],
        )
        after = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index(op.f("ix_audit_log_plate_key"))
        batch.drop_column("key_id")
        batch.drop_column("plate_key")
