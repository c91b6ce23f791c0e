"""The push policy's rules, pure: who waits for a dispatcher, who is spared, what rings."""

from datetime import UTC, datetime, timedelta

import pytest

from alerts.policy import (
    Attention,
    DispatchFirst,
    DispatchRules,
    Holder,
    first_push,
    hold_for_dispatch,
    match_push,
    sighting,
    spared,
)
from alerts.routing import Reason, Recipient

NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
RULES = DispatchRules()
QUIET = timedelta(minutes=2)


@pytest.mark.parametrize(
    ("policy", "priority", "exact", "rank", "confidence", "held"),
    [
        (DispatchFirst.AUTO, 1, True, 1, None, None),
        (DispatchFirst.AUTO, 2, True, 1, 0.9, None),
        (DispatchFirst.AUTO, 3, True, 1, None, "P3: a dispatcher looks first"),
        (DispatchFirst.AUTO, 4, True, 1, None, "P4: a dispatcher looks first"),
        (DispatchFirst.AUTO, 1, False, 1, None, "possible misread"),
        (DispatchFirst.AUTO, 2, True, 2, None, "the camera's 2nd reading"),
        (DispatchFirst.AUTO, 2, True, 1, 0.3, "the camera read the plate with 30% confidence"),
        (DispatchFirst.NEVER, 3, False, 2, 0.1, None),
        (DispatchFirst.ALWAYS, 1, True, 1, None, "the list's records are confirmed"),
    ],
)
def test_which_hits_wait_for_a_dispatcher(
    policy: DispatchFirst,
    priority: int,
    exact: bool,
    rank: int,
    confidence: float | None,
    held: str | None,
) -> None:
    reason = hold_for_dispatch(policy=policy, priority=priority, exact=exact,
                               candidate_rank=rank, confidence=confidence, rules=RULES)  # fmt: skip
    assert (reason is None) == (held is None)
    if held is not None:
        assert reason is not None and reason.startswith(held)


def test_busy_officers_are_spared_below_p1_and_the_budget_spares_p3_only() -> None:
    rules = Attention(budget_per_hour=4)
    busy, spent, fresh = 1, 2, 3
    counts = {spent: 4, fresh: 3}
    assert spared(priority=1, busy={busy}, loud_last_hour=counts, rules=rules) == {}
    assert set(spared(priority=2, busy={busy}, loud_last_hour=counts, rules=rules)) == {busy}
    p3 = spared(priority=3, busy={busy}, loud_last_hour=counts, rules=rules)
    assert set(p3) == {busy, spent}
    assert p3[spent].startswith("over the attention budget: 4 loud pushes in the last hour")
    # The simulator compresses time, and the budget's hour with it.
    compressed = Attention(budget_per_hour=4, budget_window=timedelta(minutes=6))
    why = spared(priority=3, busy=set(), loud_last_hour=counts, rules=compressed)[spent]
    assert why.startswith("over the attention budget: 4 loud pushes in the last 6 min")
    with pytest.raises(ValueError, match="budget_window"):
        Attention(budget_window=timedelta(0))


def _officer(officer_id: int, rank: int = 1) -> Recipient:
    return Recipient(officer_id, rank, 400.0 * rank, 0.0, 60.0 * rank)


def test_a_first_push_rings_every_officer_routed_and_says_why() -> None:
    beat = Recipient(9, 2, None, None, reason=Reason.BEAT)
    notices = first_push([_officer(1), beat], why_now="a new hit", beat="04X")
    assert [(n.officer_id, n.loud) for n in notices] == [(1, True), (9, True)]
    assert notices[0].why.officer == "best placed (1st): 400 m away, about 60 s to reach the car"
    assert notices[1].why.officer == "assigned to the beat 04X where the car was read"


def test_a_repeat_sighting_rings_only_the_newly_best_placed() -> None:
    told = [Holder(1, None, NOW - timedelta(minutes=5)), Holder(2, "unable", None)]
    notices = sighting(found=[_officer(1), _officer(3, 2)], holders=told, priority_rose_to=None,
                       someone_responding=False, quiet_interval=QUIET, now=NOW)  # fmt: skip
    assert sorted((n.officer_id, n.loud) for n in notices) == [(1, False), (3, True)]


def test_a_repeat_sighting_is_quiet_for_responders_and_rings_nobody_new() -> None:
    told = [Holder(1, "responding", NOW), Holder(2, None, NOW)]
    notices = sighting(found=[_officer(3)], holders=told, priority_rose_to=None,
                       someone_responding=True, quiet_interval=QUIET, now=NOW)  # fmt: skip
    assert [(n.officer_id, n.loud) for n in notices] == [(1, False)]  # 2: told just now


def test_a_risen_priority_rings_everyone_who_has_the_alert() -> None:
    told = [Holder(1, "responding", NOW), Holder(2, None, NOW)]
    notices = sighting(found=[], holders=told, priority_rose_to=1, someone_responding=True,
                       quiet_interval=timedelta(minutes=2), now=NOW)  # fmt: skip
    assert [(n.officer_id, n.loud, n.why.now) for n in notices] == [
        (1, True, "the priority rose to P1"), (2, True, "the priority rose to P1"),
    ]  # fmt: skip


def test_a_bulletin_match_rings_an_officer_once_per_interval() -> None:
    told = [Holder(1, None, NOW - timedelta(seconds=30))]
    notices = match_push([_officer(1), _officer(2, 2)], told, interval=timedelta(minutes=1),
                         now=NOW)  # fmt: skip
    assert [(n.officer_id, n.loud) for n in notices] == [(2, True)]
