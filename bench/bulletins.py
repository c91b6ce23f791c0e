"""The cost of the live bulletin watch on read ingestion: 200 active bulletins against none, in
one run, on SQLite and PostgreSQL.

    .venv/bin/python bench/bulletins.py                 # 9 rounds of 2,000 reads per setup
    .venv/bin/python bench/bulletins.py --rounds 3      # a quick look

In-process, on the writer path: reads go to `IngestWriter.submit_nowait` in waves of 64
single-read jobs, which the writer group-commits as it does for 64 cameras posting over HTTP,
and each wave is waited for. HTTP parsing and camera authentication are left out on purpose:
they cost the same with or without bulletins and would only dilute the ratio. Three setups, on
databases prepared alike, rounds interleaved so a noisy shared machine hits all of them alike:

    no watch        the writer without the bulletin hook (as before bulletins existed)
    0 bulletins     the watch attached, nothing active (every deployment most of the time)
    200 bulletins   partial and full plates, description-only; circles 1-3 km across a city

The reads look like bench/ingest.py's (a plate, an OCR candidate, a heading; a third with make,
model and colour) from cameras spread over the same city. The bulletins: a fifth full plates, a
quarter "starts with" (7ABC*), most of the rest with 2 or 3 unknown positions, one in twenty
make, model and colour only. A few reads fit one now and then, and those alerts and pushes are
part of the cost. Then the watch alone (`BulletinWatch.fits`: index probes and rules, nothing
stored), in microseconds per read.

Machines here are shared: other work moves wall-clock rates by tens of percent from one round
to the next. So rounds rotate the order of the setups, ratios are taken between the setups of
one round (median over rounds), and process CPU per read, which others' load moves far less,
is printed beside throughput.
"""

