"""The deployable shape: replicas that start together migrate once, a process started before the
migration says what to do instead of looping on tracebacks, and `lookout serve --workers N`
runs several API processes on one PostgreSQL."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import migrate
from app.db import make_engine

LOOKOUT = [sys.executable, "-m", "app.cli"]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, as a new deployment finds it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server_url: str = request.getfixturevalue("postgres_server_url")
    name = f"lookout_fresh_{uuid.uuid4().hex[:12]}"
    server = make_url(server_url)
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def _env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return os.environ | {
        "LOOKOUT_DATABASE_URL": database_url,
        "LOOKOUT_DATA_DIR": str(tmp_path / "data"),
        "LOOKOUT_PUSH_SENDER": "log",
        "LOOKOUT_FCM_INBOX": "false",
        **extra,
    }


@pytest.mark.parametrize("command", [["worker"], ["serve", "--port", "0"]])
def test_a_process_started_before_the_migration_says_to_run_it_and_stops(
    empty_database_url: str, tmp_path: Path, command: list[str]
) -> None:
    result = subprocess.run(
        [*LOOKOUT, *command],
        env=_env(empty_database_url, tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "run `lookout db upgrade` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_replicas_upgrading_together_migrate_once_and_all_succeed(
    empty_database_url: str, tmp_path: Path
) -> None:
    env = _env(empty_database_url, tmp_path)
    upgrades = [
        subprocess.Popen(
            [*LOOKOUT, "db", "upgrade"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=180) for process in upgrades]
    for process, (_, stderr) in zip(upgrades, outputs, strict=True):
        assert process.returncode == 0, stderr[-2000:]
    engine = make_engine(empty_database_url)
    try:
        assert migrate.schema_problem(engine, empty_database_url) is None
    finally:
        engine.dispose()


def test_a_database_behind_this_version_is_named_with_both_revisions(
    empty_database_url: str, tmp_path: Path
) -> None:
    migrate.upgrade(empty_database_url, "0001")
    engine = make_engine(empty_database_url)
    try:
        problem = migrate.schema_problem(engine, empty_database_url)
    finally:
        engine.dispose()
    head = migrate.head_revision(empty_database_url)
    assert problem is not None and "0001" in problem and str(head) in problem
    assert "lookout db upgrade" in problem


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces; the parent pid is the 2nd field after the ')'.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def test_serve_with_several_processes_shares_one_postgresql(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        result = subprocess.run(
            [*LOOKOUT, "serve", "--workers", "2", "--port", str(_free_port())],
            env=_env(database_url, tmp_path),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1 and "needs PostgreSQL" in result.stderr
        return
    port = _free_port()
    env = _env(database_url, tmp_path)
    created = subprocess.run(
        [*LOOKOUT, "admin", "create-camera", "cam-1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [*LOOKOUT, "serve", "--workers", "2", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "lookout serve --workers 2 never became ready"
            time.sleep(0.2)
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline:
            # uvicorn's supervisor spawns the processes (through a resource tracker on some
            # Pythons): count the grandchildren too.
            workers = {p for c in _children(server.pid) for p in {c} | _children(c)}
            time.sleep(0.2)
        assert len(workers) >= 2
        with httpx.Client(base_url=base, timeout=10) as client:
            for n in range(20):
                answer = client.post(
                    "/v1/reads", json={"plate": f"7ABC{n:03d}"}, headers={"X-API-Key": key}
                )
                assert answer.status_code == 202, answer.text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM plate_read")).scalar_one()
    finally:
        engine.dispose()
    assert stored == 20
