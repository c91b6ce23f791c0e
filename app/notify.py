"""PostgreSQL LISTEN/NOTIFY: a change committed by any process wakes every other one at once,
instead of at its next poll. Polling stays as the fallback (and is all SQLite has)."""

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


class Listener:
    """Calls `on_notify` for every NOTIFY on `channel`, and once after each (re)connection, since
    notifications sent while disconnected are lost."""

    def __init__(self, database_url: str, channel: str, on_notify: Callable[[], None]) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._channel = channel
        self._on_notify = on_notify
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"listen-{channel}", daemon=True)

    def start(self) -> "Listener":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f'LISTEN "{self._channel}"')
                    self._on_notify()
                    failures = 0
                    while not self._stop.is_set():
                        for _ in connection.notifies(timeout=1.0):
                            self._on_notify()
            except psycopg.Error as error:
                failures += 1
                log.warning(
                    "listen.reconnect", extra={"channel": self._channel, "detail": str(error)[:200]}
                )
                self._stop.wait(min(30.0, 0.5 * 2**failures))
