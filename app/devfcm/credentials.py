"""Throwaway Firebase service accounts for the local FCM inbox (development and tests only)."""

import json
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# google-auth reads only the fields it knows, so this marker rides along unnoticed; production
# settings refuse any credentials file that carries it.
DEV_MARKER = "lookout_dev"


def write_dev_service_account(
    path: Path, *, token_uri: str, project_id: str = "lookout-dev"
) -> Path:
    """Write a service-account JSON with a fresh RSA key whose tokens come from `token_uri`.

    An existing dev file with the same token_uri and project is reused, so a restarted inbox on
    the same port keeps its key. The file is created with mode 0600. Returns `path`.
    """
    existing = _read_json(path)
    if (
        existing is not None
        and existing.get(DEV_MARKER) is True
        and existing.get("token_uri") == token_uri
        and existing.get("project_id") == project_id
    ):
        return path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": f"lookout-dev@{project_id}.iam.gserviceaccount.com",
        "client_id": str(secrets.randbelow(10**21)),
        "auth_uri": token_uri,
        "token_uri": token_uri,
        "universe_domain": "googleapis.com",
        DEV_MARKER: True,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a reader never sees half a private key.
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(info, out, indent=2)
    os.replace(partial, path)
    return path


def is_dev_service_account(path: Path) -> bool:
    """True when `path` is a credentials file written by write_dev_service_account."""
    info = _read_json(path)
    return info is not None and info.get(DEV_MARKER) is True


def _read_json(path: Path) -> dict[str, object] | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return raw if isinstance(raw, dict) else None
