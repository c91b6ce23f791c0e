"""All configuration, read from the environment (prefix LOOKOUT_). Nothing else reads os.environ.

Settings come in groups (`settings.push.fcm_url`, `settings.routing.radius_m`, ...; the groups
in `groups.py`), each a frozen model, while every setting keeps its one flat name: the
environment variable `LOOKOUT_ROUTING_RADIUS_M`, and the keyword
`Settings(routing_radius_m=...)`. A field's alias is that flat name. Agencies' deployment files
name the flat variables, so they never change. `model.py` holds `Settings` and reads the
environment; `prod.py` what LOOKOUT_ENV=prod refuses.
"""

from app.settings.groups import (
    GROUPS,
    AlertingSettings,
    AuditSettings,
    AuthSettings,
    BulletinSettings,
    CameraSettings,
    IngestSettings,
    LifecycleSettings,
    OfficerSettings,
    PolicySettings,
    PushSettings,
    RetentionSettings,
    RoutingSettings,
    WorkerSettings,
)
from app.settings.model import ENV_PREFIX, Settings
from app.settings.prod import DEV_PROJECT_ID, DEV_SECRET

__all__ = [
    "DEV_PROJECT_ID",
    "DEV_SECRET",
    "ENV_PREFIX",
    "GROUPS",
    "AlertingSettings",
    "AuditSettings",
    "AuthSettings",
    "BulletinSettings",
    "CameraSettings",
    "IngestSettings",
    "LifecycleSettings",
    "OfficerSettings",
    "PolicySettings",
    "PushSettings",
    "RetentionSettings",
    "RoutingSettings",
    "Settings",
    "WorkerSettings",
]
