"""The audit log: every look at plate data and every change of who may do what, sealed in a
keyed chain (chain.py) with its key outside the database (keys.py), its head checkpointed
outside it too (checkpoints.py), and verified against both (verification.py)."""

from app.audit.chain import GENESIS, plate_key, record
from app.audit.keys import AuditKey
from app.audit.verification import Report, verify

__all__ = ["GENESIS", "AuditKey", "Report", "plate_key", "record", "verify"]
