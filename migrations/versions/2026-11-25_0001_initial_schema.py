"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 22:52:54.840249
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("badge", sa.String(), nullable=True),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("token_hint", sa.String(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_app_user_token_hash")),
    )
    op.create_index(op.f("ix_app_user_name"), "app_user", ["name"], unique=False)
    op.create_table(
        "camera",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("key_hash", sa.String(), nullable=False),
        sa.Column("key_hint", sa.String(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_camera_key_hash")),
    )
    op.create_index(op.f("ix_camera_name"), "camera", ["name"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor_name", sa.String(), nullable=True),
        sa.Column("actor_role", sa.String(), nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("object_type", sa.String(), nullable=True),
        sa.Column("object_id", sa.String(), nullable=True),
        sa.Column("plate", sa.String(), nullable=True),
        sa.Column("purpose", sa.String(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_audit_log_actor_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"], unique=False)
    op.create_index(op.f("ix_audit_log_actor_id"), "audit_log", ["actor_id"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_plate"), "audit_log", ["plate"], unique=False)
    op.create_table(
        "device",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_reason", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_device_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("token", name=op.f("uq_device_token")),
    )
    op.create_index(op.f("ix_device_user_id"), "device", ["user_id"], unique=False)
    op.create_table(
        "hotlist",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_hotlist_created_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotlist")),
        sa.UniqueConstraint("name", name=op.f("uq_hotlist_name")),
    )
    op.create_table(
        "officer_status",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        sa.Column("duty_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("speed_mps", sa.Float(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_officer_status_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_officer_status")),
    )
    op.create_index(
        op.f("ix_officer_status_recorded_at"), "officer_status", ["recorded_at"], unique=False
    )
    op.create_table(
        "plate_read",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "camera_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("plate", sa.String(), nullable=False),
        sa.Column("plate_key", sa.String(), nullable=False),
        sa.Column("plate_removed", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=True),
        sa.Column("vehicle_make", sa.String(), nullable=True),
        sa.Column("vehicle_model", sa.String(), nullable=True),
        sa.Column("vehicle_color", sa.String(), nullable=True),
        sa.Column("vehicle_type", sa.String(), nullable=True),
        sa.Column("vehicle_year", sa.Integer(), nullable=True),
        sa.Column("image_url", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_plate_read_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plate_read")),
    )
    op.create_index(op.f("ix_plate_read_camera_id"), "plate_read", ["camera_id"], unique=False)
    op.create_index(
        "ix_plate_read_plate_key_read_at", "plate_read", ["plate_key", "read_at"], unique=False
    )
    op.create_index(op.f("ix_plate_read_read_at"), "plate_read", ["read_at"], unique=False)
    op.create_table(
        "hotlist_entry",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "hotlist_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("plate", sa.String(), nullable=False),
        sa.Column("plate_key", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("case_number", sa.String(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vehicle_year", sa.Integer(), nullable=True),
        sa.Column("vehicle_make", sa.String(), nullable=True),
        sa.Column("vehicle_model", sa.String(), nullable=True),
        sa.Column("vehicle_color", sa.String(), nullable=True),
        sa.Column("vehicle_type", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "deleted_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_hotlist_entry_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"], ["app_user.id"], name=op.f("fk_hotlist_entry_deleted_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["hotlist_id"], ["hotlist.id"], name=op.f("fk_hotlist_entry_hotlist_id_hotlist")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotlist_entry")),
    )
    op.create_index(
        op.f("ix_hotlist_entry_hotlist_id"), "hotlist_entry", ["hotlist_id"], unique=False
    )
    op.create_index(
        op.f("ix_hotlist_entry_plate_key"), "hotlist_entry", ["plate_key"], unique=False
    )
    op.create_table(
        "hit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("read_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "hotlist_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("quality", sa.String(), nullable=False),
        sa.Column("read_plate", sa.String(), nullable=False),
        sa.Column("listed_plate", sa.String(), nullable=False),
        sa.Column("state_note", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["hotlist_entry.id"], name=op.f("fk_hit_entry_id_hotlist_entry")
        ),
        sa.ForeignKeyConstraint(
            ["hotlist_id"], ["hotlist.id"], name=op.f("fk_hit_hotlist_id_hotlist")
        ),
        sa.ForeignKeyConstraint(
            ["read_id"], ["plate_read.id"], name=op.f("fk_hit_read_id_plate_read")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit")),
    )
    op.create_index(op.f("ix_hit_entry_id"), "hit", ["entry_id"], unique=False)
    op.create_index(op.f("ix_hit_read_id"), "hit", ["read_id"], unique=False)
    op.create_table(
        "hotlist_change",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("op", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["hotlist_entry.id"],
            name=op.f("fk_hotlist_change_entry_id_hotlist_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotlist_change")),
    )
    op.create_index(
        op.f("ix_hotlist_change_entry_id"), "hotlist_change", ["entry_id"], unique=False
    )
    op.create_table(
        "alert",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("plate", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["hit_id"], ["hit.id"], name=op.f("fk_alert_hit_id_hit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
    )
    op.create_index(op.f("ix_alert_created_at"), "alert", ["created_at"], unique=False)
    op.create_index(op.f("ix_alert_hit_id"), "alert", ["hit_id"], unique=False)
    op.create_table(
        "alert_recipient",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_recipient_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_alert_recipient_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_recipient")),
        sa.UniqueConstraint("alert_id", "user_id", name=op.f("uq_alert_recipient_alert_id")),
    )
    op.create_index(
        op.f("ix_alert_recipient_alert_id"), "alert_recipient", ["alert_id"], unique=False
    )
    op.create_index(
        op.f("ix_alert_recipient_user_id"), "alert_recipient", ["user_id"], unique=False
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "recipient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "device_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_id", sa.String(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_delivery_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_delivery_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["alert_recipient.id"],
            name=op.f("fk_delivery_recipient_id_alert_recipient"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
    )
    op.create_index(op.f("ix_delivery_alert_id"), "delivery", ["alert_id"], unique=False)
    op.create_index(op.f("ix_delivery_device_id"), "delivery", ["device_id"], unique=False)
    op.create_index("ix_delivery_due", "delivery", ["status", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_delivery_recipient_id"), "delivery", ["recipient_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_recipient_id"), table_name="delivery")
    op.drop_index("ix_delivery_due", table_name="delivery")
    op.drop_index(op.f("ix_delivery_device_id"), table_name="delivery")
    op.drop_index(op.f("ix_delivery_alert_id"), table_name="delivery")
    op.drop_table("delivery")
    op.drop_index(op.f("ix_alert_recipient_user_id"), table_name="alert_recipient")
    op.drop_index(op.f("ix_alert_recipient_alert_id"), table_name="alert_recipient")
    op.drop_table("alert_recipient")
    op.drop_index(op.f("ix_alert_hit_id"), table_name="alert")
    op.drop_index(op.f("ix_alert_created_at"), table_name="alert")
    op.drop_table("alert")
    op.drop_index(op.f("ix_hotlist_change_entry_id"), table_name="hotlist_change")
    op.drop_table("hotlist_change")
    op.drop_index(op.f("ix_hit_read_id"), table_name="hit")
    op.drop_index(op.f("ix_hit_entry_id"), table_name="hit")
    op.drop_table("hit")
    op.drop_index(op.f("ix_hotlist_entry_plate_key"), table_name="hotlist_entry")
    op.drop_index(op.f("ix_hotlist_entry_hotlist_id"), table_name="hotlist_entry")
    op.drop_table("hotlist_entry")
    op.drop_index(op.f("ix_plate_read_read_at"), table_name="plate_read")
    op.drop_index("ix_plate_read_plate_key_read_at", table_name="plate_read")
    op.drop_index(op.f("ix_plate_read_camera_id"), table_name="plate_read")
    op.drop_table("plate_read")
    op.drop_index(op.f("ix_officer_status_recorded_at"), table_name="officer_status")
    op.drop_table("officer_status")
    op.drop_table("hotlist")
    op.drop_index(op.f("ix_device_user_id"), table_name="device")
    op.drop_table("device")
    op.drop_index(op.f("ix_audit_log_plate"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_actor_id"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_action"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_camera_name"), table_name="camera")
    op.drop_table("camera")
    op.drop_index(op.f("ix_app_user_name"), table_name="app_user")
    op.drop_table("app_user")
