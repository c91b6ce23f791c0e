"""The vendor samples are documentation from past years, and their reads are that old: these
tests take reads up to twenty years back (the default refuses reads over 30 days old, which
tests/app/intake/test_intake.py checks with the default)."""

import pytest

from app.settings import Settings

SAMPLES_MAX_AGE_S = 20 * 365 * 86_400


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.changed(read_max_age_s=SAMPLES_MAX_AGE_S)
