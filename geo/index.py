"""An in-memory spatial index of officers' latest positions, for "who is best placed?".

The index is a uniform grid of roughly `cell_m`-square cells on the sphere: latitude bands
`cell_m` tall, each cut into as many equal longitude slices as fit `cell_m` wide at the band's
edge nearest the equator. It works anywhere (poles and the antimeridian included) without a
projection origin. An update moves one entry between two dict buckets: O(1). A query visits
the cells within a growing radius (first `cell_m`; then as far as anyone could be and still
beat the worst of the best found so far, or double while fewer than `limit` are found), scores
candidates nearest first, and stops as soon as nobody unvisited could rank among the best
`limit`. It answers exactly what `geo.ranking.best_placed` answers by scanning everyone (same
officers, same order, same numbers); tests/geo/test_index.py checks that on random fleets.

500 m cells suit a city at any fleet size (measured with bench/routing.py's fleet: a p99 under
1 ms of CPU per query with 200, 2,000 or 20,000 officers; 1 km cells do as well below 2,000).

Threads: every method takes the index's lock, so location updates from request threads and
queries from the ingest thread may run concurrently. A query holds the lock while it scores
candidates (well under a millisecond in a city), so updates wait at most that long.
"""

import heapq
import math
import threading
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime, timedelta

from geo.coords import EARTH_RADIUS_M, Point, distance_m
from geo.motion import Motion
from geo.proximity import Nearby, Position
from geo.ranking import DEFAULT, Ranking, eta_floor, score_at, sort_key

_EPS_DEG = 1e-8  # about a millimetre: keeps float rounding at a cell edge on the safe side

_HALF_EARTH_M = math.pi * EARTH_RADIUS_M  # no two points are further apart

Cell = tuple[int, int]


