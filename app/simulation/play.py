"""Playing a scenario against a running service in compressed real time, as its cameras,
officers' phones, vehicle-location gateway and dispatchers would, and keeping what happened.

At `speed` S, a simulated second lasts 1/S real seconds. Reads, location fixes, bulletins and
officers' answers are sent when their simulated time comes; the service's own windows must be
scaled by the same S (bench/oakland_hour.py does it) for the figures to mean an hour.
"""

import asyncio
import random
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from app.simulation import city as city_module
from app.simulation import scenario as scenario_module
from app.simulation.api import (
    ENTRIES_PER_REQUEST,
    Api,
    ApiError,
    CameraAnswer,
    Cameras,
    Inbox,
    now_utc,
)
from app.simulation.patrol import Patrol
from app.simulation.scenario import Read, Scenario, Shape

T = TypeVar("T")
SETUP_CONCURRENCY = 4
LOCATION_EVERY_S = 15.0  # simulated seconds between two fixes of every unit
DRAIN_SIM_S = 240.0  # after the last read, long enough for a P2 escalation step to fire
# Officers' answers to a loud push: (share responding, share unable), by priority.
ANSWER_SHARES = {1: (0.6, 0.15), 2: (0.35, 0.2), 3: (0.15, 0.1), 4: (0.0, 0.0)}
BULLETIN_SHARES = (0.2, 0.05)


# A camera told 503 (busy or briefly without its database) or 429 sends the read again.
RETRIED = frozenset({429, 503})
READ_ATTEMPTS = 4


def _retry_after_s(answer: CameraAnswer) -> float:
    try:
        return min(max(float(answer.headers.get("retry-after", "1")), 0.1), 10.0)
    except ValueError:
        return 1.0


@dataclass(frozen=True, slots=True)
class Options:
    base_url: str
    admin_token: str
    inbox_url: str | None = None  # default: the service's own inbox, {base_url}/fcm
    speed: float = 10.0
    seed: int = 1
    shape: Shape = field(default_factory=Shape)
    streets_file: Path | None = None
    respond: bool = True
    concurrency: int = 64  # requests in flight at once (40 cameras, the gateway, answers)
    quick_start: bool = False
    wait_s: float = 30.0  # for the service to answer /healthz (it may still be starting)
    progress: Callable[[str], None] | None = None
    drain_sim_s: float = DRAIN_SIM_S  # played after the last read before the inbox is read


@dataclass(frozen=True, slots=True)
class Unit:
    user_id: int
    token: str
    device: str
    name: str
    role: str
    beat: str


@dataclass(slots=True)
class Played:
    """What the simulation sent and saw; budget.py turns it into figures."""

    options: Options
    scenario: Scenario
    run: str
    units: dict[str, Unit] = field(default_factory=dict)  # by device token
    read_posted_at: dict[int, datetime] = field(default_factory=dict)
    read_tags: dict[int, str] = field(default_factory=dict)
    read_latency_s: list[float] = field(default_factory=list)
    read_sent_s: list[float] = field(default_factory=list)  # when each, from the start
    read_sent_tags: list[str] = field(default_factory=list)  # what each was (Read.tag)
    read_failures: Counter[int] = field(default_factory=Counter)
    read_retries: int = 0  # 503s and 429s answered by sending the read again, as cameras do
    answers: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # calls other than reads that failed
    bulletin_ids: dict[int, int] = field(default_factory=dict)  # the hour's bulletin -> id
    behind_s: float = 0.0  # how far the player's schedule fell behind at worst
    real_s: float = 0.0
    played_s: float = 0.0  # real seconds from the start to the last read posted
    read_late_s: list[float] = field(default_factory=list)  # each read's POST behind schedule
    messages: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    desk: int = 0
    queue: tuple[str, int] | None = None


