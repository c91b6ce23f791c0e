"""Shared setup of the bulletin tests: a dispatcher, a bulletin body, what was queued."""

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import AlertRecipient, Delivery, Role
from tests import factories
from tests.app.helpers import bearer

CAMERA = (37.8044, -122.2712)  # Broadway & 14th, Oakland
NEAR = (37.8050, -122.2712)  # 70 m north of the camera
FAR = (37.8300, -122.2712)  # 2.8 km north


def dispatcher(engine: Engine, clock: ManualClock) -> dict[str, str]:
    with transaction(engine) as session:
        _, token = factories.make_user(session, role=Role.DISPATCHER, now=clock())
    return bearer(token)


def body(**overrides: Any) -> dict[str, Any]:
    """A robbery BOLO: silver Honda Civic, partial plate 7AB, eastbound, 1 km around CAMERA."""
    return {
        "kind": "robbery",
        "narrative": "Armed robbery at the corner store; two suspects",
        "direction": "east",
        "vehicle": {"plate_pattern": "7AB*", "state": "CA", "make": "Honda", "model": "Civic",
                    "color": "silver"},
        "area": {"center": {"lat": CAMERA[0], "lon": CAMERA[1]}, "radius_m": 1000},
        "case_number": "24-001234",
    } | overrides  # fmt: skip


def post(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/bulletins", json=body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


@dataclass(frozen=True, slots=True)
class Queued:
    user_id: int
    action: str
    collapse_key: str
    title: str
    body: str
    data: dict[str, str]


def queued(engine: Engine, alert_id: int | None = None) -> list[Queued]:
    """Every delivery queued so far (of one alert when given), oldest first."""
    with transaction(engine) as session:
        query = (
            select(Delivery, AlertRecipient.user_id)
            .join(AlertRecipient, AlertRecipient.id == Delivery.recipient_id)  # type: ignore[arg-type]
            .order_by(Delivery.id)  # type: ignore[arg-type]
        )
        if alert_id is not None:
            query = query.where(Delivery.alert_id == alert_id)
        return [
            Queued(
                user_id=user_id,
                action=d.message["data"].get("action", ""),
                collapse_key=d.message["collapse_key"],
                title=d.message["title"],
                body=d.message["body"],
                data=d.message["data"],
            )
            for d, user_id in session.execute(query).all()
        ]
