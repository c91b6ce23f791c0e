"""totp replay: the time step of the last one-time code each person used, so a code signs in
once (RFC 6238 section 5.2: a verifier must not accept the second attempt of the same OTP)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("totp_last_step")
