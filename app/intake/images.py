"""Images that vendors send inside their messages, kept as files, never in a database row.

A read refers to its image as `store:<yyyy>/<mm>/<dd>/<uuid>.<ext>` in `image_url`; the file is
under `<data_dir>/images/` and is served only through `GET /v1/reads/{id}/image`, which checks
the caller's role and writes the view to the audit log. Images share their read's retention:
whatever deletes a read must delete its file (no retention job exists yet).

Files are written before the read is committed, so a stored read never points at a file that
was not written; a file whose read turned out to be a duplicate, or failed to store, is
deleted again. Files are not fsynced: after a power cut a read may have lost its image, and the
endpoint then answers 404 saying so.
"""

import os
import re
import uuid
from datetime import datetime
from pathlib import Path

from lpr.vendors import InlineImage

PREFIX = "store:"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
MEDIA_TYPES = {ext: media for media, ext in EXTENSIONS.items()}
_REF = re.compile(r"^store:(\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.(jpg|png|gif|webp))$")


class ImageStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, image: InlineImage, *, now: datetime) -> str:
        """Write `image` under today's folder (UTC); returns the reference to put in image_url."""
        relative = f"{now:%Y/%m/%d}/{uuid.uuid4().hex}.{EXTENSIONS[image.media_type]}"
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(image.data)
        os.replace(partial, path)  # never a half-written file under the final name
        return PREFIX + relative

    def load(self, ref: str) -> tuple[bytes, str] | None:
        """The bytes and media type of a stored image, or None when the file is gone."""
        relative = self._relative(ref)
        try:
            data = (self.root / relative).read_bytes()
        except FileNotFoundError:
            return None
        return data, MEDIA_TYPES[relative.rsplit(".", 1)[1]]

    def delete(self, ref: str) -> None:
        (self.root / self._relative(ref)).unlink(missing_ok=True)

    @staticmethod
    def _relative(ref: str) -> str:
        match = _REF.match(ref)
        if match is None:  # only references this module wrote: nothing can point outside root
            raise ValueError(f"not an image reference of this store: {ref[:60]!r}")
        return match.group(1)


def is_stored(image_url: str | None) -> bool:
    return image_url is not None and image_url.startswith(PREFIX)
