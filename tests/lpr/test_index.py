from datetime import UTC, datetime, timedelta

import pytest

from lpr.errors import InvalidPlate, PolicyError
from lpr.explain import Quality
from lpr.index import PlateIndex
from lpr.matcher import Entry, Hit
from lpr.policy import MatchPolicy

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
LARGE, SMALL, EXACT, BROAD, NATIONAL = 1, 2, 3, 4, 5


def index(*entries: Entry, **policies: MatchPolicy) -> PlateIndex:
    return PlateIndex(
        entries,
        policies={
            SMALL: MatchPolicy.small_list(),
            EXACT: MatchPolicy.exact(),
            BROAD: MatchPolicy(confusable_max=2, broad_confusables=True),
            NATIONAL: MatchPolicy.large_list(ignore_state=True),
        },
    )


def kinds(hits: list[Hit]) -> list[tuple[int, Quality, int, int]]:
    return [(hit.entry_id, hit.quality, hit.substitutions, hit.edits) for hit in hits]


def test_exact_hit() -> None:
    hits = index(Entry(1, LARGE, "7ABC123", "CA")).match("7ABC123", "CA", NOW)
    assert kinds(hits) == [(1, Quality.EXACT, 0, 0)]
    assert hits[0].label == "EXACT"
    assert hits[0].read_plate == hits[0].listed_key == "7ABC123"


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("7A8C123", [(1, Quality.CONFUSABLE, 1, 0)]),  # B read as 8
        ("7ABC1Z3", [(1, Quality.CONFUSABLE, 1, 0)]),  # 2 read as Z
        ("7A8C1Z3", []),  # two look-alikes: over the default k=1
        ("7AXC123", []),  # not a look-alike
        ("7ABC12", []),  # a missing character is an edit: none allowed
    ],
)
def test_large_list_allows_one_look_alike_and_no_edit(
    read: str, expected: list[tuple[int, Quality, int, int]]
) -> None:
    assert kinds(index(Entry(1, LARGE, "7ABC123")).match(read, None, NOW)) == expected


def test_exact_policy_allows_no_look_alike() -> None:
    ix = index(Entry(1, EXACT, "7ABC123"))
    assert ix.match("7A8C123", None, NOW) == []
    assert kinds(ix.match("7ABC123", None, NOW)) == [(1, Quality.EXACT, 0, 0)]


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("ABC123", [(1, Quality.EXACT, 0, 0)]),
        ("A8C1Z3", [(1, Quality.CONFUSABLE, 2, 0)]),
        ("A8CIZ3", [(1, Quality.EDITED, 2, 1)]),  # a third look-alike is spent as the edit
        ("ABC0123", [(1, Quality.EDITED, 0, 1)]),  # a bolt read as 0
        ("AB123", [(1, Quality.EDITED, 0, 1)]),  # a faint C
        ("ABX123", [(1, Quality.EDITED, 0, 1)]),  # a different character
        ("A8C0123", [(1, Quality.EDITED, 1, 1)]),
        ("AB12", []),  # two characters missing
        ("XBC12", []),
    ],
)
def test_small_list_allows_two_look_alikes_and_one_edit(
    read: str, expected: list[tuple[int, Quality, int, int]]
) -> None:
    assert kinds(index(Entry(1, SMALL, "ABC123")).match(read, None, NOW)) == expected


def test_edit_max_two() -> None:
    ix = PlateIndex([Entry(1, 9, "ABC123")], policies={9: MatchPolicy(0, 2)})
    assert kinds(ix.match("AB12", None, NOW)) == [(1, Quality.EDITED, 0, 2)]
    assert ix.match("A12", None, NOW) == []


def test_broad_table_matches_its_classes_and_is_not_transitive() -> None:
    ix = index(Entry(1, BROAD, "T3EH12"))
    assert kinds(ix.match("Y8FK12", None, NOW)) == []  # three broad look-alikes, k=2
    assert kinds(ix.match("Y8EH12", None, NOW)) == [(1, Quality.CONFUSABLE, 2, 0)]
    assert ix.match("V3EH12", None, NOW) == []  # T~Y~V, but not T~V
    assert kinds(index(Entry(1, LARGE, "T3EH12")).match("Y3EH12", None, NOW)) == []


def test_state_rule() -> None:
    ix = index(Entry(1, LARGE, "ABC123", "CA"), Entry(2, LARGE, "ABC123", None))
    assert [(h.entry_id, h.state_note) for h in ix.match("ABC123", "CA", NOW)] == [
        (1, ""),
        (2, "no state on record"),
    ]
    assert [(h.entry_id, h.state_note) for h in ix.match("ABC123", None, NOW)] == [
        (1, "state not read — record is CA"),
        (2, "no state on record"),
    ]
    assert [h.entry_id for h in ix.match("ABC123", "NV", NOW)] == [2]


def test_a_list_that_ignores_state_matches_every_state_and_says_so() -> None:
    hits = index(Entry(1, NATIONAL, "ABC123", "CA")).match("ABC123", "NV", NOW)
    assert [(h.entry_id, h.state_note) for h in hits] == [
        (1, "read in NV, record is CA — list ignores state")
    ]


