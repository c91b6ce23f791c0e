"""Partial plates (DOMAIN.md 2.5): patterns, and an index that finds the few that can match a read.

Semantics (glob, anchored at both ends of the key):

    ?   exactly one unknown character            7K?4??  matches 7KX4AB, not 7KX4A
    *   any run of characters, possibly empty     7K*4*   matches 7K4, 7KAB4C9

An optional length range narrows `*`. Genetec's wildcard hot lists use another meaning (the
number of `*` is how many unknown characters are tolerated, anywhere, and the known characters
keep their order); `Pattern.genetec` converts one into ours: `S*K3*7` becomes `*S*K*3*7*` with
length 4..6. Literal characters match the key exactly, not up to look-alikes: the wildcards
already carry the witness's uncertainty, and each OCR candidate of a read is tried in turn.

Index: each pattern is filed under one *anchor* that every matching key must show: for patterns
without `*`, one or two characters at a position of a key of that length; otherwise a prefix or
suffix of 1-3 characters, a pair of adjacent characters, or a single character the key must
contain. The anchor least likely to occur in a random plate wins, weighed by the patterns already
filed under it and by whether it opens a new bucket that every read must probe. A read then costs
about ten dict probes plus one regex for each pattern sharing an anchor with it, rather than one
regex per pattern.
"""

import re
from dataclasses import dataclass, field

from lpr.errors import InvalidPattern

MIN_KNOWN = 2  # fewer known characters would hit a large share of all reads

Unknown = tuple[int, str, str]  # (0-based position in the key, characters, "?" or "*")
Probe = tuple[dict[str, list[int]], slice]


@dataclass(frozen=True, slots=True)
class Pattern:
    """A partial plate over `[A-Z0-9?*]` with an optional inclusive length range."""

    text: str
    min_length: int | None = None
    max_length: int | None = None
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text = re.sub(r"\*+", "*", self.text)
        object.__setattr__(self, "text", text)
        if not text or not re.fullmatch(r"[A-Z0-9?*]+", text):
            raise InvalidPattern(f"pattern {text!r}: use A-Z, 0-9, ? (one character), * (a run)")
        known = sum(ch.isalnum() for ch in text)
        if known < MIN_KNOWN:
            raise InvalidPattern(
                f"pattern {text!r} has {known} known characters; at least {MIN_KNOWN}"
            )
        lo, hi = self.min_length, self.max_length
        if lo is not None and hi is not None and lo > hi:
            raise InvalidPattern(f"pattern {text!r}: length range {lo}..{hi} is empty")
        body = "".join("(.)" if ch == "?" else "(.*?)" if ch == "*" else ch for ch in text)
        object.__setattr__(self, "_regex", re.compile(body))

    @classmethod
    def genetec(cls, text: str) -> "Pattern":
        """A Genetec AutoVu wildcard entry (`S*K3*7`): its known characters in order, with as many
        extra characters anywhere as it has `*`."""
        known = [ch for ch in text if ch != "*"]
        stars = len(text) - len(known)
        if any(ch == "?" for ch in known):
            raise InvalidPattern(f"Genetec pattern {text!r}: only `*` is a wildcard there")
        glob = "*" + "*".join(known) + "*"
        return cls(glob, min_length=len(known), max_length=len(known) + stars)

    @property
    def is_fixed_length(self) -> bool:
        return "*" not in self.text

    def describe(self) -> str:
        lo, hi = self.min_length, self.max_length
        if lo is None and hi is None:
            return self.text
        if lo == hi:
            return f"{self.text} ({lo} characters)"
        return f"{self.text} ({lo or 1}..{hi if hi is not None else ''} characters)"

    def match(self, key: str) -> tuple[Unknown, ...] | None:
        """What the wildcards stood for when `key` matches: (0-based position, characters,
        wildcard) per wildcard that stood for something, in order; None when it does not match."""
        if (self.min_length is not None and len(key) < self.min_length) or (
            self.max_length is not None and len(key) > self.max_length
        ):
            return None
        found = self._regex.fullmatch(key)
        if found is None:
            return None
        wildcards = [ch for ch in self.text if ch in "?*"]
        return tuple(
            (found.start(group), found.group(group), wildcard)
            for group, wildcard in enumerate(wildcards, start=1)
            if found.group(group)
        )


# How likely a random plate shows an anchor, relative to a 2-character one at a fixed place; an
# anchor's cost is this times the patterns already filed under it, plus a charge for opening a
# new kind of bucket (which every read then probes).
_ANCHOR_WEIGHT = {"fix2": 1.0, "fix1": 20.0, "pre3": 0.05, "suf3": 0.05, "pre2": 1.0,
                  "suf2": 1.0, "pre1": 20.0, "suf1": 20.0, "bi": 6.0, "has": 90.0}  # fmt: skip
_NEW_KIND_COST = 15.0  # a probe on every read costs about as much as a few regex checks


