"""API keys and bearer tokens: generated here, stored only as keyed hashes."""

import hashlib
import hmac
import secrets

CAMERA_KEY_PREFIX = "lkc_"
USER_TOKEN_PREFIX = "lku_"
HINT_LENGTH = 8


def new_secret(prefix: str) -> str:
    """A fresh 256-bit credential; the prefix tells a camera key from a person's token."""
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str, *, pepper: str) -> str:
    """HMAC-SHA256 of a credential. High-entropy secrets need no slow hash; the pepper means a
    stolen database alone cannot be used to test guesses."""
    return hmac.new(pepper.encode(), secret.encode(), hashlib.sha256).hexdigest()


def hint(secret: str) -> str:
    return secret[:HINT_LENGTH]
