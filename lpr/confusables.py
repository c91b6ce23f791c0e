"""OCR confusion tables (DOMAIN.md 2.3): which plate characters a camera mistakes for each other.

Two tables:

STRICT  `0 O D Q` · `1 I L` · `2 Z` · `5 S` · `8 B` · `6 G`
        Genetec AutoVu's default "OCR equivalence" set, plus `L` in the `1 I` class (field reports).
        Its classes are disjoint, so it is a partition: every character has one representative
        and the *skeleton* (fold key) of a plate is the plate with each character replaced by it.
        Two plates are confusable under STRICT exactly when their skeletons are equal, which makes
        the lookup one dict probe on lists of millions.

BROAD   STRICT plus OPS-COM's parking table `3 8 B` · `E F P` · `H K M R` · `T Y` · `V Y`.
        These classes overlap (`8 B` is in `3 8 B`; `Y` is in `T Y` and in `V Y`) and the relation
        is not transitive: T~Y and Y~V, yet T and V are not confusable. So BROAD is a *relation*,
        character -> set of equivalents, not a partition. Its skeleton uses the transitive closure
        (`T V Y` becomes one class), which only ever over-approximates: a skeleton match is a
        candidate, and the real relation is then checked position by position. The closure makes
        about one character in three collide with another, which is why BROAD is for small
        local lists only (Genetec and OPS-COM both keep fuzzy tables off multi-million lists).
"""

from dataclasses import dataclass, field

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

STRICT_CLASSES = ("0ODQ", "1IL", "2Z", "5S", "8B", "6G")
BROAD_EXTRA_CLASSES = ("38B", "EFP", "HKMR", "TY", "VY")


@dataclass(frozen=True, slots=True)
class ConfusionTable:
    """A named set of confusion classes over `[A-Z0-9]`; the first member of a class is its
    representative in the skeleton."""

    name: str
    classes: tuple[str, ...]
    _equivalents: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    _skeleton: dict[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for members in self.classes:
            if len(members) < 2 or not set(members) <= set(ALPHABET):
                raise ValueError(f"confusion class {members!r} needs two or more of [A-Z0-9]")
        equivalents: dict[str, set[str]] = {ch: {ch} for ch in ALPHABET}
        for members in self.classes:
            for ch in members:
                equivalents[ch].update(members)
        object.__setattr__(
            self, "_equivalents", {ch: frozenset(eq) for ch, eq in equivalents.items()}
        )
        object.__setattr__(self, "_skeleton", _closure_translation(self.classes))

    @property
    def is_partition(self) -> bool:
        """True when no character is in two classes (the skeleton is then exact, not a filter)."""
        seen: set[str] = set()
        for members in self.classes:
            if seen & set(members):
                return False
            seen.update(members)
        return True

    def equivalents(self, ch: str) -> frozenset[str]:
        """The characters `ch` may be misread as, itself included; `{ch}` outside the table."""
        return self._equivalents.get(ch, frozenset(ch))

    def are_confusable(self, a: str, b: str) -> bool:
        """True when `a` and `b` differ and are in one class of this table."""
        return a != b and b in self.equivalents(a)

    def skeleton(self, key: str) -> str:
        """The key with each character replaced by its class representative; idempotent.

        For a partition, equal skeletons mean "confusable at every differing position". For an
        overlapping table the closure is used, so equal skeletons are only a candidate.
        """
        return key.translate(self._skeleton)


def _closure_translation(classes: tuple[str, ...]) -> dict[int, int]:
    # Union-find over characters: overlapping classes merge into one closure class.
    parent = {ch: ch for ch in ALPHABET}

    def root(ch: str) -> str:
        while parent[ch] != ch:
            ch = parent[ch]
        return ch

    for members in classes:
        first = root(members[0])
        for ch in members[1:]:
            other = root(ch)
            if other != first:
                parent[other] = first
    return {ord(ch): ord(root(ch)) for ch in ALPHABET if root(ch) != ch}


STRICT = ConfusionTable("strict", STRICT_CLASSES)
BROAD = ConfusionTable("broad", STRICT_CLASSES + BROAD_EXTRA_CLASSES)
