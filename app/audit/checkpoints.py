"""Checkpoints of the audit chain's head, kept where the database cannot rewrite them.

A keyed chain shows a row altered or removed in the middle, but not rows removed from the end:
what is left is still a valid chain. So every process that runs (`lookout serve`, `lookout
worker`) notes the head every LOOKOUT_AUDIT_CHECKPOINT_EVERY_S seconds: how many rows the chain
holds, the id and seal of the newest, signed with the audit key. The note is appended as one
JSON line to the checkpoint file (LOOKOUT_AUDIT_CHECKPOINT_FILE, in the data directory by
default) and written to the log (`audit.checkpoint`), which usually leaves the machine for a
log store. Verification (app/audit/verify.py) then wants each checkpointed row in its place.
Rows written after the newest checkpoint can still be cut unseen: the interval is that window.
"""

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.audit.chain import pruning
from app.audit.keys import AuditKey
from app.clock import Clock
from app.db import transaction
from app.logs import error_facts
from app.models import AuditLog
from app.settings import Settings

log = logging.getLogger(__name__)

FILE_NAME = "audit-checkpoints.jsonl"


def file_of(settings: Settings) -> Path:
    return settings.audit.checkpoint_file or settings.data_dir / FILE_NAME


@dataclass(frozen=True, slots=True)
class Head:
    rows: int  # rows in the chain, from the first
    last_id: int  # the newest row's id
    seal: str  # the newest row's seal (its `hash`)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    at: str
    rows: int
    last_id: int
    head: str
    key_id: str
    mac: str

    @staticmethod
    def message(at: str, rows: int, last_id: int, head: str, key_id: str) -> bytes:
        return f"lookout-audit-checkpoint|{at}|{rows}|{last_id}|{head}|{key_id}".encode()

    @classmethod
    def signed(cls, head: Head, *, at: datetime, key: AuditKey) -> "Checkpoint":
        when = at.isoformat()
        mac = key.seal(cls.message(when, head.rows, head.last_id, head.seal, key.key_id))
        return cls(when, head.rows, head.last_id, head.seal, key.key_id, mac)

    def signed_by(self, key: AuditKey) -> bool:
        message = self.message(self.at, self.rows, self.last_id, self.head, self.key_id)
        return self.key_id == key.key_id and key.checks(message, self.mac)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the checkpoint file: a checkpoint, or why it is not one."""

    number: int
    checkpoint: Checkpoint | None
    problem: str | None = None


def read(path: Path) -> list[Line]:
    """Every line of the checkpoint file, in order; no file, no checkpoints."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            fields = json.loads(raw)
            checkpoint = Checkpoint(
                at=str(fields["at"]),
                rows=int(fields["rows"]),
                last_id=int(fields["last_id"]),
                head=str(fields["head"]),
                key_id=str(fields["key_id"]),
                mac=str(fields["mac"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            lines.append(Line(number, None, f"cannot be read ({error.__class__.__name__})"))
            continue
        lines.append(Line(number, checkpoint))
    return lines


def append(path: Path, checkpoint: Checkpoint) -> None:
    """One line, appended and synced: several processes may append to the same file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(asdict(checkpoint), sort_keys=True) + "\n").encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line)  # one write of a short line: appends do not interleave
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def head_after(engine: Engine, known: Head | None) -> Head | None:
    """The chain's head now, counting on from `known` (a head this process saw earlier), or
    None for an empty chain. Counting on, rather than counting again, costs one index range;
    if rows before `known` were removed since, the count is then too high, and verification
    says so: the checkpoint wants a row number the database no longer has."""
    after_id, before = (known.last_id, known.rows) if known else (0, None)
    with transaction(engine) as session:
        if before is None:  # rows count from the first ever written, pruned ones included
            before = pruning(session).rows
        # One statement, one snapshot: the count and the newest id agree.
        added, last_id = session.execute(
            select(func.count(), func.max(col(AuditLog.id))).where(col(AuditLog.id) > after_id)
        ).one()
        if not added:
            return known
        seal = session.scalar(select(col(AuditLog.hash)).where(col(AuditLog.id) == last_id))
    assert seal is not None  # retention never removes the newest row
    return Head(rows=before + int(added), last_id=int(last_id), seal=seal)


class Checkpointer:
    """Appends a checkpoint whenever the head has moved, every `every_s` seconds, in a thread.
    `run_once` does one step (tests call it instead of waiting)."""

    def __init__(
        self, engine: Engine, *, key: AuditKey, path: Path, clock: Clock, every_s: float
    ) -> None:
        self._engine, self._key, self._path, self._clock = engine, key, path, clock
        self._every_s = every_s
        self._last: Head | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="audit-checkpoints", daemon=True)

    def start(self) -> "Checkpointer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        try:
            self.run_once()  # the head at shutdown, too
        except Exception as error:
            log.warning("audit.checkpoint_failed", extra=error_facts(error))

    def run_once(self) -> Checkpoint | None:
        """Checkpoint the head if it moved since this process's last checkpoint."""
        with self._lock:
            head = head_after(self._engine, self._last)
            if head is None or head == self._last:
                return None
            checkpoint = Checkpoint.signed(head, at=self._clock(), key=self._key)
            append(self._path, checkpoint)
            self._last = head
        log.info(
            "audit.checkpoint",
            extra={"rows": head.rows, "last_id": head.last_id, "head": head.seal,
                   "key_id": checkpoint.key_id, "mac": checkpoint.mac, "at": checkpoint.at},
        )  # fmt: skip
        return checkpoint

    def _loop(self) -> None:
        while True:
            try:
                self.run_once()
            except Exception as error:
                # A database outage must not end the checkpoints for the life of the process.
                log.warning("audit.checkpoint_failed", extra=error_facts(error))
            if self._stop.wait(self._every_s):
                return
