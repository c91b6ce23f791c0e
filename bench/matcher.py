"""Plate-matching bench: load time, memory and reads/s of the index against a plain dict.

    .venv/bin/python bench/matcher.py                  # 1,000,000 entries (about two minutes)
    .venv/bin/python bench/matcher.py --entries 50000  # a quick run

Each variant runs in its own single-threaded child process (one core; not pinned, so a busy
machine can move it to the idler core), so its RSS is that of a process holding only the
interpreter, lpr and that index:

  dict        a plain dict from exact key to entry id; the reads/s baseline
  exact       PlateIndex, every list exact-only
  confusable  PlateIndex, default policy (exact or one look-alike), plus 500 partial-plate patterns
  +fuzzy      as confusable, plus a 5,000-entry local list with 2 look-alikes + 1 edit

Entries are generated from a seed (plate shapes of CA, TX, NY, FL, IL, PA, OH, GA, NJ, WA, MI)
into one extract string, as a file or cursor would deliver them, before the load clock starts;
the load is then reading that extract line by line into Entry values and the index. The read
mix: 85 % plates on no list (a third with 2-3 OCR candidates), 5 % exact hits, 5 % one look-alike
misread, 5 % a listed plate as candidate 2 or 3. tracemalloc runs in a separate pass, since
tracing slows the load. RSS is the child's; "peak" is its high-water mark, extract included.
"""

import argparse
import gc
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lpr import plates
from lpr.index import PlateIndex
from lpr.matcher import Entry
from lpr.patterns import Pattern
from lpr.policy import MatchPolicy

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # most states issue no I, O, Q
DIGITS = "0123456789"
# (state, weight, shapes): L a letter, D a digit, other characters as written on the plate
SHAPES = [
    ("CA", 20, ["DLLLDDD"]),
    ("TX", 15, ["LLLDDDD", "LLL-DDDD"]),
    ("NY", 10, ["LLL-DDDD"]),
    ("FL", 10, ["LLLLDD", "DDD-LLL", "LLL LLD"]),
    ("IL", 8, ["LL DDDDD", "DDDDDDD"]),
    ("PA", 8, ["LLL-DDDD"]),
    ("OH", 7, ["LLL DDDD"]),
    ("GA", 7, ["LLLDDDD"]),
    ("NJ", 5, ["LDDLLL", "LLLDDL"]),
    ("WA", 5, ["LLLDDDD", "DDDLLL"]),
    ("MI", 5, ["LLLDDDD", "DLLLDD"]),
]
STATES = [state for state, _, _ in SHAPES]
WEIGHTS = [weight for _, weight, _ in SHAPES]
SHAPE_OF = {state: shapes for state, _, shapes in SHAPES}
LOOKALIKE = {"0": "O", "O": "0", "D": "0", "1": "I", "I": "1", "L": "1", "8": "B", "B": "8",
             "5": "S", "S": "5", "2": "Z", "Z": "2", "6": "G", "G": "6"}  # fmt: skip
NOW = datetime(2025, 6, 1, tzinfo=UTC)
READS = 200_000
PATTERNS = 500
HOTLIST_NCIC, HOTLIST_PATTERNS, HOTLIST_LOCAL = 1, 2, 3
SAMPLE_EVERY = 997


def raw_plate(rng: random.Random, state: str) -> str:
    shape = rng.choice(SHAPE_OF[state])
    return "".join(
        rng.choice(LETTERS) if c == "L" else rng.choice(DIGITS) if c == "D" else c for c in shape
    )


def entries(n: int, seed: int) -> Iterator[tuple[int, str, str]]:
    """(id, key, state) of n listed plates; the same seed gives the same plates."""
    rng = random.Random(seed)
    states = rng.choices(STATES, WEIGHTS, k=n)
    for i, state in enumerate(states, start=1):
        yield i, plates.normalize(raw_plate(rng, state)), state


