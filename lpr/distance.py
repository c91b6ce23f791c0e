"""How far a read is from a listed plate: look-alike substitutions and edits, with the steps.

An edit is a Levenshtein operation: a character extra in the read, a character missing from it,
or a substitution that is not an OCR look-alike. A look-alike substitution normally costs a
*confusable*, but may be counted as an edit instead when the confusable budget is spent, so a
policy that allows more of either never matches less (exact ⊆ confusable ⊆ edit).
"""

from dataclasses import dataclass
from enum import StrEnum

from lpr.confusables import ConfusionTable

_INF = 1 << 20


class Op(StrEnum):
    SAME = "same"
    CONFUSABLE = "confusable"  # an OCR look-alike: read `8`, listed `B`
    SUBSTITUTED = "substituted"  # a different character, counted as an edit
    EXTRA = "extra"  # in the read, not in the listed plate (a bolt read as `0`)
    MISSING = "missing"  # in the listed plate, not in the read (a faint character)


@dataclass(frozen=True, slots=True)
class Step:
    """One aligned position; positions are 0-based, None where the character is absent."""

    op: Op
    read_pos: int | None
    listed_pos: int | None
    read_char: str = ""
    listed_char: str = ""


@dataclass(frozen=True, slots=True)
class Alignment:
    substitutions: int  # look-alike substitutions
    edits: int
    steps: tuple[Step, ...]

    @property
    def differences(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.op is not Op.SAME)


def substitutions(read: str, listed: str, table: ConfusionTable) -> int | None:
    """Look-alike substitutions turning `listed` into `read` position by position; None when the
    lengths differ or a differing pair is not confusable in `table`."""
    if len(read) != len(listed):
        return None
    count = 0
    for a, b in zip(read, listed, strict=True):
        if a != b:
            if not table.are_confusable(a, b):
                return None
            count += 1
    return count


def align(
    read: str, listed: str, *, table: ConfusionTable, confusable_max: int, edit_max: int
) -> Alignment | None:
    """The alignment of `read` to `listed` with the fewest edits, then the fewest look-alike
    substitutions, within both budgets; None when none fits."""
    m, n = len(read), len(listed)
    if abs(m - n) > edit_max:
        return None
    width = edit_max + 1
    # best[i][j][e]: fewest look-alikes aligning read[:i] with listed[:j] using exactly e edits;
    # back[i][j][e] holds (previous i, j, e, op) to rebuild the steps.
    best = [[[_INF] * width for _ in range(n + 1)] for _ in range(m + 1)]
    back: list[list[list[tuple[int, int, int, Op] | None]]] = [
        [[None] * width for _ in range(n + 1)] for _ in range(m + 1)
    ]
    best[0][0][0] = 0

    def relax(i: int, j: int, e: int, s: int, source: tuple[int, int, int, Op]) -> None:
        if e < width and s < best[i][j][e]:
            best[i][j][e] = s
            back[i][j][e] = source

    for i in range(m + 1):
        for j in range(max(0, i - edit_max), min(n, i + edit_max) + 1):
            for e in range(width):
                s = best[i][j][e]
                if s == _INF:
                    continue
                if i < m and j < n:
                    a, b = read[i], listed[j]
                    if a == b:
                        relax(i + 1, j + 1, e, s, (i, j, e, Op.SAME))
                    else:
                        if table.are_confusable(a, b):
                            relax(i + 1, j + 1, e, s + 1, (i, j, e, Op.CONFUSABLE))
                        relax(i + 1, j + 1, e + 1, s, (i, j, e, Op.SUBSTITUTED))
                if i < m:
                    relax(i + 1, j, e + 1, s, (i, j, e, Op.EXTRA))
                if j < n:
                    relax(i, j + 1, e + 1, s, (i, j, e, Op.MISSING))
    for edits in range(width):
        if best[m][n][edits] <= confusable_max:
            return Alignment(best[m][n][edits], edits, _steps(back, read, listed, m, n, edits))
    return None


def _steps(
    back: list[list[list[tuple[int, int, int, Op] | None]]],
    read: str,
    listed: str,
    i: int,
    j: int,
    e: int,
) -> tuple[Step, ...]:
    steps: list[Step] = []
    while (i, j) != (0, 0):
        source = back[i][j][e]
        assert source is not None
        pi, pj, pe, op = source
        read_pos = pi if pi < i else None
        listed_pos = pj if pj < j else None
        steps.append(
            Step(
                op=op,
                read_pos=read_pos,
                listed_pos=listed_pos,
                read_char=read[pi] if read_pos is not None else "",
                listed_char=listed[pj] if listed_pos is not None else "",
            )
        )
        i, j, e = pi, pj, pe
    return tuple(reversed(steps))
