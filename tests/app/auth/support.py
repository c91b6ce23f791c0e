"""What the sign-in and account tests share: an admin's headers, a person made through the
API, the token endpoint's form, and the authenticator's code of an enrolment URI."""

from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Role
from tests import factories
from tests.app.helpers import bearer


def admin_headers(engine: Engine, clock: ManualClock) -> dict[str, str]:
    with transaction(engine) as session:
        _, token = factories.make_user(session, role=Role.ADMIN, now=clock())
    return bearer(token)


def create_person(client: TestClient, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post("/v1/users", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


def sign_in(client: TestClient, username: str, password: str, **extra: str) -> Any:
    return client.post("/v1/auth/token", data={"username": username, "password": password, **extra})


def code_of(uri: str, clock: ManualClock) -> str:
    """The code the authenticator enrolled from `uri` shows at the clock's time."""
    return str(pyotp.TOTP(parse_qs(urlparse(uri).query)["secret"][0]).at(clock()))