def extract(n: int, seed: int) -> tuple[str, bytes]:
    """The n plates as a hot-list extract would hand them over: one key a line, and the states
    as one byte each. Generating them is not loading them, so the clock starts after this."""
    chunks: list[str] = []
    lines: list[str] = []
    states = bytearray()
    for _, key, state in entries(n, seed):
        lines.append(key)
        states.append(STATES.index(state))
        if len(lines) == 10_000:  # joined in chunks: a million small strings would swell the peak
            chunks.append("\n".join(lines) + "\n")
            lines.clear()
    chunks.append("".join(line + "\n" for line in lines))
    return "".join(chunks), bytes(states)


def rows(blob: str, states: bytes) -> Iterator[tuple[int, str, str]]:
    for entry_id, (line, state) in enumerate(zip(io.StringIO(blob), states, strict=True), start=1):
        yield entry_id, line[:-1], STATES[state]


def misread(rng: random.Random, key: str) -> str:
    spots = [i for i, ch in enumerate(key) if ch in LOOKALIKE]
    if not spots:
        return key
    i = rng.choice(spots)
    return key[:i] + LOOKALIKE[key[i]] + key[i + 1 :]


def make_reads(
    sample: list[tuple[str, str]], seed: int
) -> list[tuple[list[tuple[str, float]], str | None]]:
    rng = random.Random(seed)
    reads: list[tuple[list[tuple[str, float]], str | None]] = []
    for _ in range(READS):
        roll = rng.random()
        state = rng.choices(STATES, WEIGHTS)[0]
        if roll < 0.85:
            key = plates.normalize(raw_plate(rng, state))
            candidates = [(key, 0.93)]
            if rng.random() < 1 / 3:
                candidates += [(misread(rng, key), 0.61), (key[:-1], 0.35)][: rng.choice((1, 2))]
        else:
            key, state = rng.choice(sample)
            if roll < 0.90:
                candidates = [(key, 0.95)]
            elif roll < 0.95:
                candidates = [(misread(rng, key), 0.88)]
            else:
                other = plates.normalize(raw_plate(rng, state))
                candidates = [(other, 0.8), (misread(rng, other), 0.5), (key, 0.41)]
                if rng.random() < 0.5:
                    del candidates[1]
        reads.append((candidates, state if rng.random() < 0.8 else None))
    return reads


def make_patterns(n: int, seed: int) -> list[Pattern]:
    rng = random.Random(seed)
    made: list[Pattern] = []
    while len(made) < n:
        state = rng.choices(STATES, WEIGHTS)[0]
        key = plates.normalize(raw_plate(rng, state))
        kind = rng.random()
        if kind < 0.6:  # witness knows the length and most characters
            spots = set(rng.sample(range(len(key)), 2))
            made.append(Pattern("".join("?" if i in spots else ch for i, ch in enumerate(key))))
        elif kind < 0.8:  # "starts with 7K, ends in 23"
            made.append(Pattern(key[:3] + "*" + key[-2:]))
        elif kind < 0.9:  # "ends in B123"
            made.append(Pattern("*" + key[-4:]))
        else:
            made.append(Pattern.genetec(key[:2] + "*" + key[3:5] + "*"))
    return made


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # KiB on Linux


