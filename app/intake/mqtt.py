"""Frigate over MQTT: `lookout mqtt-intake` subscribes to Frigate's topics and stores the plates
it recognises through app/intake/service.py, the same path as the HTTP intake, without an HTTP hop.

Staying subscribed: the session is persistent (clean_session false, a fixed client id), so a
broker that keeps sessions queues QoS 1 messages while we are away; and every connect, the
first and each reconnect that paho makes after a broker restart or a dropped link, subscribes
again, so a broker that lost its sessions still sends us everything from then on. Messages
Frigate sent while nobody was subscribed are gone; Frigate repeats a tracked object's plate in
its later updates, and those are stored once (app/reads/dedup.py).
"""

import logging
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.auth.credentials import hash_secret
from app.clock import Clock
from app.db import transaction
from app.errors import AppError
from app.intake.service import Intake, Outcome, Vendor
from app.logs import error_facts
from app.models import Camera
from app.reads.cameras import CameraRef, camera_ref
from app.reads.jobs import StoreFailed
from lpr.errors import LprError
from lpr.vendors import frigate

log = logging.getLogger(__name__)

QOS = 1
KEEPALIVE_S = 30


@dataclass(frozen=True, slots=True)
class Broker:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = None


def parse_url(url: str) -> Broker:
    """`mqtt://[user:password@]host[:1883]` or `mqtts://...[:8883]`."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
        raise ValueError(f"not an MQTT URL: {url!r}; expected mqtt://HOST:PORT or mqtts://...")
    tls = parts.scheme in ("mqtts", "ssl")
    return Broker(
        host=parts.hostname,
        port=parts.port or (8883 if tls else 1883),
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def key_camera(engine: Engine, key: str, *, pepper: str) -> CameraRef:
    """The camera whose key the MQTT client posts with; ValueError if there is none."""
    with transaction(engine) as session:
        row = session.scalars(
            select(Camera).where(col(Camera.key_hash) == hash_secret(key, pepper=pepper))
        ).first()
        if row is None or not row.is_active:
            raise ValueError("unknown or revoked camera key")
        return camera_ref(row)


class MqttIntake:
    """One MQTT client; messages are handled on paho's network thread, one at a time."""

    def __init__(
        self,
        *,
        broker: Broker,
        topics: Sequence[str],
        intake: Intake,
        key: CameraRef,
        clock: Clock,
        client_id: str = "lookout-mqtt-intake",
        reconnect_min_s: float = 1.0,
        reconnect_max_s: float = 30.0,
    ) -> None:
        self._broker = broker
        self._topics = list(topics)
        self._intake = intake
        self._key = key
        self._clock = clock
        self._changed = threading.Condition()
        self.connects = 0  # successful connections so far, reconnects included
        self.subscribed = 0  # subscriptions the broker confirmed, one per connection
        self.handled = 0  # messages taken, stored or not
        self.outcomes: deque[Outcome] = deque(maxlen=1000)  # the latest, for tests and debugging
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
        )
        if broker.username:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set()
        # paho annotates these int, yet takes fractions of a second (the tests reconnect in 0.1).
        client.reconnect_delay_set(reconnect_min_s, reconnect_max_s)  # type: ignore[arg-type]
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        self.client = client

    def start(self) -> None:
        """Connect in the background; paho retries until the broker answers."""
        self.client.connect_async(self._broker.host, self._broker.port, keepalive=KEEPALIVE_S)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def wait_for(self, *, subscribed: int = 0, handled: int = 0, timeout_s: float = 10.0) -> bool:
        """Wait until the broker confirmed this many subscriptions and this many messages were
        handled; False at the deadline."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self.subscribed >= subscribed and self.handled >= handled,
                timeout=timeout_s,
            )

    def handle(self, topic: str, payload: bytes) -> Outcome | None:
        """Parse and store one message; None when it could not be (logged, never raised: one
        bad message must not stop the client)."""
        try:
            parsed = frigate.parse(payload, received_at=self._clock(), topic=topic)
            return self._intake.accept_blocking([parsed], key=self._key, vendor=Vendor.FRIGATE)
        except LprError as error:
            log.warning("mqtt.unreadable", extra={"topic": topic, "error": type(error).__name__})
            log.debug("mqtt.unreadable.detail", extra={"topic": topic, "detail": str(error)})
        except AppError as error:  # a switched-off camera
            log.warning("mqtt.refused", extra={"topic": topic, "detail": error.detail})
        except StoreFailed:
            log.error("mqtt.store_failed", extra={"topic": topic})
        return None

    def _on_connect(
        self,
        client: mqtt.Client,
        _userdata: object,
        _flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            log.warning("mqtt.connect_refused", extra={"reason": str(reason)})
            return
        client.subscribe([(topic, QOS) for topic in self._topics])
        log.info(
            "mqtt.connected",
            extra={"host": self._broker.host, "port": self._broker.port, "topics": self._topics},
        )
        with self._changed:
            self.connects += 1
            self._changed.notify_all()

    def _on_subscribe(
        self,
        _client: mqtt.Client,
        _userdata: object,
        _mid: int,
        reasons: list[ReasonCode],
        _properties: Properties | None,
    ) -> None:
        refused = [str(r) for r in reasons if r.is_failure]
        if refused:
            log.warning("mqtt.subscribe_refused", extra={"reasons": refused})
        else:
            log.info("mqtt.subscribed", extra={"topics": self._topics})
        with self._changed:
            self.subscribed += 1
            self._changed.notify_all()

    def _on_disconnect(
        self,
        _client: mqtt.Client,
        _userdata: object,
        _flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        log.info("mqtt.disconnected", extra={"reason": str(reason)})

    def _on_message(
        self, _client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage
    ) -> None:
        try:
            # paho types the payload bytes | bytearray; a received one is bytes, kept as is.
            outcome = self.handle(message.topic, bytes(message.payload))
        except Exception as error:  # paho's network thread must outlive any one message
            log.exception("mqtt.failed", extra={"topic": message.topic, **error_facts(error)})
            outcome = None
        if outcome is not None:
            log.debug("mqtt.stored", extra={"kind": outcome.kind, "stored": outcome.stored})
        with self._changed:
            if outcome is not None:
                self.outcomes.append(outcome)
            self.handled += 1
            self._changed.notify_all()
