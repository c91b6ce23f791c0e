"""A camera read becomes a push on the nearest on-duty officer's phone: real uvicorn, real
firebase-admin, the FCM inbox over HTTP, everything set up through the public API."""

import httpx
from sqlalchemy.engine import Engine

from app.clock import system_clock
from app.db import transaction
from app.main import create_app
from app.models import Role
from app.settings import Settings
from tests import factories
from tests.app.helpers import hits_of
from tests.servers import FcmServer, eventually, serve_in_thread


def test_a_read_of_a_listed_plate_reaches_the_officers_phone(
    settings: Settings, engine: Engine, fcm: FcmServer
) -> None:
    settings = settings.changed(embedded_worker=True, worker_poll_s=0.2)
    with transaction(engine) as session:
        _, admin = factories.make_user(session, role=Role.ADMIN, now=system_clock())
        _, officer = factories.make_user(session, role=Role.OFFICER, now=system_clock())
    with (
        serve_in_thread(create_app(settings)) as base,
        httpx.Client(base_url=base, timeout=10) as api,
    ):
        as_admin = {"Authorization": f"Bearer {admin}"}
        as_officer = {"Authorization": f"Bearer {officer}"}
        place = {"name": "International Blvd & 14th Ave", "lat": 37.7896, "lon": -122.2380}
        camera = api.post("/v1/cameras", json=place, headers=as_admin)
        assert camera.status_code == 201, camera.text
        key = camera.json()["api_key"]
        assert (
            api.post(
                "/v1/devices",
                json={"token": "phone-of-diaz-0001", "platform": "android"},
                headers=as_officer,
            ).status_code
            == 201
        )
        assert api.put("/v1/me/duty", json={"on_duty": True}, headers=as_officer).status_code == 200
        assert (
            api.put(
                "/v1/me/location",
                json={"lat": 37.7935, "lon": -122.2500, "accuracy_m": 8},
                headers=as_officer,
            ).status_code
            == 200
        )
        hotlist = api.post(
            "/v1/hotlists",
            json={"name": "Stolen", "kind": "stolen_vehicle", "priority": 2},
            headers=as_admin,
        )
        entry = api.post(
            f"/v1/hotlists/{hotlist.json()['id']}/entries",
            json=[
                {
                    "plate": "7ABC123",
                    "state": "CA",
                    "reason": "Stolen vehicle",
                    "vehicle": {"make": "Honda", "model": "Civic", "color": "silver"},
                }
            ],
            headers=as_admin,
        )
        assert entry.status_code == 201, entry.text

        read = api.post(
            "/v1/reads",
            json={"plate": "7ABC123", "state": "CA", "heading": 90},
            headers={"X-API-Key": key},
        )
        assert read.status_code == 202
        assert hits_of(api, as_admin, read) == 1

        [received] = fcm.wait_for(1, timeout_s=10)
        message = received["message"]
        assert message["token"] == "phone-of-diaz-0001"
        assert "7ABC123" in message["notification"]["title"]
        assert message["data"]["plate"] == "7ABC123"
        assert message["android"]["priority"] == "high"
        assert message["apns"]["headers"]["apns-priority"] == "10"

        alerts = api.get("/v1/alerts", headers=as_officer).json()
        assert alerts["count"] == 1
        alert_id = alerts["data"][0]["id"]
        assert message["data"]["alert_id"] == str(alert_id)
        ack = api.post(f"/v1/alerts/{alert_id}/ack", headers=as_officer)
        assert ack.status_code == 200

        def delivery_status() -> str:
            seen = api.get(f"/v1/alerts/{alert_id}", headers=as_admin).json()
            assert seen["status"] == "acknowledged"
            return str(seen["notified"][0]["deliveries"][0]["status"])

        # The worker records "sent" just after the inbox has the message.
        assert eventually(delivery_status, lambda status: status == "sent") == "sent"
