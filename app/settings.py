"""All configuration, read from the environment (prefix LOOKOUT_). Nothing else reads os.environ."""

import json
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "lookout-development-secret-change-me"  # a placeholder, refused in prod
DEV_PROJECT_ID = "lookout-dev"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOOKOUT_", extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    database_url: str = "sqlite:///var/lookout.db"
    data_dir: Path = Path("var")
    token_secret: SecretStr = SecretStr(DEV_SECRET)

    # Push. With no credentials in dev, pushes go through firebase-admin to the inbox this
    # service mounts at /fcm (or to `fcm_url` when set).
    push_sender: Literal["fcm", "log"] = "fcm"
    fcm_credentials: Path | None = None
    fcm_url: str | None = None
    fcm_timeout_s: float = Field(default=10.0, gt=0)
    fcm_inbox: bool = True  # mount the local FCM-compatible inbox at /fcm (never in prod)
    notification_detail: Literal["full", "minimal"] = "full"
    alert_ttl_s: int = Field(default=600, gt=0)
    agency_timezone: str = "America/Los_Angeles"

    # Routing: P1 and P2 search routing_first_radius_m first and widen to routing_radius_m
    # (P1 on to twice that) while nobody is found; P3 searches routing_radius_m; P4 is not pushed.
    location_fresh_s: int = Field(default=300, gt=0)
    routing_first_radius_m: float = Field(default=2000.0, gt=0)
    routing_radius_m: float = Field(default=5000.0, gt=0)
    routing_max_officers: int = Field(default=5, gt=0)
    alert_merge_window_s: int = Field(default=600, ge=0)
    push_interval_s: int = Field(default=60, ge=0)
    retro_window_s: int = Field(default=86_400, ge=0)  # new entries re-check reads this old
    retro_push_within_s: int = Field(default=900, ge=0)  # historical hits older: dispatch only
    breadcrumbs: bool = False  # keep every officer position, not just the latest
    breadcrumbs_keep_s: int = Field(default=86_400, gt=0)  # their own retention
    housekeeping_every_s: float = Field(default=300.0, gt=0)
    # Beats: a GeoJSON file read at startup by every process; else `lookout import-beats`;
    # else a demo grid around downtown Oakland.
    beats_file: Path | None = None
    beats_code_property: str | None = None

    # Bulletins (BOLOs): the search area grows with the time since the incident at this speed,
    # up to this far; officers this close outside it are told too; the retro search starts this
    # long before the incident and looks at no more than this many reads.
    bulletin_speed_mps: float = Field(default=15.0, ge=0, le=70)
    bulletin_max_growth_m: float = Field(default=10_000.0, ge=0, le=100_000)
    bulletin_notify_margin_m: float = Field(default=500.0, ge=0, le=10_000)
    bulletin_retro_margin_s: int = Field(default=1800, ge=0, le=7 * 24 * 3600)
    bulletin_retro_max_reads: int = Field(default=200_000, gt=0)

    # Delivery worker
    embedded_worker: bool = True
    worker_batch_size: int = Field(default=100, gt=0, le=500)
    worker_lease_s: int = Field(default=60, gt=0)
    worker_poll_s: float = Field(default=1.0, gt=0)
    max_push_attempts: int = Field(default=8, gt=0)

    # Hot lists: how often each process asks for changes made elsewhere (PostgreSQL also wakes
    # it at once with NOTIFY)
    hotlist_poll_s: float = Field(default=1.0, gt=0)

    # Ingest
    ingest_max_batch: int = Field(default=2000, gt=0)

    # Vendor intake (/v1/intake/..., `lookout mqtt-intake`). OpenALPR groups carry base64
    # images (a plate crop, a vehicle crop, an overview), so a body may run to a few MB.
    intake_max_body_bytes: int = Field(default=8 * 1024 * 1024, gt=0)
    intake_max_image_bytes: int = Field(default=2 * 1024 * 1024, gt=0)

    # Camera health (GET /v1/cameras)
    camera_silent_after_s: int = Field(default=900, gt=0)
    camera_low_confidence: float = Field(default=0.5, ge=0, le=1)

    @model_validator(mode="after")
    def _refuse_placeholders_in_prod(self) -> Self:
        if self.env != "prod":
            return self
        if self.token_secret.get_secret_value() == DEV_SECRET:
            raise ValueError(
                "LOOKOUT_TOKEN_SECRET is the development placeholder; set a real secret for prod"
            )
        if self.push_sender == "fcm":
            if self.fcm_credentials is None:
                raise ValueError(
                    "LOOKOUT_FCM_CREDENTIALS is not set; prod needs a Firebase service-account file"
                )
            problem = _credentials_problem(self.fcm_credentials)
            if problem:
                raise ValueError(f"LOOKOUT_FCM_CREDENTIALS ({self.fcm_credentials}): {problem}")
        return self

    @property
    def serves_inbox(self) -> bool:
        return self.fcm_inbox and self.env != "prod"


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
