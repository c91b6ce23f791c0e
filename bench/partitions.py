"""Day-partitioned reads against the plain reads table, on PostgreSQL, in one run.

    .venv/bin/python bench/partitions.py                             # 30 days x 1,000,000 reads
    .venv/bin/python bench/partitions.py --days 30 --per-day 100000  # a tenth of Oakland

Makes two fresh databases on LOOKOUT_BENCH_DATABASE_URL's server (default: the local
postgres at 127.0.0.1:5432): one migrated to head (plate_read partitioned by day, a day
partition for each of the `--days` past days and the default one), one migrated to 0015 (the
plain table, its foreign keys, the baseline). Each is loaded with the same `--per-day` reads a
day for the last `--days` days by INSERT ... SELECT generate_series (plates drawn from a
population of `--vehicles`, one read in 333 a hit with its hit row: Oakland's ~3,000 hits a
day), then ANALYZEd. Then, alternating between the two so that the shared machine's noise
falls on both:

- ingest: `--ingest` reads for today through the service's own insert (app/reads/bulk.py,
  one prepared INSERT ... FROM jsonb per batch of `--batch`, committed per batch as the
  ingest writer does): reads a second;
- plate search: the query GET /v1/reads runs (one plate, newest first, limit 100) over the
  last 7 days and over all the days, `--searches` random plates each: p50/p99 in ms;
- retention of one day: the Enforcer (app/retention/enforce.py) with California's policy and
  a non-hit period that makes exactly the oldest day expire: on the plain table the keyset
  batches of row deletes, on the partitioned one the day's DETACH and DROP (its hit reads kept
  in the default partition). Seconds, and rows removed;
- with `--convert`, last: `lookout db upgrade` of the plain database to head, which converts
  its populated plate_read to day partitions in place (revisions 0016, 0017): seconds, rows
  a second, against the time the same rows took to load.

Printed: each figure for both and the ratio partitioned / plain (below 1 is faster for
times, above 1 is more throughput). The databases are dropped at the end (`--keep` keeps them).
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlmodel import Session, col  # noqa: E402

from app import migrate  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.intake.images import ImageStore  # noqa: E402
from app.models import Read  # noqa: E402
from app.partitions import AHEAD_DAYS  # noqa: E402
from app.reads.bulk import insert_postgresql  # noqa: E402
from app.reads.partitions import READS  # noqa: E402
from app.retention.enforce import Enforcer  # noqa: E402
from app.retention.policy import effective, template  # noqa: E402

SERVER = os.environ.get(
    "LOOKOUT_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
HIT_EVERY = 333


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def admin(statement: str) -> None:
    with psycopg.connect(libpq(SERVER), autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def database(name: str) -> str:
    return make_url(SERVER).set(database=name).render_as_string(hide_password=False)


def seed(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO camera (id, name, key_hash, key_hint, is_active, created_at)"
                " VALUES (1, 'bench', 'h', 'lkc_', true, now());"
                "INSERT INTO hotlist (id, name, kind, priority, is_active, created_at)"
                " VALUES (1, 'stolen', 'stolen_vehicle', 2, true, now());"
                "INSERT INTO hotlist_entry (id, hotlist_id, plate, plate_key, created_at)"
                " VALUES (1, 1, 'P0000001', 'P0000001', now())"
            )
        )


def load(engine: Engine, *, days: int, per_day: int, vehicles: int, today: datetime) -> float:
    """`per_day` reads for each of the `days` days before today, with their hits; seconds."""
    started = time.perf_counter()
    for back in range(days, 0, -1):
        start = today - timedelta(days=back)
        with engine.begin() as connection:
            connection.execute(
                text(
                    """
                    INSERT INTO plate_read (camera_id, plate, plate_key, state, read_at,
                                            received_at, lat, lon, confidence, beat)
                    SELECT 1, p, p, 'CA', at, at + interval '2 seconds',
                           37.80 + (g % 97) * 0.001, -122.27 + (g % 89) * 0.001, 0.9, '04X'
                    FROM generate_series(1, :n) AS g,
                         LATERAL (SELECT 'P' || lpad(((hashint8(g + :seed) % :vehicles
                                  + :vehicles) % :vehicles)::text, 7, '0') AS p,
                                  :start + (g * interval '86399 seconds') / :n AS at) AS row
                    """
                ),
                {"n": per_day, "seed": back * 1_000_003, "vehicles": vehicles, "start": start},
            )
            connection.execute(
                text(
                    "INSERT INTO hit (read_id, entry_id, hotlist_id, quality, read_plate,"
                    " listed_plate, created_at) SELECT id, 1, 1, 'exact', plate, plate, read_at"
                    " FROM plate_read WHERE read_at >= :start AND read_at < :end"
                    " AND id % :every = 0"
                ),
                {"start": start, "end": start + timedelta(days=1), "every": HIT_EVERY},
            )
        print(f"    {start:%Y-%m-%d}: {per_day} reads", file=sys.stderr, flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def ingest(engine: Engine, *, reads: int, batch: int, vehicles: int, now: datetime) -> float:
    """Reads a second through the service's insert, one commit per batch."""
    rng = random.Random(7)
    rows = [
        {"camera_id": 1, "plate": (p := f"Q{rng.randrange(vehicles):07d}"), "plate_key": p,
         "state": "CA", "read_at": now - timedelta(seconds=reads - i),
         "received_at": now, "lat": 37.8, "lon": -122.27, "confidence": 0.9, "beat": "04X"}
        for i in range(reads)
    ]  # fmt: skip
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        started = time.perf_counter()
        for i in range(0, reads, batch):
            insert_postgresql(connection, rows[i : i + batch])
            connection.commit()
        return reads / (time.perf_counter() - started)
    finally:
        raw.close()


