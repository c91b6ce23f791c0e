"""Which Lookout camera a vendor's camera identifier means, and what heartbeats say of it.

The rule (README, "Camera identity"): a vendor message names its camera (`Read.camera_ref`,
such as `openalpr:<agent>:<camera>` or `frigate:<name>`) and comes with a camera key. The name
is looked up among the names seen *with that key* (`camera_source`, unique per key), so a key
can only ever reach cameras it brought in, and two sites may both have a "driveway".

- No name in the message (the OpenALPR CLI, a Snapshot call without camera_id): the key's
  own camera, as with POST /v1/reads.
- A name seen before with this key: its camera.
- A new name, and the key's camera has `may_create_cameras`: a new camera, unplaced (no
  position) until an admin places it with PATCH /v1/cameras/{id}. Otherwise: the key's own
  camera, and nothing is recorded.
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.auth import accounts
from app.cache import Memo
from app.db import transaction
from app.errors import Forbidden
from app.models import Camera, CameraSource
from app.reads.cameras import CameraRef, camera_ref
from lpr.vendors import Heartbeat, Sighting

log = logging.getLogger(__name__)

MAX_NAME = 120


class CameraSources:
    """Resolves vendor camera names per key, with a short cache: a site posts many reads a
    second, and one lookup each would cost a database round trip per read."""

    def __init__(self, engine: Engine, *, ttl_s: float = 30.0) -> None:
        self._engine = engine
        self._known: Memo[tuple[int, str], CameraRef] = Memo(max_size=10_000, ttl_s=ttl_s)

    def clear(self) -> None:
        """Forget every mapping, after a camera was placed, renamed or switched off."""
        self._known.clear()

    def resolve(
        self, key: CameraRef, vendor_ref: str | None, *, label: str | None, now: datetime
    ) -> CameraRef:
        """The camera the reads named `vendor_ref` (sent with `key`) are stored under."""
        if vendor_ref is None:
            return key
        camera = self._known.get((key.id, vendor_ref))
        if camera is None:
            camera = self._load_or_create(key, vendor_ref, label=label, now=now)
            self._known.put((key.id, vendor_ref), camera)
        return camera

    def heartbeat(self, key: CameraRef, heartbeat: Heartbeat, *, now: datetime) -> list[int]:
        """Record a heartbeat on the key's camera and each camera it reports; their ids."""
        streaming: dict[int, list[bool]] = {key.id: []}
        for status in heartbeat.cameras:
            camera = self.resolve(key, status.camera_ref, label=status.name, now=now)
            flags = streaming.setdefault(camera.id, [])
            if status.streaming is not None:
                flags.append(status.streaming)
        with transaction(self._engine) as session:
            for camera_id, flags in streaming.items():
                values: dict[str, object] = {"last_heartbeat_at": now}
                if flags:  # a camera several streams map to streams only if all of them do
                    values["is_streaming"] = all(flags)
                session.execute(update(Camera).where(col(Camera.id) == camera_id).values(**values))
            self._relabel(session, key, heartbeat)
        return sorted(streaming)

    def sighting(self, key: CameraRef, sighting: Sighting, *, now: datetime) -> list[int]:
        """A vehicle seen without a plate shows the camera works; nothing else is stored."""
        ids = sorted(
            {
                self.resolve(key, seen.camera_ref, label=None, now=now).id
                for seen in sighting.vehicles
            }
        )
        with transaction(self._engine) as session:
            session.execute(
                update(Camera).where(col(Camera.id).in_(ids)).values(last_sighting_at=now)
            )
        return ids

    def _load_or_create(
        self, key: CameraRef, vendor_ref: str, *, label: str | None, now: datetime
    ) -> CameraRef:
        for attempt in range(2):
            try:
                with transaction(self._engine) as session:
                    return self._find(session, key, vendor_ref, label=label, now=now)
            except IntegrityError:
                # Another request created the same camera at the same moment: use theirs.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _find(
        self, session: Session, key: CameraRef, vendor_ref: str, *, label: str | None, now: datetime
    ) -> CameraRef:
        row = session.execute(
            select(Camera)
            .join(CameraSource, col(CameraSource.camera_id) == Camera.id)
            .where(
                col(CameraSource.key_camera_id) == key.id,
                col(CameraSource.camera_ref) == vendor_ref,
            )
        ).scalar_one_or_none()
        if row is not None:
            if not row.is_active:
                raise Forbidden(
                    f"camera {row.id} ({vendor_ref!r}) is switched off; its reads are refused"
                )
            return camera_ref(row)
        owner = session.get(Camera, key.id)
        if owner is None or not owner.may_create_cameras:
            return key
        name = (label or vendor_ref)[:MAX_NAME]
        camera = accounts.create_found_camera(
            session, name=name, key_camera_id=key.id, camera_ref=vendor_ref, now=now
        )
        assert camera.id is not None
        session.add(
            CameraSource(
                key_camera_id=key.id,
                camera_ref=vendor_ref,
                camera_id=camera.id,
                label=label,
                created_at=now,
            )
        )
        session.flush()
        log.info(
            "camera.found",
            extra={"camera_id": camera.id, "key_camera_id": key.id, "unplaced": True},
        )
        return camera_ref(camera)

    @staticmethod
    def _relabel(session: Session, key: CameraRef, heartbeat: Heartbeat) -> None:
        """Keep the vendor's name of each camera (OpenALPR names them only in heartbeats)."""
        for status in heartbeat.cameras:
            if status.name:
                session.execute(
                    update(CameraSource)
                    .where(
                        col(CameraSource.key_camera_id) == key.id,
                        col(CameraSource.camera_ref) == status.camera_ref,
                        col(CameraSource.label).is_distinct_from(status.name),
                    )
                    .values(label=status.name)
                )


def refs_by_camera(session: Session, camera_ids: Iterable[int]) -> dict[int, list[CameraSource]]:
    """The vendor names under which each camera's reads arrive."""
    found: dict[int, list[CameraSource]] = {}
    ids = list(camera_ids)
    if not ids:
        return found
    query = select(CameraSource).where(col(CameraSource.camera_id).in_(ids)).order_by("id")
    for source in session.scalars(query):
        found.setdefault(source.camera_id, []).append(source)
    return found
