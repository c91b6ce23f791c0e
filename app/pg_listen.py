"""PostgreSQL LISTEN/NOTIFY: a change committed by any process wakes every other one at once,
instead of at its next poll. Polling stays as the fallback (and is all SQLite has)."""

import logging
import selectors
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


class Listener:
    """Calls the callback of a channel for every NOTIFY on it, and every callback once after
    each (re)connection, since notifications sent while disconnected are lost."""

    def __init__(self, database_url: str, callbacks: Mapping[str, Callable[[], None]]) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._callbacks = dict(callbacks)
        self._stop = threading.Event()
        # stop() writes a byte here to end the thread's wait on the connection at once; a
        # socket pair rather than a pipe, so that select works on it on Windows too.
        self._wake_read, self._wake_write = socket.socketpair()
        self._thread = threading.Thread(target=self._run, name="listen", daemon=True)

    def start(self) -> "Listener":
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._wake_write.send(b"\0")
        self._thread.join(timeout=10)
        if not self._thread.is_alive():  # else it may still select on them
            self._wake_read.close()
            self._wake_write.close()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as connection:
                    for channel in self._callbacks:
                        connection.execute(f'LISTEN "{channel}"')
                    for callback in self._callbacks.values():
                        callback()
                    failures = 0
                    self._listen(connection)
            except psycopg.Error as error:
                failures += 1
                log.warning("listen.reconnect", extra={"detail": str(error)[:200]})
                self._stop.wait(min(30.0, 0.5 * 2**failures))

    def _listen(self, connection: psycopg.Connection[Any]) -> None:
        """Run callbacks until stop(); raises psycopg.Error when the connection breaks."""
        with selectors.DefaultSelector() as selector:
            selector.register(connection.fileno(), selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while not self._stop.is_set():
                # timeout=0 takes what has arrived (including what came in with the LISTEN
                # replies) without waiting, so the socket is drained before the select.
                for notify in connection.notifies(timeout=0):
                    self._callbacks.get(notify.channel, _ignore)()
                # Readable: a notification, the server closing (the next notifies() raises),
                # or stop().
                selector.select()


def _ignore() -> None:
    pass
