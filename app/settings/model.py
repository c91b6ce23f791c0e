"""`Settings`: the top-level settings and the groups in it, read from the environment (prefix
LOOKOUT_), every grouped setting by its flat name (app/settings/groups.py)."""

import os
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from app.settings import prod
from app.settings.groups import (
    GROUPS,
    AlertingSettings,
    AuditSettings,
    AuthSettings,
    BulletinSettings,
    CameraSettings,
    Group,
    IngestSettings,
    LifecycleSettings,
    OfficerSettings,
    PolicySettings,
    PushSettings,
    RetentionSettings,
    RoutingSettings,
    WorkerSettings,
)
from app.settings.prod import DEV_SECRET

ENV_PREFIX = "LOOKOUT_"


def _flat_name(name: str, info: FieldInfo) -> str:
    return info.alias or name


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    env: Literal["dev", "test", "prod"] = "dev"
    database_url: str = "sqlite:///var/lookout.db"
    data_dir: Path = Path("var")
    token_secret: SecretStr = SecretStr(DEV_SECRET)
    agency_timezone: str = "America/Los_Angeles"
    agency_name: str = "Lookout"  # the organisation in SB 34 access-log exports
    housekeeping_every_s: float = Field(default=300.0, gt=0)
    # The cap on a request body, for routes without one of their own (app/bodies.py).
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # The pages' base map: the agency's own tile server ({z}/{x}/{y}); none draws the beats.
    map_tiles_url: str | None = None
    map_tiles_attribution: str = ""
    # GeoJSON files (comma-separated paths) drawn on the pages' maps: streets, areas, the city.
    map_layers: str = ""

    @property
    def map_layer_files(self) -> list[Path]:
        return [Path(part.strip()) for part in self.map_layers.split(",") if part.strip()]

    # Where people reach the service (https://...): web pushes link to the alert's page there.
    public_url: str | None = None

    audit: AuditSettings = AuditSettings()
    auth: AuthSettings = AuthSettings()
    push: PushSettings = PushSettings()
    routing: RoutingSettings = RoutingSettings()
    alerting: AlertingSettings = AlertingSettings()
    policy: PolicySettings = PolicySettings()
    officers: OfficerSettings = OfficerSettings()
    bulletins: BulletinSettings = BulletinSettings()
    worker: WorkerSettings = WorkerSettings()
    ingest: IngestSettings = IngestSettings()
    cameras: CameraSettings = CameraSettings()
    lifecycle: LifecycleSettings = LifecycleSettings()
    retention: RetentionSettings = RetentionSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, FlatGroupEnv(settings_cls))

    @model_validator(mode="before")
    @classmethod
    def _group_flat_names(cls, data: Any) -> Any:
        """Keyword arguments by flat name (`routing_radius_m=...`) go into their group."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for group, model in GROUPS.items():
            given = data.get(group)
            values = dict(
                given.model_dump(by_alias=True) if isinstance(given, Group) else given or {}
            )
            for name, info in model.model_fields.items():
                flat = _flat_name(name, info)
                if flat in data:
                    values[flat] = data.pop(flat)
            if values:
                data[group] = values
        return data

    @model_validator(mode="after")
    def _refuse_unsafe_settings_in_prod(self) -> Self:
        """In prod every setting at fault is named at once, so one restart fixes them all."""
        if self.env != "prod":
            return self
        problems = prod.problems(self)
        if problems:
            raise ValueError("refusing to run with LOOKOUT_ENV=prod: " + "; ".join(problems))
        return self

    @property
    def serves_inbox(self) -> bool:
        return self.push.fcm_inbox and self.env != "prod"

    def changed(self, **flat: Any) -> "Settings":
        """A copy with some settings changed, by their flat names, validated again."""
        current: dict[str, Any] = {
            name: getattr(self, name) for name in type(self).model_fields if name not in GROUPS
        }
        for group in GROUPS:
            current.update(getattr(self, group).model_dump(by_alias=True))
        return Settings(**(current | flat))


class FlatGroupEnv(PydanticBaseSettingsSource):
    """The grouped settings from their flat environment variables (LOOKOUT_ROUTING_RADIUS_M)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # every value comes from __call__

    def __call__(self) -> dict[str, Any]:
        environ = {key.upper(): value for key, value in os.environ.items()}
        found: dict[str, Any] = {}
        for group, model in GROUPS.items():
            for name, info in model.model_fields.items():
                flat = _flat_name(name, info)
                value = environ.get(ENV_PREFIX + flat.upper())
                if value is not None:
                    found.setdefault(group, {})[flat] = value
        return found
