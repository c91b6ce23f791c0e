"""The credential change feed: a person or camera deactivated, a token or key revoked, a role
changed. Each such change appends a row in the transaction that makes it (and on PostgreSQL a
NOTIFY); every process's `CredentialWatch` sees the newest id move within a second and has its
caches of tokens and camera keys forget what they knew.
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.db import transaction
from app.models import CredentialChange

log = logging.getLogger(__name__)

CREDENTIAL_CHANNEL = "lookout_credentials"
_CHANGED = "lookout.credentials_changed"  # session.info flag


_forgetters: "WeakKeyDictionary[Engine, list[Callable[[], None]]]" = WeakKeyDictionary()


def forget_on_commit(engine: Engine, forget: Callable[[], None]) -> Callable[[], None]:
    """Call `forget` after every commit through `engine` that changed a credential, so this
    process never accepts what it has just revoked; returns the function that stops it."""
    _forgetters.setdefault(engine, []).append(forget)

    def stop() -> None:
        callbacks = _forgetters.get(engine, [])
        if forget in callbacks:
            callbacks.remove(forget)

    return stop


def record(session: Session, *, kind: str, subject_id: int | None, now: datetime) -> None:
    session.add(CredentialChange(at=now, kind=kind, subject_id=subject_id))
    if session.info.get(_CHANGED):
        return
    session.info[_CHANGED] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CREDENTIAL_CHANNEL})
    event.listen(session, "after_commit", _forget_here, once=True)
    event.listen(session, "after_rollback", _clear, once=True)


def _forget_here(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    for forget in list(_forgetters.get(engine, ())):
        forget()


def _clear(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def newest(session: Session) -> int:
    return int(session.scalar(select(func.max(col(CredentialChange.id)))) or 0)


class CredentialWatch:
    """Polls the feed's newest id every `poll_s` (or at once when `wake` is called, from the
    PostgreSQL LISTEN thread) and calls `forget` when it moved."""

    def __init__(self, engine: Engine, *, forget: Callable[[], None], poll_s: float) -> None:
        self._engine = engine
        self._forget = forget
        self._poll_s = poll_s
        self._seen: int | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="credential-watch", daemon=True)

    def start(self) -> "CredentialWatch":
        self.check()
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def check(self) -> None:
        with transaction(self._engine) as session:
            latest = newest(session)
        if self._seen is not None and latest != self._seen:
            self._forget()
        self._seen = latest

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._poll_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.check()
            except Exception:
                # A database hiccup: forget everything rather than trust what may be revoked.
                log.exception("credentials.watch_failed")
                self._forget()
