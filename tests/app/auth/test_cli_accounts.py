"""`lookout admin ...` manages people and keys as the admin API does: a person's sessions
listed and revoked, a gateway's token and a camera's key rotated, a role set, a password and
an authenticator reset. Each command is a process of its own; this test's app sees each change
through the credential change feed. On both databases."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Role
from tests import factories
from tests.app.helpers import bearer, make_world
from tests.servers import eventually

ROOT = Path(__file__).resolve().parents[3]


def _admin_cli(database_url: str, tmp_path: Path) -> Callable[..., list[str]]:
    env = os.environ | {"LOOKOUT_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}

    def run(*args: str, ok: bool = True) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "admin", *args],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert (done.returncode == 0) is ok, done.stdout + done.stderr
        return (done.stdout if ok else done.stderr).strip().splitlines()

    return run


def _refused(call: Callable[[], int]) -> bool:
    return eventually(call, lambda status: status == 401, timeout_s=30) == 401


def test_sessions_are_listed_and_revoked_and_a_gateways_token_rotated_from_the_cli(
    client: TestClient, engine: Engine, clock: ManualClock, database_url: str, tmp_path: Path
) -> None:
    admin = _admin_cli(database_url, tmp_path)
    with transaction(engine) as session:
        dispatcher, token = factories.make_user(session, role=Role.DISPATCHER, now=clock())
        gateway, old_key = factories.make_user(session, role=Role.GATEWAY, now=clock())
    assert client.get("/v1/alerts", headers=bearer(token)).status_code == 200
    [listed] = admin("sessions", dispatcher.username)
    session_id, kind = listed.split()[:2]
    assert kind == "bootstrap"
    assert "no live session" in admin("revoke-sessions", dispatcher.username, "--only", "x",
                                      ok=False)[-1]  # fmt: skip
    said = admin("revoke-sessions", dispatcher.username, "--only", session_id)
    assert said[-1].endswith(": 1 tokens revoked")
    assert _refused(lambda: client.get("/v1/alerts", headers=bearer(token)).status_code)
    assert "has no live session" in admin("sessions", dispatcher.username)[-1]

    fix = {"locations": [{"user_id": gateway.id, "lat": 37.8, "lon": -122.27}]}
    assert client.post("/v1/locations", json=fix, headers=bearer(old_key)).status_code == 202
    new_key = admin("rotate-token", gateway.username)[-1]
    assert _refused(lambda: client.post("/v1/locations", json=fix,
                                        headers=bearer(old_key)).status_code)  # fmt: skip
    assert client.post("/v1/locations", json=fix, headers=bearer(new_key)).status_code == 202
    clock.advance(days=89)  # a gateway's token lasts LOOKOUT_GATEWAY_TOKEN_TTL_S
    assert client.post("/v1/locations", json=fix, headers=bearer(new_key)).status_code == 202


def test_role_password_authenticator_and_camera_key_from_the_cli(
    client: TestClient, engine: Engine, clock: ManualClock, database_url: str, tmp_path: Path
) -> None:
    admin = _admin_cli(database_url, tmp_path)
    world = make_world(engine, clock)
    with transaction(engine) as session:
        person, token = factories.make_user(session, role=Role.DISPATCHER, now=clock())
    assert client.get("/v1/alerts", headers=bearer(token)).status_code == 200

    assert admin("set-role", person.username, "supervisor")[-1].endswith("is now supervisor")
    assert _refused(lambda: client.get("/v1/alerts", headers=bearer(token)).status_code)
    one_time = admin("reset-password", person.username)[-1]
    uri = admin("reset-second-factor", person.username)[-1]
    assert uri.startswith("otpauth://totp/Lookout:")
    code = pyotp.TOTP(parse_qs(urlparse(uri).query)["secret"][0]).at(clock())
    form = {"username": person.username, "password": one_time}
    assert client.post("/v1/auth/token", data=form).status_code == 401  # a supervisor needs a code
    signed_in = client.post("/v1/auth/token", data=form | {"otp": code})
    assert signed_in.status_code == 200 and signed_in.json()["password_change_required"] is True

    read = {"plate": "7ABC123"}
    assert client.post("/v1/reads", json=read, headers=world.camera).status_code == 202
    new_key = admin("rotate-camera-key", str(world.camera_id))[-1]
    assert _refused(lambda: client.post("/v1/reads", json=read, headers=world.camera).status_code)
    assert client.post("/v1/reads", json=read, headers={"X-API-Key": new_key}).status_code == 202
