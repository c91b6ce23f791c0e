"""A local server that speaks FCM HTTP v1, so firebase-admin can send without Google.

It issues OAuth tokens to the SDK's service-account flow, validates each message the way FCM
does, records the accepted ones and shows them as phone notifications. Mount it under a prefix
(`app.mount("/fcm", create_fcm_inbox())`) or serve it alone. It is for development and tests:
it keeps message bodies, plates included, in memory and signs nobody's keys, so never mount it
in production.

A token prefix injects a failure, checked after the payload is validated, as FCM does:

    unregistered-…    404 NOT_FOUND           UNREGISTERED
    quota-…           429 RESOURCE_EXHAUSTED  QUOTA_EXCEEDED, Retry-After: 7
    unavailable-…     503 UNAVAILABLE
    internal-…        500 INTERNAL
    invalid-…         400 INVALID_ARGUMENT    INVALID_ARGUMENT
    mismatch-…        403 PERMISSION_DENIED   SENDER_ID_MISMATCH
    thirdpartyauth-…  401 UNAUTHENTICATED     THIRD_PARTY_AUTH_ERROR
"""

import base64
import binascii
import itertools
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from app.clock import Clock, system_clock
from app.devfcm.page import notification_of, render_page, target_of
from app.devfcm.wire import InvalidMessage, validate_send_request

