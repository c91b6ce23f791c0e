"""Shared setup of the lifecycle tests: a scene of officers, a dispatcher and a supervisor
with phones around a camera, a hit, and the worker (with the alerts' timers) run once."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from alerts.push import PushSender
from app.clock import ManualClock
from app.db import transaction
from app.delivery import worker as delivery
from app.delivery.worker import WorkerConfig
from app.models import AlertEscalation, Role
from tests import factories
from tests.app.helpers import World, bearer, hotlist_with_plate, make_world, officer_on_duty
from tests.servers import FcmServer

CAMERA = (37.8044, -122.2712)  # Broadway & 14th, Oakland
PLATE = "7ABC123"


def north_of(metres: float) -> tuple[float, float]:
    return (CAMERA[0] + metres / 111_320, CAMERA[1])


@dataclass
class Person:
    user_id: int
    token: str
    phone: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


@dataclass
class Scene:
    client: TestClient
    engine: Engine
    clock: ManualClock
    sender: PushSender
    fcm: FcmServer
    world: World
    dispatcher: dict[str, str]
    officers: list[Person] = field(default_factory=list)
    config: WorkerConfig = field(
        default_factory=lambda: WorkerConfig(worker_id=f"w-{uuid.uuid4().hex[:6]}")
    )

    def officer(self, metres_north: float, *, role: Role = Role.OFFICER) -> Person:
        """An officer (or supervisor) on duty with a phone, `metres_north` of the camera."""
        lat, lon = north_of(metres_north)
        phone = f"phone-{uuid.uuid4().hex[:10]}"
        user_id, token, _ = officer_on_duty(self.client, self.engine, self.clock, lat=lat,
                                            lon=lon, device_token=phone, role=role)  # fmt: skip
        person = Person(user_id, token, phone)
        if role is Role.OFFICER:
            self.officers.append(person)
        return person

    def hit(
        self, *, priority: int = 2, plate: str = PLATE, read_as: str | None = None, **entry: object
    ) -> int:
        """A hot list with the plate, and the camera reading it (as `read_as`, a misread, when
        given): the new alert's id."""
        hotlist_with_plate(self.client, self.world, plate, priority=priority, **entry)
        return self.read(read_as or plate)

    def read(self, plate: str = PLATE) -> int:
        answer = self.client.post("/v1/reads", json={"plate": plate}, headers=self.world.camera)
        assert answer.status_code == 202, answer.text  # a camera is never told of a match
        alerts = self.client.get("/v1/alerts", headers=self.world.admin).json()["data"]
        assert alerts, f"{plate} raised no alert"
        return int(alerts[0]["id"])

    def work(self) -> int:
        """One worker iteration: due timers, then the due pushes, sent to the inbox."""
        runtime = self.client.app.state.runtime  # type: ignore[attr-defined]
        return delivery.run_once(self.engine, self.sender, config=self.config, clock=self.clock,
                                 timers=runtime.timers)  # fmt: skip

    def messages(self, person: Person) -> list[dict[str, Any]]:
        """What the person's phone received, oldest first."""
        return [m["message"] for m in self.fcm.inbox.messages(person.phone)]  # type: ignore[misc]

    def alert(self, alert_id: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
        answer = self.client.get(f"/v1/alerts/{alert_id}", headers=headers or self.dispatcher)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def steps(self, alert_id: int) -> list[tuple[int, str, str]]:
        """The escalation rows of the alert: (level, step, reason)."""
        with transaction(self.engine) as session:
            rows = session.scalars(
                select(AlertEscalation)
                .where(AlertEscalation.alert_id == alert_id)  # type: ignore[arg-type]
                .order_by(AlertEscalation.level)  # type: ignore[arg-type]
            )
            return [(r.level, r.step, r.reason) for r in rows]


def make_scene(
    client: TestClient, engine: Engine, clock: ManualClock, sender: PushSender, fcm: FcmServer
) -> Scene:
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    with transaction(engine) as session:
        _, token = factories.make_user(session, role=Role.DISPATCHER, now=clock())
    return Scene(client, engine, clock, sender, fcm, world, bearer(token))


def titles(messages: list[dict[str, Any]]) -> list[str]:
    """What each message shows: the notification's title, or a quiet update's (from its data)."""
    return [
        m["notification"]["title"] if "notification" in m else f"(quiet) {m['data']['title']}"
        for m in messages
    ]
