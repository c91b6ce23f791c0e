"""PostgreSQL LISTEN/NOTIFY: each channel wakes its own callback, at once."""

import threading

import psycopg
from sqlalchemy.engine import make_url

from app.pg_listen import Listener


def test_each_channel_wakes_its_callback(postgres_server_url: str) -> None:
    database_url = postgres_server_url  # NOTIFY is PostgreSQL's; SQLite processes poll instead
    woken = {"lists": threading.Event(), "bulletins": threading.Event()}
    calls = {"lists": 0, "bulletins": 0}

    def callback(name: str) -> object:
        def wake() -> None:
            calls[name] += 1
            woken[name].set()

        return wake

    listener = Listener(
        database_url,
        {"lookout_hotlists": callback("lists"), "lookout_bulletins": callback("bulletins")},
    ).start()
    try:
        # Every callback runs once on connecting (notifications sent while away are lost).
        assert woken["lists"].wait(10) and woken["bulletins"].wait(10)
        woken["lists"].clear()
        woken["bulletins"].clear()
        before = dict(calls)
        dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("SELECT pg_notify('lookout_bulletins', '')")
        assert woken["bulletins"].wait(10)
        assert calls["lists"] == before["lists"]
    finally:
        listener.stop()


def test_stop_ends_the_thread_while_it_waits_for_notifications(postgres_server_url: str) -> None:
    connected = threading.Event()
    before = set(threading.enumerate())
    listener = Listener(postgres_server_url, {"lookout_hotlists": connected.set}).start()
    started = set(threading.enumerate()) - before
    assert connected.wait(10)  # now blocked waiting on the connection, with nothing to come

    listener.stop()

    # stop() wakes the blocked wait and returns once the thread has ended: none is left behind.
    assert started and not any(thread.is_alive() for thread in started)
    listener.stop()  # and stopping twice is harmless
