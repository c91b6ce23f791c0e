"""What an import must tell a list owner (DOMAIN.md 3.3), and a refresh as a diff.

`hygiene` finds, within one list: O/0 and I/1 twins (rows whose fold keys collide but whose keys
differ: one plate keyed twice, which flags the same car twice), duplicates (same key and state),
rows without a state, rows already expired, and carries the parse problems first (unparseable
plates, bad values, short lines, unknown list codes, what became of a header line). `diff`
compares a list's current entries with a new file on (plate key, state).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from lpr import plates
from lpr.hotlist_files import HotListRow, ParsedFile, Problem, ProblemKind, some_lines

EntryKey = tuple[str, str | None]  # (plate key, state)


@dataclass(frozen=True, slots=True)
class HygieneReport:
    rows: int
    problems: tuple[Problem, ...]

    def count(self, kind: ProblemKind) -> int:
        return sum(1 for problem in self.problems if problem.kind is kind)

    @property
    def is_clean(self) -> bool:
        return not self.problems


def hygiene(parsed: ParsedFile, *, today: date) -> HygieneReport:
    """The problems of a parsed file, parse problems first, then by kind and first line.

    `today` is the list owner's calendar date: a row whose `expires_on` is before it is expired.
    """
    found: list[Problem] = list(parsed.problems)
    by_key: dict[EntryKey, list[HotListRow]] = defaultdict(list)
    by_fold: dict[tuple[str, str | None], list[HotListRow]] = defaultdict(list)
    for row in parsed.rows:
        by_key[(row.key, row.state)].append(row)
        by_fold[(plates.fold_key(row.key), row.state)].append(row)
        found.extend(row_problems(row, today=today))
    for (key, state), rows in by_key.items():
        if len(rows) > 1:
            found.append(duplicate(key, state, [row.line for row in rows]))
    for (_, state), rows in by_fold.items():
        keys = sorted({row.key for row in rows})
        if len(keys) > 1:
            found.append(twins(keys, state, [row.line for row in rows]))
    parse_count = len(parsed.problems)
    checks = sorted(found[parse_count:], key=lambda p: (list(ProblemKind).index(p.kind), p.lines))
    return HygieneReport(rows=len(parsed.rows), problems=(*found[:parse_count], *checks))


def row_problems(row: HotListRow, *, today: date) -> list[Problem]:
    """What one row says on its own: no state, or already expired on `today`."""
    found = []
    if row.state is None:
        message = f"line {row.line}: {row.key} has no state; it will match every state"
        found.append(Problem(ProblemKind.NO_STATE, (row.line,), message))
    if row.expires_on is not None and row.expires_on < today:
        message = f"line {row.line}: {row.key} expired on {row.expires_on.isoformat()}"
        found.append(Problem(ProblemKind.EXPIRED, (row.line,), message))
    return found


def duplicate(key: str, state: str | None, lines: Sequence[int], total: int = 0) -> Problem:
    """One plate and state on `total` lines (default: `lines`, which may be the first few)."""
    total = total or len(lines)
    where = f" ({state})" if state else ""
    message = f"{_lines(lines, total)}: {key}{where} is listed {total} times"
    return Problem(ProblemKind.DUPLICATE, tuple(lines), message)


def twins(keys: Sequence[str], state: str | None, lines: Sequence[int], total: int = 0) -> Problem:
    """Plates of one state that differ only by look-alike characters, on `total` lines."""
    where = f" ({state})" if state else ""
    message = (
        f"{_lines(lines, total or len(lines))}: {' / '.join(keys)}{where} differ only by "
        "look-alike characters (O/0, I/1 ...); likely one plate keyed twice: merge them"
    )
    return Problem(ProblemKind.TWINS, tuple(lines), message)


def _lines(lines: Sequence[int], total: int) -> str:
    if total <= 100:
        return "lines " + ", ".join(str(line) for line in lines)
    return some_lines(lines, total, most=100)


class ProblemLog:
    """The problems of one import in the order they are found, at most `keep` of each kind,
    and how many of each kind there were: a file of two million rows without a state reports
    the first thousand and the count, not two million lines."""

    def __init__(self, keep: int = 1000) -> None:
        self._keep = keep
        self.problems: list[Problem] = []
        self.counts: Counter[ProblemKind] = Counter()

    def add(self, problem: Problem) -> None:
        self.counts[problem.kind] += 1
        if self.counts[problem.kind] <= self._keep:
            self.problems.append(problem)

    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class ListDiff:
    """`adds`: rows of the file not listed now; `removes`: ids of entries the file no longer
    has; `unchanged`: (entry id, row) listed in both, for refreshing details in place."""

    adds: tuple[HotListRow, ...]
    removes: tuple[int, ...]
    unchanged: tuple[tuple[int, HotListRow], ...]


def diff(current: Mapping[EntryKey, int], rows: Iterable[HotListRow]) -> ListDiff:
    """Compare a list's entries, by (plate key, state) to entry id, with the rows of a new file.
    A row repeated in the file counts once (its first line)."""
    adds: list[HotListRow] = []
    unchanged: list[tuple[int, HotListRow]] = []
    seen: set[EntryKey] = set()
    for row in rows:
        key = (row.key, row.state)
        if key in seen:
            continue
        seen.add(key)
        entry_id = current.get(key)
        if entry_id is None:
            adds.append(row)
        else:
            unchanged.append((entry_id, row))
    removes = tuple(sorted(entry_id for key, entry_id in current.items() if key not in seen))
    return ListDiff(tuple(adds), removes, tuple(unchanged))
