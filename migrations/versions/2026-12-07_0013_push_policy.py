"""fewer, better pushes: every push explained (alert_notice, linked from its deliveries),
the dispatcher queue on the alert, each hot list's dispatch-first policy, and officers'
answers indexed (who is busy elsewhere)

Alerts raised before this revision are in no queue, and their pushes carry no explanation.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_notice",
        sa.Column("id", _ID, nullable=False),
        sa.Column("alert_id", _ID, nullable=False),
        sa.Column("recipient_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("loud", sa.Boolean(), nullable=False),
        sa.Column("why_officer", sa.String(), nullable=False),
        sa.Column("why_now", sa.String(), nullable=False),
        sa.Column("why_sound", sa.String(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_notice_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["alert_recipient.id"],
            name=op.f("fk_alert_notice_recipient_id_alert_recipient"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_alert_notice_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_notice")),
    )
    op.create_index(op.f("ix_alert_notice_alert_id"), "alert_notice", ["alert_id"])
    op.create_index(op.f("ix_alert_notice_recipient_id"), "alert_notice", ["recipient_id"])
    op.create_index(op.f("ix_alert_notice_at"), "alert_notice", ["at"])
    op.create_index("ix_alert_notice_user_id_at", "alert_notice", ["user_id", "at"])
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("notice_id", _ID, nullable=True))
        batch.create_foreign_key(
            op.f("fk_delivery_notice_id_alert_notice"), "alert_notice", ["notice_id"], ["id"]
        )
        batch.create_index(op.f("ix_delivery_notice_id"), ["notice_id"])
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("dispatch_queued_at", _AT, nullable=True))
        batch.add_column(sa.Column("dispatch_reason", sa.String(), nullable=True))
        batch.add_column(
            sa.Column("dispatch_hold", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("dispatch_cleared_at", _AT, nullable=True))
        batch.add_column(sa.Column("dispatch_cleared_by", _ID, nullable=True))
        batch.create_foreign_key(
            op.f("fk_alert_dispatch_cleared_by_app_user"),
            "app_user",
            ["dispatch_cleared_by"],
            ["id"],
        )
        batch.create_index(op.f("ix_alert_dispatch_cleared_by"), ["dispatch_cleared_by"])
        batch.create_index(op.f("ix_alert_dispatch_queued_at"), ["dispatch_queued_at"])
    op.create_index(op.f("ix_alert_recipient_response"), "alert_recipient", ["response"])
    with op.batch_alter_table("hotlist") as batch:
        batch.add_column(
            sa.Column("dispatch_first", sa.String(), nullable=False, server_default="auto")
        )


def downgrade() -> None:
    with op.batch_alter_table("hotlist") as batch:
        batch.drop_column("dispatch_first")
    op.drop_index(op.f("ix_alert_recipient_response"), table_name="alert_recipient")
    with op.batch_alter_table("alert") as batch:
        batch.drop_index(op.f("ix_alert_dispatch_queued_at"))
        batch.drop_index(op.f("ix_alert_dispatch_cleared_by"))
        batch.drop_constraint(op.f("fk_alert_dispatch_cleared_by_app_user"), type_="foreignkey")
        for name in (
            "dispatch_cleared_by",
            "dispatch_cleared_at",
            "dispatch_hold",
            "dispatch_reason",
            "dispatch_queued_at",
        ):
            batch.drop_column(name)
    with op.batch_alter_table("delivery") as batch:
        batch.drop_index(op.f("ix_delivery_notice_id"))
        batch.drop_constraint(op.f("fk_delivery_notice_id_alert_notice"), type_="foreignkey")
        batch.drop_column("notice_id")
    op.drop_index("ix_alert_notice_user_id_at", table_name="alert_notice")
    for column in ("at", "recipient_id", "alert_id"):
        op.drop_index(op.f(f"ix_alert_notice_{column}"), table_name="alert_notice")
    op.drop_table("alert_notice")
