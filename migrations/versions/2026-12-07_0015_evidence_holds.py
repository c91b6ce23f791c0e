"""evidence holds: records kept past their retention while a case needs them (by plate, by
camera and time range, or by alert)

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "evidence_hold",
        sa.Column("id", _ID, nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("case_number", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("plate", sa.String(), nullable=True),
        sa.Column("plate_key", sa.String(), nullable=True),
        sa.Column("camera_id", _ID, nullable=True),
        sa.Column("since", _AT, nullable=True),
        sa.Column("until", _AT, nullable=True),
        sa.Column("alert_id", _ID, nullable=True),
        sa.Column("created_by", _ID, nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("released_at", _AT, nullable=True),
        sa.Column("released_by", _ID, nullable=True),
        sa.Column("release_reason", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_evidence_hold_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_evidence_hold_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["released_by"], ["app_user.id"], name=op.f("fk_evidence_hold_released_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_hold")),
    )
    op.create_index(
        "ix_evidence_hold_released_at_kind", "evidence_hold", ["released_at", "kind"]
    )
    op.create_index(op.f("ix_evidence_hold_plate_key"), "evidence_hold", ["plate_key"])


def downgrade() -> None:
    op.drop_table("evidence_hold")
