"""Retention policies: how long each kind of record is kept, per state (DOMAIN.md 6).

Pure: names and periods in, periods out; no SQL, no clock. A period of None keeps forever.
Each template follows its statute for reads that hit nothing; the other clocks are the
agency defaults below, which a deployment overrides one by one (`LOOKOUT_RETENTION_*_S`).
Whatever the template and the overrides say, the audit log is kept at least a year (CJIS
Security Policy 5.4) and at least as long as the longest other clock, so it outlives the data
it describes.
"""

from dataclasses import dataclass, fields, replace
from datetime import timedelta

DAY = timedelta(days=1)
CJIS_AUDIT_MIN = 365 * DAY

# Agency defaults where a statute names only the non-hit period.
HIT_READS = 365 * DAY  # a hit is a lead in a case; longer use needs an evidence hold
ALERTS = 2 * 365 * DAY  # who was told what, and how it ended: accountability statistics
DELIVERIES = 90 * DAY  # push receipts, per device: operational, not evidence
AUDIT = 2 * 365 * DAY


@dataclass(frozen=True, slots=True)
class Policy:
    """How long each kind of record is kept after it was made (None: forever).

    `nonhit_reads`: reads that matched no hot list or bulletin; `hit_reads`: reads that did
    (kept, whatever their age, while an alert still cites them); `images`: the image files of
    non-hit reads (a hit read keeps its image as long as the read); `alerts`: alerts with their
    recipients, responses, confirmations and escalation steps; `deliveries`: finished pushes;
    `positions`: officers' breadcrumbs; `audit`: the audit log."""

    name: str
    law: str
    nonhit_reads: timedelta | None
    hit_reads: timedelta | None = HIT_READS
    images: timedelta | None = None  # None here: as long as the non-hit read
    alerts: timedelta | None = ALERTS
    deliveries: timedelta | None = DELIVERIES
    positions: timedelta | None = DAY
    audit: timedelta | None = AUDIT


CLOCKS = ("nonhit_reads", "hit_reads", "images", "alerts", "deliveries", "positions", "audit")


def _state(name: str, law: str, nonhit_days: int, **others: timedelta | None) -> Policy:
    return Policy(name=name, law=law, nonhit_reads=nonhit_days * DAY, **others)


TEMPLATES: dict[str, Policy] = {
    policy.name: policy
    for policy in (
        _state(
            "california", "Civ. Code 1798.90.5-.55 (SB 34); Veh. Code 2413 (CHP: 60 days)", 60,
            audit=5 * 365 * DAY,  # State Auditor 2019-118: access records kept at least 5 years
        ),
        _state("arkansas", "Ark. Code 12-12-1804 (150 days)", 150),
        _state("maine", "29-A M.R.S. 2117-A (21 days)", 21),
        _state("tennessee", "T.C.A. 55-10-302 (90 days)", 90),
        _state("minnesota", "Minn. Stat. 13.824 (60 days)", 60),
        _state("nebraska", "Neb. Rev. Stat. 60-3204 (180 days)", 180),
        _state("utah", "Utah Code 41-6a-2004 (9 months)", 274),
        _state(
            "vermont", "23 V.S.A. 1607-1608 (18 months)", 548, hit_reads=548 * DAY,
        ),
        _state(
            "colorado", "C.R.S. 24-72-113 (1 year; 3 years if used in an investigation)", 365,
            hit_reads=3 * 365 * DAY,
        ),
        _state(
            "new_mexico", "2025 bill (14 days without an alert; 1 year tied to a case)", 14,
        ),
        Policy(
            name="custom", law="the agency's own (LOOKOUT_RETENTION_*_S)", nonhit_reads=None,
            hit_reads=None, alerts=None, deliveries=None, audit=None,
        ),
    )
}  # fmt: skip


class UnknownPolicy(ValueError):
    pass


def template(name: str) -> Policy:
    try:
        return TEMPLATES[name]
    except KeyError:
        known = ", ".join(sorted(TEMPLATES))
        raise UnknownPolicy(f"no retention policy {name!r}; known: {known}") from None


def effective(base: Policy, **overrides: timedelta | None) -> Policy:
    """`base` with the clocks given in `overrides` replaced (None values are ignored: an
    override that is not set), then bounded: images never outlive their non-hit read, and the
    audit log is kept at least `CJIS_AUDIT_MIN` and as long as every other clock."""
    unknown = set(overrides) - set(CLOCKS)
    if unknown:
        raise ValueError(f"not a retention clock: {', '.join(sorted(unknown))}")
    policy = base
    for clock, period in overrides.items():
        if period is not None:
            policy = replace(policy, **{clock: period})  # type: ignore[arg-type]
    images = policy.images
    if images is None or (policy.nonhit_reads is not None and images > policy.nonhit_reads):
        images = policy.nonhit_reads
    policy = replace(policy, images=images)
    return replace(policy, audit=audit_period(policy))


def audit_period(policy: Policy) -> timedelta | None:
    """The audit log's period: the policy's, raised to a year and to the longest other clock
    (None, forever, when any clock keeps forever)."""
    periods: list[timedelta | None] = [
        getattr(policy, f.name) for f in fields(policy) if f.name in CLOCKS
    ]
    known = [p for p in periods if p is not None]
    if len(known) < len(periods):
        return None
    return max([CJIS_AUDIT_MIN, *known])


def describe(policy: Policy) -> dict[str, int | None]:
    """Each clock in whole seconds (None: forever), for audit rows and the CLI."""
    return {
        clock: None if (p := getattr(policy, clock)) is None else int(p.total_seconds())
        for clock in CLOCKS
    }
