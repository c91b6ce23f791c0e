import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.devfcm.credentials import write_dev_service_account
from app.settings import DEV_SECRET, Settings

ROOT = Path(__file__).resolve().parents[2]


def _real_looking_account(path: Path) -> Path:
    account = {"type": "service_account", "project_id": "oakland-pd-lookout", "private_key": "x"}
    path.write_text(json.dumps(account))
    return path


def test_defaults_run_on_a_fresh_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LOOKOUT_DATABASE_URL", "LOOKOUT_ENV", "LOOKOUT_FCM_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.env == "dev"
    assert settings.database_url == "sqlite:///var/lookout.db"
    assert settings.serves_inbox


def test_environment_variables_configure_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOKOUT_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("LOOKOUT_ROUTING_RADIUS_M", "2500")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.routing.radius_m == 2500


def test_the_life_of_a_hit_is_paced_by_its_flat_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings().lifecycle
    assert (defaults.escalate_p1_s, defaults.escalate_p2_s) == (60, 180)
    assert (defaults.confirm_urgent_s, defaults.confirm_routine_s) == (600, 3600)
    assert defaults.review_after_false_hits == 3
    for name, value in (("ESCALATE_P1_S", "45"), ("ESCALATE_P2_S", "90"),
                        ("CONFIRM_URGENT_S", "300"), ("CONFIRM_ROUTINE_S", "1800"),
                        ("REVIEW_AFTER_FALSE_HITS", "5")):  # fmt: skip
        monkeypatch.setenv(f"LOOKOUT_{name}", value)
    changed = Settings().lifecycle
    assert (changed.escalate_p1_s, changed.escalate_p2_s) == (45, 90)
    assert (changed.confirm_urgent_s, changed.confirm_routine_s) == (300, 1800)
    assert changed.review_after_false_hits == 5
    assert Settings().changed(escalate_p2_s=120).lifecycle.escalate_p2_s == 120


STRONG = "3Jq0s-Vt9cKx_w2LrB7nZpY4eHfA1uGd8mQoTiNk6Ec"  # secrets.token_urlsafe(32)
STRONG_AUDIT = "f1c9a2e87b3d4605c0de9a7b18e25f36d4c7a9e0b2f8136c5d0e7a4b9c2f1e83"


def _prod(tmp_path: Path, **changes: object) -> Settings:
    good: dict[str, object] = {
        "env": "prod",
        "token_secret": STRONG,
        "audit_secret": STRONG_AUDIT,
        "fcm_credentials": _real_looking_account(tmp_path / "sa.json"),
    }
    return Settings(**(good | changes))


def test_prod_runs_with_real_settings(tmp_path: Path) -> None:
    settings = _prod(tmp_path)
    assert not settings.serves_inbox  # never a fake FCM in production


def test_prod_names_every_setting_at_fault_at_once() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(env="prod", push_sender="log")
    message = str(refused.value)
    for named in (
        "LOOKOUT_TOKEN_SECRET is the development placeholder",
        "LOOKOUT_AUDIT_SECRET is not set",
        "LOOKOUT_PUSH_SENDER=log",
    ):
        assert named in message, message


def test_prod_refuses_the_log_sender(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="LOOKOUT_PUSH_SENDER=log marks every push sent"):
        _prod(tmp_path, push_sender="log")


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        (" ", "is 1 characters long; at least 32"),
        ("s3cr3t-but-short", "is 16 characters long"),
        (DEV_SECRET, "is the development placeholder"),
        (
            "please-change-me-before-going-live-0123456789",
            "looks like a placeholder (it contains 'change')",
        ),
        ("a" * 64, "has too little entropy"),
        ("ab" * 24, "has too little entropy"),
        ("0123012301230123012301230123012301230123", "has too little entropy"),
    ],
)
@pytest.mark.parametrize("setting", ["token_secret", "audit_secret"])
def test_prod_refuses_weak_secrets(tmp_path: Path, setting: str, secret: str, why: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _prod(tmp_path, **{setting: secret})
    assert f"LOOKOUT_{setting.upper()} {why}" in str(refused.value)


def test_prod_wants_an_audit_key_of_its_own(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="LOOKOUT_AUDIT_SECRET is the token secret"):
        _prod(tmp_path, audit_secret=STRONG)


def test_prod_refuses_missing_or_development_credentials(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="LOOKOUT_FCM_CREDENTIALS is not set"):
        _prod(tmp_path, fcm_credentials=None)
    dev = write_dev_service_account(tmp_path / "dev.json", token_uri="http://127.0.0.1:1/token")
    with pytest.raises(ValidationError, match="throwaway development account"):
        _prod(tmp_path, fcm_credentials=dev)


def _dockerfile_env() -> dict[str, str]:
    """The ENV the image sets, from the Dockerfile itself."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in line[4:].split():
                name, _, value = pair.partition("=")
                found[name] = value
    return found


def _lookout_serve(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
        capture_output=True, text=True, env=base | env, cwd=cwd, timeout=120,
    )  # fmt: skip


def test_the_image_defaults_to_prod_and_refuses_to_start_without_real_settings(
    tmp_path: Path,
) -> None:
    image = _dockerfile_env()
    assert image["LOOKOUT_ENV"] == "prod"
    image |= {
        "LOOKOUT_DATA_DIR": str(tmp_path),
        "LOOKOUT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    refused = _lookout_serve(image, tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.startswith("lookout: configuration: ")
    for setting in ("LOOKOUT_TOKEN_SECRET", "LOOKOUT_AUDIT_SECRET", "LOOKOUT_FCM_CREDENTIALS"):
        assert setting in refused.stderr, refused.stderr
    assert "Lookout API" not in refused.stdout  # it never got as far as serving


def test_lookout_serve_in_prod_refuses_the_log_sender_and_a_one_space_secret(
    tmp_path: Path,
) -> None:
    refused = _lookout_serve(
        {
            "LOOKOUT_ENV": "prod",
            "LOOKOUT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            "LOOKOUT_TOKEN_SECRET": " ",
            "LOOKOUT_AUDIT_SECRET": STRONG_AUDIT,
            "LOOKOUT_PUSH_SENDER": "log",
        },
        tmp_path,
    )
    assert refused.returncode == 1
    assert "LOOKOUT_TOKEN_SECRET is 1 characters long" in refused.stderr
    assert "LOOKOUT_PUSH_SENDER=log" in refused.stderr
    assert "LOOKOUT_AUDIT_SECRET" not in refused.stderr  # a good one is not blamed
