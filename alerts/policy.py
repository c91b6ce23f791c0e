"""Fewer, better pushes (DOMAIN.md 5.4, 5.6): who a hit waits for before any officer is told,
which officers are spared, which sightings ring, and why each push goes out as it does. Pure:
what the app knows (holders, answers, pushes in the last hour) is passed in.

- **Dispatch first.** `hold_for_dispatch`: a hit that a person should look at before an
  officer acts (a P3/P4 record, a possible misread, a doubtful OCR read, a list whose records
  need confirmation) waits in the dispatcher queue.
- **Attention is a budget.** `spared`: officers responding to or on scene at another alert are
  not told of a P2/P3 hit; officers who already had their hour's loud pushes are not told of a
  P3 one. Routing then finds the next best placed; with nobody left, the queue has it.
- **Loud only when there is something new to do.** `first_push` rings the few best placed.
  `sighting` rings only officers now best placed who were not told (the car moved), or
  everyone who has it when the priority rose; everyone else who has it gets the new position
  as a quiet update (the same collapse key and tag), those responding at every sighting.
- **Every push explains itself**: a `Notice` says why this officer, why now, why loud or quiet.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from alerts.routing import Reason, Recipient

RESPONDING = frozenset({"responding", "on_scene"})  # alerts.lifecycle.ACTIVE, as stored
UNABLE = "unable"


class DispatchFirst(StrEnum):
    """A hot list's policy: which of its hits wait for a dispatcher before officers hear."""

    AUTO = "auto"  # low priorities and doubtful matches wait (DispatchRules)
    ALWAYS = "always"  # every hit: records that must be confirmed before anyone acts
    NEVER = "never"  # straight to officers (P4 is still pushed to nobody)


@dataclass(frozen=True, slots=True)
class DispatchRules:
    """What an `auto` list holds for a dispatcher: hits of `from_priority` and below (P3, P4),
    matches that are not exact (`misreads`), and reads whose matching OCR candidate was not
    the camera's first or had a confidence under `min_confidence`."""

    from_priority: int = 3
    misreads: bool = True
    min_confidence: float = 0.5

    def __post_init__(self) -> None:
        if not 1 <= self.from_priority <= 5:
            raise ValueError(f"from_priority must be 1-5 (5: none), got {self.from_priority}")
        if not 0 <= self.min_confidence <= 1:
            raise ValueError(f"min_confidence must be 0-1, got {self.min_confidence}")


def hold_for_dispatch(
    *,
    policy: DispatchFirst,
    priority: int,
    exact: bool,
    candidate_rank: int = 1,
    confidence: float | None = None,
    rules: DispatchRules,
) -> str | None:
    """Why a new hit waits in the dispatcher queue before any officer is pushed; None when it
    goes to officers at once. `confidence` (0-1) is the matching OCR candidate's, when known."""
    if policy is DispatchFirst.NEVER:
        return None
    if policy is DispatchFirst.ALWAYS:
        return "the list's records are confirmed by a dispatcher before officers are told"
    if priority >= rules.from_priority:
        return f"P{priority}: a dispatcher looks first"
    if not exact and rules.misreads:
        return "possible misread: the plate read is not the plate listed"
    if candidate_rank > 1:
        return (
            f"the camera's {_ordinal(candidate_rank)} reading of the plate matched, not its first"
        )
    if confidence is not None and confidence < rules.min_confidence:
        return f"the camera read the plate with {confidence:.0%} confidence"
    return None


@dataclass(frozen=True, slots=True)
class Attention:
    """Officers' attention: those responding or on scene elsewhere are spared hits of
    `skip_busy_from_priority` and below (P2, P3); an officer with `budget_per_hour` loud pushes
    in the last hour is spared hits of `budget_from_priority` and below (P3)."""

    skip_busy_from_priority: int = 2
    budget_per_hour: int = 4
    budget_from_priority: int = 3
    # The budget's hour; shorter only where time is compressed (the simulator).
    budget_window: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.budget_per_hour < 1:
            raise ValueError(f"budget_per_hour must be at least 1, got {self.budget_per_hour}")
        if self.budget_window <= timedelta(0):
            raise ValueError(f"budget_window must be positive, got {self.budget_window}")

    def skips_busy(self, priority: int) -> bool:
        return priority >= self.skip_busy_from_priority

    def budgets(self, priority: int) -> bool:
        return priority >= self.budget_from_priority


def spared(
    *,
    priority: int,
    busy: Collection[int],
    loud_last_hour: Mapping[int, int],
    rules: Attention,
) -> dict[int, str]:
    """The officers not to tell of a hit of `priority`, each with why. `busy` are responding or
    on scene at another open alert; `loud_last_hour` counts each officer's loud pushes."""
    why: dict[int, str] = {}
    if rules.budgets(priority):
        for officer_id, count in loud_last_hour.items():
            if count >= rules.budget_per_hour:
                why[officer_id] = (
                    f"over the attention budget: {count} loud pushes in the last "
                    f"{_window_words(rules.budget_window)} "
                    f"(budget {rules.budget_per_hour} for P{rules.budget_from_priority} and below)"
                )
    if rules.skips_busy(priority):
        for officer_id in busy:
            why[officer_id] = "responding to another alert"
    return why


