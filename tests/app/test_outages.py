"""A database outage: every route answers 503 with Retry-After (a Problem body) while the
database is unreachable, never a 500; once it is back, each process's first request succeeds
and /readyz tells the truth. A real PostgreSQL database is made unreachable: its sessions
ended with pg_terminate_backend and new ones refused (`ALLOW_CONNECTIONS false`)."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine, make_url

from app.auth import accounts
from app.clock import ManualClock
from app.db import transaction
from app.models import Role
from tests import factories
from tests.app.bulletins.support import body as bulletin_body
from tests.app.helpers import bearer
from tests.app.intake.support import Site, alpr_group, make_site

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

PASSWORD = "correct horse battery staple 42"


def _server(database_url: str) -> tuple[str, str]:
    """libpq's address of the server's maintenance database, and the test database's name."""
    url = make_url(database_url)
    maintenance = url.set(drivername="postgresql", database="postgres")
    return maintenance.render_as_string(hide_password=False), str(url.database)


@contextmanager
def database_down(database_url: str) -> Iterator[None]:
    """The test's database unreachable: its sessions ended (waiting until they are gone), new
    ones refused, until the block ends."""
    server, name = _server(database_url)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')  # type: ignore[arg-type]
        admin.execute(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
    try:
        yield
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')  # type: ignore[arg-type]


def _assert_unavailable(response: httpx.Response, what: str) -> None:
    assert response.status_code == 503, (what, response.status_code, response.text)
    assert int(response.headers.get("retry-after", 0)) > 0, (what, response.text)
    body = response.json()
    assert set(body) <= {"detail", "errors"} and "retry" in body["detail"], (what, body)


def _requests(
    site: Site, officer: str, username: str, clock: ManualClock
) -> list[tuple[str, str, dict[str, Any]]]:
    """A request of every kind that needs the database, as its callers send it."""
    camera, admin = site.headers, site.admin
    now_ms = int(clock().timestamp() * 1000)
    bulletin = bulletin_body()
    return [
        ("POST", "/v1/reads", {"json": {"plate": "7OUT002"}, "headers": camera}),
        ("POST", "/v1/intake/openalpr", {
            "content": json.dumps(alpr_group(epoch_start=now_ms, epoch_end=now_ms)).encode(),
            "headers": {"Content-Type": "application/json", **camera},
        }),
        ("POST", "/v1/auth/token", {"data": {"username": username, "password": PASSWORD}}),
        ("GET", "/v1/alerts", {"headers": admin}),
        ("GET", "/v1/alerts/1", {"headers": admin}),
        ("POST", "/v1/bulletins", {"json": bulletin, "headers": admin}),
        ("GET", "/v1/bulletins", {"headers": admin}),
        ("POST", "/v1/hotlists", {
            "json": {"name": factories.unique("list"), "kind": "stolen_vehicle", "priority": 2},
            "headers": admin,
        }),
        ("GET", "/v1/hotlists", {"headers": admin}),
        ("GET", "/v1/reads", {
            "params": {"plate": "7OUT002", "purpose": "outage drill"}, "headers": admin,
        }),
        ("GET", "/v1/audit", {"headers": admin}),
        ("GET", "/v1/users", {"headers": admin}),
        ("GET", "/v1/cameras", {"headers": admin}),
        ("GET", "/v1/officers", {"headers": admin}),
        ("GET", "/v1/confirmations", {"headers": admin}),
        ("PUT", "/v1/me/location", {
            "json": {"lat": 37.80, "lon": -122.27, "accuracy_m": 8}, "headers": bearer(officer),
        }),
        ("PUT", "/v1/me/duty", {"json": {"on_duty": True}, "headers": bearer(officer)}),
        ("POST", "/v1/devices", {
            "json": {"token": factories.unique("phone"), "platform": "android"},
            "headers": bearer(officer),
        }),
        ("GET", "/v1/me/sessions", {"headers": bearer(officer)}),
        # A token this process has never seen (a new one each call: an unknown token is
        # remembered for a minute): checking it needs the database, too.
        ("GET", "/v1/alerts", {"headers": bearer(factories.unique("lkt_never-seen"))}),
    ]  # fmt: skip


def _world(engine: Engine, clock: ManualClock) -> tuple[Site, str, str]:
    site = make_site(engine, clock)
    with transaction(engine) as session:
        _, officer = factories.make_user(session, role=Role.OFFICER, now=clock())
        dispatcher, _ = factories.make_user(session, role=Role.DISPATCHER, now=clock())
        accounts.set_password(
            session, dispatcher, password=PASSWORD, min_length=12, actor=None, now=clock()
        )
        assert dispatcher.username is not None
        return site, officer, dispatcher.username


def test_every_route_answers_503_with_retry_after_during_an_outage_and_works_after_it(
    client: TestClient, engine: Engine, clock: ManualClock, database_url: str
) -> None:
    site, officer, username = _world(engine, clock)
    # Warm every cache a request can be answered from (people, cameras): the routes must
    # still say 503, not fail behind the cache.
    for method, path, kwargs in _requests(site, officer, username, clock):
        client.request(method, path, **kwargs)
    assert client.get("/readyz").status_code == 200

    with database_down(database_url):
        for method, path, kwargs in _requests(site, officer, username, clock):
            _assert_unavailable(client.request(method, path, **kwargs), f"{method} {path}")
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "database" in ready.json()["detail"]
        assert int(ready.headers["retry-after"]) > 0
        assert client.get("/healthz").status_code == 200  # the process itself is alive
        # Every operation of the API, with an admin's token and made-up parameters: nothing
        # is a 500; whatever needs the database is a 503 to retry.
        for method, path in _operations(client):
            answer = client.request(method, path, headers=site.admin)
            assert answer.status_code != 500, (method, path, answer.text)
            if answer.status_code == 503 and path != "/readyz":  # its own body: above
                _assert_unavailable(answer, f"{method} {path}")

    # The database is back: the first request of each kind succeeds, none meets a dead
    # connection left in a pool, and /readyz says ready.
    assert client.get("/readyz").status_code == 200
    for method, path, kwargs in _requests(site, officer, username, clock):
        answer = client.request(method, path, **kwargs)
        assert answer.status_code < 500, (method, path, answer.status_code, answer.text)
        if path != "/v1/alerts/1" and "never-seen" not in str(kwargs):
            assert answer.status_code < 400, (method, path, answer.status_code, answer.text)


def _operations(client: TestClient) -> Iterator[tuple[str, str]]:
    """Every operation of the OpenAPI document, its path parameters filled with 1 (a vendor
    with `openalpr`, a key with a made-up one)."""
    fills = {"vendor": "openalpr", "key": "lkc_made-up-key", "hotlist_id": "1"}
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        concrete = path
        while "{" in concrete:
            start, end = concrete.index("{"), concrete.index("}")
            name = concrete[start + 1 : end]
            concrete = concrete[:start] + fills.get(name, "1") + concrete[end + 1 :]
        for method in operations:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), concrete


