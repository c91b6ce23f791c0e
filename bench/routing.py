"""Routing bench: nearest-N queries over live officer positions while updates stream in.

    .venv/bin/python bench/routing.py                            # 20,000 officers, 10 s a phase
    .venv/bin/python bench/routing.py --officers 5000 --seconds 3   # a quick run

Officers patrol Oakland (uniformly inside the city boundary from ../shared/data/oakland, or a
20 km square around downtown when the file is absent) at 0-15 m/s, each turning a little
between fixes. An updater thread applies `--updates` location updates per second, round-robin
over the fleet, as phones and vehicle gateways would. Meanwhile the main thread asks for the
best-placed 5 officers within 5 km of a random point, half the time for a car with a known
heading and speed. Two phases, each `--seconds` long with the same update stream:

  index   geo.index.OfficerIndex.nearest, ranked by eta (what routing uses)
  scan    geo.proximity.nearest over every position: the brute-force baseline

Printed per phase: queries run; wall-clock p50/p99/max per query; the query thread's CPU time
p50/p99 (wall minus CPU is time spent waiting: for the updater thread's turn with the GIL, or
for a core on a busy machine); updates applied per second. Then the ratio of the two phases'
wall-clock latencies, and the index's raw upsert rate with no queries running.
"""

import argparse
import json
import math
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shapely  # type: ignore[import-untyped]

from geo import Motion, OfficerIndex, Point, Position
from geo.motion import project
from geo.proximity import nearest

BOUNDARY = Path(__file__).resolve().parents[2] / "shared/data/oakland/oakland-city-boundary.geojson"
DOWNTOWN = Point(37.8044, -122.2711)
FRESH = timedelta(minutes=5)
RADIUS_M = 5000.0
LIMIT = 5
TARGET_P99_MS = 5.0


class Area:
    """Where officers patrol and cars are read: a polygon, or a square around downtown."""

    def __init__(self) -> None:
        if BOUNDARY.exists():
            with open(BOUNDARY, encoding="utf-8") as file:
                feature = json.load(file)["features"][0]
            self.shape = shapely.geometry.shape(feature["geometry"])
            self.name = "inside Oakland's city boundary"
        else:
            half = 10_000 / 111_195
            lat, lon = DOWNTOWN.lat, DOWNTOWN.lon
            wide = half / math.cos(math.radians(lat))
            self.shape = shapely.box(lon - wide, lat - half, lon + wide, lat + half)
            self.name = "in a 20 km square around downtown Oakland"
        shapely.prepare(self.shape)
        self.west, self.south, self.east, self.north = self.shape.bounds

    def contains(self, p: Point) -> bool:
        return bool(shapely.contains_xy(self.shape, p.lon, p.lat))

    def random_point(self, rng: random.Random) -> Point:
        while True:
            p = Point(rng.uniform(self.south, self.north), rng.uniform(self.west, self.east))
            if self.contains(p):
                return p


class Fleet:
    """The latest position of every officer, moved on each update; `latest` is a list so the
    scan can read it while the updater writes (each slot is replaced in one step)."""

    def __init__(self, n: int, area: Area, rng: random.Random, now: datetime) -> None:
        self.area, self.rng = area, rng
        self.latest = [
            Position(i, area.random_point(rng), now, rng.uniform(0, 360), rng.uniform(0, 15))
            for i in range(n)
        ]
        self.turn = 0

    def move_next(self, now: datetime) -> Position:
        old = self.latest[self.turn]
        self.turn = (self.turn + 1) % len(self.latest)
        heading = ((old.heading_deg or 0.0) + self.rng.gauss(0, 30)) % 360.0
        speed = min(15.0, max(0.0, (old.speed_mps or 0.0) + self.rng.gauss(0, 2)))
        seconds = max(0.0, (now - old.recorded_at).total_seconds())
        point = project(old.point, heading, speed, seconds)
        if not self.area.contains(point):  # turn back at the city limit
            heading, point = (heading + 180.0) % 360.0, old.point
        new = Position(old.officer_id, point, now, heading, speed)
        self.latest[old.officer_id] = new
        return new


class Updater(threading.Thread):
    """Applies `rate` updates a second to the fleet and the index until stopped."""

    def __init__(self, fleet: Fleet, index: OfficerIndex, rate: float) -> None:
        super().__init__(daemon=True)
        self.fleet, self.index, self.rate = fleet, index, rate
        self.applied = 0
        self.running = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        started = time.perf_counter()
        self.running.set()
        while not self.stopping.is_set():
            due = int((time.perf_counter() - started) * self.rate)
            now = datetime.now(UTC)
            while self.applied < due:
                self.index.upsert(self.fleet.move_next(now))
                self.applied += 1
            time.sleep(0.001)


