"""Admins manage people and keys through the API: reset a password or a lost authenticator,
rotate a camera's key, see where someone is signed in. Each signs out what it replaces and is
audited. Through the public API, on both databases."""

from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import AuditLog, Role
from tests import factories
from tests.app.helpers import bearer, make_world


def _admin(engine: Engine, clock: ManualClock) -> dict[str, str]:
    with transaction(engine) as session:
        _, token = factories.make_user(session, role=Role.ADMIN, now=clock())
    return bearer(token)


def _create(client: TestClient, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post("/v1/users", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _sign_in(client: TestClient, username: str, password: str, **extra: str) -> Any:
    return client.post("/v1/auth/token", data={"username": username, "password": password, **extra})


def _code(uri: str, clock: ManualClock) -> str:
    """The authenticator's code half a minute after the last one: a code is good once."""
    clock.advance(seconds=30)
    return str(pyotp.TOTP(parse_qs(urlparse(uri).query)["secret"][0]).at(clock()))


def _audited(engine: Engine, action: str, object_id: int) -> list[AuditLog]:
    with transaction(engine) as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.action == action))
        return [row for row in rows if row.object_id == str(object_id)]


def _with_password(client: TestClient, created: dict[str, Any], password: str, **extra: str) -> str:
    first = _sign_in(client, created["username"], created["one_time_password"], **extra)
    assert first.status_code == 200, first.text
    changed = client.post("/v1/me/password", headers=bearer(first.json()["access_token"]),
                          json={"current_password": created["one_time_password"],
                                "new_password": password})  # fmt: skip
    assert changed.status_code == 204, changed.text
    return password


def test_an_admin_resets_a_forgotten_password_and_every_session_ends(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = _admin(engine, clock)
    created = _create(client, admin, name="Abel", role="dispatcher")
    password = _with_password(client, created, "the forgotten one")
    access = bearer(_sign_in(client, "abel", password).json()["access_token"])
    assert client.get("/v1/me", headers=access).status_code == 200
    mine = client.get("/v1/me/sessions", headers=access)
    assert mine.status_code == 200 and [s["kind"] for s in mine.json()] == ["sign-in"]

    reset = client.post(f"/v1/users/{created['id']}/password-reset", headers=admin)
    assert reset.status_code == 200, reset.text
    one_time = reset.json()["one_time_password"]
    assert client.get("/v1/me", headers=access).status_code == 401  # signed out everywhere
    assert _sign_in(client, "abel", password).status_code == 401
    again = _sign_in(client, "abel", one_time)
    assert again.status_code == 200 and again.json()["password_change_required"] is True
    assert len(_audited(engine, "user.password", created["id"])) == 3  # made, changed, reset
    password = _with_password(client, _create(client, admin, name="Bo", role="officer"),
                              "not an admin at all")  # fmt: skip
    officer = bearer(_sign_in(client, "bo", password).json()["access_token"])
    refused = client.post(f"/v1/users/{created['id']}/password-reset", headers=officer)
    assert refused.status_code == 403


def test_an_admin_resets_a_lost_authenticator(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = _admin(engine, clock)
    created = _create(client, admin, name="Sgt Cole", username="cole", role="supervisor")
    old_uri = created["second_factor_uri"]
    password = _with_password(client, created, "a sergeant's secret", otp=_code(old_uri, clock))
    access = bearer(
        _sign_in(client, "cole", password, otp=_code(old_uri, clock)).json()["access_token"]
    )

    reset = client.post(f"/v1/users/{created['id']}/second-factor-reset", headers=admin)
    assert reset.status_code == 200, reset.text
    new_uri = reset.json()["uri"]
    assert new_uri.startswith("otpauth://totp/Lookout:cole?") and new_uri != old_uri
    assert client.get("/v1/me", headers=access).status_code == 401  # signed out everywhere
    assert _sign_in(client, "cole", password, otp=_code(old_uri, clock)).status_code == 401
    assert _sign_in(client, "cole", password, otp=_code(new_uri, clock)).status_code == 200
    assert len(_audited(engine, "user.second_factor", created["id"])) == 2  # made, reset


def test_a_person_enrols_a_new_authenticator_with_their_password_and_a_current_code(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    created = _create(client, _admin(engine, clock), name="Sgt Dunn", username="dunn",
                      role="supervisor")  # fmt: skip
    old_uri = created["second_factor_uri"]
    password = _with_password(client, created, "another long secret", otp=_code(old_uri, clock))
    access = _sign_in(client, "dunn", password, otp=_code(old_uri, clock)).json()["access_token"]
    # A stolen session and the password are not enough: the authenticator enrolled now is.
    asked = {"current_password": password}
    no_code = client.post("/v1/me/second-factor", headers=bearer(access), json=asked)
    assert no_code.status_code == 401 and "`otp`" in no_code.json()["detail"]
    wrong = client.post("/v1/me/second-factor", headers=bearer(access), json=asked | {"otp": "1"})
    assert wrong.status_code == 401 and "code is wrong" in wrong.json()["detail"]
    enrolled = client.post("/v1/me/second-factor", headers=bearer(access),
                           json=asked | {"otp": _code(old_uri, clock)})  # fmt: skip
    assert enrolled.status_code == 200, enrolled.text
    new_uri = enrolled.json()["uri"]
    assert _sign_in(client, "dunn", password, otp=_code(old_uri, clock)).status_code == 401
    assert _sign_in(client, "dunn", password, otp=_code(new_uri, clock)).status_code == 200


def test_a_cameras_key_is_rotated_and_the_old_one_refused(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    read = {"plate": "7ABC123"}
    assert client.post("/v1/reads", json=read, headers=world.camera).status_code == 202
    rotated = client.post(f"/v1/cameras/{world.camera_id}/key", headers=world.admin)
    assert rotated.status_code == 200, rotated.text
    new_key = rotated.json()["api_key"]
    assert new_key != world.camera_key
    assert client.post("/v1/reads", json=read, headers=world.camera).status_code == 401
    assert client.post("/v1/reads", json=read, headers={"X-API-Key": new_key}).status_code == 202
    assert len(_audited(engine, "camera.key_rotated", world.camera_id)) == 1
    missing = client.post("/v1/cameras/999999/key", headers=world.admin)
    assert missing.status_code == 404


def test_a_role_change_is_audited_with_its_reason(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = _admin(engine, clock)
    created = _create(client, admin, name="Eve", role="dispatcher")
    changed = client.patch(f"/v1/users/{created['id']}",
                           json={"role": "auditor", "reason": "moved to records"},
                           headers=admin)  # fmt: skip
    assert changed.status_code == 200 and changed.json()["role"] == "auditor"
    [row] = _audited(engine, "user.update", created["id"])
    assert row.purpose == "moved to records" and "auditor" in str(row.detail)
