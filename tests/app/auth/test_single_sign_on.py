"""Single sign-on against a real OpenID Connect provider process on loopback (oidc-provider-mock,
a Flask server in a thread): the whole authorization code flow over HTTP, nothing patched."""

import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.clock import ManualClock
from app.db import transaction
from app.main import create_app
from app.models import AuditLog
from app.settings import Settings
from tests.app.helpers import bearer

with warnings.catch_warnings():
    # The mock provider imports Authlib's older JOSE module (deprecated; Lookout uses joserfc).
    warnings.simplefilter("ignore")
    import oidc_provider_mock


@pytest.fixture
def provider() -> Iterator[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the same deprecation, raised while it serves
        with oidc_provider_mock.run_server_in_thread() as server:
            yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso_client(settings: Settings, clock: ManualClock, provider: str) -> Iterator[TestClient]:
    configured = settings.changed(oidc_issuer=provider, oidc_client_id="lookout",
                                  oidc_client_secret="lookout-client-secret")  # fmt: skip
    with TestClient(create_app(configured, clock=clock)) as client:
        yield client


def _person(provider: str, sub: str, **claims: Any) -> None:
    httpx.put(f"{provider}/users/{sub}", json=claims, timeout=10).raise_for_status()


def _sign_on(client: TestClient, sub: str) -> Any:
    """What a browser does: to Lookout, on to the provider, sign in there as `sub`, back."""
    start = client.get("/v1/auth/oidc/login", follow_redirects=False)
    assert start.status_code == 302, start.text
    at_provider = start.headers["location"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answer = httpx.post(at_provider, data={"sub": sub}, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlparse(answer.headers["location"])
    return client.get(back.path, params={k: v[0] for k, v in parse_qs(back.query).items()})


def _audited(engine: Engine) -> list[tuple[str, Any]]:
    with transaction(engine) as session:
        rows = session.scalars(select(AuditLog).order_by(col(AuditLog.id)))
        return [(row.action, row.detail) for row in rows]


def test_a_person_signs_on_with_the_role_the_provider_gives(
    sso_client: TestClient, provider: str, engine: Engine
) -> None:
    _person(provider, "u-1001", lookout_role="dispatcher", name="Dana Ortiz",
            preferred_username="dortiz")  # fmt: skip
    signed_on = _sign_on(sso_client, "u-1001")
    assert signed_on.status_code == 200, signed_on.text
    me = sso_client.get("/v1/me", headers=bearer(signed_on.json()["access_token"])).json()
    assert (me["username"], me["name"], me["role"]) == ("dortiz", "Dana Ortiz", "dispatcher")

    # The provider moves them to another role: the next sign-on carries it.
    _person(provider, "u-1001", lookout_role="supervisor", name="Dana Ortiz",
            preferred_username="dortiz")  # fmt: skip
    again = _sign_on(sso_client, "u-1001")
    me = sso_client.get("/v1/me", headers=bearer(again.json()["access_token"])).json()
    assert me["role"] == "supervisor"
    audited = _audited(engine)
    assert [d["method"] for a, d in audited if a == "auth.sign_in"] == ["oidc", "oidc"]
    assert any(a == "user.update" and "supervisor" in str(d) for a, d in audited)


def test_a_person_without_a_lookout_role_at_the_provider_is_refused(
    sso_client: TestClient, provider: str, engine: Engine
) -> None:
    _person(provider, "u-2002", name="Visitor", preferred_username="visitor")
    refused = _sign_on(sso_client, "u-2002")
    assert refused.status_code == 401 and "no Lookout role" in refused.json()["detail"]
    assert [d["method"] for a, d in _audited(engine) if a == "auth.sign_in.failed"] == ["oidc"]


def test_a_callback_without_the_sign_in_cookie_is_refused(
    sso_client: TestClient, provider: str
) -> None:
    _person(provider, "u-3003", lookout_role="officer")
    start = sso_client.get("/v1/auth/oidc/login", follow_redirects=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answer = httpx.post(start.headers["location"], data={"sub": "u-3003"}, timeout=10)
    back = urlparse(answer.headers["location"])
    sso_client.cookies.clear()  # another browser presents the code
    forged = sso_client.get(back.path, params={k: v[0] for k, v in parse_qs(back.query).items()})
    assert forged.status_code == 401 and "start it again" in forged.json()["detail"]


def test_single_sign_on_is_off_until_configured(client: TestClient) -> None:
    assert client.get("/v1/auth/oidc/login", follow_redirects=False).status_code == 404
