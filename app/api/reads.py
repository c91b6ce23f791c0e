"""Plate reads from cameras."""

import json
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from app import audit
from app.deps import ClockDep, Overseer, RuntimeDep, SessionDep, camera_from_key, runtime_of
from app.errors import (
    BadRequest,
    NotFound,
    Unauthorized,
    Unavailable,
    Unprocessable,
    describe_validation_errors,
)
from app.intake import images
from app.models import Read
from app.reads import rows, search
from app.reads.jobs import StoreFailed
from app.schemas.common import NUL_FREE, Moment, Purpose, RowId, Vehicle
from app.schemas.reads import ReadBatchIn, ReadIn, ReadPublic, ReadsAccepted
from lpr import plates

router = APIRouter(prefix="/reads", tags=["reads"])

MAX_BODY_BYTES = 4 * 1024 * 1024

_READ_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/ReadIn"},
                        {"$ref": "#/components/schemas/ReadBatchIn"},
                    ]
                }
            }
        },
    }
}


# Registered on the app itself (app/main.py), ahead of the routers: every read then skips
# the included routers' matching, measurable at thousands of reads a second.
POST_READS: dict[str, Any] = {
    "path": "/v1/reads",
    "methods": ["POST"],
    "status_code": 202,
    "tags": ["reads"],
    "openapi_extra": _READ_BODY | {"security": [{"APIKeyHeader": []}]},
    "response_model": ReadsAccepted,
    "responses": {401: {"description": "Missing or unknown camera key (X-API-Key)"}},
}


async def post_reads(request: Request) -> JSONResponse:
    """Store one read, or `{"reads": [...]}` (up to 1,000), and match them. All or nothing:
    if any read is invalid, the answer is 422 naming it and nothing is stored."""
    # The hottest route: the camera key is checked here rather than through dependency
    # injection, and the answer is written directly, which halves the framework's share.
    api_key = request.headers.get("x-api-key")
    if not api_key:
        raise Unauthorized("missing camera key: send it in the 'X-API-Key' header")
    camera = await camera_from_key(request, api_key)
    raw = await request.body()  # at most MAX_BODY_BYTES: app/bodies.py refuses more (413)
    reads = parse_reads(_json(raw), nul_free=b"\\u0000" not in raw)
    runtime = runtime_of(request)
    now = runtime.clock()
    max_age = timedelta(seconds=runtime.settings.ingest.read_max_age_s)
    for i, read in enumerate(reads):
        problem = rows.time_problem(read.read_at, now=now, max_age=max_age)
        if problem is not None:
            where = f"reads[{i}].read_at" if len(reads) > 1 else "read_at"
            raise Unprocessable(f"{where}: {problem}")
    batch = [rows.row_of(read.to_read(), camera, beats=runtime.beat_tagger) for read in reads]
    try:
        stored = await runtime.writer.submit(camera, batch)
    except StoreFailed:
        raise Unavailable(
            "the reads could not be stored right now; nothing was kept, retry later",
            headers={"Retry-After": "5"},
        ) from None
    # Nothing about matches: a camera key must not be a way to ask whether a plate is listed.
    return JSONResponse(
        {"accepted": len(stored.read_ids), "read_ids": stored.read_ids}, status_code=202
    )


BODY_LIMITS: dict[object, int] = {
    post_reads: MAX_BODY_BYTES
}  # enforced while streaming (app/bodies.py)


def _json(raw: bytes) -> Any:
    if not raw.strip():
        raise BadRequest('empty body: send a read as JSON, e.g. {"plate": "7ABC123"}')
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest(f"body is not valid JSON: {error}") from None
    except RecursionError:
        raise BadRequest("body is not valid JSON: nested too deeply") from None
    except ValueError:  # past Python's 4,300 digits for an integer: not a read, not a 500
        raise BadRequest("body is not valid JSON: a number has too many digits") from None


