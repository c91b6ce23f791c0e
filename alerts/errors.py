"""Errors of the alerts package.

AlertsError
 ├── PushUnavailable     nothing could be attempted: credentials, configuration, endpoint down
 ├── InvalidTransition   an alert's life cannot go that way from where it is
 └── InvalidOutcome      a disposition and result that do not hold together
"""


class AlertsError(Exception):
    """Base of every error raised by alerts/."""


class PushUnavailable(AlertsError):
    """The push channel cannot be used at all (bad credentials, unreachable endpoint)."""


class InvalidTransition(AlertsError):
    """An alert's life cannot go that way from where it is: a second, contradicting answer
    to a confirmation."""


class InvalidOutcome(AlertsError):
    """An outcome that does not hold together: `located` without a result, or a result for
    another disposition."""
