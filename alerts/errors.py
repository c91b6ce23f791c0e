"""Errors of the alerts package.

AlertsError
 └── PushUnavailable   nothing could be attempted: credentials, configuration, endpoint down
"""


class AlertsError(Exception):
    """Base of every error raised by alerts/."""


class PushUnavailable(AlertsError):
    """The push channel cannot be used at all (bad credentials, unreachable endpoint)."""
