from datetime import UTC, datetime

import pytest

from lpr.explain import Difference, DiffKind, Explanation, Quality
from lpr.index import PlateIndex
from lpr.matcher import Entry
from lpr.patterns import Pattern
from lpr.policy import MatchPolicy

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def explain(entry: Entry, candidates: list[tuple[str, float | None]]) -> str:
    ix = PlateIndex([entry], policies={2: MatchPolicy.small_list()})
    (hit,) = ix.match_read(candidates, state=None, now=NOW)
    return hit.explanation_text


@pytest.mark.parametrize(
    ("entry", "candidates", "text"),
    [
        (
            Entry(1, 1, "7ABC123"),
            [("7ABC123", None)],
            "read 7ABC123, entry 7ABC123: exact text match",
        ),
        (
            Entry(1, 1, "7ABC123"),
            [("7A8C123", None)],
            "read 7A8C123, entry 7ABC123: position 3 read 8, entry B — OCR-confusable",
        ),
        (
            Entry(1, 2, "ABC123"),
            [("ABC0123", None)],
            "read ABC0123, entry ABC123: one extra character '0' at position 4",
        ),
        (
            Entry(1, 2, "ABC123"),
            [("AB123", None)],
            "read AB123, entry ABC123: missing character 'C' (entry position 3)",
        ),
        (
            Entry(1, 2, "ABC123"),
            [("ABX123", None)],
            "read ABX123, entry ABC123: position 3 read X, entry C — different character",
        ),
        (
            Entry(1, 2, "ABC123"),
            [("XYZ", 0.95), ("ABC12", 0.6), ("A8C123", 0.41)],
            "read A8C123, entry ABC123: position 2 read 8, entry B — OCR-confusable "
            "(candidate 3 of 3, 41%)",
        ),
        (
            Entry(1, 1, "7K?4??"),
            [("7KX4AB", 0.9)],
            "read 7KX4AB, pattern 7K?4??: position 3 unknown, read X; "
            "positions 5-6 unknown, read AB (candidate 1 of 1, 90%)",
        ),
        (
            Entry(1, 1, "S*K3*7", pattern=Pattern.genetec("S*K3*7")),
            [("NSK357", None)],
            "read NSK357, pattern *S*K*3*7* (4..6 characters): position 1 unknown, read N; "
            "position 5 unknown, read 5",
        ),
    ],
)
def test_explanation_text(
    entry: Entry, candidates: list[tuple[str, float | None]], text: str
) -> None:
    assert explain(entry, candidates) == text


def test_explanation_is_structured() -> None:
    ix = PlateIndex([Entry(1, 1, "7ABC123")])
    (hit,) = ix.match("7A8C123", None, NOW)
    assert hit.differences == (Difference(DiffKind.CONFUSABLE, 3, "8", "B"),)
    assert hit.explanation == Explanation(Quality.CONFUSABLE, "7A8C123", "7ABC123", hit.differences)
    assert hit.label == "POSSIBLE MISREAD — verify plate"


def test_exact_label_only_for_exact_hits() -> None:
    assert Explanation(Quality.EXACT, "A", "A").label == "EXACT"
    for quality in (Quality.CONFUSABLE, Quality.EDITED, Quality.PARTIAL):
        assert Explanation(quality, "A", "B").label == "POSSIBLE MISREAD — verify plate"
