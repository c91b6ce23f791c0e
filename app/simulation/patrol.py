"""Officers driving around their beats: a waypoint inside the beat, driven to at patrol speed,
then another. Each officer's route comes from the seed alone."""

import random
from dataclasses import dataclass

from app.simulation.city import Beat, bearing_deg, distance_m


@dataclass(slots=True)
class Patrol:
    beat: Beat
    rng: random.Random
    lat: float = 0.0
    lon: float = 0.0
    heading: float = 0.0
    speed_mps: float = 0.0
    _target: tuple[float, float] = (0.0, 0.0)

    @classmethod
    def start(cls, beat: Beat, seed: str) -> "Patrol":
        rng = random.Random(seed)
        patrol = cls(beat=beat, rng=rng)
        patrol.lat, patrol.lon = beat.random_point(rng)
        patrol._new_target()
        return patrol

    def advance(self, seconds: float) -> None:
        """Drive towards the waypoint for `seconds` (simulated); a new one on arrival."""
        here = (self.lat, self.lon)
        left_m = distance_m(here, self._target)
        step_m = self.speed_mps * seconds
        if step_m >= left_m:
            self.lat, self.lon = self._target
            self._new_target()
            return
        share = step_m / left_m
        self.heading = bearing_deg(here, self._target)
        self.lat += (self._target[0] - self.lat) * share
        self.lon += (self._target[1] - self.lon) * share

    def _new_target(self) -> None:
        self._target = self.beat.random_point(self.rng)
        self.speed_mps = self.rng.uniform(5, 13)
        self.heading = bearing_deg((self.lat, self.lon), self._target)

    def fix(self) -> dict[str, float]:
        return {
            "lat": round(self.lat, 6), "lon": round(self.lon, 6), "accuracy_m": 8.0,
            "heading": round(self.heading, 1), "speed": round(self.speed_mps, 1),
        }  # fmt: skip
