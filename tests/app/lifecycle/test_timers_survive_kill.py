"""Timers live in the database: every process killed with SIGKILL, mid-ladder, twice, and the
escalation still climbs each step exactly once and the confirmation request expires exactly
once (real `lookout serve` and `lookout worker` processes, real seconds, pushes through
firebase-admin to the FCM inbox)."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.clock import system_clock
from app.db import transaction
from app.models import Alert, AlertConfirmation, AlertEscalation, Delivery, DeliveryStatus, Role
from tests import factories
from tests.app.lifecycle.support import CAMERA, PLATE, north_of
from tests.servers import FcmServer, eventually

ROOT = Path(__file__).resolve().parents[3]
ESCALATE_S = 5  # real seconds: time enough to kill everything before a step is due
CONFIRM_S = 2 * ESCALATE_S  # the request expires after the first kill, while the ladder climbs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _running(commands: list[list[str]], env: dict[str, str], tmp_path: Path) -> Iterator[
    list[subprocess.Popen[bytes]]
]:  # fmt: skip
    """Start the processes; on the way out, SIGKILL whatever still runs."""
    processes = []
    for n, command in enumerate(commands):
        log = tmp_path / f"process-{time.monotonic_ns()}-{n}.log"
        with log.open("wb") as sink:  # the child keeps its own descriptor
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "app.cli", *command],
                    env=env | {"LOOKOUT_DATA_DIR": str(tmp_path / f"data-{n}")},
                    cwd=tmp_path,
                    stdout=subprocess.DEVNULL,
                    stderr=sink,
                )
            )
    try:
        yield processes
    finally:
        _kill(processes)


def _kill(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
    for process in processes:
        process.wait(timeout=30)


def _ready(port: int, process: subprocess.Popen[bytes]) -> str:
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return base
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"lookout serve on port {port} did not start (exit {process.poll()})")


def _until(probe: Callable[[], bool], what: str, timeout_s: float = 40.0) -> None:
    if not eventually(probe, bool, timeout_s=timeout_s):
        pytest.fail(f"timed out waiting for {what}")


def test_escalation_timers_survive_kill_9_of_every_process_and_fire_once(
    database_url: str, engine: Engine, fcm: FcmServer, tmp_path: Path
) -> None:
    now = system_clock()
    with transaction(engine) as session:
        admin, _ = factories.make_user(session, role=Role.ADMIN, now=now)
        _, key = factories.make_camera(session, now=now, lat=CAMERA[0], lon=CAMERA[1])
        phones, tokens = {}, {}
        for name, metres, role in (("first", 100, Role.OFFICER), ("second", 300, Role.OFFICER),
                                   ("supervisor", 8_000, Role.SUPERVISOR)):  # fmt: skip
            user, tokens[name] = factories.make_user(session, role=role, now=now)
            phones[name] = factories.unique(f"phone-{name}")
            factories.make_device(session, user, now=now, token=phones[name])
            lat, lon = north_of(metres)
            # Fresh for the whole test: the processes read the real clock.
            factories.place_officer(session, user, lat=lat, lon=lon, recorded_at=datetime.now(UTC))
        hotlist = factories.make_hotlist(session, now=now, priority=1)
        factories.make_entries(session, hotlist, admin, now=now,
                               entries=[{"plate": PLATE, "state": "CA"}])  # fmt: skip
    env = os.environ | {
        "LOOKOUT_DATABASE_URL": database_url, "LOOKOUT_FCM_CREDENTIALS": str(fcm.credentials_path),
        "LOOKOUT_FCM_URL": fcm.base_url, "LOOKOUT_FCM_INBOX": "false",
        "LOOKOUT_WORKER_POLL_S": "0.2", "LOOKOUT_HOTLIST_POLL_S": "0.5",
        "LOOKOUT_ESCALATE_P1_S": str(ESCALATE_S), "LOOKOUT_ROUTING_MAX_OFFICERS": "1",
        "LOOKOUT_CONFIRM_URGENT_S": str(CONFIRM_S),
        # A push claimed by a process killed before it was sent waits out its lease: kept
        # well inside the probes' 40 s (60 s by default), and well above a send's time.
        "LOOKOUT_WORKER_LEASE_S": "8",
        "PYTHONPATH": str(ROOT),  # this checkout's code, wherever the virtualenv points
    }  # fmt: skip

    def messages(name: str) -> list[dict[str, str]]:
        return [m["message"]["data"] for m in fcm.inbox.messages(phones[name])]  # type: ignore[misc]

    def pushed(name: str) -> int:
        """The hit and the ladder's pushes to the phone (not the confirmation's updates)."""
        return sum(m.get("action") != "confirmation" for m in messages(name))

    def confirmations(name: str) -> list[str]:
        return [m["confirmation"] for m in messages(name) if m.get("action") == "confirmation"]

    def all_sent() -> bool:
        with transaction(engine) as session:
            statuses = session.scalars(select(Delivery.status)).all()
            return bool(statuses) and set(statuses) == {DeliveryStatus.SENT}

    def steps() -> list[tuple[int, str]]:
        with transaction(engine) as session:
            rows = session.scalars(select(AlertEscalation).order_by(AlertEscalation.level))  # type: ignore[arg-type]
            return [(r.level, r.step) for r in rows]

    # 1. Two API processes; a camera reads the car; the nearest officer is pushed. Kill both
    #    before the first step is due.
    ports = [_free_port(), _free_port()]
    with _running([["serve", "--port", str(p)] for p in ports], env, tmp_path) as processes:
        base = _ready(ports[0], processes[0])
        _ready(ports[1], processes[1])
        read = httpx.post(f"{base}/v1/reads", json={"plate": PLATE, "state": "CA"},
                          headers={"X-API-Key": key}, timeout=10)  # fmt: skip
        assert read.status_code == 202, read.text
        _until(lambda: pushed("first") == 1 and all_sent(), "the first ring's push")
        with transaction(engine) as session:
            alert_id = session.scalars(select(Alert.id)).one()
        asked = httpx.post(
            f"{base}/v1/alerts/{alert_id}/confirmation",
            json={"state": "requested"},
            headers={"Authorization": f"Bearer {tokens['first']}"},
            timeout=10,
        )
        assert asked.status_code == 200, asked.text
        _kill(processes)
    assert steps() == [] and pushed("second") == 0
    with transaction(engine) as session:
        [alert] = session.scalars(select(Alert)).all()
        assert alert.due_at is not None and alert.escalation_level == 0  # the timers are stored
        assert (alert.confirmation, alert.confirmation_due_at is not None) == ("requested", True)

    # 2. Two new processes take the overdue timer: the next ring. Kill both again.
    ports = [_free_port(), _free_port()]
    with _running([["serve", "--port", str(p)] for p in ports], env, tmp_path) as processes:
        # On a slow machine the desk step may follow before the probe looks: the next ring
        # must have come first, once; the last phase checks the whole ladder.
        _until(lambda: steps()[:1] == [(1, "next_ring")] and pushed("second") == 1
               and all_sent(), "the next ring")  # fmt: skip
        _kill(processes)

    # 3. A lone `lookout worker` climbs the rest: the desk, then the supervisor.
    with _running([["worker"]], env, tmp_path) as processes:
        _until(lambda: len(steps()) == 3 and pushed("supervisor") == 1 and all_sent(),
               "the dispatcher desk and the supervisor")  # fmt: skip
        # Let it run a few more timer intervals: nothing is left to fire.
        eventually(lambda: steps(), lambda _: False, timeout_s=ESCALATE_S + 1)
        assert processes[0].poll() is None

    assert steps() == [(1, "next_ring"), (2, "dispatcher"), (3, "supervisor")]
    assert {name: pushed(name) for name in phones} == {"first": 1, "second": 1, "supervisor": 1}
    with transaction(engine) as session:
        [alert] = session.scalars(select(Alert)).all()
        assert (alert.escalation_level, alert.due_at) == (3, None)
        assert alert.escalated_at is not None
        assert (alert.confirmation, alert.confirmation_due_at) == ("expired", None)
        rows = session.scalars(select(AlertConfirmation.state).order_by(AlertConfirmation.id))  # type: ignore[arg-type]
        assert list(rows) == ["requested", "expired"]
    # The officer who asked heard the request and its expiry once each (in either order: the
    # request's update may still be queued at the kill, and FCM keeps no order in a batch);
    # whoever was told by then heard the expiry at most once.
    assert sorted(confirmations("first")) == ["expired", "requested"]
    assert all(confirmations(name).count("expired") <= 1 for name in ("second", "supervisor"))
