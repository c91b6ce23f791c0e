"""The second factor: TOTP (RFC 6238) for the standard authenticator apps, through pyotp.

The shared secret must be readable to check codes, so it cannot be hashed: it is encrypted
(Fernet) with a key derived from the token secret, which the database does not hold.
"""

import base64
import hashlib
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken

ISSUER = "Lookout"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, username: str) -> str:
    """The `otpauth://` URI an authenticator app enrols from (usually shown as a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def code_is_valid(secret: str, code: str, *, now: datetime) -> bool:
    """Whether `code` is the current code, or the one before or after (a phone's clock drifts
    and a code typed at the end of its 30 s arrives in the next)."""
    digits = code.strip().replace(" ", "")
    if not digits.isdigit():
        return False
    return pyotp.TOTP(secret).verify(digits, for_time=now, valid_window=1)


def seal(secret: str, *, key_material: str) -> str:
    return _fernet(key_material).encrypt(secret.encode()).decode()


def unseal(sealed: str, *, key_material: str) -> str | None:
    """The secret, or None when it was sealed under another token secret."""
    try:
        return _fernet(key_material).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(b"lookout-totp\x00" + key_material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))
