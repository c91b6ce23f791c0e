"""Real servers for end-to-end tests: uvicorn in a thread, and the FCM inbox behind it."""

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import uvicorn
from starlette.types import ASGIApp

from app.clock import Clock, system_clock
from app.devfcm.credentials import write_dev_service_account
from app.devfcm.inbox import Inbox, create_fcm_inbox

T = TypeVar("T")


@contextmanager
def serve_in_thread(app: ASGIApp) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 and a free port; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # early connections wait in the backlog until uvicorn accepts
    server = uvicorn.Server(uvicorn.Config(app, log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass(frozen=True, slots=True)
class FcmServer:
    """A running FCM inbox: where to send, which credentials to use, and what arrived."""

    base_url: str
    credentials_path: Path
    inbox: Inbox

    def wait_for(self, count: int, timeout_s: float) -> list[dict[str, object]]:
        return self.inbox.wait_for(count, timeout_s)


@contextmanager
def serve_fcm_inbox(directory: Path, *, clock: Clock = system_clock) -> Iterator[FcmServer]:
    """Run the FCM inbox and write a dev service account for it into `directory`."""
    app = create_fcm_inbox(clock=clock)
    with serve_in_thread(app) as base_url:
        credentials = write_dev_service_account(
            directory / "fcm-service-account.json", token_uri=f"{base_url}/token"
        )
        yield FcmServer(base_url=base_url, credentials_path=credentials, inbox=app.state.inbox)


def eventually(probe: Callable[[], T], done: Callable[[T], bool], *, timeout_s: float = 10.0) -> T:
    """Call `probe` until `done(result)` or the deadline; for state another thread writes."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = probe()
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.05)
