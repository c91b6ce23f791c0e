"""vendor intake: camera sources, dedup keys, camera health, read details

Every change is an added table, an added column or an index, which SQLite does in place: no
table is rebuilt, so this runs on a populated SQLite database whose foreign keys are enforced.
The camera_id index of plate_read is replaced by (camera_id, received_at), which serves the
foreign key and the camera health queries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 23:23:23.515604
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "camera_source",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "key_camera_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("camera_ref", sa.String(), nullable=False),
        sa.Column(
            "camera_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_camera_source_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["key_camera_id"], ["camera.id"], name=op.f("fk_camera_source_key_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_source")),
        sa.UniqueConstraint(
            "key_camera_id", "camera_ref", name=op.f("uq_camera_source_key_camera_id")
        ),
    )
    op.create_index(
        op.f("ix_camera_source_camera_id"), "camera_source", ["camera_id"], unique=False
    )
    op.create_table(
        "read_source_key",
        sa.Column(
            "camera_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("read_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_read_source_key_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["read_id"], ["plate_read.id"], name=op.f("fk_read_source_key_read_id_plate_read")
        ),
        sa.PrimaryKeyConstraint("camera_id", "key", name=op.f("pk_read_source_key")),
    )
    op.create_index(
        op.f("ix_read_source_key_read_id"), "read_source_key", ["read_id"], unique=False
    )
    op.add_column(
        "camera",
        sa.Column("may_create_cameras", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "camera", sa.Column("last_heartbeat_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "camera", sa.Column("last_sighting_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("camera", sa.Column("is_streaming", sa.Boolean(), nullable=True))
    op.add_column("plate_read", sa.Column("details", sa.JSON(), nullable=True))
    op.drop_index(op.f("ix_plate_read_camera_id"), table_name="plate_read")
    op.create_index(
        "ix_plate_read_camera_id_received_at",
        "plate_read",
        ["camera_id", "received_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_plate_read_camera_id_received_at", table_name="plate_read")
    op.create_index(op.f("ix_plate_read_camera_id"), "plate_read", ["camera_id"], unique=False)
    op.drop_column("plate_read", "details")
    op.drop_column("camera", "is_streaming")
    op.drop_column("camera", "last_sighting_at")
    op.drop_column("camera", "last_heartbeat_at")
    op.drop_column("camera", "may_create_cameras")
    op.drop_index(op.f("ix_read_source_key_read_id"), table_name="read_source_key")
    op.drop_table("read_source_key")
    op.drop_index(op.f("ix_camera_source_camera_id"), table_name="camera_source")
    op.drop_table("camera_source")
