import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.devfcm.credentials import write_dev_service_account
from app.settings import Settings


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
    monkeypatch.setenv("LOOKOUT_ESCALATE_P1_S", "45")
    monkeypatch.setenv("LOOKOUT_CONFIRM_ROUTINE_S", "1800")
    changed = Settings()
    assert (changed.lifecycle.escalate_p1_s, changed.lifecycle.confirm_routine_s) == (45, 1800)
    assert changed.changed(escalate_p2_s=120).lifecycle.escalate_p2_s == 120


def test_prod_refuses_the_placeholder_secret(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="LOOKOUT_TOKEN_SECRET"):
        Settings(env="prod", fcm_credentials=_real_looking_account(tmp_path / "sa.json"))


def test_prod_refuses_missing_or_development_credentials(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="LOOKOUT_FCM_CREDENTIALS is not set"):
        Settings(env="prod", token_secret="a-real-secret-0123456789")
    dev = write_dev_service_account(tmp_path / "dev.json", token_uri="http://127.0.0.1:1/token")
    with pytest.raises(ValidationError, match="throwaway development account"):
        Settings(env="prod", token_secret="a-real-secret-0123456789", fcm_credentials=dev)
    settings = Settings(
        env="prod",
        token_secret="a-real-secret-0123456789",
        fcm_credentials=_real_looking_account(tmp_path / "sa.json"),
    )
    assert not settings.serves_inbox  # never a fake FCM in production
