"""Vendor messages become stored reads: the one path behind /v1/intake/* and `lookout
mqtt-intake`.

A parsed message (`lpr.vendors.Parsed`) is turned into the same rows as POST /v1/reads and
handed to the same IngestWriter (group commit, matching, alerts in one transaction), with
three additions: each read's camera is resolved from the vendor's camera name
(app/intake/sources.py), its vendor ids go along for deduplication (app/reads/dedup.py), and an
image sent inline is written to the image store first (app/intake/images.py). A heartbeat or a
plate-less vehicle updates camera health and stores no read.
"""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from starlette.concurrency import run_in_threadpool

from app.clock import Clock
from app.intake.images import ImageStore
from app.intake.sources import CameraSources
from app.officers.beats import BeatTagger
from app.reads import rows
from app.reads.cameras import CameraRef
from app.reads.dedup import SOURCE_KEYS
from app.reads.jobs import Stored
from app.reads.writer import IngestWriter
from lpr import Read
from lpr.errors import LprError
from lpr.vendors import Heartbeat, Ignored, ImageKind, InlineImage, Parsed, Reads, Sighting

log = logging.getLogger(__name__)

# One image is kept per read: the one that shows the most of the car.
IMAGE_PREFERENCE = (ImageKind.VEHICLE_CROP, ImageKind.CONTEXT, ImageKind.PLATE_CROP)
SIGHTING_NOTE = "vehicles without a readable plate: counted for camera health, no read stored"


