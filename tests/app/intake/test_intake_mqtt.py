"""Frigate over MQTT, through a real Mosquitto broker: the shared one on 127.0.0.1:1883, and
for the restart test a private one on a free port that the test stops and starts again.

Topics get a unique prefix per test (the parser reads only the last segment), so tests running
in parallel on the shared broker never see each other's messages.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from fastapi.testclient import TestClient
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.intake.mqtt import Broker, MqttIntake, key_camera, parse_url
from app.models import Camera, Read
from app.settings import DEV_SECRET
from tests.app.intake.conftest import SAMPLES_MAX_AGE_S
from tests.app.intake.support import FRIGATE_SAMPLES, Site, camera_of, make_site, stored_reads
from tests.lpr.vendors.samples import sample
from tests.servers import eventually

SHARED = Broker("127.0.0.1", 1883, tls=False)
EVENT = "frigate-mqtt-events-recognized_license_plate-frigate-docs.jsonc"
UPDATE = "frigate-mqtt-tracked_object_update-lpr-0.16-frigate-docs.json"


def _reachable(broker: Broker) -> bool:
    try:
        socket.create_connection((broker.host, broker.port), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.fixture
def shared_broker() -> Broker:
    if not _reachable(SHARED):
        message = "Mosquitto is not running on 127.0.0.1:1883 (`mosquitto -d -c ...` starts it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED


def _mosquitto() -> str:
    found = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        message = "no mosquitto binary to run a private broker (apt install mosquitto)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


class PrivateBroker:
    """A Mosquitto of our own that keeps nothing on disk: a restart forgets every session."""

    def __init__(self, port: int) -> None:
        self.broker = Broker("127.0.0.1", port, tls=False)
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> Broker:
        process = subprocess.Popen(
            [_mosquitto(), "-p", str(self.broker.port)], stderr=subprocess.PIPE, text=True
        )
        self._process = process
        assert process.stderr is not None
        for line in process.stderr:  # ready once it says so: nothing to poll
            if line.rstrip().endswith("running"):
                # Keep reading what it logs, so a full pipe never stalls it.
                threading.Thread(target=process.stderr.read, daemon=True).start()
                return self.broker
        process.stderr.close()
        raise AssertionError(f"mosquitto exited with {process.wait()}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            if self._process.stderr is not None:
                self._process.stderr.close()
            self._process = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def publish(broker: Broker, topic: str, payload: bytes) -> None:
    """Publish at QoS 1 and wait for the broker's acknowledgement."""
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        client.publish(topic, payload, qos=1).wait_for_publish(timeout=10)
    finally:
        client.disconnect()
        client.loop_stop()


def forget_session(broker: Broker, client_id: str) -> None:
    """Drop the persistent session a test client left on the shared broker."""
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True
    )
    try:
        client.connect(broker.host, broker.port)
        client.disconnect()
    except OSError:
        pass  # a private broker that is gone already


@contextmanager
def running(
    client: TestClient, engine: Engine, site: Site, broker: Broker, prefix: str
) -> Iterator[MqttIntake]:
    key = key_camera(engine, site.key, pepper=DEV_SECRET)
    client_id = f"lookout-test-{uuid.uuid4().hex[:8]}"
    intake = MqttIntake(
        broker=broker,
        topics=[f"{prefix}/events", f"{prefix}/tracked_object_update", f"{prefix}/reviews"],
        intake=client.app.state.runtime.intake,
        key=key,
        clock=client.app.state.clock,  # type: ignore[attr-defined]
        client_id=client_id,
        reconnect_min_s=0.1,
        reconnect_max_s=0.5,
    )
    intake.start()
    try:
        assert intake.wait_for(subscribed=1), "the MQTT client did not subscribe"
        yield intake
    finally:
        intake.stop()
        forget_session(broker, client_id)


def _prefix() -> str:
    return f"lookout-test-{uuid.uuid4().hex[:8]}/frigate"


