"""LPR software and cameras posting in their own format, one endpoint each (`ENDPOINTS`).

Each message is parsed by `lpr.vendors.<vendor>` and stored by app/intake/service.py through
the same writer as POST /v1/reads. The camera key may come in `X-API-Key`, as the last path segment
(`/v1/intake/openalpr/<key>`, for software that cannot set headers) or as the password of
HTTP basic auth (any username).
"""

import base64
import binascii
import logging
from collections.abc import AsyncGenerator, Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from app.deps import ApiKeyHeader, ClockDep, camera_from_key, runtime_of
from app.errors import BadRequest, PayloadTooLarge, Unauthorized, Unavailable
from app.intake.service import Vendor
from app.reads.cameras import CameraRef
from app.reads.jobs import StoreFailed
from app.schemas.intake import IntakeAccepted
from lpr.vendors import (
    Parsed,
    VendorFormatError,
    axis,
    blueiris,
    dahua,
    genetec,
    hikvision,
    openalpr,
    parkpow,
    platerecognizer,
    survision,
    verkada,
)

log = logging.getLogger(__name__)

router = APIRouter(prefix="/intake", tags=["intake"])

MAX_FORM_FIELDS = 20

KeyInPath = Annotated[
    str,
    Path(
        description="The camera key, for software that cannot send headers. It may show in "
        "proxy logs: prefer X-API-Key or basic auth where the software allows."
    ),
]


async def intake_camera(request: Request, api_key: ApiKeyHeader) -> CameraRef:
    key = api_key or request.path_params.get("key") or _basic_auth_key(request)
    if not key:
        raise Unauthorized(
            "missing camera key: send it in the 'X-API-Key' header, as the last path segment"
            " (/v1/intake/<vendor>/<key>) or as the password of HTTP basic auth",
            headers={"WWW-Authenticate": 'Basic realm="Lookout intake"'},
        )
    return await camera_from_key(request, key)


IntakeCamera = Annotated[CameraRef, Depends(intake_camera)]


def _basic_auth_key(request: Request) -> str | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("the basic auth credentials are not base64 'user:key'") from None
    return password or user or None


@dataclass(frozen=True, slots=True)
class Body:
    raw: bytes
    content_type: str  # lower case, without parameters
    form: dict[str, str | bytes] | None  # for multipart and urlencoded bodies


async def read_body(request: Request, limit: int) -> Body:
    """The whole body, refused with 413 past `limit` bytes (before reading it all when the
    length is declared)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body is {declared} bytes; at most {limit} (intake_max_body_bytes)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body is over {limit} bytes (intake_max_body_bytes)")
        chunks.append(chunk)
    raw = b"".join(chunks)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form = None
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await _form(request, raw, content_type, limit)
    return Body(raw, content_type, form)


async def _form(
    request: Request, raw: bytes, content_type: str, limit: int
) -> dict[str, str | bytes]:
    async def stream() -> AsyncGenerator[bytes, None]:
        yield raw

    try:
        if content_type == "multipart/form-data":
            parser = MultiPartParser(
                request.headers,
                stream(),
                max_files=MAX_FORM_FIELDS,
                max_fields=MAX_FORM_FIELDS,
                max_part_size=limit,
            )
            data = await parser.parse()
        else:
            data = await FormParser(request.headers, stream(), max_part_size=limit).parse()
    except MultiPartException as error:
        raise BadRequest(f"the multipart body cannot be read: {error.message}") from None
    form: dict[str, str | bytes] = {}
    for name, value in data.multi_items():
        if name in form:
            continue
        form[name] = await value.read() if isinstance(value, UploadFile) else value
    await data.close()
    return form


Parser = Callable[[Body, datetime, int], list[Parsed]]


def parse_openalpr(body: Body, now: datetime, max_image_bytes: int) -> list[Parsed]:
    return [openalpr.parse(body.raw, received_at=now, max_image_bytes=max_image_bytes)]


def parse_platerecognizer(body: Body, now: datetime, max_image_bytes: int) -> list[Parsed]:
    """JSON; a webhook's multipart or urlencoded form (`json`, `upload`); Stream's CSV or JSON
    Lines output files, one message per row or line."""
    if body.form is not None:
        return [
            platerecognizer.parse_multipart_fields(
                body.form, received_at=now, max_image_bytes=max_image_bytes
            )
        ]
    if body.content_type in ("text/csv", "application/csv"):
        return list(platerecognizer.parse_csv(body.raw, received_at=now))
    if body.content_type in ("application/x-ndjson", "application/jsonl", "application/jsonlines"):
        return list(platerecognizer.parse_jsonl(body.raw, received_at=now))
    return [platerecognizer.parse(body.raw, received_at=now)]


def parse_verkada(body: Body, now: datetime, max_image_bytes: int) -> list[Parsed]:
    return [verkada.parse(body.raw, received_at=now)]


def parse_hikvision(body: Body, now: datetime, max_image_bytes: int) -> list[Parsed]:
    """The camera's multipart post (`anpr.xml` and its pictures) or the bare XML."""
    if body.form is not None and body.content_type == "multipart/form-data":
        return [
            hikvision.parse_multipart_fields(
                body.form, received_at=now, max_image_bytes=max_image_bytes
            )
        ]
    return [hikvision.parse(body.raw, received_at=now, max_image_bytes=max_image_bytes)]


