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
