"""bulletins: dispatcher BOLOs and the reads that fit them

Two new tables and nothing else: bulletin (the vehicle, area, time window, status, version)
and bulletin_match (its LPR trail). A bulletin's pushes, recipients and acknowledgements use
the existing alert, alert_recipient and delivery tables through one alert of kind "bulletin"
(bulletin.alert_id), so no existing table is altered and this runs in place on a populated
SQLite database.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 23:40:49.720246
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bulletin",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("narrative", sa.String(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("direction_deg", sa.Float(), nullable=True),
        sa.Column("direction_text", sa.String(), nullable=True),
        sa.Column("plate_pattern", sa.String(), nullable=True),
        sa.Column("plate_key", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("vehicle_make", sa.String(), nullable=True),
        sa.Column("vehicle_model", sa.String(), nullable=True),
        sa.Column("vehicle_color", sa.String(), nullable=True),
        sa.Column("vehicle_type", sa.String(), nullable=True),
        sa.Column("vehicle_year_min", sa.Integer(), nullable=True),
        sa.Column("vehicle_year_max", sa.Integer(), nullable=True),
        sa.Column("vehicle_marks", sa.String(), nullable=True),
        sa.Column("area", sa.JSON(), nullable=False),
        sa.Column("case_number", sa.String(), nullable=True),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cancel_reason", sa.String(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "cancelled_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_bulletin_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by"], ["app_user.id"], name=op.f("fk_bulletin_cancelled_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_bulletin_created_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin")),
    )
    op.create_index(op.f("ix_bulletin_status"), "bulletin", ["status"], unique=False)
    op.create_table(
        "bulletin_match",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "bulletin_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("read_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("plate", sa.String(), nullable=False),
        sa.Column("plate_key", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bulletin_id"], ["bulletin.id"], name=op.f("fk_bulletin_match_bulletin_id_bulletin")
        ),
        sa.ForeignKeyConstraint(
            ["read_id"], ["plate_read.id"], name=op.f("fk_bulletin_match_read_id_plate_read")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_match")),
        sa.UniqueConstraint("bulletin_id", "read_id", name=op.f("uq_bulletin_match_bulletin_id")),
    )
    op.create_index(op.f("ix_bulletin_match_read_id"), "bulletin_match", ["read_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_bulletin_match_read_id"), table_name="bulletin_match")
    op.drop_table("bulletin_match")
    op.drop_index(op.f("ix_bulletin_status"), table_name="bulletin")
    op.drop_table("bulletin")
