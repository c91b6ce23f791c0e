"""What LOOKOUT_ENV=prod refuses: a weak or placeholder secret, the audit key equal to the
token secret, pushes that go nowhere, and missing or throwaway FCM credentials."""

import json
import math
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

if TYPE_CHECKING:
    from app.settings.model import Settings

DEV_SECRET = "lookout-development-secret-change-me"  # a placeholder, refused in prod
DEV_PROJECT_ID = "lookout-dev"
SECRET_MIN_LENGTH = 32
SECRET_MIN_BITS = 100  # a random 32-hex-digit secret (128 bits) scores about 115
# Words that mark a secret copied from an example rather than generated.
PLACEHOLDER_WORDS = ("change", "secret", "password", "example", "placeholder", "default",
                     "lookout", "replace", "xxxx", "todo")  # fmt: skip


def problems(settings: "Settings") -> list[str]:
    """Every setting that will not do for prod, each said in a sentence (empty when none)."""
    found = [
        *_secret_problems("LOOKOUT_TOKEN_SECRET", settings.token_secret),
        *_secret_problems("LOOKOUT_AUDIT_SECRET", settings.audit.secret),
    ]
    if settings.audit.secret is not None and (
        settings.audit.secret.get_secret_value() == settings.token_secret.get_secret_value()
    ):
        found.append(
            "LOOKOUT_AUDIT_SECRET is the token secret; the audit key must be a secret of its own"
        )
    push = settings.push
    if push.sender == "log":
        found.append(
            "LOOKOUT_PUSH_SENDER=log marks every push sent while it goes nowhere; prod "
            "sends through FCM (unset it)"
        )
    elif push.fcm_credentials is None:
        found.append(
            "LOOKOUT_FCM_CREDENTIALS is not set; prod needs a Firebase service-account file"
        )
    else:
        problem = _credentials_problem(push.fcm_credentials)
        if problem:
            found.append(f"LOOKOUT_FCM_CREDENTIALS ({push.fcm_credentials}): {problem}")
    return found


def _secret_problems(name: str, secret: SecretStr | None) -> list[str]:
    """Why a secret will not do for prod (empty when it will)."""
    generate = "generate one: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
    if secret is None:
        return [f"{name} is not set; {generate}"]
    problem = secret_weakness(secret.get_secret_value())
    return [f"{name} {problem}; {generate}"] if problem else []


def secret_weakness(value: str) -> str | None:
    """Why `value` is too weak to key hashes and seals in prod, or None. A secret must be
    long (SECRET_MIN_LENGTH characters), carry entropy (SECRET_MIN_BITS, counted from how
    evenly its characters spread) and not be a known placeholder."""
    if value == DEV_SECRET:
        return "is the development placeholder"
    lowered = value.strip().lower()
    placeholder = next((word for word in PLACEHOLDER_WORDS if word in lowered), None)
    if placeholder is not None:
        return f"looks like a placeholder (it contains {placeholder!r})"
    if len(value) < SECRET_MIN_LENGTH:
        return f"is {len(value)} characters long; at least {SECRET_MIN_LENGTH}"
    bits = _entropy_bits(value)
    if bits < SECRET_MIN_BITS:
        return (
            f"has too little entropy (about {bits:.0f} bits, at least {SECRET_MIN_BITS}): "
            "too few different characters"
        )
    return None


def _entropy_bits(value: str) -> float:
    """Shannon entropy of the characters' spread, times the length: a random 43-character
    token_urlsafe scores about 200 bits, 64 hex digits about 240, a repeated word far less."""
    counts = Counter(value)
    total = len(value)
    return -total * sum(n / total * math.log2(n / total) for n in counts.values())


def _credentials_problem(path: Path) -> str | None:
    try:
        account = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        return f"cannot be read as JSON ({error.__class__.__name__})"
    if not isinstance(account, dict) or account.get("type") != "service_account":
        return "is not a service-account JSON file"
    if account.get("lookout_dev") or account.get("project_id") == DEV_PROJECT_ID:
        return "is the throwaway development account, not real credentials"
    return None