async def play(options: Options) -> Played:
    """Set the scene up through the API, play it, and collect the phones' inbox and alerts."""
    inbox_url = options.inbox_url or options.base_url.rstrip("/") + "/fcm"
    limits = httpx.Limits(max_connections=options.concurrency + 8)
    # Plain HTTP: the cameras' own lean connections; through TLS (a deployed service), httpx.
    plain = options.base_url.startswith("http://")
    cameras = Cameras(options.base_url, connections=options.concurrency) if plain else None
    async with httpx.AsyncClient(base_url=options.base_url, timeout=120, limits=limits) as client:
        api = Api(client, options.admin_token, cameras)
        inbox = Inbox(client, inbox_url)
        await api.wait_until_up(options.wait_s)
        beats = city_module.beats_from_geojson(await api.beats())
        city = city_module.build(
            beats, options.streets_file, cameras=options.shape.cameras,
            rng=random.Random(options.seed),
        )  # fmt: skip
        scenario = scenario_module.build(options.seed, city, options.shape)
        played = Played(options=options, scenario=scenario, run=secrets.token_hex(3))
        player = _Player(api, inbox, city, played)
        await player.set_up()
        await inbox.skip_existing()
        await player.run()
        played.alerts = await _alerts(api)
        played.desk = await api.desk()
        played.queue = await api.queue_size()
        await inbox.poll()  # last: what the alerts above caused is counted too
        played.messages = inbox.messages
        if cameras is not None:
            await cameras.close()
        return played


async def _alerts(api: Api) -> list[dict[str, Any]]:
    """Every alert in full (who was notified, its trail, its escalation)."""
    found = []
    for summary in await api.alerts():
        found.append(await api.alert(summary["id"]))
    return found


