"""Fixtures of the app tests: a second `lookout serve` process on the test's database, a push
sender through the real firebase-admin SDK, and the officers-around-a-camera scene."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from alerts.fcm import FcmSender
from app.clock import ManualClock
from tests.app.lifecycle.support import Scene, make_scene
from tests.servers import FcmServer

ROOT = Path(__file__).resolve().parents[2]


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
        "PYTHONPATH": str(ROOT),  # this checkout's code, wherever the virtualenv points
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


@pytest.fixture
def sender(fcm: FcmServer) -> Iterator[FcmSender]:
    """Pushes through the real firebase-admin SDK, over HTTP, to the test's FCM server."""
    sender = FcmSender(
        credentials_path=fcm.credentials_path, fcm_url=fcm.base_url, timeout_s=5,
        app_name=f"test-{uuid.uuid4().hex[:8]}",
    )  # fmt: skip
    yield sender
    sender.close()


@pytest.fixture
def scene(
    client: TestClient, engine: Engine, clock: ManualClock, sender: FcmSender, fcm: FcmServer
) -> Scene:
    """Officers around a camera, an admin and a dispatcher (tests/app/lifecycle/support.py)."""
    return make_scene(client, engine, clock, sender, fcm)
