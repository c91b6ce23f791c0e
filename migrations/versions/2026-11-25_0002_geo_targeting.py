"""geo targeting

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 23:21:12.586064
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "beat",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("district", sa.String(), nullable=True),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_beat")),
    )
    op.create_table(
        "officer_location",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("speed_mps", sa.Float(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_officer_location_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_location")),
    )
    op.create_index(
        "ix_officer_location_user_recorded",
        "officer_location",
        ["user_id", "recorded_at"],
        unique=False,
    )
    # Batch mode: SQLite cannot add a foreign key to an existing table, so it rebuilds it.
    with op.batch_alter_table("alert") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(), nullable=False, server_default="hotlist_hit")
        )
        batch.add_column(sa.Column("dedup_key", sa.String(), nullable=True))
        batch.add_column(
            sa.Column(
                "hotlist_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch.add_column(
            sa.Column("is_covert", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("beat", sa.String(), nullable=True))
        batch.add_column(sa.Column("sightings", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_alert_dedup_key_last_seen_at", ["dedup_key", "last_seen_at"])
        batch.create_index(batch.f("ix_alert_hotlist_id"), ["hotlist_id"])
        batch.create_foreign_key(
            batch.f("fk_alert_hotlist_id_hotlist"), "hotlist", ["hotlist_id"], ["id"]
        )
    with op.batch_alter_table("alert_recipient") as batch:
        batch.add_column(sa.Column("eta_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("reason", sa.String(), nullable=False, server_default="nearest"))
        batch.add_column(sa.Column("last_pushed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("officer_status") as batch:
        batch.add_column(sa.Column("assigned_beat", sa.String(), nullable=True))
        batch.create_index(batch.f("ix_officer_status_assigned_beat"), ["assigned_beat"])
        batch.create_index(batch.f("ix_officer_status_received_at"), ["received_at"])
    with op.batch_alter_table("plate_read") as batch:
        batch.add_column(sa.Column("beat", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plate_read") as batch:
        batch.drop_column("beat")
    with op.batch_alter_table("officer_status") as batch:
        batch.drop_index(batch.f("ix_officer_status_received_at"))
        batch.drop_index(batch.f("ix_officer_status_assigned_beat"))
        batch.drop_column("assigned_beat")
    with op.batch_alter_table("alert_recipient") as batch:
        batch.drop_column("last_pushed_at")
        batch.drop_column("reason")
        batch.drop_column("eta_s")
    with op.batch_alter_table("alert") as batch:
        batch.drop_constraint(batch.f("fk_alert_hotlist_id_hotlist"), type_="foreignkey")
        batch.drop_index(batch.f("ix_alert_hotlist_id"))
        batch.drop_index("ix_alert_dedup_key_last_seen_at")
        for column in ("updated_at", "last_seen_at", "sightings", "beat", "is_covert",
                       "hotlist_id", "dedup_key", "kind"):  # fmt: skip
            batch.drop_column(column)
    op.drop_index("ix_officer_location_user_recorded", table_name="officer_location")
    op.drop_table("officer_location")
    op.drop_table("beat")
