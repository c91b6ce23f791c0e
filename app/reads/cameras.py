"""Which camera a read comes from: the camera a key belongs to, remembered for a while.

Cameras post many times a second, and a database round trip per read for authentication alone
would halve ingest throughput, so a key's camera is kept for `ttl_s` (a revoked or moved camera
is noticed by every process within that time, by this one at once through `forget`).
"""

import threading
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.auth.credentials import hash_secret
from app.cache import Memo
from app.db import transaction
from app.models import Camera

KEY_TTL_S = 300.0  # the credential change feed makes every process forget at once
MAX_FILLED = 10_000  # cameras loaded at once (the cache's size)


@dataclass(frozen=True, slots=True)
class CameraRef:
    """A camera as reads need it: its id, name, and fixed position and heading if placed."""

    id: int
    name: str
    lat: float | None
    lon: float | None
    heading_deg: float | None


def camera_ref(camera: Camera) -> CameraRef:
    assert camera.id is not None
    return CameraRef(camera.id, camera.name, camera.lat, camera.lon, camera.heading_deg)


class UnknownKey(Exception):
    """No active camera has this key."""


class CameraKeys:
    """Camera key -> camera, through the keyed hash that is all the database keeps."""

    def __init__(self, engine: Engine, *, pepper: str, ttl_s: float = KEY_TTL_S) -> None:
        self._engine = engine
        self._pepper = pepper
        self._known: Memo[str, CameraRef] = Memo(max_size=MAX_FILLED, ttl_s=ttl_s)
        # Unknown keys too: a stream of bad keys must not cost a database query each.
        self._unknown: Memo[str, bool] = Memo(max_size=50_000, ttl_s=ttl_s)
        self._ttl_s = ttl_s
        self._filled_until = 0.0  # monotonic: until then, every active camera is remembered
        self._fill_lock = threading.Lock()
        self._forgotten = 0  # counts `forget`s: what was read before one is not kept after it

    def cached(self, key: str) -> tuple[str, CameraRef | None]:
        """The key's hash and its camera if remembered: no database, for the event loop.
        Raises UnknownKey for a key remembered as unknown."""
        key_hash = hash_secret(key, pepper=self._pepper)
        if self._unknown.get(key_hash):
            raise UnknownKey("unknown or revoked camera key")
        return key_hash, self._known.get(key_hash)

    def load(self, key_hash: str) -> CameraRef:
        """The camera of a key hash from the database (blocking); raises UnknownKey.

        The first miss after a start or a `forget` loads every active camera in one query:
        after a restart under load, or a camera added, hundreds of cameras post within the
        second, and one query each held them all behind the thread pool."""
        with self._fill_lock:
            if time.monotonic() >= self._filled_until:
                self._fill()
        camera = self._known.get(key_hash)
        if camera is not None:
            return camera
        with transaction(self._engine) as session:
            row = session.scalars(select(Camera).where(col(Camera.key_hash) == key_hash)).first()
            if row is None or not row.is_active:
                self._unknown.put(key_hash, True)
                raise UnknownKey("unknown or revoked camera key")
            camera = camera_ref(row)
        self._known.put(key_hash, camera)
        return camera

    def camera(self, key: str) -> CameraRef:
        """The camera of `key` (blocking on a miss); raises UnknownKey."""
        key_hash, camera = self.cached(key)
        return camera if camera is not None else self.load(key_hash)

    def _fill(self) -> None:
        forgotten = self._forgotten
        with transaction(self._engine) as session:
            rows = session.execute(
                select(col(Camera.key_hash), Camera).where(col(Camera.is_active)).limit(MAX_FILLED)
            ).all()
            cameras = [(key_hash, camera_ref(camera)) for key_hash, camera in rows]
        if forgotten != self._forgotten:
            return  # a camera changed meanwhile: the next miss reads them again
        for key_hash, camera in cameras:
            self._known.put(key_hash, camera)
        self._filled_until = time.monotonic() + self._ttl_s

    def forget(self) -> None:
        """After a camera was placed, renamed, switched off or given a new key."""
        self._forgotten += 1
        self._filled_until = 0.0
        self._known.clear()
        self._unknown.clear()
