"""The ranking of a read's OCR candidates, pinned: what every caller of the matcher probes."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lpr import candidates, plates
from lpr.read import Candidate, Read

Ranked = tuple[tuple[str, float | None], ...]


def read(plate: str, confidence: float | None, *guesses: tuple[str, float | None]) -> Read:
    return Read(
        plate=plate,
        confidence=confidence,
        candidates=tuple(Candidate(text, rated) for text, rated in guesses),
    )


TWELVE_GUESSES = read("AAA00", 0.9, *((f"AAA{i:02}", 0.5) for i in range(12)))


@pytest.mark.parametrize(
    ("the_read", "options", "expected"),
    [
        pytest.param(read("XYZ 1", 0.5), {}, (("XYZ1", 0.5),), id="plate-only"),
        pytest.param(
            read("XYZ1", None, ("XYZ7", 0.8)),
            {},
            (("XYZ1", None), ("XYZ7", 0.8)),
            id="reported-plate-not-among-guesses",
        ),
        pytest.param(
            read("7ABC-123", 0.9, ("7ABC123", 0.9), ("7abc 123", 0.3), ("7A8C123", 0.41)),
            {},
            (("7ABC123", 0.9), ("7A8C123", 0.41)),
            id="duplicates-after-normalisation",
        ),
        pytest.param(
            read("7ABC123", 0.8, ("7АВС123", 0.8), ("７ΑBC1Z3", 0.3), ("7ABC12З", 0.2)),
            {},
            (("7ABC123", 0.8), ("7ABC1Z3", 0.3)),
            id="look-alike-unicode",  # Cyrillic АВС and З, full-width ７ and Greek Α
        ),
        pytest.param(
            read("7ABC123", 0.4, ("7A8C123", 0.9), ("7ABC123", 0.4), ("7A8C12Z", 0.2)),
            {},
            (("7ABC123", 0.4), ("7A8C123", 0.9), ("7A8C12Z", 0.2)),
            id="reported-plate-ranked-lower-by-the-vendor",
        ),
        pytest.param(
            read("AAA1", 0.6, ("AAA2", 0.2), ("AAA3", 0.7), ("AAA4", None)),
            {},
            (("AAA1", 0.6), ("AAA2", 0.2), ("AAA3", 0.7), ("AAA4", None)),
            id="vendor-order-not-resorted-by-confidence",
        ),
        pytest.param(
            read("AAA1", 0.9, ("AAA2", 0.05), ("AAA3", None), ("AAA4", 0.1), ("AAA5", 0.09)),
            {"min_confidence": 0.1},
            (("AAA1", 0.9), ("AAA3", None), ("AAA4", 0.1)),
            id="floor-drops-rated-below-keeps-unrated-and-equal",
        ),
        pytest.param(
            read("AAA1", 0.05, ("AAA1", 0.05), ("AAA2", 0.6)),
            {"min_confidence": 0.5},
            (("AAA1", 0.05), ("AAA2", 0.6)),
            id="floor-never-drops-the-reported-plate",
        ),
        pytest.param(
            read("AAA1", 0.9, ("A8C-1", 0.05), ("a8c 1", 0.6)),
            {"min_confidence": 0.1},
            (("AAA1", 0.9), ("A8C1", 0.6)),
            id="floor-a-dropped-guess-does-not-hide-a-later-rated-one",
        ),
        pytest.param(
            read("AAA1", None, ("", 0.9), ("###", 0.8), ("-", None), ("AAA2", 0.1)),
            {},
            (("AAA1", None), ("AAA2", 0.1)),
            id="empty-keys-dropped",
        ),
        pytest.param(
            read("###", 0.9, ("ABC1", 0.7)),
            {},
            (("ABC1", 0.7),),
            id="reported-plate-of-symbols-only-gives-no-key",
        ),
        pytest.param(
            TWELVE_GUESSES,
            {},
            tuple((f"AAA{i:02}", 0.9 if i == 0 else 0.5) for i in range(10)),
            id="cap-default-ten",
        ),
        pytest.param(
            TWELVE_GUESSES,
            {"limit": 3},
            (("AAA00", 0.9), ("AAA01", 0.5), ("AAA02", 0.5)),
            id="cap-given",
        ),
        pytest.param(
            read("AAA1", 0.3, ("AAA2", 0.9)), {"limit": 1}, (("AAA1", 0.3),), id="cap-one"
        ),
    ],
)
def test_ranked(the_read: Read, options: dict[str, Any], expected: Ranked) -> None:
    assert candidates.ranked(the_read, **options) == expected


@pytest.mark.parametrize(
    "options",
    [{"limit": 0}, {"limit": -1}, {"min_confidence": 50.0}, {"min_confidence": -0.1}],
)
def test_options_that_cannot_work_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        candidates.ranked(read("AAA1", 0.9), **options)


# Letters, look-alikes, separators, lower case, a Cyrillic twin and a symbol: keys collide often.
texts = st.text(alphabet="AB8O0 -abАВ·#", max_size=8)
ratings = st.none() | st.floats(min_value=0.0, max_value=1.0)
reads = st.builds(
    Read,
    plate=texts,
    confidence=ratings,
    candidates=st.lists(st.builds(Candidate, texts, ratings), max_size=14).map(tuple),
)


@given(reads, st.integers(1, 12), st.floats(min_value=0.0, max_value=1.0))
def test_the_reported_plate_leads_no_key_repeats_and_the_cap_holds(
    the_read: Read, limit: int, min_confidence: float
) -> None:
    found = candidates.ranked(the_read, limit=limit, min_confidence=min_confidence)
    keys = [key for key, _ in found]
    assert len(found) <= limit
    assert len(set(keys)) == len(keys)
    assert all(key and plates.normalize(key) == key for key in keys)
    reported = plates.normalize(the_read.plate)
    if reported:
        assert found[0] == (reported, the_read.confidence)
    rest = found[1:] if reported else found
    assert all(rated is None or rated >= min_confidence for _, rated in rest)


@given(reads, st.integers(1, 12))
def test_a_smaller_cap_keeps_a_prefix_of_everything_admitted(the_read: Read, limit: int) -> None:
    everything = candidates.ranked(the_read, limit=1000)
    assert candidates.ranked(the_read, limit=limit) == everything[:limit]
    admitted = {plates.normalize(g.plate) for g in the_read.candidates}
    assert {key for key, _ in everything} == (admitted | {plates.normalize(the_read.plate)}) - {""}
