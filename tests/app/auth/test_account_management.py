"""Admins manage people and keys through the API: reset a password or a lost authenticator,
rotate a camera's key, see where someone is signed in. Each signs out what it replaces and is
audited. Through the public API, on both databases."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import AuditLog
from tests.app.auth.support import admin_headers, code_of, create_person, sign_in
from tests.app.helpers import bearer, make_world


def _code(uri: str, clock: ManualClock) -> str:
    """The authenticator's code half a minute after the last one: a code is good once."""
    clock.advance(seconds=30)
    return code_of(uri, clock)


def _audited(engine: Engine, action: str, object_id: int) -> list[AuditLog]:
    with transaction(engine) as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.action == action))
        return [row for row in rows if row.object_id == str(object_id)]


def _with_password(client: TestClient, created: dict[str, Any], password: str, **extra: str) -> str:
    first = sign_in(client, created["username"], created["one_time_password"], **extra)
    assert first.status_code == 200, first.text
    changed = client.post("/v1/me/password", headers=bearer(first.json()["access_token"]),
                          json={"current_password": created["one_time_password"],
                                "new_password": password})  # fmt: skip
    assert changed.status_code == 204, changed.text
    return password


def test_an_admin_resets_a_forgotten_password_and_every_session_ends(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = admin_headers(engine, clock)
    created = create_person(client, admin, name="Abel", role="dispatcher")
    password = _with_password(client, created, "the forgotten one")
    access = bearer(sign_in(client, "abel", password).json()["access_token"])
    assert client.get("/v1/me", headers=access).status_code == 200
    mine = client.get("/v1/me/sessions", headers=access)
    assert mine.status_code == 200 and [s["kind"] for s in mine.json()] == ["sign-in"]

    reset = client.post(f"/v1/users/{created['id']}/password-reset", headers=admin)
    assert reset.status_code == 200, reset.text
    one_time = reset.json()["one_time_password"]
    assert client.get("/v1/me", headers=access).status_code == 401  # signed out everywhere
    assert sign_in(client, "abel", password).status_code == 401
    again = sign_in(client, "abel", one_time)
    assert again.status_code == 200 and again.json()["password_change_required"] is True
    assert len(_audited(engine, "user.password", created["id"])) == 3  # made, changed, reset
    password = _with_password(client, create_person(client, admin, name="Bo", role="officer"),
                              "not an admin at all")  # fmt: skip
    officer = bearer(sign_in(client, "bo", password).json()["access_token"])
    refused = client.post(f"/v1/users/{created['id']}/password-reset", headers=officer)
    assert refused.status_code == 403


def test_an_admin_resets_a_lost_authenticator(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = admin_headers(engine, clock)
    created = create_person(client, admin, name="Sgt Cole", username="cole", role="supervisor")
    old_uri = created["second_factor_uri"]
    password = _with_password(client, created, "a sergeant's secret", otp=_code(old_uri, clock))
    access = bearer(
        sign_in(client, "cole", password, otp=_code(old_uri, clock)).json()["access_token"]
    )

    reset = client.post(f"/v1/users/{created['id']}/second-factor-reset", headers=admin)
    assert reset.status_code == 200, reset.text
    new_uri = reset.json()["uri"]
    assert new_uri.startswith("otpauth://totp/Lookout:cole?") and new_uri != old_uri
    assert client.get("/v1/me", headers=access).status_code == 401  # signed out everywhere
    assert sign_in(client, "cole", password, otp=_code(old_uri, clock)).status_code == 401
    assert sign_in(client, "cole", password, otp=_code(new_uri, clock)).status_code == 200
    assert len(_audited(engine, "user.second_factor", created["id"])) == 2  # made, reset


def test_a_person_enrols_a_new_authenticator_with_their_password_and_a_current_code(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = admin_headers(engine, clock)
    created = create_person(client, admin, name="Sgt Dunn", username="dunn", role="supervisor")
    old_uri = created["second_factor_uri"]
    password = _with_password(client, created, "another long secret", otp=_code(old_uri, clock))
    access = sign_in(client, "dunn", password, otp=_code(old_uri, clock)).json()["access_token"]
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
    assert sign_in(client, "dunn", password, otp=_code(old_uri, clock)).status_code == 401
    assert sign_in(client, "dunn", password, otp=_code(new_uri, clock)).status_code == 200


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
    admin = admin_headers(engine, clock)
    created = create_person(client, admin, name="Eve", role="dispatcher")
    changed = client.patch(f"/v1/users/{created['id']}",
                           json={"role": "auditor", "reason": "moved to records"},
                           headers=admin)  # fmt: skip
    assert changed.status_code == 200 and changed.json()["role"] == "auditor"
    [row] = _audited(engine, "user.update", created["id"])
    assert row.purpose == "moved to records" and "auditor" in str(row.detail)
