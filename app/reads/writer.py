"""Storing reads, with group commit.

Cameras post one read at a time, and a commit per request costs more than everything else a
read needs. Requests therefore hand their rows to one writer thread, which inserts everything
that has queued up meanwhile in one transaction, matches it, writes the hits' alerts and
deliveries in that same transaction, commits once and then answers every request. A read is
durable before its 202; a failed commit fails every request in it, and none is acknowledged.

On PostgreSQL a batch is split first. The writer thread matches every read in memory; the
requests whose reads hit nothing (no list, no bulletin, no vendor ids to deduplicate) are
stored with one autocommitted statement and answered at once. The others go, with what was
found, to a second thread that stores them with their hits, alerts and pushes in one
transaction, in the order they came. Routing a hit (officers nearby, the push policy) takes
longer than storing a hundred quiet reads, and neither the quiet reads that came in with it
nor the next batches wait for it.
"""

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import replace
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy.engine import Engine

from app.bulletins.watch import BulletinWatch
from app.clock import Clock
from app.db import looks_dropped, transaction
from app.delivery.recipients import AlertSettings
from app.hotlists.hits import by_entry, raise_alert
from app.hotlists.index import HotListIndex
from app.logs import error_facts
from app.officers.tracker import OfficerTracker
from app.reads import dedup as readkeys
from app.reads.bulk import insert_postgresql, insert_reads
from app.reads.cameras import CameraRef
from app.reads.jobs import (
    CATCH_UP,
    BulletinsCaughtUp,
    CatchUp,
    Fits,
    Job,
    Matched,
    Outcome,
    Stored,
    StoreFailed,
    settle,
)
from app.reads.stored import StoredRead
from lpr import plates
from lpr.matcher import Hit

log = logging.getLogger(__name__)


