"""Single sign-on with the agency's OpenID Connect provider (authorization code flow with PKCE,
through Authlib; the ID token checked with joserfc against the provider's published keys).

The login's state, nonce and PKCE verifier travel in a short-lived cookie signed with the token
secret, so the callback may reach any process. A person is found by the provider's subject and
takes their role from a claim (`oidc_role_claim`): the provider is the authority on who holds
which role, and a person without a Lookout role there is refused.
"""

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlencode

import httpx
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

COOKIE = "lookout_oidc"
COOKIE_TTL_S = 600  # the time a person has to sign in at the provider
TIMEOUT_S = 10


class SignOnRefused(Exception):
    """The provider's answer cannot sign anyone in; the message says why."""


@dataclass(frozen=True, slots=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    role_claim: str


@dataclass(frozen=True, slots=True)
class Identity:
    subject: str
    name: str
    username: str
    role: str | None


def begin(provider: Provider, *, redirect_uri: str, secret: str, now: datetime) -> tuple[str, str]:
    """Where to send the person (the provider's authorization URL) and the signed cookie to
    set meanwhile."""
    config = _configuration(provider.issuer)
    verifier = secrets.token_urlsafe(48)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid profile email",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge.decode().rstrip("="),
        "code_challenge_method": "S256",
    }
    url = f"{config['authorization_endpoint']}?{urlencode(query)}"
    cookie = _sign(
        {"state": state, "nonce": nonce, "verifier": verifier, "redirect_uri": redirect_uri,
         "expires": now.timestamp() + COOKIE_TTL_S},
        secret,
    )  # fmt: skip
    return url, cookie


def finish(
    provider: Provider, *, code: str, state: str, cookie: str | None, secret: str, now: datetime
) -> Identity:
    """The person the provider vouches for. Raises SignOnRefused."""
    pending = _unsign(cookie, secret) if cookie else None
    if pending is None or float(str(pending["expires"])) < now.timestamp():
        raise SignOnRefused("the sign-in took too long or started elsewhere: start it again")
    if not hmac.compare_digest(str(pending["state"]), state):
        raise SignOnRefused("the provider's answer does not belong to this sign-in")
    config = _configuration(provider.issuer)
    client = OAuth2Session(
        provider.client_id, provider.client_secret, redirect_uri=str(pending["redirect_uri"])
    )
    try:
        token = client.fetch_token(
            config["token_endpoint"], code=code, code_verifier=str(pending["verifier"]),
            timeout=TIMEOUT_S,
        )  # fmt: skip
    except Exception as error:  # the provider refused the code, or is unreachable
        raise SignOnRefused(f"the identity provider refused the sign-in ({error})") from None
    claims = _id_token_claims(token.get("id_token"), config, provider, str(pending["nonce"]), now)
    subject = str(claims["sub"])
    username = str(
        claims.get("preferred_username") or str(claims.get("email") or "").split("@")[0] or subject
    )
    role = claims.get(provider.role_claim)
    if isinstance(role, list):
        role = role[0] if role else None
    return Identity(
        subject=subject, name=str(claims.get("name") or username), username=username.lower(),
        role=str(role) if role else None,
    )  # fmt: skip


def _id_token_claims(
    raw: Any, config: dict[str, Any], provider: Provider, nonce: str, now: datetime
) -> dict[str, Any]:
    if not isinstance(raw, str):
        raise SignOnRefused("the identity provider sent no ID token")
    keys = KeySet.import_key_set(cast(Any, _get(config["jwks_uri"])))
    try:
        token = jwt.decode(raw, keys)
    except (JoseError, ValueError) as error:
        raise SignOnRefused(f"the ID token's signature does not check out ({error})") from None
    claims = dict(token.claims)
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if claims.get("iss") != provider.issuer.rstrip("/"):
        raise SignOnRefused("the ID token comes from another issuer")
    if provider.client_id not in audiences:
        raise SignOnRefused("the ID token is for another client")
    if float(claims.get("exp", 0)) < now.timestamp():
        raise SignOnRefused("the ID token has expired")
    if claims.get("nonce") != nonce:
        raise SignOnRefused("the ID token does not belong to this sign-in (nonce)")
    if not claims.get("sub"):
        raise SignOnRefused("the ID token names nobody (no sub)")
    return claims


def _configuration(issuer: str) -> dict[str, Any]:
    return _get(issuer.rstrip("/") + "/.well-known/openid-configuration")


def _get(url: str) -> dict[str, Any]:
    try:
        answer = httpx.get(url, timeout=TIMEOUT_S)
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
    except (httpx.HTTPError, ValueError) as error:
        raise SignOnRefused(f"the identity provider cannot be reached ({error})") from None
    return found


def _sign(payload: dict[str, object], secret: str) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    mac = hmac.new(secret.encode(), b"lookout-oidc\x00" + body.encode(), hashlib.sha256)
    return f"{body}.{mac.hexdigest()}"


def _unsign(cookie: str, secret: str) -> dict[str, object] | None:
    body, _, mac = cookie.partition(".")
    expected = hmac.new(secret.encode(), b"lookout-oidc\x00" + body.encode(), hashlib.sha256)
    if not hmac.compare_digest(expected.hexdigest(), mac):
        return None
    try:
        found: dict[str, object] = json.loads(base64.urlsafe_b64decode(body.encode()))
    except (ValueError, UnicodeDecodeError):
        return None
    return found