import argparse
import os
import random
import statistics
import string
import sys
import tempfile
import time
import uuid
from concurrent.futures import Future
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get(
    "LOOKOUT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
CITY = (37.8044, -122.2712)
BULLETINS = 200
CAMERAS = 40
WAVE = 64  # concurrent single-read jobs, as 64 cameras posting at once
MAKES = ["Honda", "Toyota", "Ford", "Chevrolet", "Nissan", "Hyundai", "Kia", "Subaru", "BMW",
         "Tesla", "Dodge", "Jeep", "Mazda", "Volkswagen", "Lexus", "GMC", "Ram", "Audi",
         "Acura", "Buick"]  # fmt: skip
COLOURS = ["white", "black", "silver", "grey", "blue", "red", "green", "beige"]
MODELS = 20  # per make


def plate(rng: random.Random) -> str:
    """A California-style plate: digit, three letters, three digits."""
    letters = "".join(rng.choices(string.ascii_uppercase, k=3))
    return f"{rng.randint(1, 9)}{letters}{rng.randint(0, 999):03d}"


def pattern(rng: random.Random, i: int) -> str:
    """A fifth full plates, a third "starts with" (7ABC*), the rest 2 or 3 unknown positions."""
    full = plate(rng)
    if i % 5 == 0:
        return full
    if i % 3 == 0:
        return full[:4] + "*"
    hidden = rng.sample(range(1, 7), k=2 + i % 2)
    return "".join("?" if k in hidden else ch for k, ch in enumerate(full))


def near(rng: random.Random, spread_deg: float = 0.06) -> tuple[float, float]:
    return CITY[0] + rng.uniform(-spread_deg, spread_deg), CITY[1] + rng.uniform(
        -spread_deg, spread_deg
    )


def prepare(database_url: str, *, bulletins: int, seed: int) -> list[Any]:
    """Migrate; cameras, an admin, an officer on duty; `bulletins` active bulletins. Returns the
    cameras (as the writer takes them)."""
    from app import migrate
    from app.auth.accounts import create_camera, create_user
    from app.bulletins import service
    from app.bulletins.push import BulletinContext
    from app.bulletins.rules import Rules
    from app.clock import system_clock
    from app.db import make_engine, transaction
    from app.models import Role
    from app.officers.tracker import OfficerTracker
    from app.reads.cameras import CameraRef
    from app.runtime import alert_settings
    from app.schemas.bulletins import BulletinCreate
    from app.settings import DEV_SECRET, Settings

    rng = random.Random(seed)
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    now = system_clock()
    cameras = []
    context = BulletinContext(
        rules=Rules(), alerts=alert_settings(Settings()),
        officers=OfficerTracker(fresh_for=timedelta(minutes=5)), beats=None,
    )  # fmt: skip
    with transaction(engine) as session:
        admin, _ = create_user(session, name="bench", role=Role.ADMIN, badge=None,
                               token_ttl=timedelta(days=1),
                               pepper=DEV_SECRET, actor=None, now=now)  # fmt: skip
        for i in range(CAMERAS):
            lat, lon = near(rng)
            camera, _ = create_camera(session, name=f"cam {i}", lat=lat, lon=lon,
                                      heading_deg=rng.choice([0, 90, 180, 270]),
                                      pepper=DEV_SECRET, actor=None, now=now)  # fmt: skip
            cameras.append(CameraRef(camera.id, camera.name, lat, lon, camera.heading_deg))  # type: ignore[arg-type]
        for i in range(bulletins):
            lat, lon = near(rng)
            vehicle: dict[str, Any] = {"make": rng.choice(MAKES), "color": rng.choice(COLOURS),
                                       "model": f"M{rng.randrange(MODELS)}"}  # fmt: skip
            if i % 20:  # one in twenty has no plate: make, model and colour only
                vehicle["plate_pattern"] = pattern(rng, i)
            body = BulletinCreate.model_validate(
                {
                    "kind": rng.choice(["robbery", "carjacking", "stolen_vehicle", "other"]),
                    "narrative": f"bench bulletin {i}",
                    "priority": rng.choice([1, 2, 3]),
                    "occurred_at": (now - timedelta(minutes=rng.uniform(0, 30))).isoformat(),
                    "direction": rng.choice(["north", "east", "south", "west", None]),
                    "vehicle": vehicle,
                    "area": {
                        "center": {"lat": lat, "lon": lon},
                        "radius_m": rng.uniform(1000, 3000),
                    },
                }
            )
            service.create(session=session, data=body, author=admin, now=now, ctx=context)
    engine.dispose()
    return cameras


def read_row(rng: random.Random, camera: Any) -> dict[str, Any]:
    from app.reads import rows
    from lpr import Candidate, Read, VehicleSeen

    text = plate(rng)
    vehicle = VehicleSeen()
    if rng.random() < 0.33:
        vehicle = VehicleSeen(
            make=rng.choice(MAKES), model=f"M{rng.randrange(MODELS)}", color=rng.choice(COLOURS)
        )
    read = Read(
        plate=text, state="CA", confidence=0.93, vehicle=vehicle,
        candidates=(Candidate(text[:-1] + "8", 0.41),),
    )  # fmt: skip
    return rows.row_of(read, camera, beats=None)


def writer(database_url: str, *, watch: bool) -> tuple[Any, Any]:
    from app.bulletins.push import BulletinContext
    from app.bulletins.watch import BulletinWatch
    from app.clock import system_clock
    from app.db import make_engine
    from app.hotlists.index import HotListIndex
    from app.officers.tracker import OfficerTracker
    from app.reads.writer import IngestWriter
    from app.runtime import alert_settings, bulletin_rules
    from app.settings import Settings

    settings = Settings(database_url=database_url)
    officers = OfficerTracker(fresh_for=timedelta(seconds=settings.routing.location_fresh_s))
    context = BulletinContext(
        rules=bulletin_rules(settings), alerts=alert_settings(settings), officers=officers,
        beats=None, notify_margin_m=settings.bulletins.notify_margin_m,
    )  # fmt: skip
    bulletins = BulletinWatch(context) if watch else None
    engine = make_engine(database_url, pool_pre_ping=False)
    ingest = IngestWriter(
        engine=engine, index=HotListIndex(), alert_settings=context.alerts, officers=officers,
        clock=system_clock, max_batch_rows=settings.ingest.max_batch, bulletins=bulletins,
    )  # fmt: skip
    ingest.start()
    return ingest, engine


def one_round(
    ingest: Any, cameras: list[Any], reads: int, rng: random.Random
) -> tuple[float, float]:
    """Wall and process CPU seconds to store `reads` reads in waves of WAVE concurrent
    single-read jobs (CPU: every thread of this process, SQLite included, PostgreSQL not)."""
    started, cpu = time.perf_counter(), time.process_time()
    done = 0
    while done < reads:
        futures: list[Future[Any]] = []
        for _ in range(min(WAVE, reads - done)):
            camera = rng.choice(cameras)
            futures.append(ingest.submit_nowait(camera, [read_row(rng, camera)]))
        for future in futures:
            future.result(timeout=60)
        done += len(futures)
    return time.perf_counter() - started, time.process_time() - cpu


def watch_alone(database_url: str, cameras: list[Any], reads: int) -> float:
    """Microseconds per read of the watch's own work (`BulletinWatch.fits`: index probes and
    the rules for the few bulletins a read points at), without storing anything."""
    from sqlmodel import Session

    from app.bulletins.push import BulletinContext
    from app.bulletins.watch import BulletinWatch
    from app.clock import system_clock
    from app.db import make_engine
    from app.officers.tracker import OfficerTracker
    from app.runtime import alert_settings, bulletin_rules
    from app.settings import Settings

    settings = Settings(database_url=database_url)
    context = BulletinContext(
        rules=bulletin_rules(settings), alerts=alert_settings(settings),
        officers=OfficerTracker(fresh_for=timedelta(minutes=5)), beats=None,
    )  # fmt: skip
    watch = BulletinWatch(context)
    engine = make_engine(database_url)
    now = system_clock()
    with Session(engine) as session, session.begin():
        watch.refresh(session, now, force=True)
    engine.dispose()
    rng = random.Random(7)
    rows = [read_row(rng, rng.choice(cameras)) | {"read_at": now} for _ in range(reads)]
    ids = list(range(1, reads + 1))
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        watch.fits(rows, ids, now)
        timings.append((time.perf_counter() - started) / reads * 1e6)
    return statistics.median(timings)


def postgres_database() -> tuple[str, Any]:
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


def bench(backend: str, urls: dict[str, str], rounds: int, reads: int) -> None:
    import logging

    logging.disable(logging.INFO)  # a log line per alert would measure the log handler
    cameras = prepare(urls["empty"], bulletins=0, seed=1)
    prepare(urls["busy"], bulletins=BULLETINS, seed=1)
    setups = {
        "no watch": writer(urls["empty"], watch=False),
        "0 bulletins": writer(urls["empty"], watch=True),
        f"{BULLETINS} bulletins": writer(urls["busy"], watch=True),
    }
    rng = random.Random(3)
    for ingest, _ in setups.values():
        one_round(ingest, cameras, 256, rng)  # warm-up: pools, caches, the watch's first load
    wall: dict[str, list[float]] = {name: [] for name in setups}
    cpu: dict[str, list[float]] = {name: [] for name in setups}
    names = list(setups)
    for r in range(rounds):
        for name in names[r % 3 :] + names[: r % 3]:  # rotated: no setup always goes first
            seconds, cpu_seconds = one_round(setups[name][0], cameras, reads, rng)
            wall[name].append(seconds)
            cpu[name].append(cpu_seconds)
    for ingest, engine in setups.values():
        ingest.stop()
        engine.dispose()
    print(f"\n{backend}: {rounds} rounds of {reads} reads per setup, order rotated")
    print(f"  {'setup':<16}{'reads/s':>9}{'CPU µs/read':>13}   vs 0 bulletins: "
          "throughput, CPU (median of per-round ratios)")  # fmt: skip
    for name in names:
        rate = reads / statistics.median(wall[name])
        per_read = statistics.median(cpu[name]) / reads * 1e6
        base_wall, base_cpu = wall["0 bulletins"], cpu["0 bulletins"]
        speed = statistics.median(b / a for a, b in zip(wall[name], base_wall, strict=True))
        cost = statistics.median(a / b for a, b in zip(cpu[name], base_cpu, strict=True))
        print(f"  {name:<16}{rate:>9.0f}{per_read:>13.1f}   {speed:>8.1%} {cost:>8.1%}")
    matched = count_matches(urls["busy"])
    print(f"  reads that fitted a bulletin (alerted and pushed): {matched}")
    for label, url in (("0 bulletins", urls["empty"]), (f"{BULLETINS} bulletins", urls["busy"])):
        print(f"  watch alone, {label}: {watch_alone(url, cameras, 2000):.1f} µs per read")
    logging.disable(logging.NOTSET)


def count_matches(database_url: str) -> int:
    from sqlalchemy import func, select

    from app.db import make_engine, transaction
    from app.models import BulletinMatch

    engine = make_engine(database_url)
    with transaction(engine) as session:
        count = int(
            session.scalar(
                select(func.count())
                .select_from(BulletinMatch)
                .where(BulletinMatch.source == "live")
            )
            or 0
        )
    engine.dispose()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--reads", type=int, default=2000, help="reads per round and setup")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(f"Live bulletin watch: {BULLETINS} active bulletins vs none, writer path, waves of "
          f"{WAVE} concurrent single-read jobs")  # fmt: skip
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            urls = {k: f"sqlite:///{Path(tmp) / k}.db" for k in ("empty", "busy")}
            bench("SQLite", urls, args.rounds, args.reads)
    if args.backend in ("postgresql", "both"):
        empty, drop_empty = postgres_database()
        busy, drop_busy = postgres_database()
        try:
            bench("PostgreSQL", {"empty": empty, "busy": busy}, args.rounds, args.reads)
        finally:
            drop_empty()
            drop_busy()


if __name__ == "__main__":
    main()