def test_every_frigate_sample_goes_through_the_broker(
    shared_broker: Broker, client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    prefix = _prefix()
    with running(client, engine, site, shared_broker, prefix) as intake:
        for n, (name, topic) in enumerate(sorted(FRIGATE_SAMPLES.items()), start=1):
            publish(shared_broker, f"{prefix}/{topic}", sample(name))
            assert intake.wait_for(handled=n), f"{name} was not handled"
        outcomes = {o.kind: o for o in intake.outcomes if o.kind != "tracked_object_update"}
        updates = [o for o in intake.outcomes if o.kind == "tracked_object_update"]

    assert outcomes["reviews"].stored == 0 and "no plate text" in (
        outcomes["reviews"].ignored or ""
    )
    [event] = stored_reads(engine, outcomes["events"].read_ids)
    assert (event.plate, event.confidence) == ("ABC12345", 0.933451)
    assert event.read_at == datetime(2020, 12, 4, 23, 19, 22, 82975, tzinfo=UTC)
    assert event.camera_id == (camera_of(engine, site, "frigate:front_door") or Camera()).id
    # The two update samples are the same object and plate: one read, one duplicate.
    assert sorted((o.stored, o.duplicates) for o in updates) == [(0, 1), (1, 0)]
    [update] = stored_reads(engine, [i for o in updates for i in o.read_ids])
    assert (update.plate, update.confidence) == ("123ABC", 0.95)
    assert update.camera_id == (camera_of(engine, site, "frigate:driveway_cam") or Camera()).id
    assert update.details is not None and update.details["vendor"] == "frigate"


def test_a_dropped_connection_is_reestablished_and_ingests_again(
    shared_broker: Broker, client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    prefix = _prefix()
    with running(client, engine, site, shared_broker, prefix) as intake:
        sock = intake.client.socket()
        assert isinstance(sock, socket.socket)
        sock.shutdown(socket.SHUT_RDWR)  # the link drops under the client
        assert intake.wait_for(subscribed=2), "the MQTT client did not reconnect"
        assert intake.connects == 2
        publish(shared_broker, f"{prefix}/tracked_object_update", sample(UPDATE))
        assert intake.wait_for(handled=1)
    assert [r.plate for r in stored_reads(engine)] == ["123ABC"]


def test_after_a_broker_restart_the_client_subscribes_again(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """The restarted broker has forgotten every session and subscription: only the client
    subscribing again on reconnect brings the next message in."""
    site = make_site(engine, clock)
    prefix = _prefix()
    mosquitto = PrivateBroker(_free_port())
    broker = mosquitto.start()
    try:
        with running(client, engine, site, broker, prefix) as intake:
            publish(broker, f"{prefix}/events", sample(EVENT))
            assert intake.wait_for(handled=1)
            mosquitto.stop()
            mosquitto.start()
            assert intake.wait_for(subscribed=2), "no new subscription after the restart"
            publish(broker, f"{prefix}/tracked_object_update", sample(UPDATE))
            assert intake.wait_for(handled=2), "nothing arrived after the restart"
    finally:
        mosquitto.stop()
    assert sorted(r.plate for r in stored_reads(engine)) == ["123ABC", "ABC12345"]


def test_the_mqtt_intake_command_stores_plates_and_stops_on_sigterm(
    shared_broker: Broker, database_url: str, engine: Engine, clock: ManualClock, tmp_path: Path
) -> None:
    site = make_site(engine, clock)
    prefix = _prefix()
    client_id = f"lookout-test-{uuid.uuid4().hex[:8]}"
    env = {
        "LOOKOUT_DATABASE_URL": database_url,
        "LOOKOUT_DATA_DIR": str(tmp_path),
        "LOOKOUT_READ_MAX_AGE_S": str(SAMPLES_MAX_AGE_S),
        "PATH": "/usr/bin:/bin",
    }
    command = [
        sys.executable, "-m", "app.cli", "mqtt-intake", "--url", "mqtt://127.0.0.1:1883",
        "--topic", f"{prefix}/events", "--key", site.key, "--client-id", client_id,
    ]  # fmt: skip
    root = Path(__file__).resolve().parents[3]
    with subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=root
    ) as process:
        try:
            assert process.stderr is not None
            for line in process.stderr:  # JSON log lines; ready once subscribed
                if "mqtt.subscribed" in line:
                    threading.Thread(target=process.stderr.read, daemon=True).start()
                    break
            else:
                raise AssertionError(f"mqtt-intake exited with {process.wait()}")
            publish(shared_broker, f"{prefix}/events", sample(EVENT))
            plates = eventually(
                lambda: [r.plate for r in stored_reads(engine)], lambda found: bool(found)
            )
            assert plates == ["ABC12345"]
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            forget_session(shared_broker, client_id)
    assert process.returncode == 0
    with transaction(engine) as session:
        assert session.scalars(select(Read)).one().plate == "ABC12345"


def test_broker_urls() -> None:
    assert parse_url("mqtt://nvr.local") == Broker("nvr.local", 1883, tls=False)
    assert parse_url("mqtts://u:p%40ss@broker:8884") == Broker("broker", 8884, True, "u", "p@ss")
    with pytest.raises(ValueError, match="not an MQTT URL"):
        parse_url("http://broker")
