"""The key that seals the audit chain, and how a session finds it.

The key is a secret the database does not hold (LOOKOUT_AUDIT_SECRET): whoever can rewrite the
`audit_log` table cannot compute a valid seal, so rewriting and re-sealing the chain shows. In
dev and test, with no secret set, the key is derived from the token secret (itself refused in
prod), so every process of one deployment agrees on it without a file to share.

Every engine the service makes from its Settings (the runtime's, the CLI's) carries its key as
an execution option (`bind`); `of_session` reads it back. An engine made elsewhere (a bench, a
script) seals with the key of the process's environment, read once: the same LOOKOUT_* settings
every `lookout` command reads.
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.settings import Settings

_OPTION = "lookout_audit_key"
_KEY_ID_LABEL = b"lookout audit key id"
_DEV_LABEL = b"lookout audit chain (development key)"


@dataclass(frozen=True, slots=True)
class AuditKey:
    secret: bytes = field(repr=False)
    key_id: str  # stored on each row: which key sealed it, without revealing the key

    @classmethod
    def from_secret(cls, secret: bytes) -> "AuditKey":
        key_id = hmac.new(secret, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]
        return cls(secret=secret, key_id=key_id)

    def seal(self, message: bytes) -> str:
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def checks(self, message: bytes, seal: str) -> bool:
        return hmac.compare_digest(self.seal(message), seal)


def for_settings(settings: Settings) -> AuditKey:
    """LOOKOUT_AUDIT_SECRET's key; unset (dev, test), one derived from the token secret."""
    if settings.audit.secret is not None:
        return AuditKey.from_secret(settings.audit.secret.get_secret_value().encode())
    token_secret = settings.token_secret.get_secret_value().encode()
    return AuditKey.from_secret(hmac.new(token_secret, _DEV_LABEL, hashlib.sha256).digest())


def bind(engine: Engine, key: AuditKey) -> Engine:
    """Let sessions of `engine` seal audit rows with `key`."""
    engine.update_execution_options(**{_OPTION: key})
    return engine


def of_session(session: Session) -> AuditKey:
    key = session.connection().get_execution_options().get(_OPTION)
    return key if isinstance(key, AuditKey) else _of_environment()


@cache
def _of_environment() -> AuditKey:
    return for_settings(Settings())
