"""People sign in: user name and password (a one-time one changed first), a TOTP code where the
role needs one, tokens that expire and rotate, sign-out, lockout and throttling. Through the
public API, on both databases."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import AuditLog, Role
from tests import factories
from tests.app.auth.support import admin_headers, code_of, create_person, sign_in
from tests.app.helpers import bearer, make_world


def _actions(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        return list(session.scalars(select(AuditLog.action).order_by(AuditLog.id)))  # type: ignore[arg-type]


def test_an_officer_signs_in_changes_the_one_time_password_refreshes_and_signs_out(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = admin_headers(engine, clock)
    created = create_person(client, admin, name="Maria Diaz", username="mdiaz", role="officer")
    assert created["second_factor_uri"] is None  # officers sign in with a password alone

    first = sign_in(client, "MDiaz", created["one_time_password"])  # user names ignore case
    assert first.status_code == 200, first.text
    assert first.json()["password_change_required"] is True
    one_time = bearer(first.json()["access_token"])
    assert client.get("/v1/me", headers=one_time).status_code == 403  # change it first
    weak = client.post("/v1/me/password", headers=one_time,
                       json={"current_password": created["one_time_password"],
                             "new_password": "short"})  # fmt: skip
    assert weak.status_code == 422 and "at least 12 characters" in weak.json()["detail"]
    changed = client.post("/v1/me/password", headers=one_time,
                          json={"current_password": created["one_time_password"],
                                "new_password": "correct horse battery"})  # fmt: skip
    assert changed.status_code == 204
    assert client.get("/v1/me", headers=one_time).status_code == 401  # that session is over

    signed_in = sign_in(client, "mdiaz", "correct horse battery").json()
    assert signed_in["password_change_required"] is False
    access, refresh = bearer(signed_in["access_token"]), signed_in["refresh_token"]
    assert client.get("/v1/me", headers=access).json()["username"] == "mdiaz"

    grant = {"grant_type": "refresh_token", "refresh_token": refresh}
    rotated = client.post("/v1/auth/token", data=grant)
    assert rotated.status_code == 200
    new_access = bearer(rotated.json()["access_token"])
    assert client.get("/v1/me", headers=new_access).status_code == 200
    # The spent refresh token comes back: someone copied it. The whole session ends.
    replay = client.post("/v1/auth/token", data=grant)
    assert replay.status_code == 401 and "already used" in replay.json()["detail"]
    assert client.get("/v1/me", headers=new_access).status_code == 401

    again = sign_in(client, "mdiaz", "correct horse battery").json()
    assert client.post("/v1/auth/logout", headers=bearer(again["access_token"])).status_code == 204
    assert client.get("/v1/me", headers=bearer(again["access_token"])).status_code == 401
    assert {"auth.sign_in", "auth.sign_out", "user.password"} <= set(_actions(engine))


def test_an_access_token_expires(client: TestClient, engine: Engine, clock: ManualClock) -> None:
    created = create_person(client, admin_headers(engine, clock), name="Kim", role="dispatcher")
    token = sign_in(client, "kim", created["one_time_password"]).json()["access_token"]
    client.post("/v1/me/password", headers=bearer(token),
                json={"current_password": created["one_time_password"],
                      "new_password": "a long enough secret"})  # fmt: skip
    token = sign_in(client, "kim", "a long enough secret").json()["access_token"]
    assert client.get("/v1/me", headers=bearer(token)).status_code == 200
    clock.advance(seconds=901)  # LOOKOUT_ACCESS_TOKEN_TTL_S is 900
    assert client.get("/v1/me", headers=bearer(token)).status_code == 401


def test_supervisors_sign_in_with_a_one_time_code(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = admin_headers(engine, clock)
    created = create_person(client, admin, name="Sgt Okafor", username="okafor", role="supervisor")
    uri = created["second_factor_uri"]
    assert uri.startswith("otpauth://totp/Lookout:okafor?")

    no_code = sign_in(client, "okafor", created["one_time_password"])
    assert no_code.status_code == 401 and "one-time code" in no_code.json()["detail"]
    wrong = sign_in(client, "okafor", created["one_time_password"], otp="000000")
    assert wrong.status_code == 401
    right = sign_in(client, "okafor", created["one_time_password"], otp=code_of(uri, clock))
    assert right.status_code == 200, right.text
    users = client.get("/v1/users", headers=admin_headers(engine, clock)).json()
    assert [u["has_second_factor"] for u in users if u["username"] == "okafor"] == [True]


def test_a_one_time_code_signs_in_once(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """RFC 6238 5.2: a code seen over a shoulder, or replayed by a phishing page that relayed
    it, is refused once used, even with the right password and inside its 30 s; the next
    code works."""
    admin = admin_headers(engine, clock)
    created = create_person(client, admin, name="Sgt Ruiz", username="ruiz", role="supervisor")
    uri, password = created["second_factor_uri"], created["one_time_password"]
    code = code_of(uri, clock)
    assert sign_in(client, "ruiz", password, otp=code).status_code == 200
    clock.advance(seconds=5)
    replayed = sign_in(client, "ruiz", password, otp=code)
    assert replayed.status_code == 401 and "access_token" not in replayed.json()
    clock.advance(seconds=30)
    assert sign_in(client, "ruiz", password, otp=code_of(uri, clock)).status_code == 200


def test_five_wrong_passwords_lock_the_account_for_a_while(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    created = create_person(client, admin_headers(engine, clock), name="Lee", role="officer")
    for _ in range(5):
        assert sign_in(client, "lee", "not the password").status_code == 401
    locked = sign_in(client, "lee", created["one_time_password"])
    assert locked.status_code == 401 and "locked" in locked.json()["detail"]
    clock.advance(minutes=16)
    assert sign_in(client, "lee", created["one_time_password"]).status_code == 200
    assert "auth.lockout" in _actions(engine)


def test_failed_credentials_from_one_address_are_throttled_without_a_query_each(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    statements: list[str] = []
    event.listen(runtime.engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))  # fmt: skip
    bad = bearer("lka_not-a-token")
    for _ in range(10):
        assert client.get("/v1/me", headers=bad).status_code == 401
    assert len([s for s in statements if "auth_token" in s]) == 1  # then remembered as unknown
    answers = [client.get("/v1/me", headers=bad) for _ in range(25)]
    refused = [a for a in answers if a.status_code == 429]
    assert refused and int(refused[0].headers["Retry-After"]) >= 1
    camera = client.post("/v1/reads", json={"plate": "7ABC123"}, headers={"X-API-Key": "lkc_x"})
    assert camera.status_code == 429  # the same address guessing camera keys


def test_a_throttled_address_still_serves_the_credentials_known_to_be_good(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """A site's cameras and a station's officers share one address: one device left with an
    old key must not stop the others, only the guessing."""
    world = make_world(engine, clock)
    with transaction(engine) as session:
        _, token = factories.make_user(session, role=Role.DISPATCHER, now=clock())
    read = {"plate": "7ABC123"}
    assert client.post("/v1/reads", json=read, headers=world.camera).status_code == 202
    assert client.get("/v1/alerts", headers=bearer(token)).status_code == 200
    stale = [client.post("/v1/reads", json=read, headers={"X-API-Key": f"lkc_old{i}"})
             for i in range(31)]  # fmt: skip
    assert stale[-1].status_code == 429 and int(stale[-1].headers["Retry-After"]) >= 1
    assert client.get("/v1/me", headers=bearer("lka_guess")).status_code == 429
    assert client.post("/v1/reads", json=read, headers=world.camera).status_code == 202
    assert client.get("/v1/alerts", headers=bearer(token)).status_code == 200


def test_the_docs_authorize_button_signs_in_at_the_token_endpoint(client: TestClient) -> None:
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    flows = [s["flows"]["password"]["tokenUrl"] for s in schemes.values() if s["type"] == "oauth2"]
    assert flows == ["/v1/auth/token"]


@pytest.mark.parametrize("field", ["role", "is_active"])
def test_a_role_change_or_deactivation_ends_every_session_at_once(
    client: TestClient, engine: Engine, clock: ManualClock, field: str
) -> None:
    admin = admin_headers(engine, clock)
    with transaction(engine) as session:
        person, token = factories.make_user(session, role=Role.DISPATCHER, now=clock())
    assert client.get("/v1/alerts", headers=bearer(token)).status_code == 200
    change = {"role": "officer"} if field == "role" else {"is_active": False}
    updated = client.patch(f"/v1/users/{person.id}", json=change | {"reason": "test"},
                           headers=admin)  # fmt: skip
    assert updated.status_code == 200, updated.text
    assert client.get("/v1/alerts", headers=bearer(token)).status_code == 401


def test_an_admin_lists_and_revokes_a_persons_sessions(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = admin_headers(engine, clock)
    created = create_person(client, admin, name="Ray", role="officer")
    token = sign_in(client, "ray", created["one_time_password"]).json()["access_token"]
    sessions = client.get(f"/v1/users/{created['id']}/sessions", headers=admin).json()
    assert sorted(s["kind"] for s in sessions) == ["bootstrap", "sign-in"]
    signed_in = next(s for s in sessions if s["kind"] == "sign-in")
    revoked = client.delete(f"/v1/users/{created['id']}/sessions",
                            params={"only": signed_in["session"]}, headers=admin)  # fmt: skip
    assert revoked.json()["revoked"] == 2  # its access and refresh tokens
    attempt = {"current_password": "x", "new_password": "y"}
    assert client.post("/v1/me/password", headers=bearer(token), json=attempt).status_code == 401
    assert "auth.sessions.revoke" in _actions(engine)


def test_a_bootstrap_token_expires_too(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    created = create_person(client, admin_headers(engine, clock), name="Script", role="dispatcher")
    assert client.get("/v1/alerts", headers=bearer(created["token"])).status_code == 200
    clock.advance(hours=12, seconds=1)  # LOOKOUT_BOOTSTRAP_TOKEN_TTL_S
    assert client.get("/v1/alerts", headers=bearer(created["token"])).status_code == 401


def test_a_gateways_key_is_rotated_and_the_old_one_refused(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = admin_headers(engine, clock)
    with transaction(engine) as session:
        gateway, old = factories.make_user(session, role=Role.GATEWAY, now=clock())
    fix = {"locations": [{"user_id": gateway.id, "lat": 37.8, "lon": -122.27}]}
    assert client.post("/v1/locations", json=fix, headers=bearer(old)).status_code == 202
    rotated = client.post(f"/v1/users/{gateway.id}/token", headers=admin)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["token"]
    assert client.post("/v1/locations", json=fix, headers=bearer(old)).status_code == 401
    assert client.post("/v1/locations", json=fix, headers=bearer(new)).status_code == 202
    clock.advance(days=89)  # a gateway's key lasts months, not a shift
    assert client.post("/v1/locations", json=fix, headers=bearer(new)).status_code == 202


@pytest.mark.parametrize("path", ["/v1/me/password", "/v1/me/second-factor"])
def test_guessing_the_password_with_a_stolen_session_locks_the_account(
    client: TestClient, engine: Engine, clock: ManualClock, path: str
) -> None:
    """Changing the password or the authenticator asks for the password again; wrong answers
    count toward the lockout as a sign-in's do (they used to be free, without end)."""
    created = create_person(client, admin_headers(engine, clock), name="Ng", role="officer")
    first = sign_in(client, "ng", created["one_time_password"]).json()["access_token"]
    client.post("/v1/me/password", headers=bearer(first),
                json={"current_password": created["one_time_password"],
                      "new_password": "the right password"})  # fmt: skip
    stolen = bearer(sign_in(client, "ng", "the right password").json()["access_token"])
    guess = {"current_password": "a wrong guess", "new_password": "the attacker's own"}
    answers = [client.post(path, headers=stolen, json=guess) for _ in range(5)]
    assert [a.status_code for a in answers] == [401] * 5
    assert "wrong" in answers[0].json()["detail"] and "locked" in answers[-1].json()["detail"]
    right = {"current_password": "the right password", "new_password": "the attacker's own"}
    assert "locked" in client.post(path, headers=stolen, json=right).json()["detail"]
    assert "locked" in sign_in(client, "ng", "the right password").json()["detail"]
    assert "auth.lockout" in _actions(engine)
    clock.advance(minutes=16)  # the lockout is over (and the stolen token has expired)
    again = bearer(sign_in(client, "ng", "the right password").json()["access_token"])
    assert client.post(path, headers=again, json=right).status_code in (200, 204)
