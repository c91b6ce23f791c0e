"""Vendor wire formats to `lpr.Read`: pure parsers, one module per vendor.

`openalpr`, `platerecognizer`, `verkada`, `frigate`, `hikvision`, `axis`, `genetec`, `survision`,
`dahua`, `blueiris` and `parkpow` each expose `parse(body, *, received_at)` returning a
`Parsed` (`Reads`, `Heartbeat`, `Sighting` or `Ignored`, in `common`), or raising
`VendorFormatError` when the body cannot be read. Each module's docstring lists the messages it
handles, where every field comes from and what it ignores.
"""

from lpr.vendors.body import loads_lenient
from lpr.vendors.common import (
    DEFAULT_MAX_IMAGE_BYTES,
    CameraStatus,
    Heartbeat,
    Ignored,
    ImageKind,
    InlineImage,
    Parsed,
    Reads,
    SeenVehicle,
    Sighting,
)
from lpr.vendors.errors import VendorFormatError

__all__ = [
    "DEFAULT_MAX_IMAGE_BYTES",
    "CameraStatus",
    "Heartbeat",
    "Ignored",
    "ImageKind",
    "InlineImage",
    "Parsed",
    "Reads",
    "SeenVehicle",
    "Sighting",
    "VendorFormatError",
    "loads_lenient",
]