class Vendor(StrEnum):
    OPENALPR = "openalpr"
    PLATERECOGNIZER = "platerecognizer"
    VERKADA = "verkada"
    FRIGATE = "frigate"
    HIKVISION = "hikvision"
    AXIS = "axis"
    GENETEC = "genetec"
    SURVISION = "survision"
    DAHUA = "dahua"
    BLUEIRIS = "blueiris"
    PARKPOW = "parkpow"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one message (or one uploaded file of them) led to."""

    kind: str
    stored: int = 0
    read_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    duplicate_of: list[int] = field(default_factory=list)
    ignored: str | None = None
    notes: list[str] = field(default_factory=list)
    camera_ids: list[int] = field(default_factory=list)
    sightings: int = 0


@dataclass(slots=True)
class _Job:
    camera: CameraRef
    rows: list[dict[str, Any]] = field(default_factory=list)
    images: list[str | None] = field(default_factory=list)  # per row


@dataclass(slots=True)
class _Plan:
    kind: str
    jobs: dict[int, _Job] = field(default_factory=dict)  # by camera id: one writer job each
    notes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    camera_ids: set[int] = field(default_factory=set)
    sightings: int = 0
    images: set[str] = field(default_factory=set)


class Intake:
    def __init__(
        self,
        *,
        sources: CameraSources,
        writer: IngestWriter,
        images: ImageStore,
        clock: Clock,
        beats: BeatTagger | None = None,
        read_max_age: timedelta = timedelta(days=30),
    ) -> None:
        self.sources = sources
        self._writer = writer
        self._images = images
        self._clock = clock
        self._beats = beats
        self._read_max_age = read_max_age

    async def accept(
        self, messages: Sequence[Parsed], *, key: CameraRef, vendor: Vendor
    ) -> Outcome:
        """Store what `messages` carry. Raises StoreFailed (nothing kept) or Forbidden."""
        plan = await run_in_threadpool(self._plan, messages, key, vendor)
        # A cancelled request leaves its images: the writer may still store the rows.
        stored = await asyncio.gather(
            *(self._writer.submit(job.camera, job.rows) for job in plan.jobs.values()),
            return_exceptions=True,
        )
        return await run_in_threadpool(self._finish, plan, stored)

    def accept_blocking(
        self, messages: Sequence[Parsed], *, key: CameraRef, vendor: Vendor
    ) -> Outcome:
        """`accept` for a thread that is not an event loop's (the MQTT client's)."""
        plan = self._plan(messages, key, vendor)
        stored: list[Stored | BaseException] = []
        for job in plan.jobs.values():
            try:
                stored.append(self._writer.store(job.camera, job.rows))
            except Exception as error:
                stored.append(error)
        return self._finish(plan, stored)

    def _plan(self, messages: Sequence[Parsed], key: CameraRef, vendor: Vendor) -> _Plan:
        now = self._clock()
        plan = _Plan(kind=messages[0].kind if messages else "empty")
        try:
            for message in messages:
                match message:
                    case Reads():
                        self._plan_reads(plan, message, key, vendor, now)
                    case Heartbeat():
                        plan.camera_ids.update(self.sources.heartbeat(key, message, now=now))
                        plan.notes.extend(message.notes)
                    case Sighting():
                        plan.camera_ids.update(self.sources.sighting(key, message, now=now))
                        plan.sightings += len(message.vehicles)
                    case Ignored():
                        plan.ignored.append(message.reason)
        except BaseException:
            self._discard(plan.images)
            raise
        return plan

    def _plan_reads(
        self, plan: _Plan, message: Reads, key: CameraRef, vendor: Vendor, now: datetime
    ) -> None:
        plan.notes.extend(message.notes)
        saved: dict[int, str] = {}  # id(InlineImage) -> reference: an image shared by reads
        beats = self._beats
        for index, read in enumerate(message.reads):
            problem = rows.time_problem(read.read_at, now=now, max_age=self._read_max_age)
            if problem is not None:  # the others of the message are still stored
                plan.notes.append(f"reads[{index}]: not stored: read_at {problem}")
                continue
            camera = self.sources.resolve(key, read.camera_ref, label=message.camera_label, now=now)
            try:
                details = vendor_details(read, vendor=vendor, kind=message.kind)
                row = rows.row_of(read, camera, beats=beats, details=details)
            except LprError as error:  # the parsers only pass storable plates; never fail all
                plan.notes.append(f"reads[{index}]: not stored: {error}")
                continue
            plan.notes.extend(f"reads[{index}]: {note}" for note in read.notes)
            keys = message.keys(index)
            if keys:
                row[SOURCE_KEYS] = keys
            image = _choose_image(message.images, index)
            image_ref = None
            if image is not None:
                image_ref = saved.get(id(image))
                if image_ref is None:
                    image_ref = saved[id(image)] = self._images.save(image, now=now)
                    plan.images.add(image_ref)
                row["image_url"] = image_ref
            job = plan.jobs.setdefault(camera.id, _Job(camera))
            job.rows.append(row)
            job.images.append(image_ref)
            plan.camera_ids.add(camera.id)

    def _finish(self, plan: _Plan, stored: Sequence[Stored | BaseException]) -> Outcome:
        """Sum up; delete the images no stored read refers to. Re-raises a failed store."""
        read_ids: list[int] = []
        duplicate_of: list[int] = []
        duplicates = 0
        kept: set[str] = set()
        failure = next((r for r in stored if isinstance(r, BaseException)), None)
        for job, result in zip(plan.jobs.values(), stored, strict=True):
            if isinstance(result, BaseException):
                continue
            read_ids.extend(result.read_ids)
            duplicates += len(result.duplicate_of)
            duplicate_of.extend(i for i in result.duplicate_of.values() if i is not None)
            kept.update(
                ref
                for row, ref in enumerate(job.images)
                if ref is not None and row not in result.duplicate_of
            )
        self._discard(plan.images - kept)
        if failure is not None:
            raise failure
        ignored = None
        if not plan.jobs and not plan.camera_ids:
            ignored = "; ".join(plan.ignored) or "the message carried nothing to store"
        elif plan.ignored:
            plan.notes.extend(plan.ignored)
        if plan.sightings and not read_ids and not duplicates:
            ignored = SIGHTING_NOTE
        return Outcome(
            kind=plan.kind,
            stored=len(read_ids),
            read_ids=read_ids,
            duplicates=duplicates,
            duplicate_of=duplicate_of,
            ignored=ignored,
            notes=plan.notes,
            camera_ids=sorted(plan.camera_ids),
            sightings=plan.sightings,
        )

    def _discard(self, refs: set[str]) -> None:
        for ref in refs:
            self._images.delete(ref)


def vendor_details(read: Read, *, vendor: Vendor, kind: str) -> dict[str, Any]:
    """Where a vendor read came from, stored in its `details`."""
    vehicle = read.vehicle
    confidences = {
        "make": vehicle.make_confidence,
        "model": vehicle.model_confidence,
        "color": vehicle.color_confidence,
        "type": vehicle.type_confidence,
    }
    details: dict[str, Any] = {"vendor": vendor.value, "kind": kind}
    if read.camera_ref:
        details["camera_ref"] = read.camera_ref
    if read.source_id:
        details["source_id"] = read.source_id
    if read.direction:
        details["direction"] = read.direction
    if read.notes:
        details["notes"] = list(read.notes)
    if any(value is not None for value in confidences.values()):
        details["vehicle_confidence"] = {k: v for k, v in confidences.items() if v is not None}
    return details


def _choose_image(images: Sequence[InlineImage], index: int) -> InlineImage | None:
    mine = [image for image in images if image.read_index in (index, None)]
    for kind in IMAGE_PREFERENCE:
        for image in mine:
            if image.kind == kind:
                return image
    return None