class OfficerIndex:
    """Latest position per officer. Holds whom the caller puts in: the app keeps it to on-duty
    officers with a working device (`remove` when one goes off duty); staleness is checked per
    query against `now`, and `prune` drops old fixes."""

    def __init__(self, *, cell_m: float = 500.0) -> None:
        if not (math.isfinite(cell_m) and cell_m >= 10.0):
            raise ValueError(f"cell_m must be at least 10 m, got {cell_m}")
        self.cell_m = cell_m
        self._dlat = math.degrees(cell_m / EARTH_RADIUS_M)
        self._bands = math.ceil(180.0 / self._dlat)
        self._equator_band = int(90.0 / self._dlat)
        self._slices: dict[int, int] = {}  # band -> longitude slices in it
        self._cells: dict[Cell, dict[int, Position]] = {}
        self._where: dict[int, tuple[Cell, Position]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, officer_id: object) -> bool:
        return officer_id in self._where

    def get(self, officer_id: int) -> Position | None:
        """The officer's latest indexed position, or None."""
        with self._lock:
            found = self._where.get(officer_id)
        return None if found is None else found[1]

    def upsert(self, position: Position) -> None:
        """Add or replace the officer's position (the last call wins: the caller decides
        which fix is newest, as it does for the database row)."""
        with self._lock:
            cell = self._cell_of(position.point)
            old = self._where.get(position.officer_id)
            if old is not None and old[0] != cell:
                self._drop(old[0], position.officer_id)
            self._cells.setdefault(cell, {})[position.officer_id] = position
            self._where[position.officer_id] = (cell, position)

    def remove(self, officer_id: int) -> bool:
        """Forget the officer (off duty, device gone). False if they were not indexed."""
        with self._lock:
            old = self._where.pop(officer_id, None)
            if old is None:
                return False
            self._drop(old[0], officer_id)
            return True

    def replace_all(self, positions: Iterable[Position]) -> None:
        """Rebuild from scratch, e.g. from the database after another process changed duty."""
        fresh = OfficerIndex(cell_m=self.cell_m)
        for position in positions:
            fresh.upsert(position)
        with self._lock:
            self._cells, self._where = fresh._cells, fresh._where

    def prune(self, *, now: datetime, older_than: timedelta) -> int:
        """Drop fixes recorded before `now - older_than`; returns how many went."""
        oldest = now - older_than
        with self._lock:
            stale = [i for i, (_, p) in self._where.items() if p.recorded_at < oldest]
            for officer_id in stale:
                self._drop(self._where.pop(officer_id)[0], officer_id)
        return len(stale)

    def positions(self) -> list[Position]:
        """A snapshot of every indexed position, in no particular order."""
        with self._lock:
            return [p for _, p in self._where.values()]

    def nearest(
        self,
        point: Point,
        *,
        now: datetime,
        radius_m: float,
        fresh_for: timedelta,
        limit: int,
        motion: Motion | None = None,
        ranking: Ranking | None = DEFAULT,
        exclude: Collection[int] = (),
    ) -> list[Nearby]:
        """The `limit` best-placed officers with a fix no older than `fresh_for` within
        `radius_m` of `point`, best first, exactly as `geo.ranking.best_placed` ranks them:
        by eta toward a car at `point` moving with `motion` (`ranking=None`: by distance).
        """
        if limit <= 0 or not radius_m >= 0.0:
            return []
        oldest = now - fresh_for
        # Nobody at distance d can arrive in less than d / fastest seconds (Ranking.fastest_mps).
        fastest = 1.0 if ranking is None else ranking.fastest_mps(motion)
        seen: set[Cell] = set()
        worst_first: list[tuple[float, float, int, Nearby]] = []  # the best `limit`, negated
        r = min(self.cell_m, radius_m)
        with self._lock:
            while True:
                ring: list[tuple[float, Position]] = []
                for cell in self._cells_within(point, r):
                    if cell in seen:
                        continue
                    seen.add(cell)
                    for position in self._cells.get(cell, {}).values():
                        if position.recorded_at < oldest or position.officer_id in exclude:
                            continue
                        d = distance_m(position.point, point)
                        if d <= radius_m:
                            ring.append((d, position))
                # Nearest first, so the best fill up early and the rest are cut off unscored.
                ring.sort(key=_first)
                for d, position in ring:
                    full = len(worst_first) == limit
                    if full:
                        if d / fastest > -worst_first[0][0]:
                            break  # neither this one nor anyone further can beat the worst
                        if eta_floor(position, d, motion, ranking) > -worst_first[0][0]:
                            continue
                    n = score_at(position, point, motion, ranking, d)
                    primary, _, officer_id = sort_key(n)
                    item = (-primary, -d, -officer_id, n)
                    if not full:
                        heapq.heappush(worst_first, item)
                    elif item[:3] > worst_first[0][:3]:
                        heapq.heapreplace(worst_first, item)
                if r >= radius_m:
                    break
                # Everyone unvisited is further than r, so ranks after (r / fastest, r).
                grow = 2.0 * r
                if len(worst_first) == limit:
                    worst = worst_first[0]
                    if (-worst[0], -worst[1]) <= (r / fastest, r):
                        break
                    # Nobody beyond this reach can displace the current worst of the best.
                    grow = max(1.25 * r, -worst[0] * fastest)
                r = min(grow, radius_m)
                if r >= _HALF_EARTH_M:
                    r = radius_m  # the whole sphere: one last round over every cell
        return [n for *_, n in sorted(worst_first, reverse=True)]

    def _cell_of(self, point: Point) -> Cell:
        band = min(self._bands - 1, int((point.lat + 90.0) / self._dlat))
        n = self._slices_in(band)
        return band, int((point.lon + 180.0) / 360.0 * n) % n

    def _slices_in(self, band: int) -> int:
        n = self._slices.get(band)
        if n is None:
            south = -90.0 + band * self._dlat
            nearest_equator = min(max(0.0, south), south + self._dlat)
            width = math.cos(math.radians(nearest_equator)) * 360.0
            n = self._slices[band] = max(1, int(width / self._dlat))
        return n

    def _cells_within(self, point: Point, radius_m: float) -> Iterator[Cell]:
        """Every cell that may hold a point within `radius_m` of `point` (a spherical cap's
        bounding box, so never one too few)."""
        rho = radius_m / EARTH_RADIUS_M
        dlat = math.degrees(rho) + _EPS_DEG
        south, north = point.lat - dlat, point.lat + dlat
        whole_ring = south <= -90.0 or north >= 90.0 or rho >= math.pi / 2
        dlon = 180.0
        if not whole_ring:
            ratio = math.sin(rho) / math.cos(math.radians(point.lat))
            dlon = 180.0 if ratio >= 1.0 else math.degrees(math.asin(ratio)) + _EPS_DEG
        first = max(0, int((max(-90.0, south) + 90.0) / self._dlat))
        last = min(self._bands - 1, int((min(90.0, north) + 90.0) / self._dlat))
        widest = max(self._slices_in(first), self._slices_in(last))
        if first <= self._equator_band <= last:
            widest = self._slices_in(self._equator_band)
        if (last - first + 1) * min(widest, math.ceil(2 * dlon / 360.0 * widest) + 1) > len(
            self._cells
        ):
            # A wide search in a sparse index: the occupied cells are fewer than the box's.
            yield from list(self._cells)
            return
        for band in range(first, last + 1):
            n = self._slices_in(band)
            west = math.floor((point.lon - dlon + 180.0) / 360.0 * n)
            east = math.floor((point.lon + dlon + 180.0) / 360.0 * n)
            if dlon >= 180.0 or east - west + 1 >= n:
                yield from ((band, j) for j in range(n))
            else:
                yield from ((band, j % n) for j in range(west, east + 1))

    def _drop(self, cell: Cell, officer_id: int) -> None:
        bucket = self._cells.get(cell)
        if bucket is not None:
            bucket.pop(officer_id, None)
            if not bucket:
                del self._cells[cell]


def _first(pair: tuple[float, Position]) -> float:
    return pair[0]
