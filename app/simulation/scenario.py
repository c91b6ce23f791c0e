"""The seeded hour: who is on duty where, what is listed, and every read and bulletin in time
order. Everything here comes from the seed and the city alone, so the same seed gives the same
plates, cars and reads whichever policy the service runs.

Times are simulated seconds from the start; the player maps them to real time.
"""

import random
from dataclasses import dataclass, field
from typing import Any

from app.simulation import plates
from app.simulation.city import City, bearing_deg, distance_m

CATALOG = (
    ("Honda", "Civic"), ("Honda", "Accord"), ("Toyota", "Camry"), ("Toyota", "Corolla"),
    ("Nissan", "Altima"), ("Hyundai", "Elantra"), ("Kia", "Optima"), ("Ford", "F-150"),
    ("Chevrolet", "Silverado"), ("Dodge", "Charger"), ("Toyota", "Prius"), ("Honda", "CR-V"),
)  # fmt: skip
COLORS = ("white", "black", "silver", "gray", "blue", "red")
READ_CHANCE = 0.92  # a camera misses a car now and then (rain, a truck in the way)
LOOK_ALIKE_CHANCE = 0.1  # a listed car read with one character swapped for a look-alike


@dataclass(frozen=True, slots=True)
class Shape:
    """How big the hour is. Rates are per simulated hour and scale with the duration."""

    minutes: float = 60.0
    officers: int = 60
    supervisors: int = 2
    cameras: int = 40
    stolen_entries: int = 20_000
    wanted_entries: int = 40
    reads_per_hour: int = 42_000
    stolen_cars_per_hour: int = 30
    wanted_cars_per_hour: int = 3
    innocent_misreads_per_hour: int = 12
    bulletins: bool = True

    @property
    def duration_s(self) -> float:
        return self.minutes * 60

    def per_run(self, per_hour: int) -> int:
        return max(1, round(per_hour * self.minutes / 60)) if per_hour else 0


@dataclass(frozen=True, slots=True)
class Officer:
    name: str
    badge: str
    beat: str
    role: str = "officer"


@dataclass(frozen=True, slots=True)
class Read:
    t: float
    camera: int
    plate: str  # as the camera reads it
    heading: float | None
    tag: str  # background, stolen, wanted, look_alike, innocent_misread, bulletin
    vehicle: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class BulletinStep:
    t: float
    bulletin: int  # 0 or 1: which of the hour's bulletins
    action: str  # post, update, cancel
    body: dict[str, Any]


@dataclass(slots=True)
class Scenario:
    seed: int
    shape: Shape
    officers: list[Officer]
    stolen: list[dict[str, Any]]  # hot-list entries as POST /v1/hotlists/{id}/entries takes
    wanted: list[dict[str, Any]]
    reads: list[Read]
    bulletins: list[BulletinStep] = field(default_factory=list)

    def count(self, tag: str) -> int:
        return sum(r.tag == tag for r in self.reads)


def build(seed: int, city: City, shape: Shape) -> Scenario:
    """The scenario for `seed` in `city`: the same seed and city give the same scenario."""
    rng = random.Random(seed)
    officers = _officers(city, shape)
    listed: set[str] = set()
    stolen = [_entry(rng, listed, "Stolen vehicle", "SV") for _ in range(shape.stolen_entries)]
    wanted = [
        _entry(rng, listed, "Wanted: felony warrant", "FW") for _ in range(shape.wanted_entries)
    ]
    skeletons = {_skeleton(p) for p in listed}
    traffic = Traffic(city, shape, rng)
    # One stolen car passes a camera in the first seconds, so a demo shows a push at once.
    early = min(20.0, shape.duration_s * 0.05)
    early_car = rng.choice(stolen)["plate"]
    traffic.listed_plates.add(early_car)
    traffic.drive(early_car, "stolen", start_t=early, look_alikes=True)
    for _ in range(shape.per_run(shape.stolen_cars_per_hour) - 1):
        traffic.listed_car(rng.choice(stolen)["plate"], "stolen")
    for _ in range(shape.per_run(shape.wanted_cars_per_hour)):
        traffic.listed_car(rng.choice(wanted)["plate"], "wanted")
    for _ in range(shape.per_run(shape.innocent_misreads_per_hour)):
        traffic.innocent_misread(rng.choice(stolen)["plate"])
    steps = traffic.bulletins(skeletons) if shape.bulletins else []
    traffic.background(skeletons)
    reads = sorted(traffic.reads, key=lambda r: r.t)
    # The plates on the road first: the player loads the first chunk before the hour starts.
    on_road = {r.plate for r in reads if r.tag != "background"} | traffic.listed_plates
    stolen.sort(key=lambda e: e["plate"] not in on_road)
    return Scenario(seed, shape, officers, stolen, wanted, reads, sorted(steps, key=lambda s: s.t))


