"""A read's OCR candidates as the matcher probes them: the one definition every caller uses.

A camera reports one plate and often a list of other OCR guesses for it. `ranked` turns a
`Read` into the keys to match, best first:

1. the plate as reported, always, with the read's own `confidence`;
2. then the other guesses in the vendor's order (not re-sorted by confidence: vendors rank by
   more than the number they send), each dropped when rated below `min_confidence`;
3. every key normalised (`plates.normalize`) and kept once, at its best rank, so `7ABC-123`,
   `7abc 123` and a Cyrillic `7АВС123` are one probe; empty keys are dropped;
4. at most `limit` in all.
"""

from collections.abc import Sequence

from lpr import plates
from lpr.read import Read

__all__ = ["MAX_CANDIDATES", "Candidates", "ranked"]

# Each candidate is one matcher probe, and a probe of a fuzzy list or a partial plate is several
# lookups and alignments: a read's cost grows with its candidates, and so do chance hits on
# unrelated plates. Vendors send up to 20 guesses; those past the tenth are rarely the plate.
MAX_CANDIDATES = 10

# OCR guesses of one read, best first: (normalised key, confidence 0..1 or None when unrated).
Candidates = Sequence[tuple[str, float | None]]


def ranked(
    read: Read, *, limit: int = MAX_CANDIDATES, min_confidence: float = 0.0
) -> tuple[tuple[str, float | None], ...]:
    """The keys to match for `read`, best first, as (key, confidence 0..1 or None).

    The first is always the normalised reported plate with `read.confidence`, even when the
    vendor ranked its own plate lower or rated it below `min_confidence`; if that key is empty
    (a plate of symbols only, which intake refuses) the first is the first guess kept. Then the
    guesses of `read.candidates` in the vendor's order, skipping empty keys, keys already
    taken, and guesses rated below `min_confidence` (unrated ones are kept). At most `limit`.

    Raises ValueError when `limit` < 1 or `min_confidence` is outside 0..1 (a percent-scale
    floor such as 50 would silently drop every rated guess).
    """
    if limit < 1:
        raise ValueError(f"limit is {limit}; the reported plate needs at least 1")
    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"min_confidence is {min_confidence}; use 0..1, not a percentage")
    found: dict[str, float | None] = {}  # insertion order is the rank
    reported = plates.normalize(read.plate)
    if reported:
        found[reported] = read.confidence
    for guess in read.candidates:
        if len(found) == limit:
            break
        if guess.confidence is not None and guess.confidence < min_confidence:
            continue
        key = plates.normalize(guess.plate)
        if key and key not in found:
            found[key] = guess.confidence
    return tuple(found.items())