class IngestWriter:
    """The single writer of reads. `submit` may be called from any thread or event loop."""

    def __init__(
        self,
        *,
        engine: Engine,
        index: HotListIndex,
        alert_settings: AlertSettings,
        officers: OfficerTracker,
        clock: Clock,
        max_batch_rows: int = 2000,
        bulletins: BulletinWatch | None = None,
    ) -> None:
        self._bulletins = bulletins  # the live watch of dispatcher bulletins (app/bulletin_watch)
        self._engine = engine
        # PostgreSQL commits a lone statement itself: a batch that hits nothing is one round trip
        # on a connection of the writer's own.
        self._dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._quiet_connection: psycopg.Connection[Any] | None = None
        self._index = index
        self._alerts = alert_settings
        self._officers = officers
        self._clock = clock
        self._max_rows = max_batch_rows
        self._queue: queue.SimpleQueue[Job | CatchUp | BulletinsCaughtUp | None] = (
            queue.SimpleQueue()
        )
        self._catch_up_queued = threading.Event()
        index.wake_on_change(self._queue_catch_up)
        self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
        # Requests that hit, matched already, in the order they came (PostgreSQL).
        self._hits: queue.Queue[list[Job] | BulletinsCaughtUp | None] = queue.Queue()
        self._bulletin_catch_up_queued = False  # writer thread only
        self._hits_thread = threading.Thread(target=self._run_hits, name="ingest-hits", daemon=True)
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()
            self._hits_thread.start()

    def stop(self) -> None:
        if self._started:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._hits.put(None)  # after the writer's last batch: the hits it queued go first
            self._hits_thread.join(timeout=30)
            self._started = False
        if self._quiet_connection is not None:
            self._quiet_connection.close()

    def submit_nowait(self, camera: CameraRef, rows: list[dict[str, Any]]) -> "Future[Stored]":
        future: Future[Stored] = Future()
        self._queue.put(Job(camera, rows, future))
        return future

    async def submit(self, camera: CameraRef, rows: list[dict[str, Any]]) -> Stored:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Stored] = loop.create_future()
        self._queue.put(Job(camera, rows, future, loop))
        return await future

    def store(self, camera: CameraRef, rows: list[dict[str, Any]]) -> Stored:
        """Blocking form of `submit`, for the CLI and tests."""
        return self.submit_nowait(camera, rows).result(timeout=60)

    def _queue_catch_up(self) -> None:
        if not self._catch_up_queued.is_set():
            self._catch_up_queued.set()
            self._queue.put(CATCH_UP)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            jobs: list[Job] = []
            catch_up = False
            caught_up: set[tuple[int, int]] = set()
            size = 0
            item: Job | CatchUp | BulletinsCaughtUp | None = first
            while True:
                if isinstance(item, Job):
                    jobs.append(item)
                    size += len(item.rows)
                elif isinstance(item, BulletinsCaughtUp):
                    caught_up |= item.owed
                else:
                    catch_up = True
                if size >= self._max_rows:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
            if jobs:
                self._write(jobs)
            if caught_up:
                self._catch_up_bulletins(frozenset(caught_up))
            if catch_up:
                self._catch_up()

    def _catch_up(self) -> None:
        """Apply one slice of announced hot-list changes; queue another turn (behind the reads
        waiting now) while more are left, so a 2-million-row import reaches the index by itself
        without a rebuild and without making any camera wait for all of it."""
        self._catch_up_queued.clear()
        if not self._index.behind:
            return
        try:
            with transaction(self._engine) as session:
                self._index.refresh(session, self._clock())
        except Exception as error:
            log.exception("hotlists.refresh_failed", extra=error_facts(error))
            return  # the next batch of reads tries again
        if self._index.behind:
            self._queue_catch_up()

    def _catch_up_bulletins(self, owed: frozenset[tuple[int, int]]) -> None:
        """The catch-up of the bulletin versions the watch had learned when the marker was
        queued (`BulletinWatch.catch_up`), now that the requests matched before them are
        stored. Should it fail, they stay owed and the next batch queues it again."""
        self._bulletin_catch_up_queued = False
        assert self._bulletins is not None
        try:
            with transaction(self._engine) as session:
                self._bulletins.catch_up(session, self._clock(), only=owed)
        except Exception as error:
            log.exception("bulletins.catch_up_failed", extra=error_facts(error))

    def _run_hits(self) -> None:
        while True:
            jobs = self._hits.get()
            try:
                if jobs is None:
                    return
                if isinstance(jobs, BulletinsCaughtUp):
                    self._queue.put(jobs)  # the writer thread owns the watch
                    continue
                self._write_loud(jobs)
            finally:
                self._hits.task_done()

    def _write(self, jobs: list[Job]) -> None:
        loud = self._write_quiet_jobs(jobs)
        if not loud:
            return
        if all(job.matched is not None for job in loud):
            self._hits.put(loud)
            return
        # Matched in the transaction, as on SQLite: the bulletins' catch-up search must see
        # every read stored before it, so the hits queued earlier are written first.
        self._hits.join()
        self._write_loud(loud)

    def _write_loud(self, jobs: list[Job]) -> None:
        try:
            results = self._write_batch(jobs)
        except Exception as error:
            if len(jobs) == 1:
                facts = {"reads": len(jobs[0].rows), **error_facts(error)}
                log.exception("ingest.failed", extra=facts)  # logs.py withholds the message
                settle([(jobs[0], StoreFailed())])
                return
            # One bad request must not fail its neighbours: retry each on its own.
            for job in jobs:
                self._write_loud([job])
            return
        settle(list(zip(jobs, results, strict=True)))

    def _write_batch(self, jobs: Sequence[Job]) -> list[Stored]:
        """Store `jobs` with their hits, alerts and pushes in one transaction. Jobs matched by
        the writer thread (all or none) are written on the hits thread and touch neither the
        index nor the bulletin watch; the others are matched here, on the writer thread."""
        now = self._clock()
        rows = _stamped([row for job in jobs for row in job.rows], now)
        matched = [job.matched for job in jobs]
        fits: Fits = []
        with transaction(self._engine) as session:
            if None in matched:
                self._index.refresh(session, now)
            # Vendor rows carry ids to deduplicate on; rows from /v1/reads skip this (None).
            dedup = readkeys.claim(session, rows)
            if dedup is None:
                ids: list[int | None] = list(insert_reads(session, rows))
            else:
                ids = dedup.link(session, insert_reads(session, [rows[i] for i in dedup.fresh]))
            stored: list[tuple[int, list[int], dict[int, int | None]]] = []  # per job
            hits: list[tuple[StoredRead, Hit]] = []
            camera_of: dict[int, str] = {}  # read id -> camera name
            job_of: dict[int, int] = {}  # read id -> job index
            offset = 0
            for number, job in enumerate(jobs):
                job_ids = ids[offset : offset + len(job.rows)]
                job_rows = rows[offset : offset + len(job.rows)]
                stored_ids, duplicate_of = [], {}
                for k, (read_id, row) in enumerate(zip(job_ids, job_rows, strict=True)):
                    if dedup is not None and dedup.is_duplicate[offset + k]:
                        duplicate_of[k] = read_id
                        continue
                    assert read_id is not None
                    stored_ids.append(read_id)
                    known = job.matched
                    if known is None:
                        found = self._index.matcher.match_read(
                            row["keys"], state=row["state"], now=now
                        )
                    else:
                        found = known.hits[k]
                        fits += [(w, replace(r, id=read_id), f) for w, r, f in known.fits[k]]
                    if found:
                        read = StoredRead.of(read_id, row)
                        hits.extend((read, hit) for hit in found)
                        camera_of[read_id], job_of[read_id] = job.camera.name, number
                offset += len(job.rows)
                stored.append((number, stored_ids, duplicate_of))
            alert_ids: list[list[int]] = [[] for _ in jobs]
            for read, hit in by_entry(hits):
                alert = raise_alert(
                    session, hit=hit, read=read, camera_name=camera_of[read.id],
                    config=self._alerts, officers=self._officers, now=now,
                )  # fmt: skip
                if alert is not None and alert.id is not None:
                    alert_ids[job_of[read.id]].append(alert.id)
            results = [
                Stored(stored_ids, len(alert_ids[n]), alert_ids[n], duplicate_of=duplicate_of)
                for n, stored_ids, duplicate_of in stored
            ]
            fresh = [None if dedup and dedup.is_duplicate[i] else r for i, r in enumerate(ids)]
            if self._bulletins is not None and None in matched:
                self._bulletins.match(session, rows, fresh, now)
            elif self._bulletins is not None and fits:
                self._bulletins.record(session, fits, now)
        if self._bulletins is not None:
            self._bulletins.stored(rows, fresh, self._clock())
        return results

    def _write_quiet_jobs(self, jobs: list[Job]) -> list[Job]:
        """The common case on PostgreSQL: store and answer the requests whose reads hit no
        list or bulletin and carry no vendor ids to deduplicate, with one autocommitted
        statement on the writer's own connection (one round trip, durable when it returns).
        Returns the requests left for the full transaction: all of them on SQLite, or when
        that statement failed. A bulletin version the watch has just learned is looked for in
        the reads stored before (its catch-up) once the hits thread has stored those it holds."""
        if self._engine.dialect.name != "postgresql":
            return jobs
        now = self._clock()
        if self._index.is_due() or (self._bulletins is not None and self._bulletins.is_due()):
            try:
                with transaction(self._engine) as session:  # about once a second
                    self._index.refresh(session, now)
                    if self._bulletins is not None:
                        self._bulletins.refresh(session, now)
            except Exception:
                return jobs  # the full transaction refreshes again, and fails visibly
        if (
            self._bulletins is not None
            and self._bulletins.has_pending()
            and not self._bulletin_catch_up_queued
        ):
            # The requests matched before the watch knew the new version may still be on the
            # hits thread's queue: the catch-up waits for them there, not the cameras' reads.
            self._bulletin_catch_up_queued = True
            self._hits.put(BulletinsCaughtUp(self._bulletins.owed()))
        quiet: list[tuple[Job, list[dict[str, Any]]]] = []
        loud: list[Job] = []
        for job in jobs:
            rows = _stamped(job.rows, now)
            matched = self._match(rows, now)
            if matched is None:
                quiet.append((job, rows))
            else:
                # Stored later on the hits thread, as received now (not when stored).
                job.rows, job.matched = rows, matched
                loud.append(job)
        if not quiet:
            return loud
        try:
            stored = [row for _, rows in quiet for row in rows]
            ids = self._insert_autocommit(stored)
        except Exception as error:
            # Nothing of it was stored: the full path tries each request again on its own.
            log.warning("ingest.quiet_failed", extra=error_facts(error))
            for job in jobs:
                job.matched = None
            return jobs
        if self._bulletins is not None:
            self._bulletins.stored(stored, ids, self._clock())
        outcomes: list[tuple[Job, Outcome]] = []
        offset = 0
        for job, rows in quiet:
            outcomes.append((job, Stored(ids[offset : offset + len(rows)], 0)))
            offset += len(rows)
        settle(outcomes)
        return loud

    def _match(self, rows: list[dict[str, Any]], now: datetime) -> Matched | None:
        """What a request's rows hit, or None when they hit nothing and carry no vendor ids
        (a quiet request)."""
        matcher, bulletins = self._index.matcher, self._bulletins
        hits = [matcher.match_read(row["keys"], state=row["state"], now=now) for row in rows]
        fits = [bulletins.fits([row], [0], now) if bulletins else [] for row in rows]
        if any(hits) or any(fits) or any(row.get(readkeys.SOURCE_KEYS) for row in rows):
            return Matched(hits, fits)
        return None

    def _insert_autocommit(self, rows: list[dict[str, Any]]) -> list[int]:
        quiet = self._quiet_connection
        if quiet is not None and not quiet.closed and looks_dropped(quiet.fileno()):
            # The server hung up while it sat idle (a restart, a failover): start afresh
            # rather than fail the first batch after the database is back.
            quiet.close()
        if self._quiet_connection is None or self._quiet_connection.closed:
            self._quiet_connection = psycopg.connect(self._dsn, autocommit=True)
        try:
            return insert_postgresql(self._quiet_connection, rows)
        except psycopg.OperationalError:
            # The server went away (restart, failover): drop the connection; the batch fails
            # as a whole and its requests get a 503 to retry; the next batch reconnects.
            self._quiet_connection.close()
            self._quiet_connection = None
            raise


def _stamped(rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Copies of a batch's rows as stored: received now (unless stamped already, when the
    writer matched them), read now unless the camera said when, and the folded plate the
    look-alike search uses."""
    stamped = [{"received_at": now} | row for row in rows]
    for row in stamped:
        if row.get("read_at") is None:
            row["read_at"] = now
        row["plate_fold"] = plates.fold_key(row["plate_key"])
    return stamped