class PatternIndex:
    """Patterns by slot (an int chosen by the caller), each filed under one anchor."""

    def __init__(self) -> None:
        self._patterns: dict[int, Pattern] = {}
        self._known: dict[int, frozenset[str]] = {}  # the known characters of each pattern
        self._anchor_of: dict[int, tuple[str, str]] = {}
        # anchor kind -> anchor value -> slots. Kinds: "fix2:L:p" / "fix1:L:p" (characters at
        # position p of a key of length L), "pre1".."pre3", "suf1".."suf3", "bi" (a contained
        # pair of adjacent characters), "has" (a contained character).
        self._buckets: dict[str, dict[str, list[int]]] = {}
        self._probes: dict[int, list[Probe]] = {}
        self._end_probes: list[Probe] = []

    def __len__(self) -> int:
        return len(self._patterns)

    def add(self, slot: int, pattern: Pattern) -> None:
        self.remove(slot)
        kind, value = min(self._anchors(pattern), key=self._anchor_cost)
        self._buckets.setdefault(kind, {}).setdefault(value, []).append(slot)
        self._anchor_of[slot] = (kind, value)
        self._patterns[slot] = pattern
        self._known[slot] = frozenset(ch for ch in pattern.text if ch.isalnum())
        self._plan()

    def remove(self, slot: int) -> None:
        anchor = self._anchor_of.pop(slot, None)
        if anchor is None:
            return
        del self._patterns[slot]
        del self._known[slot]
        kind, value = anchor
        bucket = self._buckets[kind][value]
        bucket.remove(slot)
        if not bucket:
            del self._buckets[kind][value]
            if not self._buckets[kind]:
                del self._buckets[kind]
        self._plan()

    def pattern(self, slot: int) -> Pattern:
        return self._patterns[slot]

    def matches(self, key: str) -> list[tuple[int, tuple[Unknown, ...]]]:
        """(slot, what each wildcard stood for) of every pattern matching `key`."""
        found = []
        for slot in self._candidates(key):
            unknown = self._patterns[slot].match(key)
            if unknown is not None:
                found.append((slot, unknown))
        return found

    def _candidates(self, key: str) -> list[int]:
        found: list[int] = []
        for table, part in self._probes.get(len(key), self._end_probes):
            slots = table.get(key[part])
            if slots:
                found += slots
        # The contained-characters kinds intersect in C, then visit only the anchors present.
        pairs = self._buckets.get("bi")
        if pairs is not None:
            for pair in pairs.keys() & {key[i : i + 2] for i in range(len(key) - 1)}:
                found += pairs[pair]
        chars = self._buckets.get("has")
        if chars is not None:
            # Patterns filed under one character (Genetec's `S*K3*7`) are many per character;
            # a subset test on their known characters drops most before the regex.
            present = set(key)
            known = self._known
            for ch in chars.keys() & present:
                for slot in chars[ch]:
                    if known[slot] <= present:
                        found.append(slot)
        return found

    def _plan(self) -> None:
        # The (bucket, slice of the key) pairs a read of each length probes: its fixed-position
        # buckets and the prefix and suffix buckets; lengths without fixed buckets probe only
        # the latter.
        fixed: dict[int, list[Probe]] = {}
        ends: list[Probe] = []
        for kind, table in self._buckets.items():
            if kind.startswith("fix"):
                length, position = (int(part) for part in kind.split(":")[1:])
                width = int(kind[3])
                fixed.setdefault(length, []).append((table, slice(position, position + width)))
            elif kind[:3] in ("pre", "suf"):
                width = int(kind[3])
                ends.append((table, slice(0, width) if kind[:3] == "pre" else slice(-width, None)))
        self._probes = {length: probes + ends for length, probes in fixed.items()}
        self._end_probes = ends

    def _anchor_cost(self, anchor: tuple[str, str]) -> float:
        kind, value = anchor
        table = self._buckets.get(kind)
        if table is None:  # every read of its length would probe one more bucket
            return _ANCHOR_WEIGHT[kind.split(":")[0]] + _NEW_KIND_COST
        return _ANCHOR_WEIGHT[kind.split(":")[0]] * (1 + len(table.get(value, ())))

    @staticmethod
    def _anchors(pattern: Pattern) -> list[tuple[str, str]]:
        text = pattern.text
        anchors: list[tuple[str, str]] = []
        if pattern.is_fixed_length:
            for i, ch in enumerate(text):
                if ch != "?":
                    anchors.append((f"fix1:{len(text)}:{i}", ch))
                    if text[i + 1 : i + 2].isalnum():
                        anchors.append((f"fix2:{len(text)}:{i}", text[i : i + 2]))
            return anchors
        prefix = re.match(r"[A-Z0-9]*", text)
        suffix = re.search(r"[A-Z0-9]*$", text)
        assert prefix is not None and suffix is not None
        for width in (1, 2, 3):
            if len(prefix.group()) >= width:
                anchors.append((f"pre{width}", prefix.group()[:width]))
            if len(suffix.group()) >= width:
                anchors.append((f"suf{width}", suffix.group()[-width:]))
        for run in re.findall(r"[A-Z0-9]+", text):
            anchors.extend(("bi", run[i : i + 2]) for i in range(len(run) - 1))
            anchors.extend(("has", ch) for ch in run)
        return anchors