TOKEN_LIFETIME_S = 3600
JWT_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# google-auth asks for cloud-platform; a hand-built client may ask for the narrower scope.
SEND_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/cloud-platform",
        "https://www.googleapis.com/auth/firebase.messaging",
    }
)
_SA_DOMAIN = ".iam.gserviceaccount.com"
_AUTH_HINT = (
    "Expected OAuth 2 access token, login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


@dataclass(frozen=True, slots=True)
class _Failure:
    status: int
    name: str
    fcm_code: str | None
    message: str
    headers: tuple[tuple[str, str], ...] = ()


_INJECTED = {
    "unregistered-": _Failure(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."),
    "quota-": _Failure(
        429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded.", (("Retry-After", "7"),)
    ),
    "unavailable-": _Failure(503, "UNAVAILABLE", None, "The service is currently unavailable."),
    "internal-": _Failure(500, "INTERNAL", "INTERNAL", "Internal error encountered."),
    "invalid-": _Failure(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid registration token"),
    "mismatch-": _Failure(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch"),
    "thirdpartyauth-": _Failure(
        401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", "Auth error from APNS or Web Push Service"
    ),
}


@dataclass(frozen=True, slots=True)
class Grant:
    issuer: str
    expires_at: datetime

    @property
    def project(self) -> str | None:
        """The project of a service account issuer (`name@project.iam.gserviceaccount.com`)."""
        _, _, domain = self.issuer.partition("@")
        return domain.removesuffix(_SA_DOMAIN) if domain.endswith(_SA_DOMAIN) else None


class Inbox:
    """Issued access tokens and accepted messages; safe to use from any thread."""

    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock
        self._changed = threading.Condition()
        self._messages: list[dict[str, object]] = []
        self._grants: dict[str, Grant] = {}
        self._ids = itertools.count(1)

    def issue_token(self, *, issuer: str) -> str:
        token = f"ya29.lookout-dev.{secrets.token_urlsafe(24)}"
        expires_at = self._clock() + timedelta(seconds=TOKEN_LIFETIME_S)
        with self._changed:
            self._grants[token] = Grant(issuer=issuer, expires_at=expires_at)
        return token

    def grant_for(self, access_token: str) -> Grant | None:
        """The grant behind an unexpired access token, else None."""
        with self._changed:
            grant = self._grants.get(access_token)
        if grant is None or grant.expires_at <= self._clock():
            return None
        return grant

    def accept(self, *, project: str, message: dict[str, object]) -> str:
        """Store a message FCM would have accepted; returns its resource name."""
        with self._changed:
            name = f"projects/{project}/messages/0:{next(self._ids)}%{secrets.token_hex(8)}"
            self._messages.append(
                {
                    "name": name,
                    "project": project,
                    "received_at": self._clock().isoformat(),
                    "message": message,
                    "validate_only": False,
                }
            )
            self._changed.notify_all()
        return name

    def messages(self, token: str | None = None) -> list[dict[str, object]]:
        """Accepted messages, oldest first; only those to `token` (or fid) when given."""
        with self._changed:
            return [m for m in self._messages if token is None or target_of(m) == token]

    def clear(self) -> int:
        with self._changed:
            count = len(self._messages)
            self._messages.clear()
            return count

    def wait_for(self, count: int, timeout_s: float) -> list[dict[str, object]]:
        """Block until at least `count` messages are stored; return them all, oldest first.

        Raises TimeoutError, listing what did arrive, after `timeout_s` seconds.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._messages) >= count, timeout_s):
                seen = [
                    (target_of(m)[-6:], notification_of(m).get("title")) for m in self._messages
                ]
                raise TimeoutError(
                    f"expected {count} FCM messages within {timeout_s}s, "
                    f"got {len(self._messages)}: {seen}"
                )
            return list(self._messages)


def create_fcm_inbox(*, clock: Clock = system_clock) -> FastAPI:
    """The FCM-compatible ASGI app; its store is `app.state.inbox`."""
    inbox = Inbox(clock=clock)
    app = FastAPI(title="Lookout FCM inbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.inbox = inbox

    @app.post("/token")
    async def issue_token(request: Request) -> JSONResponse:
        """OAuth 2.0 JWT-bearer grant, as google-auth's service-account credentials call it."""
        form = await request.form()
        grant_type, assertion = form.get("grant_type"), form.get("assertion")
        if grant_type != JWT_GRANT_TYPE:
            return _oauth_error("unsupported_grant_type", f"grant_type must be {JWT_GRANT_TYPE}")
        if not isinstance(assertion, str):
            return _oauth_error("invalid_request", "missing assertion")
        claims = _jwt_claims(assertion)
        if isinstance(claims, str):
            return _oauth_error("invalid_grant", claims)
        problem = _claims_problem(claims)
        if problem is not None:
            return _oauth_error(*problem)
        token = inbox.issue_token(issuer=str(claims["iss"]))
        return JSONResponse(
            {"access_token": token, "expires_in": TOKEN_LIFETIME_S, "token_type": "Bearer"}
        )

    @app.post("/v1/projects/{project}/messages:send")
    async def send_message(project: str, request: Request) -> JSONResponse:
        """FCM HTTP v1 messages.send."""
        scheme, _, access_token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not access_token:
            return _unauthenticated(
                f"Request is missing required authentication credential. {_AUTH_HINT}"
            )
        grant = inbox.grant_for(access_token.strip())
        if grant is None:
            return _unauthenticated(f"Request had invalid authentication credentials. {_AUTH_HINT}")
        if grant.project not in (None, project):
            return _google_error(
                403,
                "PERMISSION_DENIED",
                f"Permission 'cloudmessaging.messages.create' denied on resource "
                f"'//cloudresourcemanager.googleapis.com/projects/{project}' "
                "(or it may not exist).",
            )
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        try:
            message, validate_only = validate_send_request(body)
        except InvalidMessage as error:
            return _google_error(400, "INVALID_ARGUMENT", error.message, violation=error)
        target = target_of({"message": message})
        for prefix, failure in _INJECTED.items():
            if target.startswith(prefix):
                return _google_error(
                    failure.status,
                    failure.name,
                    failure.message,
                    fcm_code=failure.fcm_code,
                    headers=dict(failure.headers),
                )
        if validate_only:
            return JSONResponse({"name": f"projects/{project}/messages/fake_message_id"})
        return JSONResponse({"name": inbox.accept(project=project, message=message)})

    @app.get("/messages")
    def list_messages(
        token: str | None = None, offset: Annotated[int, Query(ge=0)] = 0
    ) -> JSONResponse:
        """Accepted messages, oldest first; `?token=` keeps those to one device, `?offset=N`
        skips the first N (a reader that polls asks only for what is new)."""
        found = inbox.messages(token)[offset:]
        return JSONResponse({"messages": found, "count": len(found)})

    @app.delete("/messages")
    def clear_messages() -> JSONResponse:
        """Forget every accepted message."""
        return JSONResponse({"deleted": inbox.clear()})

    @app.get("/")
    def show_inbox() -> HTMLResponse:
        """The accepted messages drawn as phone notifications, refreshed every 2 s."""
        return HTMLResponse(render_page(inbox.messages()))

    return app


def _jwt_claims(assertion: str) -> dict[str, object] | str:
    """The claims of a well-formed RS256 JWT, or why it is not one. The signature is not checked:
    the inbox trusts whoever can reach it."""
    parts = assertion.split(".")
    if len(parts) != 3 or not all(parts):
        return "assertion is not a JWT (expected header.payload.signature)"
    try:
        header, claims = (json.loads(_b64url(part)) for part in parts[:2])
        _b64url(parts[2])
    except (ValueError, binascii.Error):
        return "assertion is not a JWT: a part is not base64url-encoded JSON"
    if not isinstance(header, dict) or header.get("alg") != "RS256":
        return "assertion must be signed with RS256"
    if not isinstance(claims, dict):
        return "assertion claims must be a JSON object"
    return claims


def _claims_problem(claims: dict[str, object]) -> tuple[str, str] | None:
    """Why google-auth's claims are unusable, or None. iat and exp are not compared with the
    inbox's clock: tests move a ManualClock hours ahead while google-auth signs in real time."""
    for name, kind in (("iss", str), ("scope", str), ("aud", str), ("iat", int), ("exp", int)):
        if not isinstance(claims.get(name), kind) or isinstance(claims.get(name), bool):
            return "invalid_grant", f"assertion claim {name!r} is missing or not a {kind.__name__}"
    iat, exp = int(str(claims["iat"])), int(str(claims["exp"]))
    if not iat < exp <= iat + TOKEN_LIFETIME_S:
        return "invalid_grant", "assertion exp must be after iat and at most 3600 s later"
    if not SEND_SCOPES & set(str(claims["scope"]).split()):
        return "invalid_scope", f"scope must include one of {sorted(SEND_SCOPES)}"
    return None


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _oauth_error(error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=400)


def _unauthenticated(message: str) -> JSONResponse:
    return _google_error(
        401,
        "UNAUTHENTICATED",
        message,
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )


def _google_error(
    code: int,
    status: str,
    message: str,
    *,
    fcm_code: str | None = None,
    violation: "InvalidMessage | None" = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    details: list[dict[str, object]] = []
    if violation is not None:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": violation.field, "description": violation.message}],
            }
        )
    if fcm_code is not None:
        details.append(
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcm_code}
        )
    error: dict[str, object] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=code, headers=headers)
