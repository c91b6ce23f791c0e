"""the life of a hit: the record's confirmation, officers' responses, escalation steps and
the outcome, with who and when; timers as alert columns; entries flagged for review after
false hits

Every alert raised before this revision starts unconfirmed, with no timer running.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def _alert_columns() -> list[tuple[sa.Column[object], bool]]:
    """(column, indexed): the alert columns this revision adds besides the people below; new
    objects each time, as a Column belongs to the one table it is added to."""
    return [
        (
            sa.Column("confirmation", sa.String(), nullable=False, server_default="unconfirmed"),
            True,
        ),
        (sa.Column("confirmation_urgent", sa.Boolean(), nullable=True), False),
        (sa.Column("confirmation_requested_at", _AT, nullable=True), False),
        (sa.Column("confirmation_due_at", _AT, nullable=True), False),
        (sa.Column("confirmation_answered_at", _AT, nullable=True), False),
        (sa.Column("confirmation_note", sa.String(), nullable=True), False),
        (sa.Column("escalation_level", sa.Integer(), nullable=False, server_default="0"), False),
        (sa.Column("escalation_due_at", _AT, nullable=True), False),
        (sa.Column("escalation_cause", sa.String(), nullable=True), False),
        (sa.Column("escalated_at", _AT, nullable=True), True),
        (sa.Column("due_at", _AT, nullable=True), True),
        (sa.Column("disposition", sa.String(), nullable=True), True),
        (sa.Column("result", sa.String(), nullable=True), False),
        (sa.Column("outcome_note", sa.String(), nullable=True), False),
        (sa.Column("closed_at", _AT, nullable=True), True),
    ]


_ALERT_PEOPLE = ["confirmation_requested_by", "confirmation_answered_by", "closed_by"]


def upgrade() -> None:
    op.create_table(
        "alert_response",
        sa.Column("id", _ID, nullable=False),
        sa.Column("alert_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("eta_s", sa.Float(), nullable=True),
        sa.Column("eta_source", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_response_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_alert_response_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_response")),
    )
    for column in ("alert_id", "user_id", "status", "at"):
        op.create_index(op.f(f"ix_alert_response_{column}"), "alert_response", [column])
    op.create_table(
        "alert_confirmation",
        sa.Column("id", _ID, nullable=False),
        sa.Column("alert_id", _ID, nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("user_id", _ID, nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=True),
        sa.Column("due_at", _AT, nullable=True),
        sa.Column("at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_confirmation_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_alert_confirmation_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_confirmation")),
    )
    for column in ("alert_id", "user_id", "state", "at"):
        op.create_index(op.f(f"ix_alert_confirmation_{column}"), "alert_confirmation", [column])
    op.create_table(
        "alert_escalation",
        sa.Column("id", _ID, nullable=False),
        sa.Column("alert_id", _ID, nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("told", sa.JSON(), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_escalation_alert_id_alert")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_escalation")),
        sa.UniqueConstraint("alert_id", "level", name=op.f("uq_alert_escalation_alert_id")),
    )
    for column in ("alert_id", "step", "at"):
        op.create_index(op.f(f"ix_alert_escalation_{column}"), "alert_escalation", [column])

    with op.batch_alter_table("alert") as batch:
        for column, _ in _alert_columns():
            batch.add_column(column)
        for name in _ALERT_PEOPLE:
            batch.add_column(sa.Column(name, _ID, nullable=True))
            batch.create_foreign_key(op.f(f"fk_alert_{name}_app_user"), "app_user", [name], ["id"])
            batch.create_index(op.f(f"ix_alert_{name}"), [name])
        for column, indexed in _alert_columns():
            if indexed:
                batch.create_index(op.f(f"ix_alert_{column.name}"), [column.name])
    with op.batch_alter_table("alert_recipient") as batch:
        batch.add_column(sa.Column("response", sa.String(), nullable=True))
        batch.add_column(sa.Column("responded_at", _AT, nullable=True))
    with op.batch_alter_table("hotlist_entry") as batch:
        batch.add_column(sa.Column("false_hits", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("review_flagged_at", _AT, nullable=True))
        batch.add_column(sa.Column("review_reason", sa.String(), nullable=True))
        batch.create_index(op.f("ix_hotlist_entry_review_flagged_at"), ["review_flagged_at"])


def downgrade() -> None:
    with op.batch_alter_table("hotlist_entry") as batch:
        batch.drop_index(op.f("ix_hotlist_entry_review_flagged_at"))
        for name in ("review_reason", "review_flagged_at", "false_hits"):
            batch.drop_column(name)
    with op.batch_alter_table("alert_recipient") as batch:
        batch.drop_column("responded_at")
        batch.drop_column("response")
    with op.batch_alter_table("alert") as batch:
        for column, indexed in _alert_columns():
            if indexed:
                batch.drop_index(op.f(f"ix_alert_{column.name}"))
        for name in _ALERT_PEOPLE:
            batch.drop_index(op.f(f"ix_alert_{name}"))
            batch.drop_constraint(op.f(f"fk_alert_{name}_app_user"), type_="foreignkey")
            batch.drop_column(name)
        for column, _ in reversed(_alert_columns()):
            batch.drop_column(column.name)
    for table in ("alert_escalation", "alert_confirmation", "alert_response"):
        op.drop_table(table)
