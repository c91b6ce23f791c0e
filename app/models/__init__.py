"""Database tables (SQLModel, table=True), one module per domain; every table is registered on
SQLModel.metadata when this package is imported. API shapes live in app/schemas."""

from app.models.alerts import Alert, AlertRecipient, AlertStatus, Delivery, DeliveryStatus, Hit
from app.models.audit import AuditLog
from app.models.bulletins import Bulletin, BulletinMatch, BulletinStatus
from app.models.cameras import NO_KEY_PREFIX, Camera, CameraSource
from app.models.command import PoliceArea, Squad, SquadMember
from app.models.hotlists import HotList, HotListChange, HotListEntry
from app.models.lifecycle import AlertConfirmation, AlertEscalation, AlertResponse
from app.models.officers import Beat, OfficerLocation, OfficerStatus
from app.models.people import AuthToken, CredentialChange, Device, Role, TokenKind, User
from app.models.reads import Read, ReadSourceKey

__all__ = [
    "NO_KEY_PREFIX",
    "Alert",
    "AlertConfirmation",
    "AlertEscalation",
    "AlertRecipient",
    "AlertResponse",
    "AlertStatus",
    "AuditLog",
    "AuthToken",
    "Beat",
    "Bulletin",
    "BulletinMatch",
    "BulletinStatus",
    "Camera",
    "CameraSource",
    "CredentialChange",
    "Delivery",
    "DeliveryStatus",
    "Device",
    "Hit",
    "HotList",
    "HotListChange",
    "HotListEntry",
    "OfficerLocation",
    "OfficerStatus",
    "PoliceArea",
    "Read",
    "ReadSourceKey",
    "Role",
    "Squad",
    "SquadMember",
    "TokenKind",
    "User",
]