def parse_axis(body: Body, now: datetime, max_image_bytes: int) -> list[Parsed]:
    """The multipart push (`event` and `image`), or the JSON body with its `ImageArray`."""
    if body.form is not None and body.content_type == "multipart/form-data":
        return [
            axis.parse_multipart_fields(body.form, received_at=now, max_image_bytes=max_image_bytes)
        ]
    return [axis.parse(body.raw, received_at=now, max_image_bytes=max_image_bytes)]


def parse_genetec(body: Body, now: datetime, max_image_bytes: int) -> list[Parsed]:
    return [genetec.parse(body.raw, received_at=now, max_image_bytes=max_image_bytes)]


def parse_survision(body: Body, now: datetime, max_image_bytes: int) -> list[Parsed]:
    return [survision.parse(body.raw, received_at=now, max_image_bytes=max_image_bytes)]


def parse_dahua(body: Body, now: datetime, max_image_bytes: int) -> list[Parsed]:
    return [dahua.parse(body.raw, received_at=now)]


def parse_blueiris(body: Body, now: datetime, max_image_bytes: int) -> list[Parsed]:
    return [blueiris.parse(body.raw, received_at=now, max_image_bytes=max_image_bytes)]


def parse_parkpow(body: Body, now: datetime, max_image_bytes: int) -> list[Parsed]:
    """A visit (JSON), or an alert sent as a form."""
    if body.form is not None:
        return [parkpow.parse_form(body.form, received_at=now)]
    return [parkpow.parse(body.raw, received_at=now)]


PARSERS: dict[Vendor, Parser] = {
    Vendor.OPENALPR: parse_openalpr,
    Vendor.PLATERECOGNIZER: parse_platerecognizer,
    Vendor.VERKADA: parse_verkada,
    Vendor.HIKVISION: parse_hikvision,
    Vendor.AXIS: parse_axis,
    Vendor.GENETEC: parse_genetec,
    Vendor.SURVISION: parse_survision,
    Vendor.DAHUA: parse_dahua,
    Vendor.BLUEIRIS: parse_blueiris,
    Vendor.PARKPOW: parse_parkpow,
}


async def take(
    request: Request, camera: CameraRef, clock: ClockDep, vendor: Vendor
) -> IntakeAccepted:
    runtime = runtime_of(request)
    settings = runtime.settings
    body = await read_body(request, settings.ingest.intake_max_body_bytes)
    now = clock()
    messages = await run_in_threadpool(
        PARSERS[vendor], body, now, settings.ingest.intake_max_image_bytes
    )
    if not messages:
        raise VendorFormatError("the body holds no message")
    try:
        outcome = await runtime.intake.accept(messages, key=camera, vendor=vendor)
    except StoreFailed:
        raise Unavailable(
            "the reads could not be stored right now; nothing was kept, retry later",
            headers={"Retry-After": "5"},
        ) from None
    if outcome.ignored:
        log.info("intake.ignored", extra={"vendor": vendor.value, "kind": outcome.kind})
    return IntakeAccepted(**asdict(outcome))


@dataclass(frozen=True, slots=True)
class Endpoint:
    vendor: Vendor
    summary: str
    description: str


