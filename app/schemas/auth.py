"""API shapes of signing in: tokens, sessions, password and second-factor changes."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.schemas.common import Input


class TokenPair(BaseModel):
    """OAuth2's token response, with the refresh token that rotates."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the access token is good for")
    refresh_token: str = Field(
        description="Exchanged once for a new pair (grant_type=refresh_token); a spent one "
        "presented again revokes the whole session"
    )
    refresh_expires_in: int
    password_change_required: bool = Field(
        default=False, description="The password was a one-time one: change it before anything"
    )


class SessionPublic(BaseModel):
    session: str
    user_id: int
    username: str
    kind: str = Field(description="sign-in, or bootstrap (a token printed by the CLI)")
    client: str | None
    started_at: datetime
    expires_at: datetime


class SessionsRevoked(BaseModel):
    revoked: int = Field(description="Tokens that stopped working")


class PasswordChange(Input):
    current_password: Annotated[str, Field(min_length=1, max_length=200)]
    new_password: Annotated[str, Field(min_length=1, max_length=200)]


class SecondFactorChange(Input):
    current_password: Annotated[str, Field(min_length=1, max_length=200)]
    otp: Annotated[
        str | None,
        Field(
            max_length=12,
            description="A code from the authenticator enrolled now, when there is one (a lost "
            "phone is an admin's reset: POST /v1/users/{id}/second-factor-reset)",
        ),
    ] = None
    new_password: Annotated[str | None, Field(max_length=200, description="Ignored")] = None


class SecondFactor(BaseModel):
    uri: str = Field(
        description="otpauth:// URI for an authenticator app; confirmed by the next sign-in"
    )


class OneTimePassword(BaseModel):
    one_time_password: str = Field(description="Shown once; to be changed at first sign-in")


class IssuedToken(BaseModel):
    token: str = Field(description="Shown once; only its hash is stored")
    expires_at: datetime
