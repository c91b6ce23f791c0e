"""A hot-list change made in one process is live in another: at once on PostgreSQL (NOTIFY),
at the next poll on SQLite. Two real processes: `lookout serve` and this test's own app."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Alert, Delivery, Role
from tests import factories
from tests.app.helpers import (
    alerts_by_read,
    bearer,
    hits_of,
    hotlist_with_plate,
    make_world,
    officer_on_duty,
)
from tests.servers import eventually

# Generous for a loaded machine, and still far inside the other process's 600 s poll on
# PostgreSQL, so a change seen there came by NOTIFY.
CHANGE_SEEN_WITHIN_S = 30.0
CARS = 20


def test_an_entry_added_or_removed_in_one_process_is_seen_by_another(
    client: TestClient, engine: Engine, clock: ManualClock, other_process: str
) -> None:
    world = make_world(engine, clock)
    with httpx.Client(base_url=other_process, timeout=10) as other:
        post = {"headers": world.camera, "json": {"plate": "7XPR001"}}

        def hits_there() -> int:  # the other process stored the read; the alerts show here
            return hits_of(client, world.admin, other.post("/v1/reads", **post))

        assert hits_there() == 0  # its index is loaded now
        body = {"name": factories.unique("l"), "kind": "stolen_vehicle", "priority": 2}
        response = client.post("/v1/hotlists", json=body, headers=world.admin)
        hotlist_id = response.json()["id"]
        client.post(
            f"/v1/hotlists/{hotlist_id}/entries", json=[{"plate": "7XPR001"}], headers=world.admin
        )
        assert eventually(hits_there, lambda hits: hits == 1, timeout_s=CHANGE_SEEN_WITHIN_S) == 1

        entry_id = client.get(
            f"/v1/hotlists/{hotlist_id}/entries", params={"purpose": "test"}, headers=world.admin
        ).json()[0]["id"]
        client.delete(f"/v1/hotlists/{hotlist_id}/entries/{entry_id}", headers=world.admin)
        assert eventually(hits_there, lambda hits: hits == 0, timeout_s=CHANGE_SEEN_WITHIN_S) == 0


def test_a_car_read_by_two_processes_at_once_raises_one_alert(
    client: TestClient, engine: Engine, clock: ManualClock, other_process: str
) -> None:
    """Two `lookout serve` on one database, each reading the same listed car at the same
    moment: one alert per car, and each officer pushed once per car."""
    world = make_world(engine, clock)
    officer_on_duty(client, engine, clock, lat=37.8050, lon=-122.2712)
    plates = [f"7TWN{i:03d}" for i in range(CARS)]
    hotlist_id = hotlist_with_plate(client, world, plates[0])
    client.post(f"/v1/hotlists/{hotlist_id}/entries", headers=world.admin,
                json=[{"plate": p, "state": "CA"} for p in plates[1:]])  # fmt: skip
    with httpx.Client(base_url=other_process, timeout=30) as other:
        sides = (client, other)

        def post(job: tuple[int, str]) -> httpx.Response:
            side, plate = job
            return sides[side].post("/v1/reads", json={"plate": plate, "state": "CA"},
                                    headers=world.camera)  # fmt: skip

        # The other process's index has the list once it matches the first car.
        first = eventually(
            lambda: post((1, "7TWN000")), lambda r: hits_of(client, world.admin, r) == 1
        )
        assert hits_of(client, world.admin, first) == 1
        with ThreadPoolExecutor(max_workers=2 * CARS) as pool:
            answers = list(pool.map(post, [(side, p) for p in plates[1:] for side in (0, 1)]))
    assert [a.status_code for a in answers] == [202] * (2 * CARS - 2)
    by_read = alerts_by_read(client, world.admin)
    matched = [a for a in answers if any(by_read.get(i) for i in a.json()["read_ids"])]
    assert len(matched) == 2 * CARS - 2  # both processes matched
    with transaction(engine) as session:
        alerts = session.execute(
            select(Alert.dedup_key, func.count()).group_by(Alert.dedup_key)
        ).all()
        pushes = session.execute(
            select(Delivery.alert_id, func.count()).group_by(Delivery.alert_id)
        ).all()
    assert len(alerts) == CARS and all(count == 1 for _, count in alerts)
    assert len(pushes) == CARS and all(count == 1 for _, count in pushes)


def test_a_deactivated_persons_token_is_refused_by_every_process(
    client: TestClient, engine: Engine, clock: ManualClock, other_process: str, database_url: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    """`lookout admin deactivate-user` in a third process: both servers refuse the token at
    once (each follows the credential change feed every half second, and NOTIFY)."""
    with transaction(engine) as session:
        person, token = factories.make_user(session, role=Role.DISPATCHER, now=clock())
    with httpx.Client(base_url=other_process, timeout=10) as other:
        assert other.get("/v1/alerts", headers=bearer(token)).status_code == 200
        assert client.get("/v1/alerts", headers=bearer(token)).status_code == 200
        env = os.environ | {"LOOKOUT_DATABASE_URL": database_url}
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "admin", "deactivate-user", person.username],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        there = lambda: other.get("/v1/alerts", headers=bearer(token)).status_code  # noqa: E731
        here = lambda: client.get("/v1/alerts", headers=bearer(token)).status_code  # noqa: E731
        gone = lambda status: status == 401  # noqa: E731
        assert eventually(there, gone, timeout_s=CHANGE_SEEN_WITHIN_S) == 401
        assert eventually(here, gone, timeout_s=CHANGE_SEEN_WITHIN_S) == 401


def test_a_person_made_by_the_cli_uses_its_token_and_enrolment_uri_against_a_server(
    other_process: str, database_url: str, tmp_path: Path
) -> None:
    """The CLI's contract scripts rely on: the bootstrap token alone on the last line, working
    until LOOKOUT_BOOTSTRAP_TOKEN_TTL_S; the otpauth:// URI on the line before it, from which a
    script computes the codes the role signs in with."""
    env = os.environ | {
        "LOOKOUT_DATABASE_URL": database_url,
        "LOOKOUT_BOOTSTRAP_TOKEN_TTL_S": "5",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }  # this checkout
    made = subprocess.run(
        [sys.executable, "-m", "app.cli", "admin", "create-user", "Sgt Vega", "--role",
         "supervisor", "--password-stdin"],
        input="a sergeant's long secret\n", env=env, cwd=tmp_path, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    created, *_, said, uri, token = made.stdout.strip().splitlines()
    username = created.rsplit("signs in as ", 1)[1].strip("'")
    assert "expires in 5 s" in said
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    with httpx.Client(base_url=other_process, timeout=10) as server:
        assert server.get("/v1/alerts", headers=bearer(token)).status_code == 200
        signed_in = server.post("/v1/auth/token", data={
            "username": username, "password": "a sergeant's long secret",
            "otp": pyotp.TOTP(secret).now()})  # fmt: skip
        assert signed_in.status_code == 200, signed_in.text
        gone = eventually(lambda: server.get("/v1/alerts", headers=bearer(token)).status_code,
                          lambda status: status == 401, timeout_s=CHANGE_SEEN_WITHIN_S)  # fmt: skip
        assert gone == 401  # the bootstrap token expired


def test_a_deactivated_or_rotated_camera_key_is_refused_by_every_process(
    client: TestClient, engine: Engine, clock: ManualClock, other_process: str
) -> None:
    """Both servers knew the keys (remembered, no query each); a change made in one is refused
    by the other at once (the credential change feed, and NOTIFY on PostgreSQL)."""
    world = make_world(engine, clock)
    with transaction(engine) as session:
        second, second_key = factories.make_camera(session, now=clock())
        second_id = second.id
    read = {"plate": "7ABC123"}
    with httpx.Client(base_url=other_process, timeout=10) as other:
        for key in (world.camera_key, second_key):
            assert other.post("/v1/reads", json=read, headers={"X-API-Key": key}).status_code == 202
        rotated = client.post(f"/v1/cameras/{world.camera_id}/key", headers=world.admin)
        assert rotated.status_code == 200, rotated.text
        off = client.patch(f"/v1/cameras/{second_id}", json={"is_active": False},
                           headers=world.admin)  # fmt: skip
        assert off.status_code == 200, off.text
        for key in (world.camera_key, second_key):
            status = eventually(
                lambda k=key: other.post("/v1/reads", json=read, headers={"X-API-Key": k}),  # type: ignore[misc]
                lambda answer: answer.status_code == 401, timeout_s=CHANGE_SEEN_WITHIN_S,
            ).status_code  # fmt: skip
            assert status == 401
        new_key = {"X-API-Key": rotated.json()["api_key"]}
        assert other.post("/v1/reads", json=read, headers=new_key).status_code == 202