def _officers(city: City, shape: Shape) -> list[Officer]:
    """Beats with a camera first, so the watched streets are patrolled; then the rest."""
    watched = sorted({c.beat for c in city.cameras})
    beats = watched + [b.code for b in city.beats if b.code not in watched]
    officers = [
        Officer(name=f"Officer {4100 + i}", badge=str(4100 + i), beat=beats[i % len(beats)])
        for i in range(shape.officers)
    ]
    officers += [
        Officer(
            name=f"Sergeant {900 + i}",
            badge=str(900 + i),
            beat=beats[i * 7 % len(beats)],
            role="supervisor",
        )
        for i in range(shape.supervisors)
    ]
    return officers


def _entry(rng: random.Random, listed: set[str], reason: str, prefix: str) -> dict[str, Any]:
    plate = plates.new_plate(rng)
    while plate in listed:
        plate = plates.new_plate(rng)
    listed.add(plate)
    make, model = rng.choice(CATALOG)
    return {
        "plate": plate, "state": "CA", "reason": reason,
        "case_number": f"26-{prefix}{rng.randint(10000, 99999)}",
        "vehicle": {"make": make, "model": model, "color": rng.choice(COLORS),
                    "year": rng.randint(2005, 2024)},
    }  # fmt: skip


def _skeleton(plate: str) -> str:
    return "".join(next((c[0] for c in plates.LOOK_ALIKES if ch in c), ch) for ch in plate)


