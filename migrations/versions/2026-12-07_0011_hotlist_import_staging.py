"""hotlist_import_row: a hot-list file's rows staged while it is imported

A state or NCIC extract of millions of rows is parsed into this table a chunk at a time, and
the list is changed from it in one transaction; the rows go when the import ends.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotlist_import_row",
        sa.Column("import_id", sa.String(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("plate", sa.String(), nullable=False),
        sa.Column("plate_key", sa.String(), nullable=False),
        sa.Column("plate_fold", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("expired", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("case_number", sa.String(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vehicle_year", sa.Integer(), nullable=True),
        sa.Column("vehicle_make", sa.String(), nullable=True),
        sa.Column("vehicle_model", sa.String(), nullable=True),
        sa.Column("vehicle_color", sa.String(), nullable=True),
        sa.Column("vehicle_type", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("staged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("import_id", "line", name=op.f("pk_hotlist_import_row")),
    )
    op.create_index(
        "ix_hotlist_import_row_import_key",
        "hotlist_import_row",
        ["import_id", "plate_key"],
        unique=False,
    )
    op.create_index(
        op.f("ix_hotlist_import_row_staged_at"), "hotlist_import_row", ["staged_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_hotlist_import_row_staged_at"), table_name="hotlist_import_row")
    op.drop_index("ix_hotlist_import_row_import_key", table_name="hotlist_import_row")
    op.drop_table("hotlist_import_row")
