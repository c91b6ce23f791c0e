"""The rules of a hit's life after the push, and what the phone shows of it."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alerts import updates
from alerts.compose import Detail
from alerts.errors import InvalidOutcome, InvalidTransition
from alerts.lifecycle import (
    Confirmation,
    Disposition,
    Escalation,
    Response,
    Result,
    Step,
    check_outcome,
    confirmation_changes,
    due_after_refusals,
    hears_of_answer,
    is_urgent,
    next_step,
)
from alerts.push import Platform

NOW = datetime(2026, 3, 4, 22, 5, 3, tzinfo=UTC)
TZ = ZoneInfo("America/Los_Angeles")
THREAD = updates.Thread(
    alert_id=42, kind="hotlist_hit", priority=2, collapse_key="alert-42",
    title="P2 Look for this car: 7ABC123 (CA) — EXACT", plate="7ABC123",
    list_kind="stolen_vehicle", reason="Stolen vehicle", case_number="24-001234",
)  # fmt: skip


@pytest.mark.parametrize(
    ("current", "wanted", "changes"),
    [
        (Confirmation.UNCONFIRMED, Confirmation.REQUESTED, True),
        (Confirmation.EXPIRED, Confirmation.REQUESTED, True),  # asked again after silence
        (Confirmation.REQUESTED, Confirmation.REQUESTED, False),
        (Confirmation.REQUESTED, Confirmation.CONFIRMED, True),
        (Confirmation.UNCONFIRMED, Confirmation.NOT_CONFIRMED, True),  # dispatch checked first
        (Confirmation.EXPIRED, Confirmation.CONFIRMED, True),  # a late answer still counts
        (Confirmation.CONFIRMED, Confirmation.CONFIRMED, False),
    ],
)
def test_which_confirmation_changes_are_allowed(
    current: Confirmation, wanted: Confirmation, changes: bool
) -> None:
    assert confirmation_changes(current, wanted) is changes


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (Confirmation.CONFIRMED, Confirmation.NOT_CONFIRMED),
        (Confirmation.NOT_CONFIRMED, Confirmation.CONFIRMED),
        (Confirmation.CONFIRMED, Confirmation.REQUESTED),
        (Confirmation.REQUESTED, Confirmation.EXPIRED),  # only the timer expires a request
        (Confirmation.REQUESTED, Confirmation.UNCONFIRMED),
    ],
)
def test_an_answer_cannot_be_contradicted_nor_a_state_forced(
    current: Confirmation, wanted: Confirmation
) -> None:
    with pytest.raises(InvalidTransition):
        confirmation_changes(current, wanted)


def test_p1_and_p2_requests_are_urgent_and_escalate_after_their_own_waits() -> None:
    assert [is_urgent(p) for p in (1, 2, 3, 4)] == [True, True, False, False]
    ladder = Escalation(p1=timedelta(seconds=60), p2=timedelta(seconds=180))
    assert [ladder.wait(p) for p in (1, 2, 3, 4)] == [
        timedelta(seconds=60), timedelta(seconds=180), None, None
    ]  # fmt: skip
    assert [next_step(level) for level in range(4)] == [
        Step.NEXT_RING, Step.DISPATCHER, Step.SUPERVISOR, None
    ]  # fmt: skip


def test_refusals_bring_the_next_step_forward() -> None:
    due = NOW + timedelta(seconds=60)
    assert due_after_refusals(due_at=due, now=NOW, told=[1, 2], refused=[]) == due
    assert due_after_refusals(due_at=due, now=NOW, told=[1, 2], refused=[1]) == NOW + timedelta(
        seconds=30
    )
    assert due_after_refusals(due_at=due, now=NOW, told=[1, 2], refused=[2, 1]) == NOW
    assert due_after_refusals(due_at=due, now=NOW, told=[], refused=[]) == NOW  # nobody told


@given(
    told=st.sets(st.integers(1, 20), min_size=1, max_size=8),
    data=st.data(),
    left_s=st.integers(-100, 600),
)
def test_a_refusal_never_puts_the_next_step_off(told: set[int], data: st.DataObject,
                                                left_s: int) -> None:  # fmt: skip
    refused = data.draw(st.sets(st.sampled_from(sorted(told))))
    due = NOW + timedelta(seconds=left_s)
    moved = due_after_refusals(due_at=due, now=NOW, told=told, refused=refused)
    assert NOW <= moved <= max(NOW, due)


def test_only_a_located_vehicle_has_a_result() -> None:
    check_outcome(Disposition.LOCATED, Result.ARRESTED)
    check_outcome(Disposition.MISREAD, None)
    with pytest.raises(InvalidOutcome, match="needs a result"):
        check_outcome(Disposition.LOCATED, None)
    with pytest.raises(InvalidOutcome, match="only a located vehicle"):
        check_outcome(Disposition.NOT_LOCATED, Result.CITED)


def _push(update: updates.Update, detail: Detail = Detail.FULL) -> dict[str, object]:
    message = updates.message(THREAD, update, token="t", platform=Platform.ANDROID,
                              detail=detail, ttl_s=600)  # fmt: skip
    return message.to_dict()


def test_a_confirmation_is_pushed_on_the_alerts_thread_and_rings() -> None:
    update = updates.confirmation(THREAD, Confirmation.CONFIRMED, who="Dispatcher Lee",
                                  note="ORI CA0010000", due_at=None, now=NOW, tz=TZ)  # fmt: skip
    push = _push(update)
    assert push["title"] == "CONFIRMED — still wanted (stolen, case 24-001234)"
    assert push["body"] == (
        "7ABC123: the originating agency confirmed the record by Dispatcher Lee, 14:05:03 PST"
        " — ORI CA0010000."
    )
    assert (push["collapse_key"], push["quiet"]) == ("alert-42", False)
    assert push["data"] == {"alert_id": "42", "url": "/m/alerts/42", "kind": "hotlist_hit",
                            "priority": "2", "action": "confirmation",
                            "confirmation": "confirmed"}  # fmt: skip


def test_not_confirmed_closes_the_alert_on_the_phone() -> None:
    update = updates.confirmation(THREAD, Confirmation.NOT_CONFIRMED, who="Lee", note=None,
                                  due_at=None, now=NOW, tz=TZ)  # fmt: skip
    push = _push(update, Detail.MINIMAL)
    assert push["title"] == "NOT CONFIRMED — do not stop on this hit"
    assert push["body"] == "Open Lookout for details."  # nothing of the record
    assert push["data"]["action"] == "close"  # type: ignore[index]
    assert push["data"]["disposition"] == "record_invalid"  # type: ignore[index]


def test_a_request_says_when_the_answer_is_due_quietly() -> None:
    update = updates.confirmation(THREAD, Confirmation.REQUESTED, who="4521", note=None,
                                  due_at=NOW + timedelta(minutes=10), now=NOW, tz=TZ)  # fmt: skip
    push = _push(update)
    assert push["title"] == "CONFIRMATION REQUESTED — answer due 14:15:03 PST"
    assert push["quiet"] is True


@pytest.mark.parametrize(
    ("status", "eta_s", "title"),
    [
        (Response.RESPONDING, 240.0, "Unit 4521 responding, ETA 4 min"),
        (Response.RESPONDING, 20.0, "Unit 4521 responding, ETA 1 min"),
        (Response.RESPONDING, None, "Unit 4521 responding"),
        (Response.ON_SCENE, None, "Unit 4521 on scene"),
        (Response.UNABLE, None, "Unit 4521 unable to respond"),
    ],
)
def test_another_units_answer_is_a_quiet_update(
    status: Response, eta_s: float | None, title: str
) -> None:
    push = _push(updates.response(THREAD, unit="4521", status=status, eta_s=eta_s))
    assert (push["title"], push["body"], push["quiet"]) == (title, THREAD.title, True)
    assert push["collapse_key"] == "alert-42"


def test_closing_is_quiet_and_names_the_outcome() -> None:
    update = updates.closed(THREAD, Disposition.LOCATED, Result.VEHICLE_RECOVERED,
                            who="4521", note="towed")  # fmt: skip
    push = _push(update)
    assert push["title"] == "CLOSED — located: vehicle recovered"
    assert push["body"] == "7ABC123: closed by 4521 — towed."
    assert (push["quiet"], push["data"]["action"]) == (True, "close")  # type: ignore[index]


def test_an_escalated_hit_rings_the_next_officer_with_distance_and_why() -> None:
    update = updates.escalated(THREAD, Step.NEXT_RING, summary="Stolen list (stolen vehicle)",
                               why="nobody responding 1 min after the hit; 2 told",
                               distance_m=2300, bearing_deg=90)  # fmt: skip
    push = _push(update)
    assert push["title"] == f"ESCALATED — {THREAD.title}"
    assert push["body"] == (
        "Stolen list (stolen vehicle)\n2.3 km east of you\nEscalated: nobody responding 1 min "
        "after the hit; 2 told.\nConfirm with dispatch before stopping."
    )
    assert push["quiet"] is False
    assert _push(update, Detail.MINIMAL)["title"] == "ESCALATED: P2 URGENT hot-list hit"


@pytest.mark.parametrize(
    ("bulletin", "own", "before", "after", "told"),
    [
        (False, Response.RESPONDING, True, True, True),  # on it: every answer, no racing
        (False, Response.ON_SCENE, False, True, True),
        (True, Response.ON_SCENE, True, True, False),  # a bulletin's units: the dispatcher's
        (False, Response.UNABLE, False, True, False),  # out of it
        (False, None, False, True, True),  # the first unit takes it: stand down
        (False, Response.SEEN, True, False, True),  # the last unit left: open again
        (False, None, True, True, False),  # a second unit, or one on scene: nothing to do
        (False, None, False, False, False),  # a refusal while nobody is on it: the ladder's
        (True, None, False, True, False),  # a bulletin's lookouts keep looking
    ],
)
def test_who_hears_of_another_units_answer(
    bulletin: bool, own: Response | None, before: bool, after: bool, told: bool
) -> None:
    assert (
        hears_of_answer(
            bulletin=bulletin, own_answer=own, covered_before=before, covered_after=after
        )
        is told
    )
