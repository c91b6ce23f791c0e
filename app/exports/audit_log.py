"""The audit log exported for the state's access-log rules: California SB 34 (Civ. Code
1798.90.52) asks, for every access, the date and time, the plate or other data queried, the
user's name and organisation, and the purpose. CSV or JSON, for a half-open time range, signed
(app/exports/signing.py). The export is itself audited (`export.audit`), in the same
transaction that reads the rows, and that audit row is the chain head the export names.
"""

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlmodel import Session, col

from app import audit
from app.exports.signing import ChainHead, sign
from app.models import AuditLog, User

Format = Literal["csv", "json"]
MEDIA_TYPES: dict[str, str] = {"csv": "text/csv; charset=utf-8", "json": "application/json"}

# The columns, in order; stable (documented in the README).
COLUMNS = (
    "id", "at", "user_name", "user_role", "user_id", "organisation", "action", "plate",
    "purpose", "case_number", "object_type", "object_id", "results", "hash",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SignedExport:
    body: bytes
    media_type: str
    rows: int
    head: ChainHead
    signature: str

    def manifest(self, *, since: datetime, until: datetime, file: str) -> dict[str, Any]:
        """What `lookout export` writes beside the file (FILE.sig.json)."""
        return {
            "file": file, "kind": "audit", "since": since.isoformat(),
            "until": until.isoformat(), "rows": self.rows,
            "chain_head": {"hash": self.head.hash, "id": self.head.id, "rows": self.head.rows},
            "hmac_sha256": self.signature,
        }  # fmt: skip


def export(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    fmt: Format,
    organisation: str,
    secret: str,
    actor: User | None,
    now: datetime,
) -> SignedExport:
    rows = session.scalars(
        select(AuditLog)
        .where(col(AuditLog.at) >= since, col(AuditLog.at) < until)
        .order_by(col(AuditLog.id))
    ).all()
    own = audit.record(
        session, actor=actor, action="export.audit", now=now, object_type="audit_log",
        detail={"since": since, "until": until, "format": fmt, "rows": len(rows),
                "by": "api" if actor else "cli"},
    )  # fmt: skip
    assert own.id is not None
    # Inside the transaction that holds the chain's lock: no row can come between.
    head = ChainHead(
        own.hash, own.id, int(session.scalar(select(func.count(col(AuditLog.id)))) or 0)
    )
    records = [_record(row, organisation) for row in rows]
    if fmt == "csv":
        body = _csv(records)
    else:
        body = json.dumps(
            {"export": {"kind": "audit", "organisation": organisation,
                        "since": since.isoformat(), "until": until.isoformat(),
                        "generated_at": now.isoformat(), "rows": len(records),
                        "chain_head": {"hash": head.hash, "id": head.id, "rows": head.rows}},
             "columns": list(COLUMNS), "rows": records},
            ensure_ascii=False, indent=1,
        ).encode()  # fmt: skip
    return SignedExport(body, MEDIA_TYPES[fmt], len(records), head, sign(body, secret=secret))


def _record(row: AuditLog, organisation: str) -> dict[str, Any]:
    detail = row.detail or {}
    results = detail.get("results", detail.get("count"))
    return {
        "id": row.id, "at": row.at.astimezone(UTC).isoformat(), "user_name": row.actor_name,
        "user_role": row.actor_role, "user_id": row.actor_id,
        "organisation": organisation if row.actor_id is not None else None,
        "action": row.action, "plate": row.plate, "purpose": row.purpose,
        "case_number": detail.get("case_number"), "object_type": row.object_type,
        "object_id": row.object_id, "results": results if isinstance(results, int) else None,
        "hash": row.hash,
    }  # fmt: skip


def _csv(records: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()
