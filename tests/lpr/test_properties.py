"""Properties of the whole engine: the index finds what a scan finds, and a policy that allows
more never matches less (exact ⊆ confusable ⊆ edit distance)."""

import itertools
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from lpr import distance
from lpr.index import PlateIndex
from lpr.matcher import Entry
from lpr.policy import MatchPolicy

NOW = datetime(2025, 6, 1, tzinfo=UTC)
# Look-alikes of both tables and a few plain letters, so that near misses are common.
ALPHABET = "AB80OD1IL2Z5SEFTVY3X"
keys = st.text(alphabet=ALPHABET, min_size=1, max_size=7)
policies = st.builds(
    MatchPolicy,
    confusable_max=st.integers(0, 2),
    edit_max=st.integers(0, 2),
    broad_confusables=st.booleans(),
)


def hit_ids(policy: MatchPolicy, listed: list[str], reads: list[str]) -> set[int]:
    index = PlateIndex([Entry(i, 1, key) for i, key in enumerate(listed)], policies={1: policy})
    return {
        hit.entry_id for hit in index.match_read([(r, None) for r in reads], state=None, now=NOW)
    }


def wider(policy: MatchPolicy, data: st.DataObject) -> MatchPolicy:
    return MatchPolicy(
        confusable_max=data.draw(st.integers(policy.confusable_max, 2)),
        edit_max=data.draw(st.integers(policy.edit_max, 2)),
        broad_confusables=policy.broad_confusables or data.draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(keys, min_size=1, max_size=12),
    st.lists(keys, min_size=1, max_size=3),
    policies,
    st.data(),
)
def test_a_wider_policy_never_matches_less(
    listed: list[str], reads: list[str], narrow: MatchPolicy, data: st.DataObject
) -> None:
    assert hit_ids(narrow, listed, reads) <= hit_ids(wider(narrow, data), listed, reads)


@settings(max_examples=200, deadline=None)
@given(st.lists(keys, min_size=1, max_size=12), keys)
def test_exact_within_confusable_within_edit(listed: list[str], read: str) -> None:
    chain = [
        MatchPolicy.exact(),
        MatchPolicy(1),
        MatchPolicy(2),
        MatchPolicy(2, 1),
        MatchPolicy(2, 2),
    ]
    found = [hit_ids(policy, listed, [read]) for policy in chain]
    assert all(a <= b for a, b in itertools.pairwise(found))
    assert found[0] == {i for i, key in enumerate(listed) if key == read}


@settings(max_examples=300, deadline=None)
@given(st.lists(keys, min_size=1, max_size=12), keys, policies)
def test_the_index_finds_what_a_scan_finds(
    listed: list[str], read: str, policy: MatchPolicy
) -> None:
    expected = {
        i
        for i, key in enumerate(listed)
        if distance.align(
            read,
            key,
            table=policy.table,
            confusable_max=policy.confusable_max,
            edit_max=policy.edit_max,
        )
        is not None
    }
    assert hit_ids(policy, listed, [read]) == expected


@given(keys)
def test_every_listed_plate_matches_itself_exactly(key: str) -> None:
    index = PlateIndex([Entry(1, 1, key)])
    assert [
        (hit.quality.value, hit.edits, hit.substitutions) for hit in index.match(key, None, NOW)
    ] == [("exact", 0, 0)]
