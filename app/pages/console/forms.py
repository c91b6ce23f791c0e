"""The console's forms: a bulletin form as the API's body (the area drawn on the map or its
beats typed, the incident time in agency time), and `outcome`, which turns a refused change
into the note the console shows, as the API's 4xx would say it."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from alerts.errors import AlertsError
from app.errors import AppError, describe_validation_errors
from app.pages.web import Form
from geo.errors import GeoError
from lpr.errors import LprError

VEHICLE_FIELDS = ("plate_pattern", "state", "make", "model", "color", "marks")
KINDS = ("robbery", "carjacking", "stolen_vehicle", "amber", "missing_person", "other")


class Outcome:
    def __init__(self) -> None:
        self.note = ""
        self.failed = False
        self.failed_to = "/console"  # where a refused form goes back to

    @property
    def response(self) -> Response:
        where = self.failed_to if self.failed else "/console"
        return RedirectResponse(f"{where}?note={quote(self.note)}", status_code=303)


@contextmanager
def outcome(session: Session) -> Iterator[Outcome]:
    """A form's change; refused (bad field, unknown beat, a bulletin already cancelled), it
    is rolled back and the console says why, as the API's 4xx would."""
    done = Outcome()
    try:
        yield done
    except ValidationError as error:
        session.rollback()
        done.failed, done.note = (
            True,
            "Not done: " + describe_validation_errors(list(error.errors())),
        )
    except AppError as error:
        session.rollback()
        done.failed, done.note = True, "Not done: " + error.detail
    except (AlertsError, GeoError, LprError, ValueError) as error:
        session.rollback()
        done.failed, done.note = True, f"Not done: {error}"


def new_bulletin(form: Form, tz: Any) -> dict[str, Any]:
    """The new-bulletin form as a POST /v1/bulletins body."""
    return {
        "kind": form.get("kind"),
        "narrative": form.get("narrative") or None,
        "priority": form.get("priority") or None,
        "occurred_at": local_time(form.get("occurred_at"), tz),
        "direction": form.get("direction") or None,
        "case_number": form.get("case_number") or None,
        "vehicle": _vehicle(form),
        "area": _area(form),
    }


def changes(form: Form, tz: Any) -> dict[str, Any]:
    """A change page's form as a PATCH body: every field of the new-bulletin form (one left
    empty is cleared), the incident time only when edited (the field holds it to the minute),
    the area only when one was drawn or beats typed."""

    def text(key: str) -> str | None:
        return (form.get(key) or "").strip() or None

    found: dict[str, Any] = {
        "kind": form.get("kind"), "narrative": text("narrative"), "priority": text("priority"),
        "direction": text("direction"), "case_number": text("case_number"),
        "vehicle": {key: text(key) for key in VEHICLE_FIELDS},
        "reason": text("reason") or "changed on the console",
    }  # fmt: skip
    if (form.get("occurred_at") or "") != (form.get("occurred_was") or ""):
        found["occurred_at"] = local_time(form.get("occurred_at"), tz)
    if text("version"):
        found["version"] = text("version")
    area = _area(form, required=False)
    if area is not None:
        found["area"] = area
    return found


def local_time(raw: str | None, tz: Any) -> str | None:
    """A datetime-local field (agency time, no zone) as an aware ISO time."""
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=tz).isoformat()
    except ValueError:
        raise ValueError(f"incident time {raw!r} is not a date and time") from None


def form_time(moment: datetime, tz: Any) -> str:
    """An aware time as a datetime-local field shows it (agency time, to the minute)."""
    return moment.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def _vehicle(form: Form) -> dict[str, Any] | None:
    given = {key: form[key].strip() for key in VEHICLE_FIELDS if (form.get(key) or "").strip()}
    return given or None


def _area(form: Form, *, required: bool = True) -> dict[str, Any] | None:
    """The area drawn on the map (JSON the page's script writes), else the beats typed in;
    None when neither and not `required`. (A change page comes with the bulletin's beats
    typed in: a drawn area replaces them.)"""
    drawn = form.get("area") or ""
    if drawn:
        try:
            area = json.loads(drawn)
        except json.JSONDecodeError:
            raise ValueError("the drawn area could not be read: draw it again") from None
        return area if isinstance(area, dict) else None
    typed = [code.strip() for code in (form.get("beats") or "").replace(";", ",").split(",")]
    if any(typed):
        return {"beats": [code for code in typed if code]}
    if required:
        raise ValueError("draw the area on the map (circle or polygon) or type its beats")
    return None
