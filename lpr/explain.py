"""Why a read hit an entry, in values and in words (DOMAIN.md 2.6, 2.7).

An officer must see how sure a hit is: which kind of match, each differing position with the
character read and the character listed, and which OCR candidate matched at what confidence.
Positions in the text are 1-based, counted in the plate as read (in the listed plate for a
missing character).
"""

from dataclasses import dataclass
from enum import StrEnum

from lpr.distance import Alignment, Op
from lpr.patterns import Unknown

EXACT_LABEL = "EXACT"
MISREAD_LABEL = "POSSIBLE MISREAD — verify plate"


class Quality(StrEnum):
    EXACT = "exact"
    CONFUSABLE = "confusable"  # differs only by OCR look-alikes: O/0, B/8, I/1
    EDITED = "edited"  # a character missing, extra or different
    PARTIAL = "partial"  # matched a partial plate pattern


class DiffKind(StrEnum):
    CONFUSABLE = "confusable"
    SUBSTITUTED = "substituted"
    EXTRA = "extra"
    MISSING = "missing"
    UNKNOWN = "unknown"  # a pattern's wildcard; `read` holds what stood in for it


@dataclass(frozen=True, slots=True)
class Difference:
    """One difference; `position` is 1-based in the read (in the entry for MISSING)."""

    kind: DiffKind
    position: int
    read: str
    listed: str

    def _side_by_side(self) -> str:
        return f"position {self.position} read {self.read}, entry {self.listed}"

    @property
    def text(self) -> str:
        match self.kind:
            case DiffKind.CONFUSABLE:
                return f"{self._side_by_side()} — OCR-confusable"
            case DiffKind.SUBSTITUTED:
                return f"{self._side_by_side()} — different character"
            case DiffKind.EXTRA:
                return f"one extra character '{self.read}' at position {self.position}"
            case DiffKind.MISSING:
                return f"missing character '{self.listed}' (entry position {self.position})"
            case DiffKind.UNKNOWN:
                if len(self.read) == 1:
                    return f"position {self.position} unknown, read {self.read}"
                last = self.position + len(self.read) - 1
                return f"positions {self.position}-{last} unknown, read {self.read}"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything needed to show a hit side by side with its record."""

    quality: Quality
    read_key: str
    listed_key: str
    differences: tuple[Difference, ...] = ()
    candidate_rank: int = 1
    candidate_count: int = 1
    candidate_confidence: float | None = None
    pattern: str | None = None

    @property
    def label(self) -> str:
        return EXACT_LABEL if self.quality is Quality.EXACT else MISREAD_LABEL

    @property
    def text(self) -> str:
        """E.g. `read 7A8C123, entry 7ABC123: position 3 read 8, entry B — OCR-confusable`."""
        if self.pattern is not None:
            head = f"read {self.read_key}, pattern {self.pattern}"
        else:
            head = f"read {self.read_key}, entry {self.listed_key}"
        if self.quality is Quality.EXACT:
            body = "exact text match"
        elif self.differences:
            body = "; ".join(difference.text for difference in self.differences)
        else:
            body = "all known characters matched"
        return f"{head}: {body}{self._candidate_text()}"

    def _candidate_text(self) -> str:
        if self.candidate_count <= 1 and self.candidate_confidence is None:
            return ""
        words = f"candidate {self.candidate_rank} of {self.candidate_count}"
        if self.candidate_confidence is not None:
            words += f", {round(self.candidate_confidence * 100)}%"
        return f" ({words})"


_KIND_OF_OP = {
    Op.CONFUSABLE: DiffKind.CONFUSABLE,
    Op.SUBSTITUTED: DiffKind.SUBSTITUTED,
    Op.EXTRA: DiffKind.EXTRA,
    Op.MISSING: DiffKind.MISSING,
}


def differences_of(alignment: Alignment) -> tuple[Difference, ...]:
    """The differences of an alignment of a read to a listed plate, in plate order."""
    found: list[Difference] = []
    for step in alignment.differences:
        position = step.listed_pos if step.op is Op.MISSING else step.read_pos
        assert position is not None
        found.append(
            Difference(_KIND_OF_OP[step.op], position + 1, step.read_char, step.listed_char)
        )
    return tuple(found)


def confusable_differences(read_key: str, listed_key: str) -> tuple[Difference, ...]:
    """Differences of two keys of equal length that differ only by look-alikes."""
    return tuple(
        Difference(DiffKind.CONFUSABLE, i + 1, a, b)
        for i, (a, b) in enumerate(zip(read_key, listed_key, strict=True))
        if a != b
    )


def unknown_differences(unknown: tuple[Unknown, ...]) -> tuple[Difference, ...]:
    """What the wildcards stood for, from `Pattern.match`; adjacent ones are merged (`??` read
    `AB` is one difference at two positions)."""
    merged: list[Difference] = []
    for position, chars, wildcard in unknown:
        last = merged[-1] if merged else None
        if last is not None and last.position + len(last.read) == position + 1:
            merged[-1] = Difference(
                DiffKind.UNKNOWN, last.position, last.read + chars, last.listed + wildcard
            )
        else:
            merged.append(Difference(DiffKind.UNKNOWN, position + 1, chars, wildcard))
    return tuple(merged)