def test_another_lookout_serve_process_answers_503_then_recovers(
    other_process: str, engine: Engine, clock: ManualClock, database_url: str
) -> None:
    """A real `lookout serve` on the same database, with its own pools, writer and threads."""
    site, officer, _ = _world(engine, clock)
    with httpx.Client(base_url=other_process, timeout=30) as http:
        first = http.post("/v1/reads", json={"plate": "7OTH001"}, headers=site.headers)
        assert first.status_code == 202, first.text
        assert http.get("/v1/alerts", headers=site.admin).status_code == 200
        with database_down(database_url):
            _assert_unavailable(
                http.post("/v1/reads", json={"plate": "7OTH002"}, headers=site.headers),
                "POST /v1/reads",
            )
            _assert_unavailable(http.get("/v1/alerts", headers=site.admin), "GET /v1/alerts")
            _assert_unavailable(
                http.put("/v1/me/duty", json={"on_duty": True}, headers=bearer(officer)),
                "PUT /v1/me/duty",
            )
            assert http.get("/readyz").status_code == 503
        assert http.get("/readyz").status_code == 200
        again = http.post("/v1/reads", json={"plate": "7OTH003"}, headers=site.headers)
        assert again.status_code == 202, again.text
        assert http.get("/v1/alerts", headers=site.admin).status_code == 200
        duty = http.put("/v1/me/duty", json={"on_duty": True}, headers=bearer(officer))
        assert duty.status_code == 200, duty.text
