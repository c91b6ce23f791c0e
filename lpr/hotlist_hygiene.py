"""What an import must tell a list owner (DOMAIN.md 3.3), and a refresh as a diff.

`hygiene` finds, within one list: O/0 and I/1 twins (rows whose fold keys collide but whose keys
differ: one plate keyed twice, which flags the same car twice), duplicates (same key and state),
rows without a state, rows already expired, and carries the parse problems first (unparseable
plates, bad values, short lines, unknown list codes, what became of a header line). `diff`
compares a list's current entries with a new file on (plate key, state).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from lpr import plates
from lpr.hotlist_files import HotListRow, ParsedFile, Problem, ProblemKind

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
        if row.state is None:
            found.append(
                Problem(
                    ProblemKind.NO_STATE,
                    (row.line,),
                    f"line {row.line}: {row.key} has no state; it will match every state",
                )
            )
        if row.expires_on is not None and row.expires_on < today:
            found.append(
                Problem(
                    ProblemKind.EXPIRED,
                    (row.line,),
                    f"line {row.line}: {row.key} expired on {row.expires_on.isoformat()}",
                )
            )
    for (key, state), rows in by_key.items():
        if len(rows) > 1:
            lines = tuple(row.line for row in rows)
            where = f" ({state})" if state else ""
            message = f"lines {_join(lines)}: {key}{where} is listed {len(rows)} times"
            found.append(Problem(ProblemKind.DUPLICATE, lines, message))
    for (_, state), rows in by_fold.items():
        keys = sorted({row.key for row in rows})
        if len(keys) > 1:
            lines = tuple(row.line for row in rows)
            where = f" ({state})" if state else ""
            message = (
                f"lines {_join(lines)}: {' / '.join(keys)}{where} differ only by look-alike "
                "characters (O/0, I/1 ...); likely one plate keyed twice: merge them"
            )
            found.append(Problem(ProblemKind.TWINS, lines, message))
    parse_count = len(parsed.problems)
    checks = sorted(found[parse_count:], key=lambda p: (list(ProblemKind).index(p.kind), p.lines))
    return HygieneReport(rows=len(parsed.rows), problems=(*found[:parse_count], *checks))


def _join(lines: tuple[int, ...]) -> str:
    return ", ".join(str(line) for line in lines)


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