def _no_constant(name: str) -> Any:
    # Python's json takes NaN and Infinity; JSON does not, and no read needs them.
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def parse_reads(body: Any, *, nul_free: bool = False) -> list[ReadIn]:
    """`nul_free`: the raw body was seen to hold no NUL character (no `\\u0000`), so the
    models need not look for one in every string (the hot path)."""
    context = {NUL_FREE: True} if nul_free else None
    try:
        if isinstance(body, dict) and "reads" in body:
            return ReadBatchIn.model_validate(body, context=context).reads
        if isinstance(body, dict):
            return [ReadIn.model_validate(body, context=context)]
    except ValidationError as error:
        raise Unprocessable(describe_validation_errors(list(error.errors()))) from None
    raise Unprocessable('body must be a JSON object: one read, or {"reads": [...]}')


@router.get("")
def search_reads(
    session: SessionDep,
    user: Overseer,
    clock: ClockDep,
    purpose: Annotated[Purpose, Query(description="Why (audited)")],
    plate: Annotated[str, Query(min_length=1, max_length=32, description="Plate as written")],
    case_number: Annotated[str | None, Query(max_length=60)] = None,
    since: Moment | None = None,
    until: Moment | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ReadPublic]:
    """Stored reads of one plate, newest first. Every search is written to the audit log with
    who, when, the plate, the purpose, the case number and how many reads it returned."""
    rows = search.by_plate(
        session, plate_key=plates.parse(plate).key, actor=user, purpose=purpose,
        case_number=case_number, now=clock(), limit=limit, since=since, until=until,
    )  # fmt: skip
    return [to_public(r) for r in rows]


@router.get("/{read_id}")
def get_read(read_id: RowId, session: SessionDep, user: Overseer, clock: ClockDep) -> ReadPublic:
    """One stored read. The view is written to the audit log."""
    read = session.get(Read, read_id)
    if read is None:
        raise NotFound(f"no read with id {read_id}")
    audit.record(
        session, actor=user, action="read.view", now=clock(), object_type="read",
        object_id=read_id, plate=read.plate,
    )  # fmt: skip
    return to_public(read)


@router.get(
    "/{read_id}/image",
    response_class=Response,
    responses={200: {"content": {m: {} for m in images.MEDIA_TYPES.values()}}},
)
def get_read_image(
    read_id: RowId, runtime: RuntimeDep, session: SessionDep, user: Overseer, clock: ClockDep
) -> Response:
    """The image a vendor sent inline with a read, as Lookout keeps it. The view is written to
    the audit log."""
    read = session.get(Read, read_id)
    if read is None:
        raise NotFound(f"no read with id {read_id}")
    if not images.is_stored(read.image_url):
        where = f"; the camera's own image is at {read.image_url}" if read.image_url else ""
        raise NotFound(f"read {read_id} came with no image that Lookout keeps{where}")
    found = runtime.images.load(read.image_url or "")
    if found is None:
        raise NotFound(f"the image of read {read_id} is missing from the image store")
    audit.record(
        session, actor=user, action="image.view", now=clock(), object_type="read",
        object_id=read_id, plate=read.plate,
    )  # fmt: skip
    data, media_type = found
    return Response(data, media_type=media_type, headers={"Cache-Control": "private, no-store"})


def to_public(read: Read) -> ReadPublic:
    assert read.id is not None
    return ReadPublic(
        id=read.id,
        camera_id=read.camera_id,
        plate=read.plate,
        state=read.state,
        read_at=read.read_at,
        received_at=read.received_at,
        lat=read.lat,
        lon=read.lon,
        heading=read.heading_deg,
        confidence=read.confidence,
        candidates=read.candidates,
        vehicle=Vehicle(
            make=read.vehicle_make,
            model=read.vehicle_model,
            color=read.vehicle_color,
            type=read.vehicle_type,
            year=read.vehicle_year,
        ),
        image_url=f"/v1/reads/{read.id}/image"
        if images.is_stored(read.image_url)
        else read.image_url,
        details=read.details,
        beat=read.beat,
    )