def search(
    engine: Engine, *, plates: list[str], since: datetime | None, until: datetime
) -> list[float]:
    """Milliseconds per search: GET /v1/reads' query, one plate over [since, until)."""
    times: list[float] = []
    with Session(engine) as session:
        for plate in plates:
            query = (
                select(Read)
                .where(col(Read.plate_key) == plate)
                .order_by(col(Read.read_at).desc())
                .limit(100)
            )
            if since is not None:
                query = query.where(col(Read.read_at) >= since)
            query = query.where(col(Read.read_at) < until)
            started = time.perf_counter()
            session.scalars(query).all()
            times.append((time.perf_counter() - started) * 1000)
            session.rollback()
    return times


def retention(engine: Engine, *, oldest: datetime, now: datetime) -> tuple[float, int, int, float]:
    """Seconds to apply retention for the oldest day; non-hit reads removed, reads kept, and
    the seconds plate_read was locked against ingest to detach the day."""
    policy = effective(template("california"), nonhit_reads=now - (oldest + timedelta(days=1)))
    with tempfile.TemporaryDirectory() as images:
        enforcer = Enforcer(engine, policy=policy, images=ImageStore(Path(images)))
        started = time.perf_counter()
        report = enforcer.run(now, by="bench")
        took = time.perf_counter() - started
    removed = report.removed["plate_read (no hit)"]
    return took, removed, report.kept_from_partitions, report.detached_s


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=1_000_000)
    parser.add_argument("--vehicles", type=int, default=400_000, help="distinct plates")
    parser.add_argument("--ingest", type=int, default=20_000, help="reads per ingest round")
    parser.add_argument("--batch", type=int, default=100, help="reads per commit")
    parser.add_argument("--searches", type=int, default=400, help="plates per search round")
    parser.add_argument("--rounds", type=int, default=2, help="ingest and search rounds")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--convert", action="store_true",
                        help="then time the in-place conversion of the plain table")  # fmt: skip
    args = parser.parse_args()

    now = datetime.now(UTC).replace(microsecond=0)
    today = now.replace(hour=0, minute=0, second=0)
    suffix = uuid.uuid4().hex[:8]
    names = {"plain": f"bench_plain_{suffix}", "partitioned": f"bench_part_{suffix}"}
    engines: dict[str, Engine] = {}
    try:
        for kind, name in names.items():
            admin(f'CREATE DATABASE "{name}"')
            migrate.upgrade(database(name), "0015" if kind == "plain" else "head")
            engines[kind] = make_engine(database(name))
            seed(engines[kind])
        made = READS.ensure_ahead(
            engines["partitioned"],
            (today - timedelta(days=args.days)).date(),
            ahead=args.days + AHEAD_DAYS,
        )
        print(f"{len(made)} day partitions made", file=sys.stderr)
        results: dict[str, dict[str, Any]] = {kind: {} for kind in names}
        for kind, engine in engines.items():
            print(f"loading {kind}: {args.days} x {args.per_day} reads", file=sys.stderr)
            took = load(engine, days=args.days, per_day=args.per_day, vehicles=args.vehicles,
                        today=today)  # fmt: skip
            results[kind]["load_s"] = took
            with engine.connect() as connection:
                size = connection.execute(
                    text(
                        "SELECT pg_total_relation_size(c.oid) FROM pg_class c WHERE c.relname"
                        " = 'plate_read'"
                    )
                ).scalar_one()
                if kind == "partitioned":  # the parent holds nothing: the partitions' sizes
                    size = connection.execute(
                        text(
                            "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits"
                            " WHERE inhparent = 'plate_read'::regclass"
                        )
                    ).scalar_one()
            results[kind]["size_gb"] = int(size) / 1e9

        rng = random.Random(11)
        plates = [f"P{rng.randrange(args.vehicles):07d}" for _ in range(args.searches)]
        week = now - timedelta(days=7)
        for kind in names:
            results[kind].update(ingest=[], week=[], all=[])
        for round_ in range(args.rounds):
            order = list(names) if round_ % 2 == 0 else list(reversed(names))
            for kind in order:
                engine = engines[kind]
                results[kind]["ingest"].append(
                    ingest(
                        engine, reads=args.ingest, batch=args.batch, vehicles=args.vehicles, now=now
                    )
                )
                results[kind]["week"] += search(engine, plates=plates, since=week, until=now)
                results[kind]["all"] += search(engine, plates=plates, since=None, until=now)
        for kind in names:
            oldest = today - timedelta(days=args.days)
            took, removed, kept, locked = retention(engines[kind], oldest=oldest, now=now)
            results[kind].update(retention_s=took, removed=removed, kept=kept, locked_s=locked)
        if args.convert:
            with engines["plain"].connect() as connection:
                rows = connection.execute(text("SELECT count(*) FROM plate_read")).scalar_one()
            engines["plain"].dispose()
            print(f"converting the plain table in place: {rows:,} reads", file=sys.stderr)
            started = time.perf_counter()
            migrate.upgrade(database(names["plain"]), "head")
            results["plain"].update(convert_s=time.perf_counter() - started, convert_rows=rows)
    finally:
        for engine in engines.values():
            engine.dispose()
        if not args.keep:
            for name in names.values():
                admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report(args, results)


