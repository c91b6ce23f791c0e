"""The settings' groups (`settings.push`, `settings.routing`, ...): each a frozen model whose
fields keep their one flat name as alias (`routing_radius_m`), the environment variable's name
without the prefix. GROUPS names them as fields of `Settings`."""

from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from app.retention.policy import CJIS_AUDIT_MIN, TEMPLATES


class Group(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")


class PushSettings(Group):
    """Where pushes go. With no credentials in dev, they go through firebase-admin to the inbox
    this service mounts at /fcm (or to `fcm_url` when set)."""

    sender: Literal["fcm", "log"] = Field(default="fcm", alias="push_sender")
    fcm_credentials: Path | None = None
    fcm_url: str | None = None
    fcm_timeout_s: float = Field(default=10.0, gt=0)
    fcm_inbox: bool = True  # mount the local FCM-compatible inbox at /fcm (never in prod)
    notification_detail: Literal["full", "minimal"] = "full"
    alert_ttl_s: int = Field(default=600, gt=0)


class RoutingSettings(Group):
    """P1 and P2 search `first_radius_m` first and widen to `radius_m` (P1 on to twice that)
    while nobody is found; P3 searches `radius_m`; P4 is not pushed."""

    location_fresh_s: int = Field(default=300, gt=0)
    first_radius_m: float = Field(default=2000.0, gt=0, alias="routing_first_radius_m")
    radius_m: float = Field(default=5000.0, gt=0, alias="routing_radius_m")
    max_officers: int = Field(default=5, gt=0, alias="routing_max_officers")


class AlertingSettings(Group):
    """One alert per car: reads merge into it within the window; an officer is pushed a
    bulletin's possible match at most once per `push_interval_s` (repeat sightings of a hit are
    paced by the policy's `quiet_update_interval_s`). New entries re-check reads
    `retro_window_s` old; historical hits older than `retro_push_within_s` go to dispatch
    only."""

    merge_window_s: int = Field(default=600, ge=0, alias="alert_merge_window_s")
    push_interval_s: int = Field(default=60, ge=0)
    retro_window_s: int = Field(default=86_400, ge=0)
    retro_push_within_s: int = Field(default=900, ge=0)
    # A camera's make, model, colour or body type guessed with less confidence than this is
    # not compared with the record or bulletin ("camera unsure" rather than a mismatch).
    vehicle_make_min_confidence: float = Field(default=0.5, ge=0, le=1)
    vehicle_model_min_confidence: float = Field(default=0.5, ge=0, le=1)
    vehicle_color_min_confidence: float = Field(default=0.5, ge=0, le=1)
    vehicle_type_min_confidence: float = Field(default=0.5, ge=0, le=1)


class PolicySettings(Group):
    """Fewer, better pushes (alerts.policy). The first push of a hit goes to the
    `first_push_p1..p3` best placed (at most `routing_max_officers`); the officers assigned to
    the beat are always told of hits of `beat_up_to_priority` and more urgent. Officers who have
    an alert get a repeat sighting as a quiet update, at most every `quiet_update_interval_s`.
    Officers responding elsewhere are spared hits of `skip_busy_from_priority` and below; an
    officer with `attention_budget_per_hour` loud pushes in the last hour is spared hits of
    `attention_budget_from_priority` and below. On lists whose `dispatch_first` is `auto`, hits
    of `dispatch_first_from_priority` and below, possible misreads (`dispatch_first_misreads`)
    and reads under `dispatch_first_min_confidence` wait in the dispatcher queue."""

    first_push_p1: int = Field(default=3, ge=1, le=50)
    first_push_p2: int = Field(default=1, ge=1, le=50)
    first_push_p3: int = Field(default=1, ge=1, le=50)
    beat_up_to_priority: int = Field(default=1, ge=0, le=3)
    quiet_update_interval_s: int = Field(default=120, ge=0)
    skip_busy_from_priority: int = Field(default=2, ge=1, le=5)
    attention_budget_per_hour: int = Field(default=4, ge=1)
    attention_budget_window_s: int = Field(default=3600, ge=1)  # the budget's hour
    attention_budget_from_priority: int = Field(default=3, ge=1, le=5)
    dispatch_first_from_priority: int = Field(default=3, ge=1, le=5)
    dispatch_first_misreads: bool = True
    dispatch_first_min_confidence: float = Field(default=0.5, ge=0, le=1)


class OfficerSettings(Group):
    """Breadcrumbs keep every officer position (else only the latest), with their own retention.
    Beats: a GeoJSON file read at startup by every process; else `lookout import-beats`; else a
    demo grid around downtown Oakland."""

    breadcrumbs: bool = False
    breadcrumbs_keep_s: int = Field(default=86_400, gt=0)
    beats_file: Path | None = None
    beats_code_property: str | None = None


class BulletinSettings(Group):
    """The search area grows with the time since the incident at `speed_mps`, up to
    `max_growth_m` (reads are matched that far; officers are told as it grows only up to
    `notify_max_growth_m`); officers `notify_margin_m` outside it are told too; the retro
    search starts `retro_margin_s` before the incident and looks at no more than
    `retro_max_reads` reads."""

    speed_mps: float = Field(default=15.0, ge=0, le=70, alias="bulletin_speed_mps")
    max_growth_m: float = Field(default=10_000.0, ge=0, le=100_000, alias="bulletin_max_growth_m")
    notify_margin_m: float = Field(default=500.0, ge=0, le=10_000, alias="bulletin_notify_margin_m")
    notify_max_growth_m: float = Field(
        default=3000.0, ge=0, le=100_000, alias="bulletin_notify_max_growth_m"
    )
    retro_margin_s: int = Field(
        default=1800, ge=0, le=7 * 24 * 3600, alias="bulletin_retro_margin_s"
    )
    retro_max_reads: int = Field(default=200_000, gt=0, alias="bulletin_retro_max_reads")


class WorkerSettings(Group):
    """The push worker: embedded in `lookout serve`, or `lookout worker` processes."""

    embedded: bool = Field(default=True, alias="embedded_worker")
    batch_size: int = Field(default=100, gt=0, le=500, alias="worker_batch_size")
    lease_s: int = Field(default=60, gt=0, alias="worker_lease_s")
    poll_s: float = Field(default=1.0, gt=0, alias="worker_poll_s")
    max_attempts: int = Field(default=8, gt=0, alias="max_push_attempts")


class IngestSettings(Group):
    """Reads per group commit; vendor intake limits. OpenALPR groups carry base64 images (a
    plate crop, a vehicle crop, an overview), so a body may run to a few MB. Each process asks
    for hot-list and bulletin changes made elsewhere every `hotlist_poll_s` (PostgreSQL also
    wakes it at once with NOTIFY)."""

    max_batch: int = Field(default=2000, gt=0, alias="ingest_max_batch")
    intake_max_body_bytes: int = Field(default=8 * 1024 * 1024, gt=0)
    intake_max_image_bytes: int = Field(default=2 * 1024 * 1024, gt=0)
    # A hot-list file upload (a state's NCIC extract of 2 million rows is about 130 MB); it is
    # spooled to disk and read a line at a time, so this bounds disk, not memory.
    hotlist_import_max_bytes: int = Field(default=1024 * 1024 * 1024, gt=0)
    hotlist_poll_s: float = Field(default=1.0, gt=0)
    # A read taken longer ago than this is refused (a wrong clock, a stale replay); a read
    # older than the alerting group's retro_push_within_s is stored but never pushed.
    read_max_age_s: int = Field(default=30 * 86_400, gt=0)


class LifecycleSettings(Group):
    """The life of a hit after the push. A P1 or P2 alert with nobody responding after
    `escalate_p1_s` / `escalate_p2_s` goes a step up the ladder (next ring, dispatcher desk,
    supervisors), each step after the same wait. A confirmation request expires unanswered
    after `confirm_urgent_s` (P1, P2) or `confirm_routine_s` (NCIC's 10 minutes and 1 hour).
    An entry whose hits ended as misread or wrong vehicle `review_after_false_hits` times is
    flagged for review."""

    escalate_p1_s: int = Field(default=60, gt=0)
    escalate_p2_s: int = Field(default=180, gt=0)
    confirm_urgent_s: int = Field(default=600, gt=0)
    confirm_routine_s: int = Field(default=3600, gt=0)
    review_after_false_hits: int = Field(default=3, gt=0)


class CameraSettings(Group):
    """Camera health (GET /v1/cameras)."""

    silent_after_s: int = Field(default=900, gt=0, alias="camera_silent_after_s")
    low_confidence: float = Field(default=0.5, ge=0, le=1, alias="camera_low_confidence")


class AuthSettings(Group):
    """Sign-in and sessions. Roles in `mfa_roles` (comma-separated) need a TOTP code besides
    the password. `bad_credentials_per_minute` failed credentials (password, bearer token,
    camera key) from one address are answered, then 429 until the minute has passed."""

    access_token_ttl_s: int = Field(default=900, gt=0)
    refresh_token_ttl_s: int = Field(default=12 * 3600, gt=0)  # a shift, then sign in again
    bootstrap_token_ttl_s: int = Field(default=12 * 3600, gt=0)
    # A gateway account (a vehicle-location system) holds a key for months, rotated by an admin.
    gateway_token_ttl_s: int = Field(default=90 * 86_400, gt=0)
    mfa_roles: str = "admin,supervisor"
    sign_in_max_failures: int = Field(default=5, gt=0)
    sign_in_lockout_s: int = Field(default=900, gt=0)
    bad_credentials_per_minute: int = Field(default=30, gt=0)
    password_min_length: int = Field(default=12, ge=8)
    # Single sign-on with the agency's OpenID Connect provider (off while no issuer is set);
    # a person's Lookout role is the value of `oidc_role_claim` in their ID token.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_role_claim: str = "lookout_role"

    def needs_second_factor(self, role: str) -> bool:
        return role in {r.strip() for r in self.mfa_roles.split(",") if r.strip()}


class RetentionSettings(Group):
    """How long records are kept (app/retention): `policy` names a state template (or
    `custom`); each `*_s` replaces one of its clocks. Officers' breadcrumbs keep
    LOOKOUT_BREADCRUMBS_KEEP_S. The audit log is kept at least a year whatever is set.
    Enforcement runs with the push worker every LOOKOUT_HOUSEKEEPING_EVERY_S, `batch_rows`
    rows a transaction."""

    policy: str = Field(default="california", alias="retention_policy")
    nonhit_reads_s: int | None = Field(default=None, gt=0, alias="retention_nonhit_reads_s")
    hit_reads_s: int | None = Field(default=None, gt=0, alias="retention_hit_reads_s")
    images_s: int | None = Field(default=None, gt=0, alias="retention_images_s")
    alerts_s: int | None = Field(default=None, gt=0, alias="retention_alerts_s")
    deliveries_s: int | None = Field(default=None, gt=0, alias="retention_deliveries_s")
    audit_s: int | None = Field(default=None, gt=0, alias="retention_audit_s")
    batch_rows: int = Field(default=2000, gt=0, le=50_000, alias="retention_batch_rows")

    @model_validator(mode="after")
    def _known_policy(self) -> Self:
        if self.policy not in TEMPLATES:
            known = ", ".join(sorted(TEMPLATES))
            raise ValueError(f"LOOKOUT_RETENTION_POLICY {self.policy!r} is not one of: {known}")
        if self.audit_s is not None and self.audit_s < CJIS_AUDIT_MIN.total_seconds():
            raise ValueError(
                f"LOOKOUT_RETENTION_AUDIT_S {self.audit_s} is under a year "
                f"({int(CJIS_AUDIT_MIN.total_seconds())} s), the least CJIS asks"
            )
        return self


class AuditSettings(Group):
    """The audit chain's key and checkpoints (app/audit). `secret` keys every row's seal; it
    must live outside the database (unset: a key derived from the token secret, refused in
    prod). Every `checkpoint_every_s` each process appends the chain's head (rows, newest id,
    seal), signed with the same key, to `checkpoint_file` (unset: `audit-checkpoints.jsonl` in
    the data directory) and to the log, so rows removed from the end are noticed."""

    secret: SecretStr | None = Field(default=None, alias="audit_secret")
    checkpoint_file: Path | None = Field(default=None, alias="audit_checkpoint_file")
    checkpoint_every_s: float = Field(default=60.0, gt=0, alias="audit_checkpoint_every_s")


GROUPS: dict[str, type[Group]] = {
    "audit": AuditSettings,
    "auth": AuthSettings,
    "push": PushSettings,
    "routing": RoutingSettings,
    "alerting": AlertingSettings,
    "policy": PolicySettings,
    "officers": OfficerSettings,
    "bulletins": BulletinSettings,
    "worker": WorkerSettings,
    "ingest": IngestSettings,
    "cameras": CameraSettings,
    "lifecycle": LifecycleSettings,
    "retention": RetentionSettings,
}