class _Player:
    def __init__(self, api: Api, inbox: Inbox, city: city_module.City, played: Played) -> None:
        self.api, self.inbox, self.city, self.played = api, inbox, city, played
        self.options = played.options
        self.keys: list[str] = []
        self.patrols: dict[int, Patrol] = {}
        self.decided: set[tuple[int, str]] = set()
        self.limit = asyncio.Semaphore(self.options.concurrency)
        # Creating a person hashes a password for a while, holding a database connection.
        self.setting_up = asyncio.Semaphore(SETUP_CONCURRENCY)
        self.tasks: set[asyncio.Task[None]] = set()
        self.bulletin_steps: dict[int, asyncio.Task[None]] = {}  # the latest step of each
        self.started = 0.0

    def say(self, text: str) -> None:
        if self.options.progress:
            self.options.progress(text)

    async def set_up(self) -> None:
        """Units on duty with their phones and beats, cameras, then the lists. With
        `quick_start`, only the wanted list and the first chunk of the stolen one (the cars on
        the road are in it) are loaded before the hour starts, the rest while it plays."""
        scenario, began = self.played.scenario, time.monotonic()
        self.say(
            f"setting up: {len(scenario.officers)} units, {len(self.city.cameras)} cameras, "
            f"{len(scenario.stolen) + len(scenario.wanted)} hot-list entries"
        )
        cameras = self.city.cameras
        units, keys, _ = await asyncio.gather(
            asyncio.gather(*(self._unit(i) for i in range(len(scenario.officers)))),
            asyncio.gather(
                *(self._limited(self.api.create_camera(c.name, c.lat, c.lon)) for c in cameras)
            ),
            self._lists(),
        )
        self.keys = list(keys)
        for i, unit in enumerate(units):
            self.played.units[unit.device] = unit
            beat = self.city.beat(unit.beat)
            self.patrols[unit.user_id] = Patrol.start(beat, f"{scenario.seed}-patrol-{i}")
        await self._send_fixes()
        self.say(f"  ready in {time.monotonic() - began:.0f} s")

    async def _lists(self) -> None:
        scenario, run = self.played.scenario, self.played.run
        wanted = await self.api.create_hotlist(f"Wanted (sim {run})", "felony_vehicle", 1)
        await self.api.add_entries(wanted, scenario.wanted)
        stolen = await self.api.create_hotlist(f"Stolen vehicles (sim {run})", "stolen_vehicle", 2)
        first = ENTRIES_PER_REQUEST if self.options.quick_start else len(scenario.stolen)
        await self.api.add_entries(stolen, scenario.stolen[:first])
        if scenario.stolen[first:]:
            self._spawn(self.api.add_entries(stolen, scenario.stolen[first:]))

    async def _unit(self, i: int) -> Unit:
        officer, run = self.played.scenario.officers[i], self.played.run
        async with self.setting_up:
            user_id, token = await self.api.create_user(
                officer.name, f"sim-{run}-{officer.badge}", officer.role, officer.badge
            )
            device = f"sim-{run}-phone-{officer.badge}"
            await self.api.start_shift(token, device)
            await self.api.assign_beat(user_id, officer.beat)
        return Unit(user_id, token, device, officer.name, officer.role, officer.beat)

    async def _limited(self, work: Awaitable[T]) -> T:
        async with self.setting_up:
            return await work

    async def run(self) -> None:
        scenario, speed = self.played.scenario, self.options.speed
        events: list[tuple[float, int, object]] = [(r.t, 1, r) for r in scenario.reads]
        events += [(s.t, 0, s) for s in scenario.bulletins]
        ticks = int(scenario.shape.duration_s // LOCATION_EVERY_S)
        events += [(k * LOCATION_EVERY_S, 2, None) for k in range(1, ticks + 1)]
        events.sort(key=lambda e: (e[0], e[1]))
        self.say(f"playing {scenario.shape.minutes:g} simulated minutes at {speed:g}x")
        poller = asyncio.create_task(self._poll_inbox())
        started = self.started = time.monotonic()
        shown = 0
        for t, _, event in events:
            late = time.monotonic() - (started + t / speed)
            if late < 0:
                await asyncio.sleep(-late)
            self.played.behind_s = max(self.played.behind_s, late)
            if isinstance(event, Read):
                self._spawn(self._read(event))
            elif isinstance(event, scenario_module.BulletinStep):
                # The cameras keep posting while a dispatcher posts: each of a bulletin's
                # steps waits for its previous one (an update needs the id), not the reads.
                previous = self.bulletin_steps.get(event.bulletin)
                self.bulletin_steps[event.bulletin] = self._spawn(self._bulletin(event, previous))
            else:
                for patrol in self.patrols.values():
                    patrol.advance(LOCATION_EVERY_S)
                self._spawn(self._send_fixes())
            if t // 600 > shown:
                shown = int(t // 600)
                self.say(f"  {shown * 10} simulated minutes, {len(self.inbox.messages)} pushes")
        await asyncio.sleep(self.options.drain_sim_s / speed)
        while self.tasks:
            await asyncio.gather(*list(self.tasks))
        poller.cancel()
        await self.inbox.poll()
        self.played.real_s = time.monotonic() - started

    def _spawn(self, work: Any) -> "asyncio.Task[None]":
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _send_fixes(self) -> None:
        fixes = [{"user_id": uid} | p.fix() for uid, p in self.patrols.items()]
        async with self.limit:
            try:
                await self.api.locations(fixes)
            except (ApiError, httpx.TransportError) as error:
                self.played.failures[f"locations: {error.__class__.__name__}"] += 1

    async def _read(self, read: Read) -> None:
        body: dict[str, Any] = {"plate": read.plate, "state": "CA", "confidence": 0.9}
        if read.heading is not None:
            body["heading"] = read.heading
        if read.vehicle:
            body["vehicle"] = read.vehicle
        async with self.limit:
            # Late when the service (or this machine) cannot take reads as fast as they come
            now = time.monotonic()
            self.played.read_late_s.append(now - (self.started + read.t / self.options.speed))
            self.played.played_s = max(self.played.played_s, now - self.started)
            posted_at = now_utc()
            body["read_at"] = posted_at.isoformat()
            began = time.perf_counter()
            for attempt in range(READ_ATTEMPTS):
                try:
                    answer = await self.api.read(self.keys[read.camera], body)
                except httpx.TransportError:
                    self.played.read_failures[0] += 1  # no answer at all (a timeout, a reset)
                    return
                if answer.status_code not in RETRIED or attempt == READ_ATTEMPTS - 1:
                    break
                # Nothing was stored: a camera waits as told and sends the read again.
                self.played.read_retries += 1
                await asyncio.sleep(_retry_after_s(answer))
            self.played.read_latency_s.append(time.perf_counter() - began)
            self.played.read_sent_s.append(now - self.started)
            self.played.read_sent_tags.append(read.tag)
        if answer.status_code != 202:
            self.played.read_failures[answer.status_code] += 1
            return
        read_id = int(answer.json()["read_ids"][0])
        self.played.read_posted_at[read_id] = posted_at
        self.played.read_tags[read_id] = read.tag

    async def _bulletin(
        self, step: scenario_module.BulletinStep, previous: "asyncio.Task[None] | None"
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        body = dict(step.body)
        known = self.played.bulletin_ids
        bulletin_id = known.get(step.bulletin)
        try:
            made = await self.api.bulletin(step.action, bulletin_id, body)
        except (ApiError, httpx.TransportError) as error:
            self.played.failures[f"bulletin {step.action}"] += 1
            self.say(f"  bulletin {step.action} failed: {error}")
            made = -1  # a later update or cancel of it fails too, and is counted
        if step.action == "post":
            known[step.bulletin] = made

    async def _poll_inbox(self) -> None:
        every_s = min(2.0, max(0.25, 5 / self.options.speed))
        while True:
            for message in await self.inbox.poll():
                self._maybe_answer(message)
            await asyncio.sleep(every_s)

    def _maybe_answer(self, record: dict[str, Any]) -> None:
        """An officer answers some loud pushes of new alerts, after a while, as people do."""
        message = record.get("message") or {}
        unit = self.played.units.get(str(message.get("token", "")))
        data = message.get("data") or {}
        if not self.options.respond or unit is None or not is_loud(message):
            return
        if data.get("action") not in (None, "new", "escalation", "match"):
            return
        alert_id = int(data.get("alert_id", 0) or 0)
        if not alert_id or (alert_id, unit.device) in self.decided:
            return
        self.decided.add((alert_id, unit.device))
        rng = random.Random(f"{self.played.scenario.seed}-{alert_id}-{unit.name}")
        if data.get("kind") == "bulletin":
            responding, unable = BULLETIN_SHARES
        else:
            responding, unable = ANSWER_SHARES.get(int(data.get("priority", 4) or 4), (0, 0))
        draw = rng.random()
        if draw < responding:
            status, delay_s = "responding", rng.uniform(20, 120)
        elif draw < responding + unable:
            status, delay_s = "unable", rng.uniform(10, 90)
        else:
            return
        self._spawn(self._answer(unit, alert_id, status, delay_s / self.options.speed))

    async def _answer(self, unit: Unit, alert_id: int, status: str, after_s: float) -> None:
        await asyncio.sleep(after_s)
        body: dict[str, Any] = {"status": status}
        if status == "unable":
            body["note"] = "busy on another call"
        async with self.limit:
            try:
                code = await self.api.respond(unit.token, alert_id, body)
            except httpx.TransportError:
                code = 0
        self.played.answers[status if code < 300 else f"{status} refused ({code})"] += 1


def is_loud(message: dict[str, Any]) -> bool:
    """A push that makes the phone sound: a notification at high priority. A data-only
    message, or one sent at normal priority, is a silent update."""
    android = message.get("android") or {}
    return "notification" in message and str(android.get("priority", "high")).lower() != "normal"
