"""The officer index answers exactly what a scan of every position answers."""

import math
import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import Motion, OfficerIndex, Point, Position, Ranking, distance_m
from geo.motion import project
from geo.ranking import best_placed

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
FRESH = timedelta(minutes=5)
DOWNTOWN = Point(37.8044, -122.2711)


def at(officer_id: int, point: Point, *, age_s: float = 5.0, **motion: float) -> Position:
    return Position(officer_id, point, NOW - timedelta(seconds=age_s), **motion)


def ids(index: OfficerIndex, point: Point = DOWNTOWN, **kwargs: object) -> list[int]:
    options: dict[str, object] = {"radius_m": 5000.0, "fresh_for": FRESH, "limit": 5}
    options.update(kwargs)
    return [n.officer_id for n in index.nearest(point, now=NOW, **options)]  # type: ignore[arg-type]


def test_an_update_moves_the_officer_and_remove_forgets_them() -> None:
    index = OfficerIndex(cell_m=200.0)
    index.upsert(at(1, project(DOWNTOWN, 0.0, 300.0, 1.0)))
    index.upsert(at(2, project(DOWNTOWN, 90.0, 600.0, 1.0)))
    assert ids(index) == [1, 2]

    index.upsert(at(1, project(DOWNTOWN, 0.0, 9000.0, 1.0)))  # drove out of range
    assert ids(index) == [2]
    assert len(index) == 2 and 1 in index

    assert index.remove(2) is True
    assert index.remove(2) is False
    assert ids(index) == []
    assert index.get(2) is None and index.get(1) is not None


def test_stale_fixes_are_skipped_at_query_time_and_pruned_on_request() -> None:
    index = OfficerIndex()
    index.upsert(at(1, DOWNTOWN, age_s=400.0))
    index.upsert(at(2, project(DOWNTOWN, 0.0, 50.0, 1.0)))
    assert ids(index) == [2]
    assert index.prune(now=NOW, older_than=FRESH) == 1
    assert [p.officer_id for p in index.positions()] == [2]


def test_replace_all_rebuilds_the_index() -> None:
    index = OfficerIndex()
    index.upsert(at(1, DOWNTOWN))
    index.replace_all([at(2, DOWNTOWN), at(3, DOWNTOWN)])
    assert ids(index) == [2, 3]


def test_ties_are_broken_by_officer_id() -> None:
    index = OfficerIndex()
    for officer_id in (7, 3, 5):
        index.upsert(at(officer_id, project(DOWNTOWN, 45.0, 100.0, 1.0)))
    assert ids(index) == [3, 5, 7]
    assert ids(index, limit=2, exclude={3}) == [5, 7]


@pytest.mark.parametrize(
    "centre",
    [Point(0.0, 179.9999), Point(0.0, -180.0), Point(89.999, 10.0), Point(-90.0, 0.0)],
)
def test_the_index_works_across_the_antimeridian_and_at_the_poles(centre: Point) -> None:
    index = OfficerIndex(cell_m=100.0)
    positions = [at(i, project(centre, i * 36.0, 50.0 * i, 1.0)) for i in range(1, 10)]
    for p in positions:
        index.upsert(p)
    scan = best_placed(centre, positions, now=NOW, radius_m=5000.0, fresh_for=FRESH, limit=5)
    expected = [n.officer_id for n in scan]
    assert ids(index, centre) == expected
    assert len(expected) == 5


def test_an_unbounded_radius_finds_officers_on_the_far_side_of_the_world() -> None:
    index = OfficerIndex()
    index.upsert(at(1, Point(-37.8, 57.7)))  # the antipode of Oakland, near Mauritius
    assert ids(index, radius_m=float("inf")) == [1]
    assert ids(index, radius_m=19_000_000.0) == []


def test_updates_from_other_threads_do_not_break_queries() -> None:
    index = OfficerIndex(cell_m=100.0)
    stop = threading.Event()
    failures: list[BaseException] = []

    def drive(first_id: int) -> None:
        step = 0
        try:
            while not stop.is_set():
                step += 1
                for officer_id in range(first_id, first_id + 50):
                    point = project(DOWNTOWN, (officer_id * 7 + step) % 360, step % 3000, 1.0)
                    index.upsert(at(officer_id, point))
                index.remove(first_id + step % 50)
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    drivers = [threading.Thread(target=drive, args=(n * 100,)) for n in range(2)]
    for thread in drivers:
        thread.start()
    try:
        for _ in range(300):
            found = index.nearest(DOWNTOWN, now=NOW, radius_m=3000.0, fresh_for=FRESH, limit=5)
            assert len({n.officer_id for n in found}) == len(found)
    finally:
        stop.set()
        for thread in drivers:
            thread.join(timeout=10)
    assert failures == []


