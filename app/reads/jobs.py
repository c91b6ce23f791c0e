"""What passes between a request and the ingest writer's threads: the job a request queues,
what the writer found for it, and how each waiting request is answered."""

import asyncio
import contextlib
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from app.bulletins.rules import Fit, Watched
from app.reads.cameras import CameraRef
from app.reads.stored import StoredRead
from lpr.matcher import Hit


@dataclass(frozen=True, slots=True)
class Stored:
    read_ids: list[int]  # of the rows stored, in order; a duplicate row has none
    hits: int
    alert_ids: list[int] = field(default_factory=list)
    # Rows not stored because their vendor ids were (app/reads/dedup.py): row index -> the id of
    # the read they repeat (None if unknown).
    duplicate_of: dict[int, int | None] = field(default_factory=dict)


AnyFuture = asyncio.Future[Stored] | Future[Stored]
Fits = list[tuple[Watched, StoredRead, Fit]]


@dataclass(frozen=True, slots=True)
class Matched:
    """What the writer thread found for each row of a request: the hot-list hits and the
    bulletin fits (their reads not stored yet: id 0)."""

    hits: list[list[Hit]]
    fits: list[Fits]


class CatchUp:
    """Queued by the index's wake-up: apply a slice of hot-list changes between batches."""


CATCH_UP = CatchUp()


@dataclass(frozen=True, slots=True)
class BulletinsCaughtUp:
    """Passed through the hits thread's queue and back to the writer: every request matched
    before the watch knew these bulletin versions (id, version) is stored, so their catch-up
    can run. A version learned after it was queued waits for the next one."""

    owed: frozenset[tuple[int, int]]


Outcome = Stored | BaseException


@dataclass(slots=True)
class Job:
    camera: CameraRef
    rows: list[dict[str, Any]]
    # An asyncio future (with its loop) for requests, or a plain one for blocking callers.
    future: AnyFuture
    loop: asyncio.AbstractEventLoop | None = None
    matched: Matched | None = None  # None: match in the transaction that stores the rows


def settle(outcomes: list[tuple[Job, Outcome]]) -> None:
    """Answer the waiting requests: one wake-up per event loop for the whole batch. Each
    cross-thread wake-up writes to the loop's socket and then waits for the busy loop thread
    to hand the GIL back, so one per request would cost more than storing the reads."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[AnyFuture, Outcome]]] = {}
    for job, outcome in outcomes:
        if job.loop is None:
            resolve(job.future, outcome)
        else:
            by_loop.setdefault(job.loop, []).append((job.future, outcome))
    for loop, pairs in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(resolve_all, pairs)


def resolve_all(pairs: list[tuple[AnyFuture, Outcome]]) -> None:
    for future, outcome in pairs:
        resolve(future, outcome)


def resolve(future: AnyFuture, outcome: Outcome) -> None:
    if future.done():  # the request went away (client disconnected)
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


class StoreFailed(Exception):
    """The database did not take the batch; nothing of it was stored."""
