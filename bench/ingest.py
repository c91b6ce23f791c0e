"""POST /v1/reads throughput: Lookout (auth, validation, durable store, match, outbox) against a
bare FastAPI endpoint with the same request model, in the same run, on SQLite and PostgreSQL.

    .venv/bin/python bench/ingest.py                # 10 s per target, 64 concurrent cameras
    .venv/bin/python bench/ingest.py --seconds 3    # a quick look

Each target runs as its own uvicorn process; this process is the load: many keep-alive
connections, each posting one read at a time as a camera does. Machines here are shared and
noisy, so only the ratios printed at the end mean much.
"""

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get(
    "LOOKOUT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
HOT_ENTRIES = 5000
HIT_EVERY = 1000  # about one read in a thousand is a hit (DOMAIN.md 1)


# --- the servers -----------------------------------------------------------------------------


def bare_app():  # type: ignore[no-untyped-def]
    from fastapi import FastAPI, Request

    from app.api.reads import _body, parse_reads
    from app.main import NO_TELEMETRY

    app = FastAPI(telemetry=NO_TELEMETRY)  # as Lookout's own app: no per-request OTel lookup

    @app.post("/v1/reads", status_code=202)
    async def post_reads(request: Request) -> dict[str, object]:
        reads = parse_reads(await _body(request))
        return {"accepted": len(reads), "read_ids": list(range(len(reads)))}

    return app


def serve(kind: str, port: int, database_url: str) -> None:
    import logging

    import uvicorn

    from app import logs

    logs.configure("WARNING" if kind == "bare" else "INFO")
    if os.environ.get("SWITCH"):
        sys.setswitchinterval(float(os.environ["SWITCH"]))
    if kind == "bare":
        app = bare_app()
    else:
        from app.main import create_app
        from app.settings import Settings

        settings = Settings(database_url=database_url, push_sender="log", fcm_inbox=False)
        app = create_app(settings)
    logging.getLogger("app.main").setLevel(logging.INFO)
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_config=None)


# --- setting a database up -------------------------------------------------------------------


def prepare(database_url: str, *, camera: str = "bench", may_create_cameras: bool = False) -> str:
    """Migrate, create a camera and a hot list; returns the camera's API key."""
    from app import migrate
    from app.auth.accounts import create_camera, create_user
    from app.clock import system_clock
    from app.db import make_engine, transaction
    from app.hotlists import service as hotlists
    from app.models import HotList, Role
    from app.schemas.hotlists import EntryIn
    from app.settings import DEV_SECRET

    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    now = system_clock()
    with transaction(engine) as session:
        _, key = create_camera(session, name=camera, lat=37.80, lon=-122.27, heading_deg=90,
                               pepper=DEV_SECRET, actor=None, now=now,
                               may_create_cameras=may_create_cameras)  # fmt: skip
        user, _ = create_user(session, name="bench", role=Role.ADMIN, badge=None,
                              token_ttl=timedelta(days=1),
                              pepper=DEV_SECRET, actor=None, now=now)  # fmt: skip
        hotlist = HotList(name="bench", kind="stolen_vehicle", priority=2, created_at=now)
        session.add(hotlist)
        session.flush()
        entries = [EntryIn(plate=f"9HOT{i:03d}", state="CA") for i in range(HOT_ENTRIES)]
        hotlists.add_entries(session, hotlist=hotlist, entries=entries, user=user, now=now)
    engine.dispose()
    return key


def postgres_database() -> tuple[str, callable]:  # type: ignore[valid-type]
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(PG_SERVER)
    name = f"lookout_bench_{uuid.uuid4().hex[:8]}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

    return server.set(database=name).render_as_string(hide_password=False), drop


# --- the load ----------------------------------------------------------------------------------


def read_body(i: int) -> bytes:
    plate = f"9HOT{random.randrange(HOT_ENTRIES):03d}" if i % HIT_EVERY == 0 else f"7{i:06X}"[:7]
    return json.dumps({
        "plate": plate, "state": "CA", "read_at": "2026-11-25T21:40:00Z", "heading": 90,
        "confidence": 0.93, "candidates": [{"plate": plate[:-1] + "8", "confidence": 0.41}],
        "vehicle": {"make": "Honda", "model": "Civic", "color": "silver", "year": 2016},
    }).encode()  # fmt: skip


