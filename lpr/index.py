"""The plate index: every hot-list entry of a process, matched per list policy, in memory.

Each entry lives in a *slot*; its fields are parallel arrays (id, list, state code, expiry in
epoch microseconds) rather than a Python object apiece, and its id maps to its slot through
`IdMap` rather than a dict: about 210 bytes an entry in all, where a plain dict from key to id
alone takes about 135 (bench/matcher.py). Where an entry is filed depends on its list's policy:

strict   lists with no edits and the STRICT table (the default): one dict from fold key to slots.
         The exact key is not stored; a 2-bit-per-character *variant code* says which member of
         its confusion class each character is, so the look-alike count of a candidate is one
         XOR and a popcount, and the key is rebuilt only for a hit.
fuzzy    lists with edits or the BROAD table (small lists): a deletion-neighbourhood dict on the
         BROAD closure skeleton. Each entry is filed under every string its skeleton gives with
         up to `edit_max` characters deleted; a read probes the same deletions of its own
         skeleton, and each candidate is then aligned exactly (`distance.align`).
pattern  partial plates: `patterns.PatternIndex`.

A read costs one `str.translate` and one dict probe per OCR candidate while no list is fuzzy and
no pattern is loaded; a few more probes each when they are. Changes are incremental: upsert and
remove touch one slot; a freed slot is reused.
"""

from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lpr import distance, explain, keycodes
from lpr.candidates import Candidates
from lpr.confusables import ALPHABET, BROAD
from lpr.errors import InvalidPlate, PolicyError
from lpr.explain import Quality
from lpr.idmap import IdMap
from lpr.matcher import Entry, Hit, state_note, state_rule
from lpr.patterns import Pattern, PatternIndex, Unknown
from lpr.policy import MatchPolicy

MAX_INDEXED_KEY = keycodes.MAX_KEY
FUZZY_LIST_MAX = 100_000  # deletion neighbourhoods grow ~10-30x the list; keep them to small lists

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_NEVER = (1 << 63) - 1
_FREE, _STRICT, _FUZZY, _PATTERN = 0, 1, 2, 3
_VALID = frozenset(ALPHABET)
_FOLD = keycodes.FOLD_TABLE  # a translate() in the read loop, without a call around it

Bucket = int | list[int]


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _ONE_US


def _add(table: dict[str, Bucket], key: str, slot: int) -> None:
    found = table.get(key)
    if found is None:
        table[key] = slot
    elif isinstance(found, int):
        table[key] = [found, slot]
    else:
        found.append(slot)


def _discard(table: dict[str, Bucket], key: str, slot: int) -> None:
    found = table[key]
    if isinstance(found, int):
        del table[key]
        return
    found.remove(slot)
    if len(found) == 1:
        table[key] = found[0]


@dataclass(frozen=True, slots=True)
class IndexStats:
    entries: int
    strict: int
    fuzzy: int
    patterns: int
    fold_keys: int
    neighbourhood_keys: int


@dataclass(frozen=True, slots=True)
class _Context:
    key: str
    rank: int
    count: int
    confidence: float | None
    state: str | None
    now_us: int