@dataclass(frozen=True, slots=True)
class Why:
    """Why one push went to one officer, in words a supervisor audits."""

    officer: str  # why this officer
    now: str  # why at this moment
    sound: str  # why it rang, or came as a quiet update


@dataclass(frozen=True, slots=True)
class Notice:
    """One push to decide: to whom, loud or quiet, why; `chosen` is routing's view of the
    officer (distance, bearing) when this push routed them, else None."""

    officer_id: int
    loud: bool
    why: Why
    action: str
    chosen: Recipient | None = None


@dataclass(frozen=True, slots=True)
class Holder:
    """An officer who already has the alert."""

    officer_id: int
    response: str | None = None
    last_sighting_pushed_at: datetime | None = None


def why_chosen(chosen: Recipient, *, beat: str | None = None) -> str:
    """E.g. "best placed (1st): 1.2 km away, about 2 min to reach the car"."""
    if chosen.reason is Reason.BEAT:
        where = f" {beat}" if beat else ""
        return f"assigned to the beat{where} where the car was read"
    text = f"best placed ({_ordinal(chosen.rank)})"
    if chosen.distance_m is not None:
        text += f": {_metres(chosen.distance_m)} away"
        if chosen.eta_s is not None:
            text += f", about {_minutes(chosen.eta_s)} to reach the car"
    return text


def first_push(
    found: Iterable[Recipient], *, why_now: str, beat: str | None = None, action: str = "hit"
) -> list[Notice]:
    """A new hit (or a promoted one): the officers routing found, every one loud."""
    return [
        Notice(
            officer_id=chosen.officer_id,
            loud=True,
            why=Why(why_chosen(chosen, beat=beat), why_now, "a new hit: something to do"),
            action=action,
            chosen=chosen,
        )
        for chosen in found
    ]


def sighting(
    *,
    found: Iterable[Recipient],
    holders: Iterable[Holder],
    priority_rose_to: int | None,
    someone_responding: bool,
    quiet_interval: timedelta,
    now: datetime,
    beat: str | None = None,
) -> list[Notice]:
    """A repeat sighting of a car with an alert open (see the module docstring).

    Officers who answered `unable` hear nothing more of it. Newly best-placed officers ring
    while nobody is responding; once someone is, the car has its unit, and they are not told.
    Quiet updates to officers not responding come at most once per `quiet_interval`."""
    held = {h.officer_id: h for h in holders}
    notices: list[Notice] = []
    for chosen in found:
        if chosen.officer_id in held or someone_responding:
            continue
        why = Why(
            why_chosen(chosen, beat=beat),
            "the car was seen again, nearer to this officer than to those told",
            "newly best placed: the car moved, and this officer was not told yet",
        )
        notices.append(Notice(chosen.officer_id, True, why, "sighting", chosen))
    routed = {chosen.officer_id: chosen for chosen in found}
    for holder in held.values():
        if holder.response == UNABLE:
            continue
        routed_now = routed.get(holder.officer_id)
        if priority_rose_to is not None:
            why = Why(
                "has the alert", f"the priority rose to P{priority_rose_to}", "the priority rose"
            )
            notices.append(Notice(holder.officer_id, True, why, "sighting", routed_now))
        elif holder.response in RESPONDING:
            why = Why(
                "responding to this alert",
                "the car was seen again: its new position",
                "quiet: already responding, nothing new to do",
            )
            notices.append(Notice(holder.officer_id, False, why, "sighting", routed_now))
        elif not _told_within(holder, now, quiet_interval):
            why = Why(
                "has the alert",
                "the car was seen again: its new position",
                "quiet: the same officers are best placed; nothing new to do",
            )
            notices.append(Notice(holder.officer_id, False, why, "sighting", routed_now))
    return notices


def match_push(
    found: Iterable[Recipient], holders: Iterable[Holder], *, interval: timedelta, now: datetime
) -> list[Notice]:
    """A read that may be a bulletin's vehicle: the best placed around it ring, except an
    officer pushed a match of this bulletin within `interval` (the trail keeps every match)."""
    held = {h.officer_id: h for h in holders}
    notices = []
    for chosen in found:
        holder = held.get(chosen.officer_id)
        if holder is not None and _told_within(holder, now, interval):
            continue
        why = Why(why_chosen(chosen), "a read fits the bulletin", "a possible match to check")
        notices.append(Notice(chosen.officer_id, True, why, "match", chosen))
    return notices


def _told_within(holder: Holder, now: datetime, interval: timedelta) -> bool:
    last = holder.last_sighting_pushed_at
    return last is not None and now - last < interval


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _metres(distance_m: float) -> str:
    return f"{distance_m:.0f} m" if distance_m < 1000 else f"{distance_m / 1000:.1f} km"


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def _window_words(window: timedelta) -> str:
    minutes = round(window.total_seconds() / 60)
    return "hour" if minutes == 60 else f"{minutes} min"
