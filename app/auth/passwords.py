"""Passwords: hashed with Argon2 through pwdlib, and a policy a security officer can sign."""

from pwdlib import PasswordHash

_HASHER = PasswordHash.recommended()  # Argon2id with the library's current parameters
# A hash to verify against when the user does not exist, so a sign-in takes as long either way
# and the answer's timing does not tell which user names exist.
_DUMMY = _HASHER.hash("lookout-no-such-user")


class WeakPassword(ValueError):
    pass


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify(password: str, stored: str | None) -> tuple[bool, str | None]:
    """Whether `password` is right, and the hash to store instead when the library's
    parameters have moved on (else None)."""
    if stored is None:
        _HASHER.verify(password, _DUMMY)
        return False, None
    return _HASHER.verify_and_update(password, stored)


def check_policy(password: str, *, username: str, min_length: int) -> None:
    """Raises WeakPassword saying why: too short, the user name in it, or one repeated
    character."""
    if len(password) < min_length:
        raise WeakPassword(f"a password needs at least {min_length} characters")
    if username and username.lower() in password.lower():
        raise WeakPassword("a password must not contain the user name")
    if len(set(password)) < 4:
        raise WeakPassword("a password needs more than three different characters")
