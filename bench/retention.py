"""How long retention takes on a large reads table, and what it does to ingest meanwhile.

    .venv/bin/python bench/retention.py                    # 1,000,000 reads on PostgreSQL
    .venv/bin/python bench/retention.py --reads 5000000 --cameras 32

Generates `--reads` reads spread evenly over the last 120 days (one in a thousand a hit on a
hot-list entry) in a fresh PostgreSQL database, then copies it (CREATE DATABASE ... TEMPLATE),
so both contenders start from the same rows. California's policy keeps reads that hit nothing
60 days: half the rows expire.

- baseline: one `DELETE FROM plate_read WHERE read_at < cutoff AND NOT EXISTS (hit) AND NOT
  EXISTS (bulletin match)`, one statement, one transaction;
- Lookout: `lookout retention run` in its own process (keyset batches of
  LOOKOUT_RETENTION_BATCH_ROWS, holds read per batch, every clock swept, audited); its time
  includes the process start (about a second of imports).

While each runs, `--cameras` cameras post reads to a `lookout serve` on the same database, one
at a time each (as bench/ingest.py does). Printed: the removal's time and rows, and the ingest
p50/p99 before (quiet) and during it. Shared machines are noisy; compare within one run.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import ingest  # noqa: E402  bench/ingest.py: the server, the load, a database

QUIET_S = 3.0
SPREAD_DAYS = 120


def generate(database_url: str, reads: int) -> None:
    """`reads` reads over the last SPREAD_DAYS days and a hit for one read in a thousand."""
    from sqlalchemy import text

    from app.clock import system_clock
    from app.db import make_engine

    engine = make_engine(database_url)
    now = system_clock()
    started = time.perf_counter()
    with engine.begin() as connection:
        camera_id = connection.execute(text("SELECT min(id) FROM camera")).scalar_one()
        connection.execute(
            text(
                """
                INSERT INTO plate_read (camera_id, plate, plate_key, state, read_at, received_at,
                                        lat, lon, heading_deg, confidence, beat)
                SELECT :camera, p, p, 'CA', t, t, 37.80, -122.27, 90, 0.9, '04X'
                FROM (SELECT '7' || lpad(upper(to_hex(i)), 6, '0') AS p,
                             CAST(:now AS timestamptz)
                               - make_interval(secs => (i::float8 / :n) * :spread_s) AS t
                      FROM generate_series(1, :n) AS i) AS g
                """
            ),
            {"camera": camera_id, "now": now, "n": reads,
             "spread_s": SPREAD_DAYS * 86_400},
        )  # fmt: skip
        connection.execute(
            text(
                """
                INSERT INTO hit (read_id, entry_id, hotlist_id, quality, read_plate,
                                 listed_plate, historical, created_at)
                SELECT r.id, e.id, e.hotlist_id, 'exact', r.plate, e.plate, false, r.read_at
                FROM plate_read r
                JOIN LATERAL (SELECT id, hotlist_id, plate FROM hotlist_entry LIMIT 1) e ON true
                WHERE r.id % 1000 = 0
                """
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    print(f"generated {reads:,} reads in {time.perf_counter() - started:.0f} s")


def copy_database(server_url: str, source_url: str) -> tuple[str, object]:
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(server_url)
    name = f"lookout_bench_{uuid.uuid4().hex[:8]}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    source = make_url(source_url).database
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')  # type: ignore[arg-type]

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

    return server.set(database=name).render_as_string(hide_password=False), drop


def baseline_delete(database_url: str) -> int:
    from sqlalchemy import text

    from app.clock import system_clock
    from app.db import make_engine

    engine = make_engine(database_url)
    with engine.begin() as connection:
        removed = connection.execute(
            text(
                """
                DELETE FROM plate_read r WHERE r.read_at < :cutoff
                  AND NOT EXISTS (SELECT 1 FROM hit h WHERE h.read_id = r.id)
                  AND NOT EXISTS (SELECT 1 FROM bulletin_match b WHERE b.read_id = r.id)
                """
            ),
            {"cutoff": system_clock() - timedelta(days=60)},
        ).rowcount
    engine.dispose()
    return int(removed)


def lookout_retention(database_url: str) -> int:
    """`lookout retention run`, in its own process as an operator (or the worker) runs it."""
    env = os.environ | {"LOOKOUT_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
                        "LOOKOUT_RETENTION_POLICY": "california"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "retention", "run"], env=env, cwd=ROOT,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    [line] = [x for x in done.stdout.splitlines() if x.startswith("plate_read (no hit)")]
    return int(line.split()[-1])


def wait_up(port: int, process: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    import socket

    deadline = time.monotonic() + timeout_s  # a busy machine takes a while to import and load
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"lookout serve exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("lookout serve did not start")


def under_load(database_url: str, key: str, cameras: int, removal) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Start `lookout serve`, post reads from `cameras` cameras, run `removal` after a quiet
    spell, and split the latencies into before and during."""
    port = ingest.free_port()
    env = {"LOOKOUT_HOUSEKEEPING_EVERY_S": "1e9"}  # the server's own retention stays out
    process = subprocess.Popen(
        [sys.executable, ingest.__file__, "--serve", "lookout", "--port", str(port),
         "--database-url", database_url],
        stderr=subprocess.DEVNULL, env=os.environ | env,
    )  # fmt: skip
    latencies: list[float] = []
    starts: list[float] = []
    errors: list[int] = []
    stop = threading.Event()

    async def cameras_posting() -> None:
        await asyncio.gather(*(
            ingest.one_sender(port, key, "/v1/reads", ingest.read_body, float("inf"), latencies,
                              errors, [], stop=stop, starts=starts)
            for _ in range(cameras)
        ))  # fmt: skip

    try:
        wait_up(port, process)
        load = threading.Thread(target=lambda: asyncio.run(cameras_posting()))
        load.start()
        time.sleep(QUIET_S)
        began = time.perf_counter()
        removed = removal(database_url)
        ended = time.perf_counter()
        time.sleep(0.5)
        stop.set()
        load.join(timeout=60)
    finally:
        process.terminate()
        process.wait(timeout=30)
    quiet = sorted(lat for lat, s in zip(latencies, starts, strict=True) if s < began)
    during = sorted(lat for lat, s in zip(latencies, starts, strict=True) if began <= s < ended)

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(len(values) * q))] * 1000 if values else float("nan")

    return {
        "seconds": ended - began, "removed": removed, "errors": len(errors),
        "quiet_p50": pct(quiet, 0.5), "quiet_p99": pct(quiet, 0.99),
        "during_p50": pct(during, 0.5), "during_p99": pct(during, 0.99),
        "during_reads": len(during),
        "during_rps": len(during) / (ended - began) if ended > began else 0.0,
        "quiet_rps": len(quiet) / QUIET_S,
        "mean_ms": statistics.fmean(during) * 1000 if during else float("nan"),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reads", type=int, default=1_000_000)
    parser.add_argument("--cameras", type=int, default=16)
    args = parser.parse_args()

    generated_url, drop_generated = ingest.postgres_database()
    try:
        key = ingest.prepare(generated_url)
        generate(generated_url, args.reads)
        copy_url, drop_copy = copy_database(ingest.PG_SERVER, generated_url)
        try:
            baseline = under_load(copy_url, key, args.cameras, baseline_delete)
        finally:
            drop_copy()  # type: ignore[operator]
        lookout = under_load(generated_url, key, args.cameras, lookout_retention)
    finally:
        drop_generated()
    print(f"\n{args.reads:,} reads over {SPREAD_DAYS} days on PostgreSQL, California policy "
          f"(60 days), {args.cameras} cameras posting meanwhile")  # fmt: skip
    print(f"{'removal':<34}{'rows':>10}{'seconds':>9}{'rows/s':>10}"
          f"{'ingest p50/p99 ms quiet':>25}{'during':>16}{'reads/s q/d':>14}")  # fmt: skip
    for name, r in (("baseline: one DELETE statement", baseline),
                    ("Lookout retention (batches)", lookout)):  # fmt: skip
        print(f"{name:<34}{r['removed']:>10,}{r['seconds']:>9.1f}"
              f"{r['removed'] / r['seconds']:>10,.0f}"
              f"{r['quiet_p50']:>15.1f} /{r['quiet_p99']:>7.1f}"
              f"{r['during_p50']:>9.1f} /{r['during_p99']:>6.1f}"
              f"{r['quiet_rps']:>7.0f}/{r['during_rps']:<6.0f}")  # fmt: skip
        if r["errors"]:
            print(f"  {r['errors']} posts were not accepted")
    print(f"Lookout / baseline time: {lookout['seconds'] / baseline['seconds']:.2f}x; "
          f"ingest p99 during removal: baseline {baseline['during_p99']:.1f} ms, "
          f"Lookout {lookout['during_p99']:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