class PlateIndex:
    """All entries of a process with their lists' policies; implements `lpr.Matcher`.

    Lists without a policy use `default_policy` (exact or one look-alike). A fuzzy policy is
    refused for a list of more than `fuzzy_list_max` entries when it is set (PolicyError);
    entries added later are never refused.
    """

    def __init__(
        self,
        entries: Iterable[Entry] = (),
        *,
        policies: Mapping[int, MatchPolicy] | None = None,
        default_policy: MatchPolicy | None = None,
        fuzzy_list_max: int = FUZZY_LIST_MAX,
    ) -> None:
        self._default = default_policy if default_policy is not None else MatchPolicy()
        self._policies: dict[int, MatchPolicy] = dict(policies or {})
        self._fuzzy_list_max = fuzzy_list_max
        self._slot_of = IdMap()
        self._ids = array("q")
        self._hotlists = array("q")
        self._states = array("H")
        self._expiry = array("q")
        self._variants = array("Q")
        self._modes = array("B")
        self._folds: list[str] = []  # strict: fold key; fuzzy: key; pattern: listed text
        self._free: list[int] = []
        self._state_names: list[str | None] = [None]
        self._state_codes: dict[str | None, int] = {None: 0}
        self._skel: dict[str, Bucket] = {}
        self._near: dict[str, Bucket] = {}
        self._depths: Counter[int] = Counter()
        self._near_depth = 0
        self._patterns = PatternIndex()
        self._list_sizes: Counter[int] = Counter()
        for entry in entries:
            self.upsert(entry)

    def __len__(self) -> int:
        return len(self._slot_of)

    def policy(self, hotlist_id: int) -> MatchPolicy:
        return self._policies.get(hotlist_id, self._default)

    def set_policy(self, hotlist_id: int, policy: MatchPolicy) -> None:
        """Match `hotlist_id` with `policy` from now on; refiles its entries when the kind of
        index they need changes. Raises PolicyError for a fuzzy policy on a large list."""
        size = self._list_sizes[hotlist_id]
        if policy.is_fuzzy and size > self._fuzzy_list_max:
            raise PolicyError(
                f"hot list {hotlist_id} has {size} entries; edits and the broad look-alike table "
                f"are for lists of at most {self._fuzzy_list_max}"
            )
        old = self.policy(hotlist_id)
        refile = old.is_fuzzy != policy.is_fuzzy or (
            policy.is_fuzzy and old.edit_max != policy.edit_max
        )
        slots = []
        if refile:
            slots = [
                slot
                for slot, hotlist in enumerate(self._hotlists)
                if hotlist == hotlist_id and self._modes[slot] in (_STRICT, _FUZZY)
            ]
        keys = [self._key(slot) for slot in slots]
        for slot in slots:
            self._unfile(slot)
        self._policies[hotlist_id] = policy
        for slot, key in zip(slots, keys, strict=True):
            self._file(slot, key, None)

    def upsert(self, entry: Entry) -> None:
        """Add an entry or replace the one with its id. Raises InvalidPlate for a key outside
        `[A-Z0-9]` or longer than MAX_INDEXED_KEY (patterns excepted)."""
        key = entry.key
        if entry.pattern is None and (
            not key or len(key) > MAX_INDEXED_KEY or not _VALID.issuperset(key)
        ):
            raise InvalidPlate(f"entry {entry.id}: key {key!r} is not a normalised plate")
        slot = self._slot_of.get(entry.id)
        if slot is not None:
            self._unfile(slot)
        else:
            slot = self._free.pop() if self._free else self._new_slot()
            self._slot_of.set(entry.id, slot)
        state_code = self._state_codes.get(entry.state)
        if state_code is None:
            state_code = self._state_codes[entry.state] = len(self._state_names)
            self._state_names.append(entry.state)
        self._ids[slot] = entry.id
        self._hotlists[slot] = entry.hotlist_id
        self._states[slot] = state_code
        self._expiry[slot] = _NEVER if entry.expires_at is None else _micros(entry.expires_at)
        self._file(slot, key, entry.pattern)

    def remove(self, entry_id: int) -> None:
        """Forget an entry; nothing happens for an unknown id."""
        slot = self._slot_of.pop(entry_id)
        if slot is None:
            return
        self._unfile(slot)
        self._free.append(slot)

    def get(self, entry_id: int) -> Entry | None:
        """The entry as stored (expiry to the microsecond), or None."""
        slot = self._slot_of.get(entry_id)
        if slot is None:
            return None
        expiry = self._expiry[slot]
        return Entry(
            id=entry_id,
            hotlist_id=self._hotlists[slot],
            key=self._key(slot),
            state=self._state_names[self._states[slot]],
            expires_at=None if expiry == _NEVER else _EPOCH + expiry * _ONE_US,
            pattern=self._patterns.pattern(slot) if self._modes[slot] == _PATTERN else None,
        )

    def stats(self) -> IndexStats:
        modes = Counter(self._modes)
        return IndexStats(
            entries=len(self),
            strict=modes[_STRICT],
            fuzzy=modes[_FUZZY],
            patterns=modes[_PATTERN],
            fold_keys=len(self._skel),
            neighbourhood_keys=len(self._near),
        )

    def match(self, key: str, state: str | None, now: datetime) -> list[Hit]:
        """Hits of one read plate (its normalised key) read in `state`, best first."""
        return self.match_read(((key, None),), state=state, now=now)

    def match_read(self, candidates: Candidates, *, state: str | None, now: datetime) -> list[Hit]:
        """Hits of a read's OCR candidates (normalised keys, best first, confidence 0..1 or None)
        read in `state` (None: not read) at `now` (UTC-aware).

        Each entry appears once, through its best hit: exact before one look-alike before two,
        before edits, before partial plates; then the better-ranked candidate, then the more
        confident. Expired entries never match. Hits come best first, then by entry id.
        """
        best: dict[int, Hit] = {}
        skeletons = self._skel
        patterns = self._patterns if len(self._patterns) else None
        count = len(candidates)
        now_us: int | None = None  # most reads hit nothing: convert `now` only when needed
        rank = 0
        for key, confidence in candidates:
            rank += 1
            if not key:
                continue
            found = skeletons.get(key.translate(_FOLD))
            partial = patterns.matches(key) if patterns is not None else ()
            if found is None and not partial and not self._near:
                continue
            if now_us is None:
                now_us = _micros(now)
            context = _Context(key, rank, count, confidence, state, now_us)
            if found is not None:
                self._strict_hits(found, context, best)
            if self._near:
                self._fuzzy_hits(context, best)
            for slot, unknown in partial:
                self._pattern_hit(slot, unknown, context, best)
        if not best:
            return []
        return sorted(best.values(), key=lambda hit: (hit.rank, hit.entry_id))

    def _strict_hits(self, found: Bucket, context: _Context, best: dict[int, Hit]) -> None:
        read_code = keycodes.variant(context.key)
        for slot in (found,) if isinstance(found, int) else found:
            admitted = self._admit(slot, context)
            if admitted is None:
                continue
            policy, note = admitted
            subs = keycodes.substitutions(read_code, self._variants[slot])
            if subs > policy.confusable_max:
                continue
            listed = keycodes.unfold(self._folds[slot], self._variants[slot])
            differences = explain.confusable_differences(context.key, listed)
            quality = Quality.CONFUSABLE if subs else Quality.EXACT
            self._offer(best, self._hit(slot, context, listed, quality, note, subs, 0, differences))

    def _fuzzy_hits(self, context: _Context, best: dict[int, Hit]) -> None:
        slots: set[int] = set()
        for variant in keycodes.deletions(BROAD.skeleton(context.key), self._near_depth):
            found = self._near.get(variant)
            if found is not None:
                slots.update((found,) if isinstance(found, int) else found)
        for slot in slots:
            admitted = self._admit(slot, context)
            if admitted is None:
                continue
            policy, note = admitted
            listed = self._folds[slot]
            if policy.edit_max == 0:
                subs = distance.substitutions(context.key, listed, policy.table)
                if subs is None or subs > policy.confusable_max:
                    continue
                edits, differences = 0, explain.confusable_differences(context.key, listed)
            else:
                alignment = distance.align(
                    context.key,
                    listed,
                    table=policy.table,
                    confusable_max=policy.confusable_max,
                    edit_max=policy.edit_max,
                )
                if alignment is None:
                    continue
                subs, edits = alignment.substitutions, alignment.edits
                differences = explain.differences_of(alignment)
            quality = Quality.EDITED if edits else Quality.CONFUSABLE if subs else Quality.EXACT
            hit = self._hit(slot, context, listed, quality, note, subs, edits, differences)
            self._offer(best, hit)

    def _pattern_hit(
        self, slot: int, unknown: tuple[Unknown, ...], context: _Context, best: dict[int, Hit]
    ) -> None:
        admitted = self._admit(slot, context)
        if admitted is None:
            return
        _, note = admitted
        differences = explain.unknown_differences(unknown)
        pattern = self._patterns.pattern(slot).describe()
        listed = self._folds[slot]
        hit = self._hit(slot, context, listed, Quality.PARTIAL, note, 0, 0, differences, pattern)
        self._offer(best, hit)

    def _admit(self, slot: int, context: _Context) -> tuple[MatchPolicy, str] | None:
        if self._expiry[slot] <= context.now_us:
            return None
        policy = self._policies.get(self._hotlists[slot], self._default)
        entry_state = self._state_names[self._states[slot]]
        if not policy.ignore_state and state_rule(entry_state, context.state) is not None:
            return None
        return policy, state_note(entry_state, context.state)

    def _hit(
        self,
        slot: int,
        context: _Context,
        listed: str,
        quality: Quality,
        note: str,
        subs: int,
        edits: int,
        differences: tuple[explain.Difference, ...],
        pattern: str | None = None,
    ) -> Hit:
        return Hit(
            entry_id=self._ids[slot],
            hotlist_id=self._hotlists[slot],
            read_key=context.key,
            listed_key=listed,
            quality=quality,
            state_note=note,
            substitutions=subs,
            edits=edits,
            candidate_rank=context.rank,
            candidate_count=context.count,
            candidate_confidence=context.confidence,
            differences=differences,
            pattern=pattern,
        )

    @staticmethod
    def _offer(best: dict[int, Hit], hit: Hit) -> None:
        current = best.get(hit.entry_id)
        if current is None or hit.rank < current.rank:
            best[hit.entry_id] = hit

    def _new_slot(self) -> int:
        self._ids.append(-1)
        self._hotlists.append(0)
        self._states.append(0)
        self._expiry.append(_NEVER)
        self._variants.append(0)
        self._modes.append(_FREE)
        self._folds.append("")
        return len(self._ids) - 1

    def _key(self, slot: int) -> str:
        if self._modes[slot] == _STRICT:
            return keycodes.unfold(self._folds[slot], self._variants[slot])
        return self._folds[slot]

    def _file(self, slot: int, key: str, pattern: Pattern | None) -> None:
        hotlist = self._hotlists[slot]
        self._list_sizes[hotlist] += 1
        if pattern is not None:
            self._modes[slot] = _PATTERN
            self._folds[slot] = key
            self._patterns.add(slot, pattern)
            return
        policy = self.policy(hotlist)
        if policy.is_fuzzy:
            self._modes[slot] = _FUZZY
            self._folds[slot] = key
            for variant in keycodes.deletions(BROAD.skeleton(key), policy.edit_max):
                _add(self._near, variant, slot)
            self._depths[policy.edit_max] += 1
            self._near_depth = max(self._depths)
            return
        self._modes[slot] = _STRICT
        fold = keycodes.fold(key)
        self._folds[slot] = fold
        self._variants[slot] = keycodes.variant(key)
        _add(self._skel, fold, slot)

    def _unfile(self, slot: int) -> None:
        mode = self._modes[slot]
        hotlist = self._hotlists[slot]
        self._list_sizes[hotlist] -= 1
        if mode == _STRICT:
            _discard(self._skel, self._folds[slot], slot)
        elif mode == _FUZZY:
            depth = self.policy(hotlist).edit_max
            for variant in keycodes.deletions(BROAD.skeleton(self._folds[slot]), depth):
                _discard(self._near, variant, slot)
            self._depths[depth] -= 1
            if not self._depths[depth]:
                del self._depths[depth]
            self._near_depth = max(self._depths, default=0)
        elif mode == _PATTERN:
            self._patterns.remove(slot)
        self._modes[slot] = _FREE
        self._folds[slot] = ""