def queries(area: Area, rng: random.Random) -> Callable[[], tuple[Point, Motion | None]]:
    def next_query() -> tuple[Point, Motion | None]:
        car = area.random_point(rng)
        if rng.random() < 0.5:
            return car, None
        return car, Motion(rng.uniform(0, 360), rng.uniform(0, 25))

    return next_query


def phase(
    name: str,
    ask: Callable[[Point, Motion | None, datetime], object],
    *,
    fleet: Fleet,
    index: OfficerIndex,
    args: argparse.Namespace,
    next_query: Callable[[], tuple[Point, Motion | None]],
) -> tuple[float, float]:
    """Run queries for `args.seconds` while the updater runs; print and return wall p50, p99."""
    updater = Updater(fleet, index, args.updates)
    updater.start()
    updater.running.wait()
    wall_ms: list[float] = []
    cpu_ms: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < args.seconds:
        car, motion = next_query()
        now = datetime.now(UTC)
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        ask(car, motion, now)
        cpu_ms.append((time.thread_time_ns() - c0) / 1e6)
        wall_ms.append((time.perf_counter_ns() - t0) / 1e6)
    elapsed = time.perf_counter() - started
    updater.stopping.set()
    updater.join()
    wall = statistics.quantiles(wall_ms, n=100, method="inclusive")
    cpu = statistics.quantiles(cpu_ms, n=100, method="inclusive")
    print(
        f"{name:<7}{len(wall_ms):>8,}{wall[49]:>9.3f}{wall[98]:>9.3f}{max(wall_ms):>9.3f}"
        f"{cpu[49]:>9.3f}{cpu[98]:>9.3f}{updater.applied / elapsed:>12,.0f}"
    )
    return wall[49], wall[98]


def raw_upserts(fleet: Fleet, index: OfficerIndex, n: int) -> float:
    now = datetime.now(UTC)
    moved = [fleet.move_next(now) for _ in range(n)]
    t0 = time.perf_counter()
    for position in moved:
        index.upsert(position)
    return n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--officers", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--updates", type=float, default=2_000.0, help="location updates/s")
    parser.add_argument("--cell-m", type=float, default=500.0, help="index grid cell size")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    area = Area()
    fleet = Fleet(args.officers, area, rng, datetime.now(UTC))
    index = OfficerIndex(cell_m=args.cell_m)
    for position in fleet.latest:
        index.upsert(position)
    next_query = queries(area, rng)

    def ask_index(car: Point, motion: Motion | None, now: datetime) -> object:
        return index.nearest(
            car, now=now, radius_m=RADIUS_M, fresh_for=FRESH, limit=LIMIT, motion=motion
        )

    def ask_scan(car: Point, motion: Motion | None, now: datetime) -> object:
        return nearest(car, fleet.latest, now=now, radius_m=RADIUS_M, fresh_for=FRESH, limit=LIMIT)

    print(
        f"{args.officers:,} on-duty officers {area.name}; {args.updates:,.0f} updates/s; "
        f"best {LIMIT} within {RADIUS_M / 1000:g} km; grid cell {args.cell_m:g} m; "
        f"{args.seconds:g} s per phase"
    )
    print(f"{'':<7}{'':>8}{'wall-clock ms':>27}{'CPU ms':>18}")
    print(
        f"{'':<7}{'queries':>8}{'p50':>9}{'p99':>9}{'max':>9}{'p50':>9}{'p99':>9}{'updates/s':>12}"
    )
    for _ in range(200):  # warm caches before timing
        car, motion = next_query()
        ask_index(car, motion, datetime.now(UTC))
    options = {"fleet": fleet, "index": index, "args": args, "next_query": next_query}
    fast = phase("index", ask_index, **options)  # type: ignore[arg-type]
    slow = phase("scan", ask_scan, **options)  # type: ignore[arg-type]
    print(f"scan / index: {slow[0] / fast[0]:,.0f}x at p50, {slow[1] / fast[1]:,.0f}x at p99")
    rate = raw_upserts(fleet, index, min(200_000, 10 * args.officers))
    print(f"index upserts with no queries running: {rate:,.0f}/s")
    verdict = "met" if fast[1] < TARGET_P99_MS else "NOT met"
    print(f"target p99 < {TARGET_P99_MS:g} ms while {args.updates:,.0f} updates/s: {verdict}")


if __name__ == "__main__":
    main()
