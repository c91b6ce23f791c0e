"""Vendor intake throughput: OpenALPR `alpr_group` messages with inline images (POST
/v1/intake/openalpr) against our own JSON reads (POST /v1/reads), in the same run, on SQLite
and PostgreSQL.

    .venv/bin/python bench/intake.py                # 8 s per target, 64 concurrent senders
    .venv/bin/python bench/intake.py --seconds 3    # a quick look

Each target is a fresh `lookout` uvicorn process; this process is the load, as in
bench/ingest.py: keep-alive connections, each posting one message at a time. A group carries a
plate crop and a vehicle crop as base64 (about 8 KB and 40 KB of JPEG, 64 KB of body), as real
agents send them, from 32 cameras of 8 agents; every group is a new vehicle. Intake does more
per read than /v1/reads (a 40x larger body, base64 decoding, a file written, vendor ids
claimed), so the ratio says what that costs. Machines here are shared and noisy: only the
ratios mean much.
"""

import argparse
import asyncio
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import (  # noqa: E402 - after the path is set
    HIT_EVERY,
    HOT_ENTRIES,
    free_port,
    one_sender,
    postgres_database,
    read_body,
    wait_up,
)
from bench.ingest import prepare as prepare_database  # noqa: E402

AGENTS, CAMERAS_PER_AGENT = 8, 4
PLATE_CROP = base64.b64encode(b"\xff\xd8\xff\xe0" + os.urandom(8 * 1024)).decode()
VEHICLE_CROP = base64.b64encode(b"\xff\xd8\xff\xe0" + os.urandom(40 * 1024)).decode()


def group_body(i: int) -> bytes:
    """An agent v2 `alpr_group`, as in the vendor's documentation, with real-sized images."""
    plate = f"9HOT{random.randrange(HOT_ENTRIES):03d}" if i % HIT_EVERY == 0 else f"7{i:06X}"[:7]
    agent = f"agent-{i % AGENTS:02d}"
    epoch_ms = 1_795_000_000_000 + i * 37
    frames = [f"{agent}-{i % CAMERAS_PER_AGENT}-{epoch_ms - d}" for d in (120, 60, 0)]
    candidates = [
        {"plate": plate, "confidence": 93.1, "matches_template": 1},
        {"plate": plate[:-1] + "8", "confidence": 80.2, "matches_template": 0},
    ]
    return json.dumps({
        "data_type": "alpr_group", "version": 2, "agent_uid": agent, "agent_type": "alprd",
        "camera_id": i % CAMERAS_PER_AGENT, "company_id": "bench", "country": "us",
        "epoch_start": epoch_ms - 120, "epoch_end": epoch_ms, "best_uuid": f"{uuid.uuid4()}",
        "uuids": frames, "plate_indexes": [0, 0, 0], "best_plate_number": plate,
        "best_confidence": 93.1, "best_region": "us-ca", "best_region_confidence": 91.0,
        "candidates": candidates, "travel_direction": 92.5, "gps_latitude": 0, "gps_longitude": 0,
        "best_plate": {"plate": plate, "confidence": 93.1, "region": "us-ca",
                       "region_confidence": 91, "candidates": candidates,
                       "plate_crop_jpeg": PLATE_CROP},
        "vehicle_crop_jpeg": VEHICLE_CROP,
        "vehicle": {"make": [{"name": "honda", "confidence": 71.2}],
                    "make_model": [{"name": "honda_civic", "confidence": 55.0}],
                    "color": [{"name": "silver-gray", "confidence": 80.0}],
                    "body_type": [{"name": "sedan-standard", "confidence": 88.0}]},
    }).encode()  # fmt: skip


TARGETS: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "JSON reads": ("/v1/reads", read_body),
    "alpr_group + images": ("/v1/intake/openalpr", group_body),
}


# --- the server ------------------------------------------------------------------------------


def serve(port: int, database_url: str, data_dir: str) -> None:
    import uvicorn

    from app import logs
    from app.main import create_app
    from app.settings import Settings

    logs.configure("WARNING")
    settings = Settings(
        database_url=database_url, data_dir=Path(data_dir), push_sender="log", fcm_inbox=False
    )
    uvicorn.run(
        create_app(settings), host="127.0.0.1", port=port, access_log=False, log_config=None
    )


def prepare(database_url: str) -> str:
    """Migrate; a site camera whose key may create cameras, and a hot list. Returns the key."""
    return prepare_database(database_url, camera="bench site", may_create_cameras=True)


# --- the load ----------------------------------------------------------------------------------


async def load(
    port: int, key: str, path: str, body_of: Callable[[int], bytes], seconds: float, senders: int
) -> tuple[float, list[float], list[int], list[int]]:
    latencies: list[float] = []
    errors: list[int] = []
    sizes: list[int] = []
    warm = time.perf_counter() + 0.5  # the first connections, caches and cameras do not count
    await asyncio.gather(
        *(one_sender(port, key, path, body_of, warm, [], [], []) for _ in range(4))
    )
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            one_sender(port, key, path, body_of, deadline, latencies, errors, sizes)
            for _ in range(senders)
        )
    )
    return time.perf_counter() - started, latencies, errors, sizes


def measure(
    database_url: str, key: str, target: str, seconds: float, senders: int, data_dir: str
) -> dict[str, float]:
    path, body_of = TARGETS[target]
    port = free_port()
    command = [sys.executable, __file__, "--serve", "--port", str(port),
               "--database-url", database_url, "--data-dir", data_dir]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        wait_up(port, process)
        elapsed, latencies, errors, sizes = asyncio.run(
            load(port, key, path, body_of, seconds, senders)
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
    if errors:
        print(f"  {target}: {len(errors)} non-202 answers, e.g. {errors[:5]}")
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        "mb_s": sum(sizes) / elapsed / 1e6,
    }


def counts(database_url: str, data_dir: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from app.db import make_engine, transaction
    from app.models import Read

    engine = make_engine(database_url)
    with transaction(engine) as session:
        reads = int(session.scalar(select(func.count()).select_from(Read)) or 0)
    engine.dispose()
    return reads, sum(1 for _ in (Path(data_dir) / "images").rglob("*.jpg"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--port", type=int)
    parser.add_argument("--database-url")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    if args.serve:
        serve(args.port, args.database_url, args.data_dir)
        return

    print(f"{args.concurrency} senders posting one message at a time, {args.seconds:.0f} s per")
    print(f"target; an alpr_group body is {len(group_body(1)) / 1024:.0f} KB, a JSON read", end="")
    print(f" {len(read_body(1))} bytes")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pg_url, drop_pg = postgres_database()
        try:
            for backend, url in (("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}"),
                                 ("postgresql", pg_url)):  # fmt: skip
                key = prepare(url)
                data_dir = str(Path(tmp) / backend)
                results = {
                    target: measure(url, key, target, args.seconds, args.concurrency, data_dir)
                    for target in TARGETS
                }
                reads, images = counts(url, data_dir)
                rows.append((backend, results, reads, images))
        finally:
            drop_pg()
    print(f"{'target':<34}{'msgs/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'MB/s in':>9}{'vs JSON':>9}")
    for backend, results, reads, images in rows:
        json_rps = results["JSON reads"]["rps"]
        for target, r in results.items():
            print(f"{target + ' (' + backend + ')':<34}{r['rps']:>9.0f}{r['p50_ms']:>9.1f}"
                  f"{r['p99_ms']:>9.1f}{r['mb_s']:>9.1f}{r['rps'] / json_rps:>9.0%}")  # fmt: skip
        print(f"  {backend}: {reads} reads stored, {images} image files written")


if __name__ == "__main__":
    main()