# The property: on random officers, headings, speeds, ages and cars, the index agrees with the
# scan exactly (same officers, same order, same numbers), whatever the cell size.
offsets = st.floats(min_value=-0.05, max_value=0.05, allow_nan=False)
maybe_heading = st.one_of(st.none(), st.just(-1.0), st.floats(0, 359.9, allow_nan=False))
maybe_speed = st.one_of(st.none(), st.just(-1.0), st.floats(0, 60, allow_nan=False))


@st.composite
def scenes(draw: st.DrawFn) -> tuple[Point, list[Position]]:
    centre = Point(
        draw(st.floats(min_value=-80, max_value=80, allow_nan=False)),
        draw(st.sampled_from([-122.27, 0.0, 179.99, -179.99])),
    )
    spots = draw(st.lists(st.tuples(offsets, offsets), min_size=1, max_size=8))
    positions = []
    for officer_id in range(draw(st.integers(min_value=0, max_value=60))):
        dlat, dlon = draw(st.sampled_from(spots))  # shared spots make ties
        lon = (centre.lon + dlon + 540.0) % 360.0 - 180.0
        positions.append(
            Position(
                officer_id,
                Point(centre.lat + dlat, lon),
                NOW - timedelta(seconds=draw(st.sampled_from([0, 30, 299, 301, -60]))),
                heading_deg=draw(maybe_heading),
                speed_mps=draw(maybe_speed),
            )
        )
    return centre, positions


@settings(max_examples=300)
@given(
    scenes(),
    st.sampled_from([50.0, 300.0, 1000.0, 5000.0]),
    st.one_of(st.floats(min_value=0, max_value=12_000, allow_nan=False), st.integers(0, 59)),
    st.integers(min_value=0, max_value=8),
    st.one_of(st.none(), st.builds(Motion, st.floats(0, 359.9), st.floats(0, 50))),
    st.sampled_from([Ranking(), None]),
)
def test_index_nearest_equals_brute_force(
    scene: tuple[Point, list[Position]],
    cell_m: float,
    radius: float | int,
    limit: int,
    motion: Motion | None,
    ranking: Ranking | None,
) -> None:
    centre, positions = scene
    radius_m = float(radius)
    if isinstance(radius, int):  # exactly as far as one officer: the edge case of "within"
        radius_m = distance_m(centre, positions[radius].point) if radius < len(positions) else 0.0
    index = OfficerIndex(cell_m=cell_m)
    for p in positions:
        index.upsert(p)
    options = {"now": NOW, "radius_m": radius_m, "fresh_for": FRESH, "limit": limit}
    expected = best_placed(centre, positions, motion=motion, ranking=ranking, **options)  # type: ignore[arg-type]
    assert index.nearest(centre, motion=motion, ranking=ranking, **options) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("lat", [0.0, 37.8, 70.0, -60.0])
@pytest.mark.parametrize("cell_m", [100.0, 1000.0])
def test_officers_just_inside_the_radius_are_found_in_every_direction(
    lat: float, cell_m: float
) -> None:
    centre = Point(lat, -122.27)
    index = OfficerIndex(cell_m=cell_m)
    # Stale officers in every cell around, so the index walks its grid (a sparse index just
    # visits its few occupied cells).
    steps = int(3500 / cell_m)
    for row in range(-steps, steps + 1):
        for col in range(-steps, steps + 1):
            dlat = row * cell_m / 111_195.0
            dlon = col * cell_m / (111_195.0 * math.cos(math.radians(lat)))
            point = Point(centre.lat + dlat, centre.lon + dlon)
            index.upsert(at(-1 - (row + steps) * 1000 - (col + steps), point, age_s=3600))
    for officer_id, bearing in enumerate(range(0, 360, 10)):
        index.upsert(at(officer_id, project(centre, bearing, 2999.9, 1.0)))
        index.upsert(at(1000 + officer_id, project(centre, bearing, 3000.1, 1.0)))
    found = ids(index, centre, radius_m=3000.0, limit=100, ranking=None)
    assert sorted(found) == list(range(36))
