"""The rows a process stored lately, kept for a bulletin's catch-up: what is still all there,
and when the catch-up must read the database instead."""

from datetime import UTC, datetime, timedelta

from app.bulletins.recent import KEPT_FOR, KEPT_MAX, RecentReads

T0 = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)


def _row(plate: str) -> dict[str, object]:
    return {"plate": plate}


def test_nothing_is_kept_before_the_watch_first_looks() -> None:
    recent = RecentReads()
    recent.add([_row("A")], [1], T0)
    assert recent.since(T0) is None and len(recent) == 0
    recent.start(T0)
    recent.add([_row("B")], [2], T0 + timedelta(seconds=1))
    assert recent.since(T0) == [(2, {"plate": "B"})]
    assert recent.since(T0 - timedelta(seconds=1)) is None  # before it kept anything


def test_rows_not_stored_are_skipped_and_the_order_is_kept() -> None:
    recent = RecentReads()
    recent.start(T0)
    recent.add([_row("A"), _row("dup"), _row("B")], [1, None, 2], T0 + timedelta(seconds=1))
    # The other writer thread's clock read a moment earlier: kept after, never before.
    recent.add([_row("C")], [3], T0 + timedelta(milliseconds=900))
    found = recent.since(T0 + timedelta(seconds=1))
    assert found is not None and [read_id for read_id, _ in found] == [1, 2, 3]


def test_rows_older_than_the_window_go_and_a_catch_up_that_needs_them_is_told() -> None:
    recent = RecentReads()
    recent.start(T0)
    recent.add([_row("old")], [1], T0 + timedelta(seconds=1))
    later = T0 + timedelta(seconds=2) + KEPT_FOR
    recent.add([_row("new")], [2], later)
    assert len(recent) == 1
    assert recent.since(T0 + timedelta(seconds=1)) is None
    assert recent.since(later - timedelta(seconds=1)) == [(2, {"plate": "new"})]


def test_at_most_kept_max_rows_are_kept() -> None:
    recent = RecentReads()
    recent.start(T0)
    first = T0 + timedelta(seconds=1)
    recent.add([_row("x")] * KEPT_MAX, list(range(1, KEPT_MAX + 1)), first)
    recent.add([_row("y")], [KEPT_MAX + 1], first + timedelta(seconds=1))
    assert len(recent) == KEPT_MAX
    assert recent.since(first) is None  # one row of that moment is gone
    found = recent.since(first + timedelta(seconds=1))
    assert found == [(KEPT_MAX + 1, {"plate": "y"})]
