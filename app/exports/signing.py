"""How an export is signed: an HMAC-SHA256 of the file's bytes under a key derived from
LOOKOUT_TOKEN_SECRET, beside the audit chain's head (the hash of its newest row and how many
rows the log held) at the moment of the export.

    key = SHA-256(b"lookout-export:" + LOOKOUT_TOKEN_SECRET as UTF-8)
    signature = HMAC-SHA256(key, file bytes), hex

The head ties the file to the tamper-evident log: the export's own audit row is the head, so
the log says who exported what, and a later check finds that row with that hash. The HMAC
says the file is the one Lookout wrote (anyone holding the secret can check it:
`lookout export verify FILE`).
"""

import hashlib
import hmac
from dataclasses import dataclass

KEY_LABEL = b"lookout-export:"


@dataclass(frozen=True, slots=True)
class ChainHead:
    hash: str  # of the newest audit row (the export's own)
    id: int  # that row's id
    rows: int  # rows the audit log held, that one included


def key_of(secret: str) -> bytes:
    return hashlib.sha256(KEY_LABEL + secret.encode()).digest()


def sign(data: bytes, *, secret: str) -> str:
    return hmac.new(key_of(secret), data, hashlib.sha256).hexdigest()


def is_signed_by(data: bytes, signature: str, *, secret: str) -> bool:
    return hmac.compare_digest(sign(data, secret=secret), signature)
