"""Shared by the intake tests: a site key, vendor messages built from the real samples."""

import base64
import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Camera, CameraSource, Read, Role
from tests import factories
from tests.lpr.vendors.samples import sample


@dataclass(frozen=True, slots=True)
class Site:
    """A site's camera and key (an LPR agent, an NVR), and an admin and a dispatcher."""

    camera_id: int
    key: str
    admin_token: str
    dispatcher_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key}

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    @property
    def dispatcher(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.dispatcher_token}"}


def make_site(
    engine: Engine,
    clock: ManualClock,
    *,
    may_create_cameras: bool = True,
    lat: float | None = 37.8044,
    lon: float | None = -122.2712,
) -> Site:
    with transaction(engine) as session:
        _, admin = factories.make_user(session, role=Role.ADMIN, now=clock())
        _, dispatcher = factories.make_user(session, role=Role.DISPATCHER, now=clock())
        camera, key = factories.make_camera(
            session, now=clock(), lat=lat, lon=lon, may_create_cameras=may_create_cameras
        )
        assert camera.id is not None
        return Site(camera.id, key, admin, dispatcher)


def jpeg(size: int = 2000) -> bytes:
    """Bytes that start like a JPEG, which is all the intake checks."""
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)


def sample_json(name: str) -> dict[str, Any]:
    value = json.loads(sample(name))
    assert isinstance(value, dict)
    return value


def alpr_group(*, images: bool = False, agent: str | None = None, **changes: Any) -> dict[str, Any]:
    """The v2 agent group sample with fresh uuids (unless given) and, if asked, real images."""
    group = sample_json("openalpr-alpr_group-v2-openalpr-doc.json")
    agent = agent or group["agent_uid"]
    stamp = uuid.uuid4().int % 10**12
    group["agent_uid"] = agent
    group["best_uuid"] = f"{agent}-1234-{stamp}"
    group["uuids"] = [f"{agent}-1234-{stamp - 40}", f"{agent}-1234-{stamp - 20}"]
    group["plate_indexes"] = [0, 0]
    if images:
        group["best_plate"]["plate_crop_jpeg"] = base64.b64encode(jpeg(1500)).decode()
        group["vehicle_crop_jpeg"] = base64.b64encode(jpeg(6000)).decode()
    else:
        group["best_plate"].pop("plate_crop_jpeg", None)
        group.pop("vehicle_crop_jpeg", None)
    group.update(changes)
    return group


def alpr_frame(group: dict[str, Any], index: int = 0) -> dict[str, Any]:
    """The agent's per-frame message for frame `index` of `group`: the same vehicle."""
    frame = sample_json("openalpr-alpr_results-v2-openalpr-doc.json")
    frame["uuid"] = group["uuids"][index]
    frame["agent_uid"] = group["agent_uid"]
    frame["camera_id"] = group["camera_id"]
    frame["results"] = frame["results"][:1]
    frame["results"][0]["plate_index"] = group["plate_indexes"][index]
    frame["results"][0].pop("plate_crop_jpeg", None)
    return frame


def post(
    client: TestClient, vendor: str, body: dict[str, Any] | bytes, site: Site, **kwargs: Any
) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **site.headers, **kwargs.pop("headers", {})}
    return client.post(f"/v1/intake/{vendor}", content=content, headers=headers, **kwargs)


def stored_reads(engine: Engine, ids: list[int] | None = None) -> list[Read]:
    with transaction(engine) as session:
        query = select(Read).order_by("id")
        if ids is not None:
            query = query.where(Read.id.in_(ids))  # type: ignore[union-attr]
        return list(session.scalars(query))


def camera_of(engine: Engine, site: Site, camera_ref: str) -> Camera | None:
    with transaction(engine) as session:
        return session.scalars(
            select(Camera)
            .join(CameraSource, CameraSource.camera_id == Camera.id)  # type: ignore[arg-type]
            .where(
                CameraSource.key_camera_id == site.camera_id,  # type: ignore[arg-type]
                CameraSource.camera_ref == camera_ref,  # type: ignore[arg-type]
            )
        ).first()


# Frigate publishes over MQTT: tests/app/test_intake_mqtt.py sends these through the broker.
FRIGATE_SAMPLES = {
    "frigate-mqtt-events-recognized_license_plate-frigate-docs.jsonc": "events",
    "frigate-mqtt-tracked_object_update-lpr-frigate-docs.jsonc": "tracked_object_update",
    "frigate-mqtt-tracked_object_update-lpr-0.16-frigate-docs.json": "tracked_object_update",
    "frigate-mqtt-reviews-frigate-docs.jsonc": "reviews",
}
