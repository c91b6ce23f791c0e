"""read_source_key: each vendor id is claimed with its read's plate (`<id>|<plate key>`)

A read that shares a vendor id with a stored one but carries another plate is a read of its
own; the keys already stored get the plate of the read they point at, so retries of reads
stored before this revision are still recognised.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE read_source_key SET key = key || '|' || "
        "(SELECT plate_key FROM plate_read WHERE plate_read.id = read_source_key.read_id) "
        "WHERE read_id IS NOT NULL"
    )


def downgrade() -> None:
    # Without the plate, one id's keys of several plates would collide. The keys only make
    # retries idempotent, so they are dropped: a retry right after a downgrade is stored again.
    op.execute("DELETE FROM read_source_key")
