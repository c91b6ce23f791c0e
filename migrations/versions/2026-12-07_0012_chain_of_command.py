"""the chain of command and its numbers: police areas (beats roll up to them, each with its
commander), squads (each with its sergeant) and their officers, command staff; indexes for
the statistics' scopes

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)

# (name, table, columns): the statistics filter each scope over a window of times.
_STATS_INDEXES = [
    ("ix_alert_beat_created_at", "alert", ["beat", "created_at"]),
    ("ix_alert_hotlist_id_created_at", "alert", ["hotlist_id", "created_at"]),
    ("ix_alert_recipient_user_id_created_at", "alert_recipient", ["user_id", "created_at"]),
    ("ix_alert_response_alert_id_status_at", "alert_response", ["alert_id", "status", "at"]),
]


def upgrade() -> None:
    op.create_table(
        "police_area",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("commander_id", _ID, nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["commander_id"], ["app_user.id"], name=op.f("fk_police_area_commander_id_app_user")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_police_area")),
    )
    op.create_index(op.f("ix_police_area_commander_id"), "police_area", ["commander_id"])
    op.create_table(
        "squad",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("sergeant_id", _ID, nullable=False),
        sa.Column("area", sa.String(), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["sergeant_id"], ["app_user.id"], name=op.f("fk_squad_sergeant_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_squad")),
        sa.UniqueConstraint("name", name=op.f("uq_squad_name")),
    )
    op.create_index(op.f("ix_squad_sergeant_id"), "squad", ["sergeant_id"])
    op.create_index(op.f("ix_squad_area"), "squad", ["area"])
    op.create_table(
        "squad_member",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("squad_id", _ID, nullable=False),
        sa.Column("since_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_squad_member_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["squad_id"], ["squad.id"], name=op.f("fk_squad_member_squad_id_squad")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_squad_member")),
    )
    op.create_index(op.f("ix_squad_member_squad_id"), "squad_member", ["squad_id"])
    # Plain ADD COLUMN (no table rebuild on SQLite): nullable, or with a constant default.
    op.add_column("beat", sa.Column("area", sa.String(), nullable=True))
    op.create_index(op.f("ix_beat_area"), "beat", ["area"])
    op.add_column(
        "app_user",
        sa.Column("is_command_staff", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for name, table, columns in _STATS_INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(_STATS_INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("is_command_staff")
    op.drop_index(op.f("ix_beat_area"), table_name="beat")
    with op.batch_alter_table("beat") as batch:
        batch.drop_column("area")
    for table in ("squad_member", "squad", "police_area"):
        op.drop_table(table)