async def one_sender(
    port: int,
    key: str,
    path: str,
    body_of: Callable[[int], bytes],
    deadline: float,
    latencies: list[float],
    errors: list[int],
    sizes: list[int],
    *,
    stop: threading.Event | None = None,
    starts: list[float] | None = None,
) -> None:
    """Post one body at a time until `deadline` (or `stop`); each 202's latency in `latencies`
    and, when given, its start in `starts`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = random.randrange(1_000_000)
    try:
        while time.perf_counter() < deadline and not (stop and stop.is_set()):
            i += 1
            body = body_of(i)
            head = (
                f"POST {path} HTTP/1.1\r\nHost: bench\r\nX-API-Key: {key}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            started = time.perf_counter()
            writer.write(head.encode() + body)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            status = int(status_line.split()[1])
            if status == 202:
                latencies.append(time.perf_counter() - started)
                sizes.append(len(body))
                if starts is not None:
                    starts.append(started)
            else:
                errors.append(status)
    finally:
        writer.close()


async def one_camera(
    port: int, key: str, deadline: float, latencies: list[float], errors: list[int]
) -> None:
    """A camera posting one read at a time over a kept-alive connection."""
    await one_sender(port, key, "/v1/reads", read_body, deadline, latencies, errors, [])


async def load(
    port: int, key: str, seconds: float, concurrency: int
) -> tuple[float, list[float], list[int]]:
    latencies: list[float] = []
    errors: list[int] = []
    # A short warm-up so the first connections and caches do not count.
    await asyncio.gather(
        *(one_camera(port, key, time.perf_counter() + 0.5, [], []) for _ in range(4))
    )
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(one_camera(port, key, deadline, latencies, errors) for _ in range(concurrency))
    )
    return time.perf_counter() - started, latencies, errors


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not start")


def measure(
    kind: str, database_url: str, key: str, seconds: float, concurrency: int
) -> dict[str, float]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            kind,
            "--port",
            str(port),
            "--database-url",
            database_url,
        ],
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(port, process)
        elapsed, latencies, errors = asyncio.run(load(port, key, seconds, concurrency))
    finally:
        process.terminate()
        process.wait(timeout=30)
    if errors:
        print(f"  {kind}: {len(errors)} non-202 answers, e.g. {errors[:5]}")
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        "reads": len(latencies),
    }


def count_reads(database_url: str) -> int:
    from sqlalchemy import func, select

    from app.db import make_engine, transaction
    from app.models import Read

    engine = make_engine(database_url)
    with transaction(engine) as session:
        count = int(session.scalar(select(func.count()).select_from(Read)) or 0)
    engine.dispose()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--serve", choices=["bare", "lookout"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.database_url)
        return

    print(f"POST /v1/reads, {args.concurrency} cameras posting one read at a time,", end=" ")
    print(f"{args.seconds:.0f} s per target")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        pg_url, drop_pg = postgres_database()
        try:
            keys = {"sqlite": prepare(sqlite_url), "postgresql": prepare(pg_url)}
            bare = measure("bare", sqlite_url, "unused", args.seconds, args.concurrency)
            results = {
                "sqlite": measure(
                    "lookout", sqlite_url, keys["sqlite"], args.seconds, args.concurrency
                ),
                "postgresql": measure(
                    "lookout", pg_url, keys["postgresql"], args.seconds, args.concurrency
                ),
            }
            stored = {"sqlite": count_reads(sqlite_url), "postgresql": count_reads(pg_url)}
        finally:
            drop_pg()
    print(f"{'target':<22}{'reads/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}{'stored':>9}")
    b = bare
    print(f"{'bare FastAPI':<22}{b['rps']:>10.0f}{b['p50_ms']:>9.1f}{b['p99_ms']:>9.1f}", end="")
    print(f"{1:>9.0%}{'-':>9}")
    for name, r in results.items():
        print(f"{'Lookout ' + name:<22}{r['rps']:>10.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
              f"{r['rps'] / bare['rps']:>9.0%}{stored[name]:>9}")  # fmt: skip
    for name, r in results.items():
        if stored[name] < r["reads"]:
            print(f"  WARNING: {name} acknowledged {r['reads']} reads but stored {stored[name]}")


if __name__ == "__main__":
    main()
