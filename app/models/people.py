"""People (every role) and their phones."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import foreign_key, id_column, utc_column


class Role(StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    GATEWAY = "gateway"  # a vehicle-location gateway posting many units' positions


class User(SQLModel, table=True):
    """A person (or a gateway account). Signs in as `username` (lower case, unique) with a
    password and, where the role asks for one, a TOTP code; or through the agency's OpenID
    provider (`oidc_subject`)."""

    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = id_column()
    name: str = Field(index=True)
    username: str = Field(unique=True)
    role: str
    badge: str | None = None
    is_active: bool = True
    created_at: datetime = utc_column()
    password_hash: str | None = None  # Argon2 (pwdlib); None: no password sign-in yet
    password_changed_at: datetime | None = utc_column(nullable=True)
    must_change_password: bool = False  # a one-time password set by an admin or the CLI
    totp_secret: str | None = None  # encrypted with a key derived from the token secret
    totp_confirmed_at: datetime | None = utc_column(nullable=True)
    # The 30 s step of the last code accepted: a code is good once (RFC 6238 5.2).
    totp_last_step: int | None = None
    failed_sign_ins: int = 0
    locked_until: datetime | None = utc_column(nullable=True)
    oidc_subject: str | None = Field(default=None, unique=True)
    deactivated_at: datetime | None = utc_column(nullable=True)
    # Command staff (a supervisor above the areas) see every area's numbers; other
    # supervisors see their area (as its commander) or their squads (as their sergeant).
    is_command_staff: bool = False


class TokenKind(StrEnum):
    ACCESS = "access"  # short-lived bearer token from sign-in or refresh
    REFRESH = "refresh"  # exchanged once for a new pair (rotation)
    BOOTSTRAP = "bootstrap"  # printed by `lookout admin create-user` for scripts; expires


class AuthToken(SQLModel, table=True):
    """A bearer token, stored only as its keyed hash. Tokens of one sign-in share a `session`
    id: refreshing rotates within it, signing out or reusing a spent refresh token revokes it
    whole."""

    __tablename__ = "auth_token"

    id: int | None = id_column()
    user_id: int = foreign_key("app_user.id")
    kind: str
    token_hash: str = Field(unique=True)
    hint: str
    session: str = Field(index=True)
    created_at: datetime = utc_column()
    expires_at: datetime = utc_column(index=True)
    used_at: datetime | None = utc_column(nullable=True)  # a refresh token's one use
    revoked_at: datetime | None = utc_column(nullable=True)
    revoked_reason: str | None = None
    client: str | None = None  # the user agent that signed in, to tell sessions apart


class CredentialChange(SQLModel, table=True):
    """Append-only: a user or camera deactivated, a token or key revoked. Every process polls
    the newest id (and hears NOTIFY on PostgreSQL) and forgets the credentials it remembers."""

    __tablename__ = "credential_change"

    id: int | None = id_column()
    at: datetime = utc_column()
    kind: str  # "user", "camera", "token"
    subject_id: int | None = None


class Device(SQLModel, table=True):
    id: int | None = id_column()
    user_id: int = foreign_key("app_user.id")
    token: str = Field(unique=True)
    platform: str
    is_active: bool = True
    created_at: datetime = utc_column()
    last_seen_at: datetime = utc_column()
    retired_at: datetime | None = utc_column(nullable=True)
    retired_reason: str | None = None