def test_expired_entries_never_match() -> None:
    ix = index(
        Entry(1, LARGE, "ABC123", expires_at=NOW),
        Entry(2, LARGE, "ABC123", expires_at=NOW + timedelta(microseconds=1)),
        Entry(3, SMALL, "ABC123", expires_at=NOW - timedelta(days=1)),
        Entry(4, SMALL, "7K?4??", expires_at=NOW - timedelta(days=1)),
    )
    assert [h.entry_id for h in ix.match("ABC123", None, NOW)] == [2]
    assert ix.match("7KX4AB", None, NOW) == []
    assert ix.match("ABC123", None, NOW - timedelta(days=2)) != []


def test_every_candidate_is_tried_and_the_best_hit_per_entry_wins() -> None:
    ix = index(Entry(1, SMALL, "ABC123"), Entry(2, LARGE, "XYZ789"))
    hits = ix.match_read([("A8C123", 0.9), ("ABC123", 0.41), ("XYZ789", 0.2)], state=None, now=NOW)
    assert [(h.entry_id, h.quality, h.candidate_rank, h.candidate_confidence) for h in hits] == [
        (1, Quality.EXACT, 2, 0.41),  # the exact candidate beats the better-ranked misread
        (2, Quality.EXACT, 3, 0.2),
    ]
    assert hits[0].candidate_count == 3


def test_hits_are_ordered_by_quality_then_candidate_rank() -> None:
    ix = index(Entry(1, SMALL, "ABC1234"), Entry(2, SMALL, "A8C123"), Entry(3, LARGE, "ABC123"))
    hits = ix.match_read([("ABC123", 0.9)], state=None, now=NOW)
    assert [(h.entry_id, h.quality) for h in hits] == [
        (3, Quality.EXACT),
        (2, Quality.CONFUSABLE),
        (1, Quality.EDITED),
    ]


def test_upsert_replaces_and_remove_forgets_one_entry() -> None:
    ix = index(Entry(1, LARGE, "ABC123"), Entry(2, LARGE, "ABC123", "TX"))
    ix.upsert(Entry(1, LARGE, "XYZ789", "CA"))
    assert len(ix) == 2
    assert [h.entry_id for h in ix.match("ABC123", None, NOW)] == [2]
    assert [h.entry_id for h in ix.match("XYZ789", None, NOW)] == [1]
    ix.remove(2)
    ix.remove(2)  # unknown ids are ignored
    assert ix.match("ABC123", None, NOW) == []
    assert ix.get(2) is None
    ix.upsert(Entry(3, SMALL, "ABC123"))  # reuses the freed slot
    assert [h.entry_id for h in ix.match("ABC12", None, NOW)] == [3]
    assert len(ix) == 2


def test_an_entry_moving_between_lists_moves_between_indexes() -> None:
    ix = index(Entry(1, LARGE, "ABC123"))
    ix.upsert(Entry(1, SMALL, "ABC123"))
    assert kinds(ix.match("ABC12", None, NOW)) == [(1, Quality.EDITED, 0, 1)]
    ix.upsert(Entry(1, LARGE, "ABC123"))
    assert ix.match("ABC12", None, NOW) == []
    assert ix.stats().fuzzy == 0 and ix.stats().neighbourhood_keys == 0


def test_get_returns_the_entry_as_stored() -> None:
    entry = Entry(7, LARGE, "O0DQIL", "CA", NOW + timedelta(days=1, microseconds=5))
    assert index(entry).get(7) == entry


def test_set_policy_refiles_the_list() -> None:
    ix = index(Entry(1, LARGE, "ABC123"), Entry(2, 9, "ABC123"))
    assert ix.match("ABC12", None, NOW) == []
    ix.set_policy(LARGE, MatchPolicy.small_list())
    assert [h.entry_id for h in ix.match("ABC12", None, NOW)] == [1]
    ix.set_policy(LARGE, MatchPolicy.exact())
    assert ix.match("ABC12", None, NOW) == [] and ix.match("A8C123", None, NOW) != []
    assert [h.entry_id for h in ix.match("A8C123", None, NOW)] == [2]


def test_a_fuzzy_policy_is_refused_for_a_large_list() -> None:
    ix = PlateIndex([Entry(i, LARGE, f"ABC{i:03}") for i in range(5)], fuzzy_list_max=4)
    with pytest.raises(PolicyError, match="5 entries"):
        ix.set_policy(LARGE, MatchPolicy.small_list())
    ix.set_policy(LARGE, MatchPolicy.exact())


@pytest.mark.parametrize("key", ["", "abc123", "AB-123", "A" * 33])
def test_keys_must_be_normalised(key: str) -> None:
    with pytest.raises(InvalidPlate):
        PlateIndex([Entry(1, LARGE, key)])


def test_many_entries_on_one_fold_key() -> None:
    ix = index(*(Entry(i, LARGE, key) for i, key in enumerate(["OO1", "0O1", "O01", "DQL"])))
    assert [h.entry_id for h in ix.match("OO1", None, NOW)] == [0, 1, 2]
    ix.remove(1)
    assert [h.entry_id for h in ix.match("OO1", None, NOW)] == [0, 2]
