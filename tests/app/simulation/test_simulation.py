"""The simulator: a seed gives the same hour, and a short hour played against a real server
(through the API, pushes through firebase-admin to the FCM inbox) yields figures that agree
with what the inbox holds. Counts only: timings are measured in bench/oakland_hour.py."""

import asyncio
import random
from collections import Counter
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from app.clock import system_clock
from app.db import transaction
from app.main import create_app
from app.models import Role
from app.settings import Settings
from app.simulation import budget, city, play, scenario
from app.simulation.play import is_loud
from tests import factories
from tests.servers import FcmServer, serve_in_thread
from tests.shared_data import OAKLAND

SPEED = 30.0
SMALL = scenario.Shape(
    minutes=2, officers=8, supervisors=1, cameras=6, stolen_entries=300, wanted_entries=10,
    reads_per_hour=2400, stolen_cars_per_hour=240, wanted_cars_per_hour=60,
    innocent_misreads_per_hour=60,
)  # fmt: skip


def _square(code: str, lon: float) -> dict[str, Any]:
    ring = [[lon, 37.79], [lon + 0.02, 37.79], [lon + 0.02, 37.81], [lon, 37.81], [lon, 37.79]]
    return {
        "type": "Feature",
        "properties": {"beat": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


BEATS = {
    "type": "FeatureCollection",
    "features": [_square("01X", -122.28), _square("02X", -122.26)],
}


def _hour(seed: int, streets: bool = False) -> scenario.Scenario:
    beats = city.beats_from_geojson(BEATS)
    street_file = OAKLAND / "oakland-main-streets-osm.geojson" if streets else None
    town = city.build(beats, street_file, cameras=6, rng=random.Random(seed))
    return scenario.build(seed, town, SMALL)


def test_the_same_seed_gives_the_same_plates_cars_and_reads() -> None:
    first, again, other = _hour(7), _hour(7), _hour(8)
    assert first.reads == again.reads
    assert first.stolen == again.stolen and first.wanted == again.wanted
    assert first.officers == again.officers and first.bulletins == again.bulletins
    assert [r.plate for r in first.reads] != [r.plate for r in other.reads]
    listed = {e["plate"] for e in first.stolen + first.wanted}
    assert len(listed) == SMALL.stolen_entries + SMALL.wanted_entries
    # An innocent car is read as a listed plate; a listed car's reads carry its plate or a
    # look-alike of it; background cars are never listed.
    assert all(r.plate in listed for r in first.reads if r.tag in ("innocent_misread", "stolen"))
    assert not any(r.plate in listed for r in first.reads if r.tag == "background")
    assert len(first.reads) == round(SMALL.reads_per_hour * SMALL.minutes / 60)
    assert [s.action for s in first.bulletins] == ["post", "update", "post", "update", "cancel",
                                                   "cancel"]  # fmt: skip


def test_cameras_stand_at_intersections_of_the_street_file_inside_the_beats() -> None:
    if not OAKLAND.is_dir():
        pytest.skip(f"no Oakland data at {OAKLAND}")
    hour = _hour(3, streets=True)
    again = _hour(3, streets=True)
    assert hour.reads == again.reads
    beats = city.beats_from_geojson(BEATS)
    town = city.build(
        beats, OAKLAND / "oakland-main-streets-osm.geojson", cameras=6, rng=random.Random(3)
    )
    assert town.cameras
    for camera in town.cameras:
        assert len(camera.streets) == 2 and camera.beat in ("01X", "02X")


def test_a_short_hour_against_a_real_server_agrees_with_the_inbox(
    settings: Settings, engine: Engine, fcm: FcmServer
) -> None:
    settings = settings.changed(
        embedded_worker=True, worker_poll_s=0.2, location_fresh_s=30, alert_merge_window_s=20,
        push_interval_s=2, escalate_p1_s=2, escalate_p2_s=6, bulletin_speed_mps=70,
    )  # fmt: skip
    with transaction(engine) as session:
        _, admin = factories.make_user(session, role=Role.ADMIN, now=system_clock())
    with serve_in_thread(create_app(settings)) as base:
        options = play.Options(
            base_url=base, admin_token=admin, inbox_url=fcm.base_url, speed=SPEED, seed=5,
            shape=SMALL, concurrency=8,  # six cameras, a gateway and the answers
        )  # fmt: skip
        played = asyncio.run(play.play(options))
        figures = budget.figures(played)
        inbox = httpx.get(f"{fcm.base_url}/messages", timeout=10).json()["messages"]

    ours = [m for m in inbox if str(m["message"].get("token", "")).startswith(f"sim-{played.run}")]
    # Escalation timers go on firing after the simulation's last look: it counted a prefix
    counted = [m for m in played.messages if m in ours]
    assert counted == ours[: len(counted)] and len(counted) == len(played.messages)
    ours = counted
    officers = {d for d, u in played.units.items() if u.role == "officer"}
    to_officers = [m for m in ours if m["message"]["token"] in officers]
    pushes = figures["pushes"]
    assert pushes["to_officers"] == len(to_officers)
    assert pushes["to_supervisors"] == len(ours) - len(to_officers)
    assert pushes["loud"] == sum(is_loud(m["message"]) for m in to_officers)
    assert pushes["loud"] + pushes["silent"] == pushes["to_officers"]
    hours = SMALL.minutes / 60
    per_officer = Counter(m["message"]["token"] for m in to_officers)
    assert pushes["per_officer_hour_all"]["max"] == pytest.approx(
        max(per_officer.values(), default=0) / hours, abs=0.01
    )
    assert pushes["per_officer_hour_all"]["mean"] == pytest.approx(
        len(to_officers) / len(officers) / hours, abs=0.01
    )
    assert sum(pushes["by_kind"].values()) == len(to_officers)

    assert figures["reads"]["posted"] == len(played.scenario.reads)
    assert figures["reads"]["failed"] == {}
    alerts = figures["alerts"]
    assert alerts["total"] == len(played.alerts) > 0
    assert alerts["hits_exact"] >= 1  # a stolen car passes a camera in the first seconds
    assert alerts["recipients_per_alert"]["max"] <= len(played.units)
    reach = figures["hits_reaching_officers"]
    assert reach["reached"] <= reach["exact_p1_p2_hits"]
    alert_ids = {int(m["message"]["data"]["alert_id"]) for m in ours}
    assert alert_ids <= {a["id"] for a in played.alerts}
    assert figures["bulletins"]["pushes"] == sum(
        m["message"]["data"].get("kind") == "bulletin" for m in ours
    )
    # What officers answered went through the API, and was accepted
    assert not [k for k in figures["answers"] if "refused" in k]


def test_a_run_without_beats_or_streets_is_refused_plainly() -> None:
    with pytest.raises(ValueError, match="no beats"):
        city.build((), None, cameras=3, rng=random.Random(1))
    assert replace(SMALL, minutes=30).per_run(60) == 30
