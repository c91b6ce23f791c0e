import random
from datetime import UTC, datetime

import pytest

from lpr.errors import InvalidPattern
from lpr.explain import Quality
from lpr.index import PlateIndex
from lpr.matcher import Entry
from lpr.patterns import Pattern, PatternIndex

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        ("7K?4??", "7KX4AB", True),
        ("7K?4??", "7KX4A", False),  # `?` is exactly one character
        ("7K?4??", "7KX4ABC", False),
        ("7K*4*", "7K4", True),  # `*` may be empty
        ("7K*4*", "7KAB4C9", True),
        ("7K*4*", "X7K4", False),  # anchored at both ends
        ("*B123", "7AB123", True),
        ("*B123", "7AB1234", False),
    ],
)
def test_glob_semantics(pattern: str, key: str, matches: bool) -> None:
    assert (Pattern(pattern).match(key) is not None) is matches


def test_match_says_what_each_wildcard_stood_for() -> None:
    assert Pattern("7K?4*").match("7KX4AB9") == ((2, "X", "?"), (4, "AB9", "*"))


@pytest.mark.parametrize(
    ("key", "matches"),
    [("SK37", True), ("NSK357", True), ("SKU573", False), ("SK3777", True), ("SK37777", False)],
)
def test_genetec_wildcards_keep_order_and_count_unknown_characters(key: str, matches: bool) -> None:
    pattern = Pattern.genetec("S*K3*7")
    assert pattern == Pattern.genetec("**SK37") == Pattern.genetec("SK37**")
    assert (pattern.match(key) is not None) is matches


def test_length_range() -> None:
    pattern = Pattern("7K*", min_length=6, max_length=7)
    assert [pattern.match(k) is not None for k in ("7KABC", "7KABCD", "7KABCDE", "7KABCDEF")] == [
        False,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize("text", ["", "7K-4", "7???", "*7*", "??"])
def test_invalid_patterns(text: str) -> None:
    with pytest.raises(InvalidPattern):
        Pattern(text)


def test_runs_of_stars_collapse() -> None:
    assert Pattern("7K**4").text == "7K*4"


def test_pattern_index_finds_exactly_what_a_scan_finds() -> None:
    rng = random.Random(7)
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    keys = ["".join(rng.choice(alphabet) for _ in range(rng.choice((6, 7)))) for _ in range(400)]
    patterns: list[Pattern] = []
    for key in keys[:300]:
        chars = list(key)
        for i in rng.sample(range(len(chars)), 2):
            chars[i] = "?"
        text = "".join(chars)
        roll = rng.random()
        if roll < 0.2:
            text = text[:4] + "*" + key[-1]
        elif roll < 0.3:
            text = "*" + key[-3:]
        elif roll < 0.4:
            text = "*" + key[2:4] + "*"
        if roll >= 0.9:
            patterns.append(Pattern.genetec(key[:2] + "*" + key[4:]))
        elif sum(ch.isalnum() for ch in text) >= 2:
            patterns.append(Pattern(text))
    index = PatternIndex()
    for slot, pattern in enumerate(patterns):
        index.add(slot, pattern)
    for slot in range(0, len(patterns), 3):
        index.remove(slot)
    live = {slot: p for slot, p in enumerate(patterns) if slot % 3}
    for key in keys:
        expected = {slot for slot, p in live.items() if p.match(key) is not None}
        assert {slot for slot, _ in index.matches(key)} == expected
    assert len(index) == len(live)


def test_a_pattern_hit_is_partial_and_names_the_pattern() -> None:
    ix = PlateIndex([Entry(1, 1, "7K?4??", "CA"), Entry(2, 1, "ABC123")])
    hits = ix.match_read([("7KX4AB", 0.8)], state="CA", now=NOW)
    assert [(h.entry_id, h.quality, h.pattern, h.listed_key) for h in hits] == [
        (1, Quality.PARTIAL, "7K?4??", "7K?4??")
    ]
    assert hits[0].label == "POSSIBLE MISREAD — verify plate"
    assert ix.match("7KX4AB", "NV", NOW) == []  # the pattern's state holds


def test_a_pattern_ranks_below_a_plate_hit() -> None:
    ix = PlateIndex([Entry(1, 1, "ABC12?"), Entry(2, 1, "ABC123")])
    assert [h.quality for h in ix.match("ABC123", None, NOW)] == [Quality.EXACT, Quality.PARTIAL]


def test_patterns_are_removed_incrementally() -> None:
    ix = PlateIndex([Entry(1, 1, "ABC12?"), Entry(2, 1, "*C123")])
    ix.remove(1)
    assert [h.entry_id for h in ix.match("ABC123", None, NOW)] == [2]
    ix.upsert(Entry(2, 1, "ABC123"))  # the entry becomes a plain plate
    assert [h.quality for h in ix.match("ABC123", None, NOW)] == [Quality.EXACT]
    assert ix.stats().patterns == 0
