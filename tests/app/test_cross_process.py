"""A hot-list change made in one process is live in another: at once on PostgreSQL (NOTIFY),
at the next poll on SQLite. Two real processes: `lookout serve` and this test's own app."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from tests import factories
from tests.app.helpers import make_world
from tests.servers import eventually

# Generous for a loaded machine, and still far inside the other process's 600 s poll on
# PostgreSQL, so a change seen there came by NOTIFY.
CHANGE_SEEN_WITHIN_S = 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def other_process(database_url: str, tmp_path: Path) -> Iterator[str]:
    """`lookout serve` on the same database; on PostgreSQL its poll is made so slow that only
    NOTIFY can bring a change in time."""
    port = _free_port()
    poll = "600" if database_url.startswith("postgresql") else "1"
    env = os.environ | {
        "LOOKOUT_DATABASE_URL": database_url, "LOOKOUT_PUSH_SENDER": "log",
        "LOOKOUT_FCM_INBOX": "false", "LOOKOUT_HOTLIST_POLL_S": poll,
        "LOOKOUT_DATA_DIR": str(tmp_path / "other"),
    }  # fmt: skip
    log = tmp_path / "other.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=sink,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"lookout serve did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_an_entry_added_or_removed_in_one_process_is_seen_by_another(
    client: TestClient, engine: Engine, clock: ManualClock, other_process: str
) -> None:
    world = make_world(engine, clock)
    with httpx.Client(base_url=other_process, timeout=10) as other:
        post = {"headers": world.camera, "json": {"plate": "7XPR001"}}

        def hits_there() -> int:
            return int(other.post("/v1/reads", **post).json()["hits"])

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
