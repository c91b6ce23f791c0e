"""Request bodies against a real uvicorn: a caller without credentials is answered before its
body is sent, and a body past its route's cap is refused while it streams.

Each test sends the headers and only the start of a body, then waits for the answer: a server
that read the whole body before answering would never answer, and the read times out."""

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.main import create_app
from app.models import Bulletin, Role
from app.settings import Settings
from tests import factories
from tests.app.helpers import make_world
from tests.servers import serve_in_thread

BULLETIN = json.dumps(
    {
        "kind": "robbery",
        "narrative": "two suspects, silver sedan",
        "area": {"center": {"lat": 37.8044, "lon": -122.2712}, "radius_m": 1500},
    }
).encode()


@pytest.fixture
def base(settings: Settings, clock: ManualClock) -> Iterator[str]:
    with serve_in_thread(create_app(settings, clock=clock)) as url:
        yield url


@contextmanager
def connection(base: str) -> Iterator[socket.socket]:
    where = urlsplit(base)
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        yield sock


def head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: test", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer(sock: socket.socket) -> tuple[int, dict[str, object]]:
    """The status and JSON body of the response (read until the body is complete)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    header, _, rest = data.partition(b"\r\n\r\n")
    status = int(header.split(b" ")[1])
    length = next(
        int(line.split(b":")[1])
        for line in header.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(rest) < length:
        rest += sock.recv(65536)
    return status, json.loads(rest[:length])


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


@pytest.mark.parametrize("path", ["/v1/bulletins", "/v1/hotlists", "/v1/devices"])
def test_no_credentials_is_a_401_before_the_body_is_read(base: str, path: str) -> None:
    with connection(base) as sock:
        sock.sendall(head(path, {"Content-Type": "application/json", "Content-Length": "20000000"}))
        sock.sendall(b"[" + b"{}," * 1000)  # 20 MB announced, 3 KB sent
        status, body = answer(sock)
    assert status == 401
    assert "credentials" in str(body["detail"])


def test_a_wrong_role_is_a_403_before_the_body_is_read(
    base: str, engine: Engine, clock: ManualClock
) -> None:
    with transaction(engine) as session:
        _, token = factories.make_user(session, role=Role.OFFICER, now=clock())
    with connection(base) as sock:
        sock.sendall(
            head(
                "/v1/bulletins",
                {
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {token}",
                    "Content-Length": "20000000",
                },
            )
        )
        sock.sendall(b"[" + b"{}," * 1000)
        status, body = answer(sock)
    assert status == 403
    assert "officer" in str(body["detail"])


def test_a_chunked_body_past_the_cap_of_reads_is_a_413_while_it_streams(
    base: str, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    megabyte = b" " * (1024 * 1024)
    with connection(base) as sock:
        sock.sendall(
            head(
                "/v1/reads",
                {
                    "Content-Type": "application/json",
                    "Transfer-Encoding": "chunked",
                    **world.camera,
                },
            )
        )
        for _ in range(5):  # 5 MB of an endless body: the cap of /v1/reads is 4 MB
            sock.sendall(chunk(megabyte))
        status, body = answer(sock)
    assert status == 413
    assert "4194304" in str(body["detail"])


def test_a_declared_body_past_the_default_cap_is_a_413_with_credentials(
    base: str, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    with connection(base) as sock:
        sock.sendall(
            head(
                "/v1/bulletins",
                {"Content-Type": "application/json", "Content-Length": "2000000", **world.admin},
            )
        )
        status, body = answer(sock)  # nothing of the body sent at all
    assert status == 413
    assert str(1024 * 1024) in str(body["detail"])


def test_a_body_within_the_cap_from_a_known_caller_is_taken(
    base: str, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    with connection(base) as sock:
        sock.sendall(
            head(
                "/v1/bulletins",
                {
                    "Content-Type": "application/json",
                    "Content-Length": str(len(BULLETIN)),
                    **world.admin,
                },
            )
            + BULLETIN
        )
        status, body = answer(sock)
    assert status == 201, body
    with transaction(engine) as session:
        assert session.get(Bulletin, body["id"]) is not None
