"""The life of a hit after the push, as rules (DOMAIN.md 5.1, 5.4): the confirmation states
and the answers each allows, the officers' responses, the escalation ladder and its waits,
and the dispositions an alert closes with. Pure: times are passed in.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from alerts.errors import InvalidOutcome, InvalidTransition


class Confirmation(StrEnum):
    """A hit's record confirmed with its originating agency before anyone acts on it."""

    UNCONFIRMED = "unconfirmed"
    REQUESTED = "requested"  # asked; the agency must answer before the due time
    CONFIRMED = "confirmed"  # still wanted, and it is this vehicle
    NOT_CONFIRMED = "not_confirmed"  # cleared, or not this vehicle: nobody stops on it
    EXPIRED = "expired"  # no answer in time; may be asked again


ANSWERS = frozenset({Confirmation.CONFIRMED, Confirmation.NOT_CONFIRMED})


def confirmation_changes(current: Confirmation, wanted: Confirmation) -> bool:
    """Whether recording `wanted` changes the state: False when it is already so (asking
    twice, or giving the same answer twice, changes nothing). Raises InvalidTransition for a
    state that cannot be set by hand or an answer that contradicts the one given."""
    if wanted not in (Confirmation.REQUESTED, *ANSWERS):
        raise InvalidTransition(f"confirmation cannot be set to {wanted.value}")
    if wanted == current:
        return False
    if current in ANSWERS:
        raise InvalidTransition(
            f"the record was already answered {current.value}; it cannot become {wanted.value}"
        )
    return True


def is_urgent(priority: int) -> bool:
    """An urgent confirmation request (the officer must decide now): P1 and P2."""
    return priority <= 2


class Response(StrEnum):
    """An officer's answer to an alert."""

    SEEN = "seen"
    RESPONDING = "responding"
    ON_SCENE = "on_scene"
    UNABLE = "unable"  # too far, busy: a refusal, and the ladder moves on sooner


ACTIVE = frozenset({Response.RESPONDING, Response.ON_SCENE})  # somebody is on it


def hears_of_answer(
    *, bulletin: bool, own_answer: Response | None, covered_before: bool, covered_after: bool
) -> bool:
    """Whether an officer who has the alert is told (quietly) of another unit's answer.
    Of a hit: units on it always are, so two cars do not race to one stop; a unit that said
    unable never is; the others only when the answer changes whether anybody is on it (the
    first unit responding stands them down, the last one leaving says it is open again; every
    later "on scene" or "unable" would be a message that asks nothing of them). Of a bulletin,
    nobody: a unit going to one sighting stands nobody down from looking, the dispatcher
    coordinates the units on it, and the phone's alert page shows them live."""
    if bulletin or own_answer is Response.UNABLE:
        return False
    if own_answer in ACTIVE:
        return True
    return covered_before != covered_after


class Step(StrEnum):
    """The escalation ladder, in order."""

    NEXT_RING = "next_ring"  # the next-best officers not told yet
    DISPATCHER = "dispatcher"  # the dispatcher desk's list of escalated alerts
    SUPERVISOR = "supervisor"  # the on-duty supervisors' phones


LADDER = (Step.NEXT_RING, Step.DISPATCHER, Step.SUPERVISOR)


class Cause(StrEnum):
    NO_RESPONSE = "no_response"  # nobody responding within the priority's wait
    REFUSED = "refused"  # officers told answered `unable`, which brought the step forward


@dataclass(frozen=True, slots=True)
class Escalation:
    """How long a P1 and a P2 alert wait for somebody responding before each step."""

    p1: timedelta = timedelta(seconds=60)
    p2: timedelta = timedelta(seconds=180)

    def wait(self, priority: int) -> timedelta | None:
        """The wait of a priority; None for P3 and below, which never escalate."""
        if priority <= 1:
            return self.p1
        return self.p2 if priority == 2 else None


def next_step(level: int) -> Step | None:
    """The step after `level` steps taken (0: none yet), or None past the top."""
    return LADDER[level] if level < len(LADDER) else None


def due_after_refusals(
    *, due_at: datetime, now: datetime, told: Collection[int], refused: Collection[int]
) -> datetime:
    """When the next step is due once some of the officers `told` have answered `unable`: now
    if every one of them has; otherwise the time left shrinks in proportion to those still
    able (half of them unable: half the time left). Never later than `due_at`."""
    told_set = set(told)
    if not told_set or told_set <= set(refused):
        return now
    able = len(told_set - set(refused))
    left = max(timedelta(0), due_at - now)
    return now + left * able / len(told_set)


class Disposition(StrEnum):
    """How an alert ended."""

    LOCATED = "located"  # with a Result
    NOT_LOCATED = "not_located"
    MISREAD = "misread"  # the plate did not match
    WRONG_VEHICLE = "wrong_vehicle"  # the plate matched, the vehicle did not
    RECORD_INVALID = "record_invalid"  # cleared, expired or not confirmed
    DUPLICATE = "duplicate"
    CANCELLED = "cancelled"


class Result(StrEnum):
    """What came of a located vehicle."""

    STOPPED = "stopped"
    DETAINED = "detained"
    ARRESTED = "arrested"
    VEHICLE_RECOVERED = "vehicle_recovered"
    CITED = "cited"
    WARNED = "warned"
    NO_ACTION = "no_action"


FALSE_HITS = frozenset({Disposition.MISREAD, Disposition.WRONG_VEHICLE})  # list hygiene


def check_outcome(disposition: Disposition, result: Result | None) -> None:
    """A `located` alert says what came of it; no other disposition has a result. Raises
    InvalidOutcome otherwise."""
    if disposition is Disposition.LOCATED and result is None:
        raise InvalidOutcome("a located vehicle needs a result (stopped, arrested ...)")
    if disposition is not Disposition.LOCATED and result is not None:
        raise InvalidOutcome(f"only a located vehicle has a result, not {disposition.value}")
