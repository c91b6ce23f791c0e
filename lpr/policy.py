"""How fuzzy a hot list matches (DOMAIN.md 2.4): one policy per hot list.

Defaults follow the leading systems: NCIC-size lists match exactly or with one OCR-confusable
substitution and no edits (Genetec's default, and its advice for lists of millions); small local
lists and bulletins take up to two confusables and one edit.
"""

from dataclasses import dataclass

from lpr.confusables import BROAD, STRICT, ConfusionTable

MAX_CONFUSABLES = 2  # Genetec's maximum "OCR equivalence"
MAX_EDITS = 2  # Genetec advises at most 2 "differences"; more matches unrelated plates


@dataclass(frozen=True, slots=True)
class MatchPolicy:
    """What counts as a hit for one hot list.

    confusable_max     substitutions of OCR look-alikes allowed (`O`/`0`, `B`/`8`, ...), 0..2.
    edit_max           other differences allowed, 0..2: a missing or extra character, or a
                       substitution that is not a look-alike (Levenshtein operations on the key).
                       An over-budget look-alike substitution may be spent as an edit.
    broad_confusables  use the BROAD table (`3 8 B`, `E F P`, `H K M R`, `T Y`, `V Y` too) instead
                       of STRICT; meant for lists of at most a few thousand entries.
    ignore_state       match whatever state the read or the entry names (national lists, or
                       local lists of plates whose state is not known).
    """

    confusable_max: int = 1
    edit_max: int = 0
    broad_confusables: bool = False
    ignore_state: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.confusable_max <= MAX_CONFUSABLES:
            raise ValueError(f"confusable_max is {self.confusable_max}; use 0..{MAX_CONFUSABLES}")
        if not 0 <= self.edit_max <= MAX_EDITS:
            raise ValueError(f"edit_max is {self.edit_max}; use 0..{MAX_EDITS}")

    @classmethod
    def exact(cls, *, ignore_state: bool = False) -> "MatchPolicy":
        """The plate text must match exactly (Genetec's "Simplematcher")."""
        return cls(confusable_max=0, ignore_state=ignore_state)

    @classmethod
    def large_list(cls, *, ignore_state: bool = False) -> "MatchPolicy":
        """Exact or one look-alike substitution: the default, fit for NCIC-size lists."""
        return cls(confusable_max=1, ignore_state=ignore_state)

    @classmethod
    def small_list(cls, *, broad: bool = False, ignore_state: bool = False) -> "MatchPolicy":
        """Up to two look-alikes and one edit, for local lists and bulletins."""
        return cls(confusable_max=2, edit_max=1, broad_confusables=broad, ignore_state=ignore_state)

    @property
    def table(self) -> ConfusionTable:
        return BROAD if self.broad_confusables else STRICT

    @property
    def is_fuzzy(self) -> bool:
        """True when the policy needs more than the one-probe skeleton lookup (edits or BROAD)."""
        return self.edit_max > 0 or self.broad_confusables