def report(args: argparse.Namespace, results: dict[str, dict[str, Any]]) -> None:
    plain, part = results["plain"], results["partitioned"]
    rows = [
        ("load (s, INSERT...SELECT + VACUUM ANALYZE)", plain["load_s"], part["load_s"]),
        ("table + indexes (GB)", plain["size_gb"], part["size_gb"]),
        ("ingest (reads/s, median of rounds)", statistics.median(plain["ingest"]),
         statistics.median(part["ingest"])),
        ("plate search, last 7 days, p50 (ms)", pct(plain["week"], 0.5), pct(part["week"], 0.5)),
        ("plate search, last 7 days, p99 (ms)", pct(plain["week"], 0.99),
         pct(part["week"], 0.99)),
        ("plate search, all days, p50 (ms)", pct(plain["all"], 0.5), pct(part["all"], 0.5)),
        ("plate search, all days, p99 (ms)", pct(plain["all"], 0.99), pct(part["all"], 0.99)),
        ("retention of one day (s)", plain["retention_s"], part["retention_s"]),
    ]  # fmt: skip
    print(f"{args.days} days x {args.per_day:,} reads ({args.days * args.per_day:,} rows), "
          f"{args.vehicles:,} vehicles, ingest {args.ingest:,} reads x {args.rounds} rounds "
          f"in batches of {args.batch}, {args.searches} plates x {args.rounds} rounds")  # fmt: skip
    print(f"{'':<44} {'plain':>12} {'partitioned':>12} {'ratio':>8}")
    for label, a, b in rows:
        print(f"{label:<44} {a:>12.3f} {b:>12.3f} {b / a if a else float('nan'):>8.3f}")
    print(f"retention removed: plain {plain['removed']:,} non-hit reads row by row; partitioned "
          f"{part['removed']:,} by dropping the day, {part['kept']:,} hit reads kept; "
          f"plate_read locked {part['locked_s'] * 1000:.0f} ms to detach it")  # fmt: skip
    if "convert_s" in plain:
        took, rows = plain["convert_s"], plain["convert_rows"]
        print(f"in-place conversion (lookout db upgrade 0015 -> head): {rows:,} reads in "
              f"{took:.1f} s ({rows / took:,.0f} reads/s), {took / plain['load_s']:.2f} x the "
              f"time they took to load")  # fmt: skip
    print(json.dumps({k: {m: v for m, v in r.items() if not isinstance(v, list)}
                      for k, r in results.items()}))  # fmt: skip


if __name__ == "__main__":
    main()
