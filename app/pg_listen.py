"""PostgreSQL LISTEN/NOTIFY: a change committed by any process wakes every other one at once,
instead of at its next poll. Polling stays as the fallback (and is all SQLite has)."""

import logging
import threading
from collections.abc import Callable, Mapping

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
        self._thread = threading.Thread(target=self._run, name="listen", daemon=True)

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
                    for channel in self._callbacks:
                        connection.execute(f'LISTEN "{channel}"')
                    for callback in self._callbacks.values():
                        callback()
                    failures = 0
                    while not self._stop.is_set():
                        for notify in connection.notifies(timeout=1.0):
                            self._callbacks.get(notify.channel, _ignore)()
            except psycopg.Error as error:
                failures += 1
                log.warning("listen.reconnect", extra={"detail": str(error)[:200]})
                self._stop.wait(min(30.0, 0.5 * 2**failures))


def _ignore() -> None:
    pass
