"""The second factor: TOTP (RFC 6238) for the standard authenticator apps, through pyotp.

The shared secret must be readable to check codes, so it cannot be hashed: it is encrypted
(Fernet) with a key derived from the token secret, which the database does not hold. A code
is good once: the step of the last one a person used is kept, and an older or the same step is
refused.
"""

import base64
import hashlib
import hmac
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken

from app.models import User

ISSUER = "Lookout"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, username: str) -> str:
    """The `otpauth://` URI an authenticator app enrols from (usually shown as a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def step_of_code(secret: str, code: str, *, now: datetime) -> int | None:
    """The 30 s step whose code `code` is: the current one, or the one before or after (a
    phone's clock drifts and a code typed at the end of its 30 s arrives in the next); None
    when it is none of them."""
    digits = code.strip().replace(" ", "")
    if not digits.isdigit():
        return None
    generator = pyotp.TOTP(secret)
    current = generator.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(generator.generate_otp(step), digits):
            return step
    return None


def use_code(user: User, secret: str, code: str, *, now: datetime) -> bool:
    """Whether `code` is good for `user` now: a valid code of a step after the last one they
    used (a code seen by someone over the shoulder, or replayed from a phishing page, is
    refused). The step is recorded on the user."""
    step = step_of_code(secret, code, now=now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


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
