"""Audit-log bench: what checking the sealed chain costs, against reading the same rows.

    .venv/bin/python bench/audit_verify.py                 # 50,000 rows on SQLite and PostgreSQL
    .venv/bin/python bench/audit_verify.py --rows 20000    # a quick run

A fresh database per backend (PostgreSQL from LOOKOUT_BENCH_PG_URL or 127.0.0.1:5432) is
migrated and filled with a keyed chain of audit rows shaped like Lookout's (a plate search with
its purpose and details), sealed in Python and inserted in bulk. Then, each timed twice and the
better run kept:

  read      every row streamed as an AuditLog object, nothing checked: the baseline
  verify    app.audit.verify: every seal and link, and a checkpoint file of one line per
            1,000 rows (what a process writing one a minute leaves after a busy day)
  append    audit.record of 2,000 rows, one transaction each, as requests write them

Printed: rows/s of each and verify's time as a multiple of read's. Absolute figures move on a
shared machine; the ratio much less.
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine, make_url
from sqlmodel import col

from app import audit, migrate
from app.audit import keys
from app.audit.chain import GENESIS, plate_key, seal
from app.audit.checkpoints import Checkpoint, Head, append
from app.db import make_engine, transaction
from app.models import AuditLog

KEY = keys.AuditKey.from_secret(b"bench key: a secret the database does not hold")


def fill(engine: Engine, rows: int, checkpoints: Path) -> None:
    prev, start, batch = GENESIS, datetime(2026, 1, 1, tzinfo=UTC), []
    for i in range(1, rows + 1):
        plate = f"7AB{i % 10000:04d}"
        row = AuditLog(
            at=start + timedelta(seconds=i), actor_id=None, actor_name="Dana Reyes",
            actor_role="dispatcher", action="read.search", object_type="read", plate=plate,
            plate_key=plate_key(plate), purpose="stolen vehicle follow-up, case 24-001234",
            detail={"case_number": "24-001234", "since": None, "until": None, "results": i % 7},
            key_id=KEY.key_id, prev_hash=prev, hash="",
        )  # fmt: skip
        row.hash = prev = seal(row, KEY)
        batch.append(row.model_dump(exclude={"id"}))
        if len(batch) == 5000 or i == rows:
            with transaction(engine) as session:
                session.execute(insert(AuditLog), batch)
            batch = []
        if i % 1000 == 0 or i == rows:
            # The checkpoint of row i: its id is i here (a fresh table, ids from 1).
            append(checkpoints, Checkpoint.signed(Head(i, i, prev), at=start, key=KEY))


def best_of_two(run: object) -> float:
    assert callable(run)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(name: str, url: str, rows: int, workdir: Path) -> None:
    migrate.upgrade(url)
    engine = keys.bind(make_engine(url), KEY)
    checkpoints = workdir / f"{name}-checkpoints.jsonl"
    fill(engine, rows, checkpoints)

    def read() -> None:
        with transaction(engine) as session:
            for row in session.scalars(
                select(AuditLog).order_by(col(AuditLog.id)).execution_options(yield_per=2000)
            ):
                session.expunge(row)

    def verify() -> None:
        with transaction(engine) as session:
            report = audit.verify(session, key=KEY, checkpoint_file=checkpoints)
        assert report.intact and report.rows == rows, report.problems[:3]

    read_s, verify_s = best_of_two(read), best_of_two(verify)
    appends = 2000
    started = time.perf_counter()
    for i in range(appends):
        with transaction(engine) as session:
            audit.record(session, actor=None, action="read.view", now=datetime.now(UTC),
                         object_type="read", object_id=i, plate="7abc 123")  # fmt: skip
    append_s = time.perf_counter() - started
    engine.dispose()
    print(
        f"{name:10} {rows:>9,} rows   read {rows / read_s:>9,.0f} rows/s   "
        f"verify {rows / verify_s:>9,.0f} rows/s ({verify_s / read_s:.1f}x read)   "
        f"append {appends / append_s:>7,.0f} rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    pg_server = os.environ.get(
        "LOOKOUT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        measure("sqlite", f"sqlite:///{workdir / 'bench.db'}", args.rows, workdir)
        name = f"lookout_bench_audit_{uuid.uuid4().hex[:8]}"
        libpq = make_url(pg_server).set(drivername="postgresql").render_as_string(False)
        with psycopg.connect(libpq, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        try:
            url = make_url(pg_server).set(database=name).render_as_string(False)
            measure("postgresql", url, args.rows, workdir)
        finally:
            with psycopg.connect(libpq, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
