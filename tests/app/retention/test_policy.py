"""The retention policies: the state templates, overrides, and the audit floor (pure)."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from app.retention import policy
from app.retention.policy import CJIS_AUDIT_MIN, TEMPLATES, Policy, effective, template
from app.runtime import retention_policy
from app.settings import Settings

DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("name", "nonhit_days"),
    [("california", 60), ("arkansas", 150), ("maine", 21), ("tennessee", 90),
     ("minnesota", 60), ("nebraska", 180), ("utah", 274), ("vermont", 548), ("colorado", 365),
     ("new_mexico", 14)],
)  # fmt: skip
def test_each_state_keeps_reads_that_hit_nothing_as_its_law_says(
    name: str, nonhit_days: int
) -> None:
    shipped = effective(template(name))
    assert shipped.nonhit_reads == nonhit_days * DAY
    assert shipped.images is not None and shipped.images <= shipped.nonhit_reads


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_keeps_the_audit_a_year_and_longer_than_the_data(name: str) -> None:
    shipped = effective(template(name))
    clocks = [getattr(shipped, c) for c in policy.CLOCKS if c != "audit"]
    if any(c is None for c in clocks):
        assert shipped.audit is None  # something is kept forever: so is its audit
    else:
        assert shipped.audit is not None
        assert shipped.audit >= max([CJIS_AUDIT_MIN, *[c for c in clocks if c is not None]])


def test_colorado_keeps_investigative_hits_three_years() -> None:
    assert effective(template("colorado")).hit_reads == 3 * 365 * DAY


def test_overrides_replace_one_clock_and_the_audit_floor_still_holds() -> None:
    base = template("maine")
    changed = effective(base, nonhit_reads=7 * DAY, audit=30 * DAY, hit_reads=None)
    assert changed.nonhit_reads == 7 * DAY and changed.images == 7 * DAY
    assert changed.hit_reads == base.hit_reads  # None: not overridden
    assert changed.audit == max(CJIS_AUDIT_MIN, changed.alerts or DAY)


def test_images_never_outlive_their_read() -> None:
    custom = Policy(name="x", law="", nonhit_reads=10 * DAY, images=99 * DAY)
    assert effective(custom).images == 10 * DAY


def test_custom_keeps_everything_until_told() -> None:
    custom = effective(template("custom"))
    assert (custom.nonhit_reads, custom.hit_reads, custom.alerts, custom.audit) == (None,) * 4
    told = effective(template("custom"), nonhit_reads=30 * DAY)
    assert told.nonhit_reads == 30 * DAY and told.audit is None


def test_unknown_names_are_refused_with_the_known_ones() -> None:
    with pytest.raises(policy.UnknownPolicy, match=r"atlantis.*california"):
        template("atlantis")
    with pytest.raises(ValueError, match="not a retention clock: forever"):
        effective(template("maine"), forever=DAY)


def test_settings_pick_the_template_and_the_overrides() -> None:
    settings = Settings(retention_policy="maine", retention_nonhit_reads_s=3600)
    chosen = retention_policy(settings)
    assert chosen.name == "maine" and chosen.nonhit_reads == timedelta(hours=1)
    assert chosen.positions == timedelta(seconds=settings.officers.breadcrumbs_keep_s)


def test_settings_refuse_an_unknown_policy_and_an_audit_under_a_year() -> None:
    with pytest.raises(ValidationError, match="LOOKOUT_RETENTION_POLICY 'atlantis'"):
        Settings(retention_policy="atlantis")
    with pytest.raises(ValidationError, match="under a year"):
        Settings(retention_audit_s=86_400)
    with pytest.raises(ValidationError):
        Settings(retention_nonhit_reads_s=0)


def test_the_environment_names_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOKOUT_RETENTION_POLICY", "vermont")
    monkeypatch.setenv("LOOKOUT_RETENTION_NONHIT_READS_S", "86400")
    chosen = retention_policy(Settings())
    assert (chosen.name, chosen.nonhit_reads) == ("vermont", DAY)
