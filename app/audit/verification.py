"""Verifying the audit log: every row against the key, the chain's links, and the checkpoints.

One pass over the rows in id order (streamed: the log may hold millions). What it reports, each
problem a sentence naming the row or checkpoint:

- a keyed row whose seal does not fit its content: altered (re-sealing it needs the key);
- a row whose link is not the seal of the row before it: a row removed or inserted there;
- a row sealed with another key, or an unkeyed row after keyed ones (written without the key);
- a checkpoint's row missing, moved to another place in the chain, or with another seal:
  rows removed after it, or removed or replaced before it;
- a checkpoint line that does not carry this key's signature, or cannot be read.

Unkeyed rows from before revision 0010 are checked as before (plain SHA-256 chain) and must be
vouched for by a checkpoint (one covering them is written when a process first starts on the
keyed version): without one, an unkeyed chain could have been forged whole. The first keyed row
seals their last link.
"""

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from app.audit import checkpoints
from app.audit.chain import GENESIS, legacy_seal, plate_key, pruning, seal
from app.audit.checkpoints import Checkpoint
from app.audit.keys import AuditKey
from app.models import AuditLog

MAX_PROBLEMS = 50  # past this many, the log is plainly not trustworthy; stop listing


@dataclass(slots=True)
class Report:
    rows: int = 0
    keyed_rows: int = 0
    legacy_rows: int = 0
    last_id: int | None = None
    checkpoints: int = 0  # checkpoints signed by this key, checked
    pruned_rows: int = 0  # removed from the start by retention, as its sealed rows record
    vouched_rows: int = 0  # the rows up to the furthest checkpoint found in its place
    problems: list[str] = field(default_factory=list)
    first_bad_row_id: int | None = None

    @property
    def intact(self) -> bool:
        return not self.problems

    def problem(self, message: str, row_id: int | None = None) -> None:
        if row_id is not None and self.first_bad_row_id is None:
            self.first_bad_row_id = row_id
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)


def verify(session: Session, *, key: AuditKey, checkpoint_file: Path | None) -> Report:
    """Check the whole log; `checkpoint_file` None checks the chain alone."""
    report = Report()
    pruned = pruning(session)
    report.pruned_rows = pruned.rows
    lines = checkpoints.read(checkpoint_file) if checkpoint_file is not None else []
    wanted: dict[int, list[tuple[int, Checkpoint]]] = {}
    for line in lines:
        where = f"checkpoint file line {line.number}"
        if line.checkpoint is None:
            report.problem(f"{where} {line.problem}")
        elif not line.checkpoint.signed_by(key):
            report.problem(
                f"{where} is not signed with this LOOKOUT_AUDIT_SECRET (key id {key.key_id}; "
                f"it names {line.checkpoint.key_id}): forged, or written with another key"
            )
        elif line.checkpoint.rows <= pruned.rows:
            # Every row it saw was removed by retention, from the start, as its own sealed
            # rows record (ids may even be given again, on SQLite): nothing left to compare.
            report.checkpoints += 1
        else:
            report.checkpoints += 1
            wanted.setdefault(line.checkpoint.last_id, []).append((line.number, line.checkpoint))

    prev, prev_id = GENESIS, None
    first_id: int | None = None
    rows = session.scalars(
        select(AuditLog).order_by(col(AuditLog.id)).execution_options(yield_per=2000)
    )
    for row in rows:
        assert row.id is not None
        report.rows += 1
        report.last_id = row.id
        if first_id is None:
            first_id = row.id
            if row.prev_hash in pruned.anchors:  # retention removed the rows before it
                prev = row.prev_hash
        _check_row(report, row, key=key, prev=prev, prev_id=prev_id)
        for number, checkpoint in wanted.pop(row.id, []):
            _check_place(report, row, number, checkpoint)
        prev, prev_id = row.hash, row.id
        session.expunge(row)  # keep memory flat over millions of rows

    for pending in wanted.values():
        for number, checkpoint in pending:
            report.problem(
                f"rows missing after checkpoint {number} (at {checkpoint.at}): it saw "
                f"{checkpoint.rows} rows ending with row {checkpoint.last_id}, which is gone; "
                f"the log now holds {report.rows} rows"
                + (f" ending with row {report.last_id}" if report.last_id else "")
            )
    unvouched_legacy = pruned.rows + report.legacy_rows > report.vouched_rows
    if checkpoint_file is not None and report.legacy_rows and unvouched_legacy:
        # An unkeyed seal is plain SHA-256: anyone could have written those rows. Only a
        # checkpoint, signed with the key when they were already there, vouches for them.
        unvouched = "them" if not report.vouched_rows else f"those past row {report.vouched_rows}"
        report.problem(
            f"{report.legacy_rows} rows carry no key and no checkpoint vouches for {unvouched}: "
            "rows from before the key are trusted only as far as a checkpoint written since "
            "(`lookout serve` and `lookout worker` write one when they start)"
        )
    return report


def _check_row(
    report: Report, row: AuditLog, *, key: AuditKey, prev: str, prev_id: int | None
) -> None:
    assert row.id is not None
    if row.prev_hash != prev:
        after = f"row {prev_id}" if prev_id is not None else "the start of the log"
        report.problem(
            f"row {row.id} does not follow {after}: a row between them was removed or "
            "inserted, or one of them altered",
            row.id,
        )
    if row.key_id is None:
        report.legacy_rows += 1
        if report.keyed_rows:
            report.problem(
                f"row {row.id} has no key but follows keyed rows: written without the key",
                row.id,
            )
        elif row.hash != legacy_seal(row):
            report.problem(f"row {row.id} (unkeyed, from before the key) was altered", row.id)
        elif row.plate_key != plate_key(row.plate):
            report.problem(f"row {row.id}: its normalised plate was altered", row.id)
        return
    report.keyed_rows += 1
    if row.key_id != key.key_id:
        report.problem(
            f"row {row.id} was sealed with key id {row.key_id}, not this LOOKOUT_AUDIT_SECRET "
            f"(key id {key.key_id}): the secret changed, or the row was forged",
            row.id,
        )
    elif row.hash != seal(row, key):
        report.problem(f"row {row.id} was altered: its seal does not fit its content", row.id)


def _check_place(report: Report, row: AuditLog, number: int, checkpoint: Checkpoint) -> None:
    if row.hash != checkpoint.head:
        report.problem(
            f"row {row.id} is not the row checkpoint {number} (at {checkpoint.at}) saw: "
            "altered, or removed and its id given to a later row",
            row.id,
        )
    elif report.pruned_rows + report.rows != checkpoint.rows:
        gone = checkpoint.rows - report.pruned_rows - report.rows
        change = (
            f"{gone} rows before it were removed"
            if gone > 0
            else f"{-gone} rows were inserted before it"
        )
        report.problem(
            f"checkpoint {number} (at {checkpoint.at}) saw row {row.id} as row number "
            f"{checkpoint.rows}; it is now row number {report.pruned_rows + report.rows}: {change}",
            row.id,
        )
    else:
        report.vouched_rows = max(report.vouched_rows, checkpoint.rows)
