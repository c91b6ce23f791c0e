"""The push worker against the FCM inbox through the real firebase-admin SDK."""

import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from alerts.fcm import FcmSender
from app.clock import ManualClock
from app.db import transaction
from app.delivery import worker as delivery
from app.delivery.worker import WorkerConfig
from app.models import Delivery, DeliveryStatus, Device, Role
from tests import factories
from tests.servers import FcmServer, eventually


def _config(**overrides: object) -> WorkerConfig:
    values: dict[str, object] = {"worker_id": f"w-{uuid.uuid4().hex[:6]}", "lease_s": 60}
    return WorkerConfig(**(values | overrides))  # type: ignore[arg-type]


def _devices(engine: Engine, clock: ManualClock, *tokens: str) -> list[Device]:
    with transaction(engine) as session:
        devices = []
        for token in tokens:
            user, _ = factories.make_user(session, role=Role.OFFICER, now=clock())
            devices.append(factories.make_device(session, user, now=clock(), token=token))
        factories.make_pending_alert(session, devices, now=clock())
        return devices


def _deliveries(engine: Engine) -> list[Delivery]:
    with transaction(engine) as session:
        return list(session.scalars(select(Delivery).order_by("id")))


def test_due_deliveries_are_sent_and_recorded(
    engine: Engine, clock: ManualClock, sender: FcmSender, fcm: FcmServer
) -> None:
    _devices(engine, clock, "phone-a-000001", "phone-b-000002")
    assert delivery.run_once(engine, sender, config=_config(), clock=clock) == 2
    received = fcm.wait_for(2, timeout_s=5)
    assert sorted(m["message"]["token"] for m in received) == ["phone-a-000001", "phone-b-000002"]
    rows = _deliveries(engine)
    assert [r.status for r in rows] == [DeliveryStatus.SENT, DeliveryStatus.SENT]
    assert all(r.provider_id and r.provider_id.startswith("projects/") for r in rows)
    assert delivery.run_once(engine, sender, config=_config(), clock=clock) == 0


def test_a_worker_killed_between_claim_and_send_does_not_lose_the_delivery(
    engine: Engine, clock: ManualClock, sender: FcmSender, fcm: FcmServer
) -> None:
    _devices(engine, clock, "phone-c-000003")
    dead = _config(lease_s=60)
    claimed = delivery.claim(engine, config=dead, now=clock())
    assert len(claimed) == 1  # ...and then the worker dies without sending

    survivor = _config()
    assert delivery.run_once(engine, sender, config=survivor, clock=clock) == 0  # lease holds
    clock.advance(seconds=61)
    assert delivery.run_once(engine, sender, config=survivor, clock=clock) == 1
    [row] = _deliveries(engine)
    assert (row.status, row.attempts, row.claimed_by) == (
        DeliveryStatus.SENT,
        2,
        survivor.worker_id,
    )
    assert len(fcm.wait_for(1, timeout_s=5)) == 1

    # The dead worker's late report must not overwrite the survivor's result.
    delivery.record(
        engine, [(claimed[0], delivery.RetryAfter(5, "late"))], config=dead, now=clock()
    )
    [row] = _deliveries(engine)
    assert row.status == DeliveryStatus.SENT


def test_an_unregistered_token_retires_the_device_and_others_still_get_it(
    engine: Engine, clock: ManualClock, sender: FcmSender, fcm: FcmServer
) -> None:
    gone, alive = _devices(engine, clock, "unregistered-phone-01", "phone-d-000004")
    delivery.run_once(engine, sender, config=_config(), clock=clock)
    by_device = {r.device_id: r for r in _deliveries(engine)}
    assert by_device[gone.id].status == DeliveryStatus.FAILED
    assert "unregistered" in (by_device[gone.id].last_error or "")
    assert by_device[alive.id].status == DeliveryStatus.SENT
    with transaction(engine) as session:
        retired = session.get(Device, gone.id)
        assert retired is not None
        assert (retired.is_active, retired.retired_reason) == (False, "unregistered")
        assert retired.retired_at == clock()


def test_quota_errors_wait_for_retry_after_and_give_up_after_max_attempts(
    engine: Engine, clock: ManualClock, sender: FcmSender
) -> None:
    _devices(engine, clock, "quota-phone-000005")
    config = _config(max_attempts=2)
    delivery.run_once(engine, sender, config=config, clock=clock)
    [row] = _deliveries(engine)
    assert row.status == DeliveryStatus.QUEUED
    assert (row.next_attempt_at - clock()).total_seconds() >= 7  # the inbox sends Retry-After: 7
    assert delivery.run_once(engine, sender, config=config, clock=clock) == 0  # not due yet
    clock.advance(seconds=10)
    assert delivery.run_once(engine, sender, config=config, clock=clock) == 1
    [row] = _deliveries(engine)
    assert row.status == DeliveryStatus.FAILED
    assert "gave up after 2 attempts" in (row.last_error or "")


def test_a_rejected_message_fails_without_retiring_the_device(
    engine: Engine, clock: ManualClock, sender: FcmSender
) -> None:
    [device] = _devices(engine, clock, "invalid-phone-000006")
    delivery.run_once(engine, sender, config=_config(), clock=clock)
    [row] = _deliveries(engine)
    assert row.status == DeliveryStatus.FAILED and "rejected" in (row.last_error or "")
    with transaction(engine) as session:
        assert session.get(Device, device.id).is_active  # type: ignore[union-attr]


def test_two_workers_never_send_the_same_delivery(
    engine: Engine, clock: ManualClock, sender: FcmSender, fcm: FcmServer
) -> None:
    tokens = [f"phone-many-{i:06d}" for i in range(40)]
    _devices(engine, clock, *tokens)
    configs = [_config(batch_size=7), _config(batch_size=7)]

    def work(config: WorkerConfig) -> None:
        while delivery.run_once(engine, sender, config=config, clock=clock):
            pass

    threads = [threading.Thread(target=work, args=(c,)) for c in configs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    received = fcm.wait_for(40, timeout_s=10)
    assert sorted(m["message"]["token"] for m in received) == tokens  # each exactly once
    rows = _deliveries(engine)
    assert {r.status for r in rows} == {DeliveryStatus.SENT}
    assert {r.attempts for r in rows} == {1}


def test_lookout_worker_runs_as_its_own_process(
    engine: Engine, clock: ManualClock, fcm: FcmServer, database_url: str, tmp_path: Path
) -> None:
    _devices(engine, clock, "phone-proc-000007")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LOOKOUT_DATABASE_URL": database_url,
        "LOOKOUT_FCM_CREDENTIALS": str(fcm.credentials_path),
        "LOOKOUT_FCM_URL": fcm.base_url,
        "LOOKOUT_WORKER_POLL_S": "0.2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        [received] = fcm.wait_for(1, timeout_s=30)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert received["message"]["token"] == "phone-proc-000007"
    assert process.returncode == 0, err
    assert out.startswith("Push worker ")
    [row] = eventually(
        lambda: _deliveries(engine), lambda rows: rows[0].status == DeliveryStatus.SENT
    )
    assert row.status == DeliveryStatus.SENT
