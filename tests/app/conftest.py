"""Fixtures of the app tests: a second `lookout serve` process on the test's database."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

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
