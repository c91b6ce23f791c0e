"""sign-in: user names, passwords, TOTP, lockout; bearer tokens in their own table; the
credential change feed

A person's one bearer token (app_user.token_hash) becomes a bootstrap token that expires 12 h
after the upgrade: scripts keep working for a shift, people sign in from then on.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "auth_token",
        sa.Column("id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("hint", sa.String(), nullable=False),
        sa.Column("session", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(), nullable=True),
        sa.Column("client", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_auth_token_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_token_token_hash")),
    )
    op.create_index(op.f("ix_auth_token_user_id"), "auth_token", ["user_id"])
    op.create_index(op.f("ix_auth_token_session"), "auth_token", ["session"])
    op.create_index(op.f("ix_auth_token_expires_at"), "auth_token", ["expires_at"])
    op.create_table(
        "credential_change",
        sa.Column("id", _ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_change")),
    )
    in_12_hours = (
        "datetime('now', '+12 hours')"
        if op.get_bind().dialect.name == "sqlite"
        else "CURRENT_TIMESTAMP + INTERVAL '12 hours'"
    )
    op.execute(
        "INSERT INTO auth_token (user_id, kind, token_hash, hint, session, created_at, "
        f"expires_at) SELECT id, 'bootstrap', token_hash, token_hint, 'legacy-' || id, "
        f"created_at, {in_12_hours} FROM app_user"
    )
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("username", sa.String(), nullable=True))
        batch.add_column(sa.Column("password_hash", sa.String(), nullable=True))
        batch.add_column(
            sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(sa.Column("totp_secret", sa.String(), nullable=True))
        batch.add_column(sa.Column("totp_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(), nullable=True))
        batch.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    # A name seen once becomes the user name; a shared one gets the id to tell them apart.
    op.execute(
        "UPDATE app_user SET username = lower(name) WHERE (SELECT count(*) FROM app_user AS other"
        " WHERE lower(other.name) = lower(app_user.name)) = 1"
    )
    op.execute("UPDATE app_user SET username = lower(name) || '-' || id WHERE username IS NULL")
    with op.batch_alter_table("app_user") as batch:
        batch.alter_column("username", existing_type=sa.String(), nullable=False)
        batch.create_unique_constraint(op.f("uq_app_user_username"), ["username"])
        batch.create_unique_constraint(op.f("uq_app_user_oidc_subject"), ["oidc_subject"])
        batch.drop_constraint(op.f("uq_app_user_token_hash"), type_="unique")
        batch.drop_column("token_hash")
        batch.drop_column("token_hint")


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(), nullable=True))
        batch.add_column(sa.Column("token_hint", sa.String(), nullable=True))
    # Each person's newest bootstrap token becomes their one token again; others sign in anew.
    op.execute(
        "UPDATE app_user SET token_hash = (SELECT t.token_hash FROM auth_token AS t WHERE "
        "t.user_id = app_user.id AND t.kind = 'bootstrap' ORDER BY t.id DESC LIMIT 1), "
        "token_hint = (SELECT t.hint FROM auth_token AS t WHERE t.user_id = app_user.id AND "
        "t.kind = 'bootstrap' ORDER BY t.id DESC LIMIT 1)"
    )
    op.execute(
        "UPDATE app_user SET token_hash = 'revoked:' || id, token_hint = '' "
        "WHERE token_hash IS NULL"
    )
    with op.batch_alter_table("app_user") as batch:
        batch.alter_column("token_hash", existing_type=sa.String(), nullable=False)
        batch.alter_column("token_hint", existing_type=sa.String(), nullable=False)
        batch.create_unique_constraint(op.f("uq_app_user_token_hash"), ["token_hash"])
        batch.drop_constraint(op.f("uq_app_user_oidc_subject"), type_="unique")
        batch.drop_constraint(op.f("uq_app_user_username"), type_="unique")
        for column in (
            "deactivated_at", "oidc_subject", "locked_until", "failed_sign_ins",
            "totp_confirmed_at", "totp_secret", "must_change_password", "password_changed_at",
            "password_hash", "username",
        ):  # fmt: skip
            batch.drop_column(column)
    op.drop_table("credential_change")
    op.drop_index(op.f("ix_auth_token_expires_at"), table_name="auth_token")
    op.drop_index(op.f("ix_auth_token_session"), table_name="auth_token")
    op.drop_index(op.f("ix_auth_token_user_id"), table_name="auth_token")
    op.drop_table("auth_token")
