"""How an alert's life is paced (settings: the lifecycle group)."""

from dataclasses import dataclass, field
from datetime import timedelta

from alerts.lifecycle import Escalation


@dataclass(frozen=True, slots=True)
class LifecycleConfig:
    """Escalation waits per priority; how long the originating agency has to answer an urgent
    (P1, P2) and a routine confirmation request; false hits before an entry is flagged."""

    escalation: Escalation = field(default_factory=Escalation)
    confirm_urgent: timedelta = timedelta(minutes=10)
    confirm_routine: timedelta = timedelta(hours=1)
    review_after_false_hits: int = 3
    # Confirmations and closings must reach a phone that was off a while; FCM keeps them so long.
    update_ttl_s: int = 24 * 3600

    def confirm_within(self, urgent: bool) -> timedelta:
        return self.confirm_urgent if urgent else self.confirm_routine
