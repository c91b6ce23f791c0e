"""Fixtures of the lifecycle tests: short timers set by settings, pushes through the real
firebase-admin SDK to the FCM inbox, and a scene around a camera."""

import pytest

from app.settings import Settings

ESCALATE_P1_S, ESCALATE_P2_S = 30, 90
CONFIRM_URGENT_S, CONFIRM_ROUTINE_S = 120, 600


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Two officers per ring (a P2's first push goes to one by default), so a third is there
    for the next one."""
    return settings.changed(
        escalate_p1_s=ESCALATE_P1_S, escalate_p2_s=ESCALATE_P2_S,
        confirm_urgent_s=CONFIRM_URGENT_S, confirm_routine_s=CONFIRM_ROUTINE_S,
        routing_max_officers=2, first_push_p2=2,
    )  # fmt: skip
