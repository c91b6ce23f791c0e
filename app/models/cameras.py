"""Cameras, and the vendor camera names each key has brought in."""

from datetime import datetime

from sqlalchemy import UniqueConstraint, false
from sqlmodel import Field, SQLModel

from app.models.base import foreign_key, id_column, utc_column


class Camera(SQLModel, table=True):
    """A camera, or a site whose key posts for several (an LPR agent, an NVR, a webhook).

    A camera created on first sight under a site's key has no key of its own: `key_hash` holds
    `NO_KEY_PREFIX` and a random suffix, which no HMAC digest can equal. (SQLite cannot make the
    column nullable without rebuilding a table that plate_read references.)
    """

    id: int | None = id_column()
    name: str = Field(index=True)
    lat: float | None = None
    lon: float | None = None
    heading_deg: float | None = None
    key_hash: str = Field(unique=True)
    key_hint: str  # the key's first characters, so an admin can tell keys apart
    is_active: bool = True
    created_at: datetime = utc_column()
    # Its key may post for vendor cameras Lookout has not seen yet, creating them unplaced.
    may_create_cameras: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    last_heartbeat_at: datetime | None = utc_column(nullable=True)
    last_sighting_at: datetime | None = utc_column(nullable=True)  # a vehicle seen without a plate
    is_streaming: bool | None = None  # as the last heartbeat said; None: never told


NO_KEY_PREFIX = "nokey:"


class CameraSource(SQLModel, table=True):
    """A vendor's camera identifier (`lpr.Read.camera_ref`), as sent with one key, and the
    Lookout camera its reads are stored under. Scoped by key: two agencies may both have a
    Frigate camera called "driveway"."""

    __tablename__ = "camera_source"
    __table_args__ = (UniqueConstraint("key_camera_id", "camera_ref"),)

    id: int | None = id_column()
    key_camera_id: int = foreign_key("camera.id", index=False)  # the unique constraint indexes it
    camera_ref: str
    camera_id: int = foreign_key("camera.id")
    label: str | None = None  # the vendor's own name for the camera, when it sends one
    created_at: datetime = utc_column()
