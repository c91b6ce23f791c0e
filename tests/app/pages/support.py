"""People with passwords (and second factors) for the page tests, and signing them in through
the real /signin form in a browser."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp
from sqlalchemy.engine import Engine

from app.auth import accounts
from app.db import transaction
from app.models import Role
from app.settings import DEV_SECRET
from tests import factories

PASSWORD = "correct horse battery staple"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    username: str
    token: str  # a bootstrap bearer token, for setting up through the API
    totp_secret: str | None

    def code(self, now: datetime) -> str:
        assert self.totp_secret is not None
        return str(pyotp.TOTP(self.totp_secret).at(now))


def make_person(
    engine: Engine,
    *,
    role: Role,
    now: datetime,
    name: str | None = None,
    second_factor: bool = False,
) -> Person:
    with transaction(engine) as session:
        user, token = factories.make_user(session, role=role, name=name, now=now)
        accounts.set_password(session, user, password=PASSWORD, min_length=12, actor=None, now=now)
        secret = None
        if second_factor:
            uri = accounts.enrol_totp(session, user, pepper=DEV_SECRET, actor=None, now=now)
            secret = parse_qs(urlparse(uri).query)["secret"][0]
        assert user.id is not None
        return Person(user.id, user.username, token, secret)


def sign_in(page: Any, base: str, person: Person, *, code: str | None = None) -> None:
    """Through the /signin form, as a person would; lands on the role's page."""
    page.goto(base + "/signin")
    page.get_by_label("User name").fill(person.username)
    page.get_by_label("Password").fill(PASSWORD)
    if code is not None:
        page.get_by_label("One-time code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
