"""alert_recipient.last_sighting_pushed_at: one throttle for hot-list hits and bulletin matches

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_recipient") as batch:
        batch.add_column(
            sa.Column("last_sighting_pushed_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Every push of a hot-list alert was a sighting; a bulletin's were mostly the bulletin
    # itself, so those start unthrottled.
    op.execute(
        "UPDATE alert_recipient SET last_sighting_pushed_at = last_pushed_at "
        "WHERE alert_id IN (SELECT id FROM alert WHERE kind <> 'bulletin')"
    )


def downgrade() -> None:
    with op.batch_alter_table("alert_recipient") as batch:
        batch.drop_column("last_sighting_pushed_at")
