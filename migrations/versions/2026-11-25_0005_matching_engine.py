"""matching engine: per-list policies, explained hits, folded plate keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hotlist") as batch:
        batch.add_column(
            sa.Column("confusable_max", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(sa.Column("edit_max", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("broad_confusables", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("ignore_state", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("source", sa.String(), nullable=True))
        batch.add_column(sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_hotlist_updated_at"), ["updated_at"])
    with op.batch_alter_table("hit") as batch:
        batch.add_column(sa.Column("read_key", sa.String(), nullable=True))
        batch.add_column(sa.Column("explanation", sa.String(), nullable=True))
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("historical", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("plate_read") as batch:
        batch.add_column(sa.Column("plate_fold", sa.String(), nullable=True))
        batch.create_index("ix_plate_read_plate_fold_read_at", ["plate_fold", "read_at"])


def downgrade() -> None:
    with op.batch_alter_table("plate_read") as batch:
        batch.drop_index("ix_plate_read_plate_fold_read_at")
        batch.drop_column("plate_fold")
    with op.batch_alter_table("hit") as batch:
        for column in ("historical", "details", "explanation", "read_key"):
            batch.drop_column(column)
    with op.batch_alter_table("hotlist") as batch:
        batch.drop_index(batch.f("ix_hotlist_updated_at"))
        for column in ("refreshed_at", "source", "updated_at", "ignore_state",
                       "broad_confusables", "edit_max", "confusable_max"):  # fmt: skip
            batch.drop_column(column)