ENDPOINTS = (
    Endpoint(
        Vendor.OPENALPR,
        "an OpenALPR message",
        "An OpenALPR / Rekor Scout agent message (`alpr_group`, `alpr_results`, `alpr_alert`, "
        "`vehicle`, `heartbeat`; also the open-source alprd, CLI and Cloud API JSON). Set the "
        "agent's upload address to this URL.",
    ),
    Endpoint(
        Vendor.PLATERECOGNIZER,
        "a Plate Recognizer message",
        "A Plate Recognizer Snapshot response or webhook, a Stream webhook (JSON, or multipart "
        "with the JSON in field `json` and the frame in `upload`), or Stream's CSV "
        "(`text/csv`) or JSON Lines (`application/x-ndjson`) output.",
    ),
    Endpoint(
        Vendor.VERKADA,
        "a Verkada webhook",
        "A Verkada webhook; `lpr` notifications are stored, others ignored with the reason.",
    ),
    Endpoint(
        Vendor.HIKVISION,
        "a Hikvision ANPR alert",
        "A Hikvision camera's ISAPI `EventNotificationAlert` as its HTTP listening host posts "
        "it: multipart (`anpr.xml` beside `licensePlatePicture.jpg`, `detectionPicture.jpg`) or "
        "the bare XML. ANPR events are stored; heartbeats update camera health; other events "
        "are ignored with the reason.",
    ),
    Endpoint(
        Vendor.AXIS,
        "an AXIS License Plate Verifier event",
        "An AXIS License Plate Verifier push: multipart (the event JSON in `event`, the "
        "picture in `image`) or JSON with `ImageArray`; its heartbeat service's JSON too.",
    ),
    Endpoint(
        Vendor.GENETEC,
        "a Genetec AutoVu read",
        "A Genetec AutoVu SharpV's (or Patroller's) plate read pushed by HTTP as JSON, with "
        "its context and plate images in base64.",
    ),
    Endpoint(
        Vendor.SURVISION,
        "a Survision recognition",
        "A Survision camera's HTTP push in its JSON form (`anpr.decision` with `@plate`, "
        "`@reliability`, `@date` in ms, the base64 `jpeg`). The message names no camera: give "
        "each camera its own key.",
    ),
    Endpoint(
        Vendor.DAHUA,
        "a Dahua ITC event push",
        "A Dahua ITC camera's JSON-RPC `client.notifyEventStream` message (or `Events`, or one "
        "event): `TrafficJunction` and other traffic events with a plate become reads; "
        "`RealUTC` is the time (`UTC` is the camera's local time written as an epoch).",
    ),
    Endpoint(
        Vendor.BLUEIRIS,
        "a Blue Iris alert with CodeProject.AI ALPR results",
        'A Blue Iris alert webhook whose body carries `"ai_dump":&JSON` (CodeProject.AI\'s '
        "module results; `alpr` predictions become reads), with `camera`, `timestamp`, "
        "`ALERT_PATH` and `Image`; or the bare `ai_dump` array.",
    ),
    Endpoint(
        Vendor.PARKPOW,
        "a ParkPow vehicle visit",
        "ParkPow's webhook of a vehicle visit (alone, in `data`, or a list), whatever read it "
        "first (Plate Recognizer, Genetec, Survision); also its alert sent as a form.",
    ),
)


_HANDLERS: list[object] = []  # every intake endpoint function, for its body cap


def _register(endpoint: Endpoint) -> None:
    vendor = endpoint.vendor

    async def take_message(
        request: Request, camera: IntakeCamera, clock: ClockDep
    ) -> IntakeAccepted:
        return await take(request, camera, clock, vendor)

    async def take_message_keyed(
        request: Request, key: KeyInPath, camera: IntakeCamera, clock: ClockDep
    ) -> IntakeAccepted:
        return await take(request, camera, clock, vendor)

    _HANDLERS.extend((take_message, take_message_keyed))
    for path, handler, summary in (
        (f"/{vendor.value}", take_message, f"Take {endpoint.summary}"),
        (f"/{vendor.value}/{{key}}", take_message_keyed, f"Take {endpoint.summary}; key in path"),
    ):
        router.add_api_route(
            path,
            handler,
            methods=["POST"],
            status_code=202,
            summary=summary,
            description=endpoint.description,
            name=f"post_{vendor.value}{'_keyed' if '{key}' in path else ''}",
        )


for _endpoint in ENDPOINTS:
    _register(_endpoint)


def body_limits(max_body_bytes: int) -> dict[object, int]:
    """Every intake route takes bodies up to `intake_max_body_bytes` (app/bodies.py)."""
    return dict.fromkeys(_HANDLERS, max_body_bytes)