def run_variant(variant: str, n: int, trace: bool) -> dict[str, float]:
    blob, states = extract(n, seed=1)
    gc.collect()
    base_rss = rss_mb()
    if trace:
        tracemalloc.start()
    sample: list[tuple[str, str]] = []
    start = time.perf_counter()
    lookup: Callable[[list[tuple[str, float]], str | None], int]
    if variant == "dict":
        table: dict[str, int] = {}
        for entry_id, key, state in rows(blob, states):
            table[key] = entry_id
            if entry_id % SAMPLE_EVERY == 0:
                sample.append((key, state))

        def lookup(candidates: list[tuple[str, float]], state: str | None) -> int:
            return sum(1 for key, _ in candidates if table.get(key) is not None)

    else:
        default = MatchPolicy.exact() if variant == "exact" else MatchPolicy.large_list()
        index = PlateIndex(default_policy=default)
        expires_at = NOW + timedelta(days=30)
        for entry_id, key, state in rows(blob, states):
            index.upsert(Entry(entry_id, HOTLIST_NCIC, key, state, expires_at))
            if entry_id % SAMPLE_EVERY == 0:
                sample.append((key, state))
        if variant != "exact":
            for i, pattern in enumerate(make_patterns(PATTERNS, seed=3), start=n + 1):
                index.upsert(Entry(i, HOTLIST_PATTERNS, pattern.text, None, pattern=pattern))
        if variant == "+fuzzy":
            index.set_policy(HOTLIST_LOCAL, MatchPolicy.small_list())
            for entry_id, key, state in entries(5_000, seed=4):
                index.upsert(Entry(n + PATTERNS + entry_id, HOTLIST_LOCAL, key, state))

        def lookup(candidates: list[tuple[str, float]], state: str | None) -> int:
            return len(index.match_read(candidates, state=state, now=NOW))

    load_s = time.perf_counter() - start
    del blob, states
    result = {"load_s": load_s}
    if trace:
        current, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"traced_mb": current / 1e6}
    gc.collect()
    result["rss_mb"] = rss_mb()
    result["rss_delta_mb"] = result["rss_mb"] - base_rss
    result["peak_rss_mb"] = peak_rss_mb()
    reads = make_reads(sample, seed=2)
    gc.disable()  # a collection mid-loop would be charged to whichever read it lands on
    start = time.perf_counter()
    hits = 0
    for candidates, state in reads:
        hits += lookup(candidates, state) > 0
    elapsed = time.perf_counter() - start
    gc.enable()
    result["reads_per_s"] = len(reads) / elapsed
    result["hit_share"] = hits / len(reads)
    raws = [f"{c[0][0][:3]}-{c[0][0][3:]}" for c, _ in reads[:50_000]]
    start = time.perf_counter()
    for raw in raws:
        plates.normalize(raw)
    result["normalize_us"] = (time.perf_counter() - start) / len(raws) * 1e6
    return result


def child(variant: str, n: int, trace: bool) -> dict[str, float]:
    command = [sys.executable, __file__, "--entries", str(n), "--variant", variant]
    if trace:
        command.append("--trace")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--variant", choices=["dict", "exact", "confusable", "+fuzzy"])
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.entries, args.trace)))
        return
    n = args.entries
    print(f"plate-matching bench: {n:,} entries, {READS:,} reads, {PATTERNS} patterns, one core")
    results = {}
    for variant in ("dict", "exact", "confusable", "+fuzzy"):
        results[variant] = child(variant, n, trace=False) | child(variant, n, trace=True)
    base = results["dict"]
    print(
        f"{'variant':<11} {'load s':>7} {'RSS MB':>7} {'ΔRSS MB':>8} {'peak MB':>8} "
        f"{'traced MB':>9} {'reads/s':>9} {'× dict':>7} {'hits':>6}"
    )
    for variant, r in results.items():
        print(
            f"{variant:<11} {r['load_s']:>7.2f} {r['rss_mb']:>7.0f} {r['rss_delta_mb']:>8.0f} "
            f"{r['peak_rss_mb']:>8.0f} {r['traced_mb']:>9.0f} {r['reads_per_s']:>9,.0f} "
            f"{r['reads_per_s'] / base['reads_per_s']:>7.3f} {r['hit_share']:>6.1%}"
        )
    target = results["confusable"]
    print(
        f"targets (confusable + {PATTERNS} patterns): load {target['load_s']:.1f} s (< 10), "
        f"process RSS {target['peak_rss_mb']:.0f} MB peak (< 300), "
        f"{target['reads_per_s']:,.0f} reads/s (>= 50,000); "
        f"plates.normalize adds {target['normalize_us']:.2f} µs a candidate"
    )


if __name__ == "__main__":
    main()
