"""Routing policy per priority: radius widening, beat officers, dispatch, covert lists."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from alerts.routing import (
    PriorityRouting,
    Reason,
    Recipient,
    Tier,
    route,
)
from geo import Motion, OfficerIndex, Point, Position, Sighting
from geo.motion import project

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
CAR = Point(37.8044, -122.2711)
CONFIG = PriorityRouting()


def officer(officer_id: int, metres: float, bearing: float = 0.0, age_s: float = 5.0) -> Position:
    point = project(CAR, bearing, metres, 1.0)
    return Position(officer_id, point, NOW - timedelta(seconds=age_s))


def read_here(seconds_ago: float = 0.0, **motion: float) -> Sighting:
    return Sighting(CAR, NOW - timedelta(seconds=seconds_ago), **motion)


def ids(recipients: tuple[Recipient, ...] | list[Recipient]) -> list[int]:
    return [r.officer_id for r in recipients]


def test_p1_widens_step_by_step_until_two_officers_are_found() -> None:
    officers = [officer(1, 1500), officer(2, 4000), officer(3, 8000)]
    routing = route(read=read_here(), priority=1, officers=officers, config=CONFIG, now=NOW)
    assert ids(routing.recipients) == [1, 2]
    assert (routing.radius_m, routing.widened) == (5000.0, 1)
    assert routing.push and routing.notify_dispatch and not routing.notify_owners
    assert [r.rank for r in routing.recipients] == [1, 2]
    assert routing.recipients[0].distance_m == pytest.approx(1500.0, rel=1e-6)


def test_p1_with_nobody_in_10_km_goes_to_dispatch_alone() -> None:
    routing = route(
        read=read_here(), priority=1, officers=[officer(1, 12_000)], config=CONFIG, now=NOW
    )
    assert routing.recipients == ()
    assert (routing.radius_m, routing.widened) == (10_000.0, 2)
    assert routing.notify_dispatch


def test_p2_stops_widening_at_the_first_radius_with_someone_in_it() -> None:
    officers = [officer(1, 1900), officer(2, 2500)]
    routing = route(read=read_here(), priority=2, officers=officers, config=CONFIG, now=NOW)
    assert ids(routing.recipients) == [1]
    assert routing.widened == 0


def test_p3_does_not_widen() -> None:
    routing = route(
        read=read_here(), priority=3, officers=[officer(1, 3000)], config=CONFIG, now=NOW
    )
    assert routing.recipients == ()
    assert routing.radius_m == 2000.0 and routing.notify_dispatch


def test_at_most_max_officers_are_chosen_best_placed_first() -> None:
    officers = [officer(i, 100.0 * i, bearing=i * 30.0) for i in range(1, 9)]
    routing = route(read=read_here(), priority=2, officers=officers, config=CONFIG, now=NOW)
    assert ids(routing.recipients) == [1, 2, 3]


def test_p4_is_pushed_to_nobody() -> None:
    routing = route(read=read_here(), priority=4, officers=[officer(1, 10)], config=CONFIG, now=NOW)
    assert routing.recipients == () and not routing.push and not routing.notify_dispatch


def test_a_covert_hit_reaches_no_patrol_phone_and_no_dispatcher() -> None:
    routing = route(
        read=read_here(),
        priority=1,
        officers=[officer(1, 10)],
        config=CONFIG,
        now=NOW,
        beat_officers={1},
        covert=True,
    )
    assert routing.recipients == ()
    assert not routing.push and not routing.notify_dispatch and routing.notify_owners


def test_the_beat_officer_is_always_included_after_the_nearest() -> None:
    officers = [officer(1, 500), officer(2, 700), officer(3, 900), officer(9, 9000)]
    routing = route(
        read=read_here(),
        priority=2,
        officers=officers,
        config=CONFIG,
        now=NOW,
        beat_officers={9, 2, 42},  # 2 is among the nearest anyway; 42 has no fix
    )
    assert ids(routing.recipients) == [1, 2, 3, 9, 42]
    assert [r.reason for r in routing.recipients] == [Reason.NEAREST] * 3 + [Reason.BEAT] * 2
    beat_officer, no_fix = routing.recipients[3:]
    assert beat_officer.rank == 4 and beat_officer.distance_m == pytest.approx(9000, rel=1e-6)
    assert (no_fix.distance_m, no_fix.bearing_deg, no_fix.eta_s) == (None, None, None)


def test_a_beat_officer_with_a_stale_fix_is_told_without_a_distance() -> None:
    routing = route(
        read=read_here(),
        priority=2,
        officers=[officer(5, 300, age_s=3600)],
        config=CONFIG,
        now=NOW,
        beat_officers={5},
    )
    assert [(r.officer_id, r.reason, r.distance_m) for r in routing.recipients] == [
        (5, Reason.BEAT, None)
    ]


def test_escalation_asks_for_the_next_ring_by_excluding_those_already_told() -> None:
    officers = [officer(i, 300.0 * i) for i in range(1, 8)]
    first = route(read=read_here(), priority=2, officers=officers, config=CONFIG, now=NOW)
    told = set(ids(first.recipients))
    second = route(
        read=read_here(),
        priority=2,
        officers=officers,
        config=CONFIG,
        now=NOW,
        exclude=told,
        beat_officers={1},
    )
    assert ids(first.recipients) == [1, 2, 3]
    assert ids(second.recipients) == [4, 5, 6]


def test_the_car_is_ranked_from_where_it_is_now_not_where_it_was_read() -> None:
    # Read 60 s ago heading east at 15 m/s: it is now about 900 m east of the camera.
    west = officer(1, 400, bearing=270.0)
    east = officer(2, 1100, bearing=90.0)
    read = read_here(60, heading_deg=90.0, speed_mps=15.0)
    routing = route(read=read, priority=2, officers=[west, east], config=CONFIG, now=NOW)
    assert ids(routing.recipients) == [2, 1]
    assert routing.car_at is not None and routing.motion == Motion(90.0, 15.0)
    assert routing.recipients[0].distance_m == pytest.approx(200, abs=1)


def test_two_reads_of_the_plate_give_the_direction_when_the_camera_gave_none() -> None:
    previous = Sighting(project(CAR, 270.0, 600, 1.0), NOW - timedelta(seconds=100))
    routing = route(
        read=read_here(40),
        previous=previous,
        priority=2,
        officers=[officer(1, 400, bearing=270.0), officer(2, 1000, bearing=90.0)],
        config=CONFIG,
        now=NOW,
    )
    assert routing.motion is not None and routing.motion.speed_mps == pytest.approx(10, rel=1e-3)
    assert ids(routing.recipients) == [2, 1]


def test_an_index_and_a_list_of_positions_route_alike() -> None:
    officers = [officer(i, 450.0 * i, bearing=i * 47.0) for i in range(1, 30)]
    index = OfficerIndex()
    for p in officers:
        index.upsert(p)
    options = {"read": read_here(20, heading_deg=45.0, speed_mps=12.0), "priority": 1}
    by_list = route(**options, officers=officers, config=CONFIG, now=NOW, beat_officers={29})  # type: ignore[arg-type]
    by_index = route(**options, officers=index, config=CONFIG, now=NOW, beat_officers={29})  # type: ignore[arg-type]
    assert by_index == by_list
    assert len(by_list.recipients) >= 3
    assert (by_list.recipients[-1].officer_id, by_list.recipients[-1].reason) == (29, Reason.BEAT)


def test_a_read_without_a_position_reaches_only_the_beat_officers() -> None:
    routing = route(
        read=None, priority=1, officers=[officer(1, 10)], config=CONFIG, now=NOW, beat_officers={7}
    )
    assert [(r.officer_id, r.reason) for r in routing.recipients] == [(7, Reason.BEAT)]
    assert routing.car_at is None and routing.radius_m is None


@pytest.mark.parametrize(("priority", "tier"), [(0, "p1"), (1, "p1"), (3, "p3"), (9, "p4")])
def test_priorities_outside_one_to_four_take_the_nearest_tier(priority: int, tier: str) -> None:
    assert CONFIG.tier(priority) == getattr(CONFIG, tier)


def test_an_agency_can_route_nearest_first_with_its_own_tiers() -> None:
    config = replace(CONFIG, p2=Tier(radii_m=(1000.0, 3000.0), max_officers=1), ranking=None)
    routing = route(
        read=read_here(),
        priority=2,
        officers=[officer(1, 2000), officer(2, 2500)],
        config=config,
        now=NOW,
    )
    assert ids(routing.recipients) == [1]
    assert routing.recipients[0].eta_s is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"radii_m": (5000.0, 2000.0), "max_officers": 3},
        {"radii_m": (0.0,), "max_officers": 3},
        {"radii_m": (), "max_officers": 3},
        {"radii_m": (2000.0,), "max_officers": 0},
        {"radii_m": (2000.0,), "max_officers": 2, "min_officers": 3},
    ],
)
def test_a_tier_that_cannot_work_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Tier(**kwargs)  # type: ignore[arg-type]
