"""Do cameras keep being answered while a large hot-list file is imported?

    .venv/bin/python bench/import_load.py                 # 50,000 rows, SQLite and PostgreSQL
    .venv/bin/python bench/import_load.py --rows 20000    # a quicker look

For each database, one `lookout serve` process takes reads from 16 cameras posting one read at
a time. The latency of POST /v1/reads is measured first with nothing else going on (the
baseline), then while POST /v1/hotlists/{id}/import stores a CSV of `--rows` entries (with its
retro check of the last day's reads). Printed: p50/p99/max of both, and p99 during the import
as a multiple of the baseline's, measured in the same run: the machines are shared and noisy.
"""

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import ingest  # noqa: E402  the ingest bench's servers, database set-up and load

CAMERAS = 16


def admin_token(database_url: str) -> str:
    from app.auth.accounts import create_user
    from app.clock import system_clock
    from app.db import make_engine, transaction
    from app.models import Role
    from app.settings import DEV_SECRET

    engine = make_engine(database_url)
    with transaction(engine) as session:
        _, token = create_user(session, name="importer", role=Role.ADMIN, badge=None,
                               token_ttl=timedelta(days=1),
                               pepper=DEV_SECRET, actor=None, now=system_clock())  # fmt: skip
    engine.dispose()
    return token


def hotlist_file(rows: int) -> bytes:
    rng = random.Random(7)
    lines = ["plate,state,reason,case_number"]
    for i in range(rows):
        plate = f"{rng.randrange(1, 10)}{rng.choice('BCDFGHJKLMNPRSTVWXYZ')}{i:05d}"
        lines.append(f"{plate},CA,Stolen vehicle,26-{i:06d}")
    return ("\n".join(lines) + "\n").encode()


async def cameras_until(port: int, key: str, stop: threading.Event) -> list[tuple[float, float]]:
    """CAMERAS cameras posting one read at a time until `stop`; (start, seconds) of each 202."""
    latencies: list[float] = []
    starts: list[float] = []
    forever = time.perf_counter() + 3600
    await asyncio.gather(
        *(
            ingest.one_sender(
                port,
                key,
                "/v1/reads",
                ingest.read_body,
                forever,
                latencies,
                [],
                [],
                stop=stop,
                starts=starts,
            )
            for _ in range(CAMERAS)
        )
    )
    return list(zip(starts, latencies, strict=True))


def run(database_url: str, rows: int, baseline_s: float) -> dict[str, float]:
    key = ingest.prepare(database_url)
    token = admin_token(database_url)
    port = ingest.free_port()
    server = subprocess.Popen(
        [sys.executable, str(BENCH / "ingest.py"), "--serve", "lookout", "--port", str(port),
         "--database-url", database_url],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        ingest.wait_up(port, server)
        base = f"http://127.0.0.1:{port}"
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=auth, timeout=600) as api:
            created = api.post("/v1/hotlists", json={"name": "imported", "kind": "stolen_vehicle",
                                                     "priority": 2})  # fmt: skip
            created.raise_for_status()
            hotlist_id = created.json()["id"]
            stop = threading.Event()
            window: dict[str, float] = {}

            def import_later() -> None:
                time.sleep(baseline_s)
                window["start"] = time.perf_counter()
                answer = api.post(
                    f"/v1/hotlists/{hotlist_id}/import",
                    files={"file": ("stolen.csv", hotlist_file(rows), "text/csv")},
                )
                window["end"] = time.perf_counter()
                window["status"] = answer.status_code
                time.sleep(1.0)  # a little after, so the tail is seen too
                stop.set()

            importer = threading.Thread(target=import_later)
            importer.start()
            samples = asyncio.run(cameras_until(port, key, stop))
            importer.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    started = min(s for s, _ in samples)
    before = sorted(d for s, d in samples if started + 1.0 <= s < window["start"])
    during = sorted(d for s, d in samples if window["start"] <= s < window["end"])
    return {
        "import_s": window["end"] - window["start"],
        "status": window["status"],
        **_stats("base", before),
        **_stats("during", during),
    }


def _stats(name: str, values: list[float]) -> dict[str, float]:
    if not values:
        return {f"{name}_n": 0, f"{name}_p50": float("nan"), f"{name}_p99": float("nan"),
                f"{name}_max": float("nan")}  # fmt: skip
    return {
        f"{name}_n": len(values),
        f"{name}_p50": statistics.median(values) * 1000,
        f"{name}_p99": values[min(len(values) - 1, int(len(values) * 0.99))] * 1000,
        f"{name}_max": values[-1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--baseline-seconds", type=float, default=6.0)
    args = parser.parse_args()
    print(f"POST /v1/reads from {CAMERAS} cameras while {args.rows:,} hot-list rows are imported")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.rows,
                                args.baseline_seconds)  # fmt: skip
        pg_url, drop = ingest.postgres_database()
        try:
            results["postgresql"] = run(pg_url, args.rows, args.baseline_seconds)
        finally:
            drop()
    print(f"{'database':<12}{'import s':>9}{'reads':>8}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
          f"   {'reads':>6}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'p99 x':>7}")  # fmt: skip
    print(f"{'':<12}{'':>9}{'--- no import ---':>32}   {'--- during the import ---':>30}")
    for name, r in results.items():
        ratio = r["during_p99"] / r["base_p99"] if r["base_p99"] else float("nan")
        print(f"{name:<12}{r['import_s']:>9.1f}{r['base_n']:>8.0f}{r['base_p50']:>8.1f}"
              f"{r['base_p99']:>8.1f}{r['base_max']:>8.1f}   {r['during_n']:>6.0f}"
              f"{r['during_p50']:>8.1f}{r['during_p99']:>8.1f}{r['during_max']:>8.1f}"
              f"{ratio:>7.1f}")  # fmt: skip
        if r["status"] != 201:
            print(f"  WARNING: the import answered {r['status']:.0f}")


if __name__ == "__main__":
    main()
