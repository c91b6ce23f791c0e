"""Inline images: base64 fields and uploaded files, decoded, sniffed and size-capped.

An image is kept only when it is under the cap and its first bytes say JPEG, PNG, GIF or WebP;
otherwise it is dropped with a note (the OpenALPR doc examples carry placeholder text such as
`"...base64 jpeg data..."` where real agents send tens of KB of base64).
"""

import base64
import binascii
from collections.abc import Iterable

from lpr.vendors.common import ImageKind, InlineImage

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def media_type(data: bytes) -> str | None:
    """The image type the first bytes announce, or None."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def from_base64(
    value: object,
    *,
    field: str,
    kind: ImageKind,
    read_index: int | None,
    max_bytes: int,
    notes: list[str],
) -> InlineImage | None:
    """The image in a base64 field (a `data:` URL prefix is allowed), or None with a note."""
    if not isinstance(value, str) or not value.strip():
        return None
    encoded = value.strip()
    if encoded.startswith("data:"):
        encoded = encoded.partition(",")[2]
    estimate = len(encoded) // 4 * 3
    if estimate > max_bytes * 1.05 + 16:  # whitespace inflates the estimate by a few percent
        notes.append(
            f"{field} is about {_kb(estimate)}, more than the {_kb(max_bytes)} allowed: not kept"
        )
        return None
    try:
        data = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        notes.append(f"{field} is not base64: image not kept")
        return None
    return from_bytes(
        data, field=field, kind=kind, read_index=read_index, max_bytes=max_bytes, notes=notes
    )


def from_fields(
    sources: Iterable[tuple[object, str, ImageKind]],
    *,
    read_index: int | None,
    max_bytes: int,
    notes: list[str],
) -> tuple[InlineImage, ...]:
    """The images in several base64 fields, given as `(value, field name, kind)`."""
    found = []
    for value, field, kind in sources:
        image = from_base64(
            value, field=field, kind=kind, read_index=read_index, max_bytes=max_bytes, notes=notes
        )
        if image is not None:
            found.append(image)
    return tuple(found)


def from_bytes(
    data: bytes,
    *,
    field: str,
    kind: ImageKind,
    read_index: int | None,
    max_bytes: int,
    notes: list[str],
) -> InlineImage | None:
    """An uploaded image, or None with a note when it is over the cap or not an image."""
    if not data:
        return None
    if len(data) > max_bytes:
        notes.append(
            f"{field} is {_kb(len(data))}, more than the {_kb(max_bytes)} allowed: not kept"
        )
        return None
    found = media_type(data)
    if found is None:
        notes.append(f"{field} is not a JPEG, PNG, GIF or WebP image: not kept")
        return None
    return InlineImage(read_index=read_index, kind=kind, media_type=found, data=data)


def _kb(size: int) -> str:
    if size < 10 * 1024:
        return f"{size} bytes"
    if size < 10 * 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{round(size / 1024 / 1024)} MB"