class Traffic:
    """Cars driving corridors past cameras; each drive becomes reads."""

    def __init__(self, city: City, shape: Shape, rng: random.Random) -> None:
        self.city, self.shape, self.rng = city, shape, rng
        self.reads: list[Read] = []
        self.listed_plates: set[str] = set()  # listed cars on the road (a look-alike read too)

    def drive(
        self,
        plate: str,
        tag: str,
        *,
        start_t: float | None = None,
        corridor: tuple[int, ...] | None = None,
        misread: str | None = None,
        vehicle: dict[str, str] | None = None,
        look_alikes: bool = False,
    ) -> int:
        """One drive along a corridor (or past a single camera); returns the reads made."""
        rng, cameras = self.rng, self.city.cameras
        t = rng.uniform(0, self.shape.duration_s * 0.95) if start_t is None else start_t
        if corridor is None:
            corridors = self.city.corridors
            if corridors and rng.random() < 0.8:
                corridor = rng.choice(corridors)
            else:
                corridor = (rng.randrange(len(cameras)),)
        path = list(corridor) if rng.random() < 0.5 else list(reversed(corridor))
        start = rng.randrange(len(path))
        path = path[start:]
        passes = 1
        while passes < len(path) and rng.random() < 0.7:
            passes += 1
        path = path[:passes]
        speed_mps = rng.uniform(8, 18)
        made = 0
        for k, index in enumerate(path):
            here = (cameras[index].lat, cameras[index].lon)
            if k:
                before = (cameras[path[k - 1]].lat, cameras[path[k - 1]].lon)
                t += distance_m(before, here) * 1.3 / speed_mps
            if t >= self.shape.duration_s:
                break
            if rng.random() > READ_CHANCE and made + 1 < len(path):
                continue
            heading = None
            if k + 1 < len(path):
                after = (cameras[path[k + 1]].lat, cameras[path[k + 1]].lon)
                heading = round(bearing_deg(here, after), 1)
            elif k:
                heading = round(bearing_deg(before, here), 1)
            text = plate
            if misread is not None:
                text = misread
            elif look_alikes and rng.random() < LOOK_ALIKE_CHANCE:
                text = plates.look_alike(plate, rng) or plate
            this_tag = "look_alike" if text != plate and misread is None else tag
            self.reads.append(Read(t, index, text, heading, this_tag, vehicle))
            made += 1
        return made

    def listed_car(self, plate: str, tag: str) -> None:
        """A listed car out for the hour: one to three drives, now and then misread."""
        self.listed_plates.add(plate)
        for _ in range(self.rng.choice((1, 1, 2, 2, 3))):
            self.drive(plate, tag, look_alikes=True)

    def innocent_misread(self, listed_plate: str) -> None:
        """An innocent car one look-alike away from a listed plate, read once as the listed
        plate itself: an EXACT hit on the wrong car."""
        twin = plates.look_alike(listed_plate, self.rng)
        if twin is not None:
            self.drive(twin, "innocent_misread", misread=listed_plate, corridor=self._one())

    def _one(self) -> tuple[int, ...]:
        return (self.rng.randrange(len(self.city.cameras)),)

    def background(self, skeletons: set[str]) -> None:
        """Everyone else, until the hour has its reads: a pool of cars, many read repeatedly
        (commuters, delivery vans) along the corridors."""
        target = max(0, self.shape.per_run(self.shape.reads_per_hour) - len(self.reads))
        pool: list[str] = []
        while len(pool) < max(10, target // 3):
            plate = plates.new_plate(self.rng)
            if _skeleton(plate) not in skeletons:
                pool.append(plate)
        made = 0
        while made < target:
            made += self.drive(self.rng.choice(pool), "background")
        excess = made - target
        if excess > 0:  # the last drive overshot: keep the total exact
            indexes = [i for i, r in enumerate(self.reads) if r.tag == "background"][-excess:]
            for i in reversed(indexes):
                del self.reads[i]

    def bulletins(self, skeletons: set[str]) -> list[BulletinStep]:
        """A robbery (partial plate, a circle that is widened) and a carjacking (no plate,
        two beats, a third added); each posted, updated and cancelled, with its car on the
        road meanwhile."""
        rng, cameras, duration = self.rng, self.city.cameras, self.shape.duration_s
        steps: list[BulletinStep] = []
        plate = plates.new_plate(rng)
        while _skeleton(plate) in skeletons:
            plate = plates.new_plate(rng)
        corridor = max(self.city.corridors, key=len, default=self._one())
        scene = cameras[corridor[0]]
        robbery_car = {"make": "Honda", "model": "Civic", "color": "silver"}
        narrative = "Armed robbery at a corner store, two suspects, fled in a silver Civic"
        post: dict[str, Any] = {
            "kind": "robbery", "case_number": "26-R0001",
            "narrative": narrative,
            "direction": _compass(cameras, corridor),
            "vehicle": {"plate_pattern": plate[:3] + "*", "state": "CA"} | robbery_car,
            "area": {"center": {"lat": scene.lat, "lon": scene.lon}, "radius_m": 1500},
        }  # fmt: skip
        t0 = duration * 0.15
        steps.append(BulletinStep(t0, 0, "post", post))
        steps.append(
            BulletinStep(
                duration * 0.35, 0, "update",
                {"area": {"center": {"lat": scene.lat, "lon": scene.lon}, "radius_m": 4000},
                 "narrative": narrative + "; seen again heading out of the area",
                 "reason": "search area widened"},
            )
        )  # fmt: skip
        steps.append(BulletinStep(duration * 0.6, 0, "cancel", {"reason": "vehicle located"}))
        for k in range(3):
            start = t0 + duration * (0.03 + 0.12 * k)
            self.drive(plate, "bulletin", start_t=start, corridor=corridor, vehicle=robbery_car)
        watched = sorted({c.beat for c in cameras})
        first = rng.sample(watched, min(3, len(watched)))
        carjack_car = {"make": "Toyota", "model": "Camry", "color": "black"}
        car_plate = plates.new_plate(rng)
        steps.append(
            BulletinStep(
                duration * 0.4, 1, "post",
                {"kind": "carjacking", "case_number": "26-C0002",
                 "narrative": "Carjacking at gunpoint; black Toyota Camry, plate not seen",
                 "vehicle": carjack_car, "area": {"beats": first[:2]}},
            )
        )  # fmt: skip
        steps.append(
            BulletinStep(
                duration * 0.55, 1, "update",
                {"area": {"beats": first}, "reason": "reported seen in a neighbouring beat"},
            )
        )  # fmt: skip
        steps.append(BulletinStep(duration * 0.8, 1, "cancel", {"reason": "vehicle recovered"}))
        in_area = [i for i, c in enumerate(cameras) if c.beat in first]
        for k in range(3):
            start = duration * (0.42 + 0.12 * k)
            self.drive(car_plate, "bulletin", start_t=start, corridor=(rng.choice(in_area),),
                       vehicle=carjack_car)  # fmt: skip
        return steps


def _compass(cameras: Any, corridor: tuple[int, ...]) -> float | None:
    if len(corridor) < 2:
        return None
    a, b = cameras[corridor[0]], cameras[corridor[1]]
    return round(bearing_deg((a.lat, a.lon), (b.lat, b.lon)))
