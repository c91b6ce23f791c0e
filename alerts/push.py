"""The push seam: a message for one device, the result of sending it, and the sender interface."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Platform(StrEnum):
    ANDROID = "android"
    IOS = "ios"
    WEB = "web"


@dataclass(frozen=True, slots=True)
class PushMessage:
    """One notification for one device, in FCM's terms but free of the SDK.

    `data` values are strings because FCM refuses anything else. `collapse_key` makes a later
    update of the same alert replace the earlier one on the phone (Android collapse key and tag,
    APNs collapse id). A `quiet` message makes no sound: it is sent as data only (an iOS
    background push), with `title` and `body` in the data for the app to apply to the
    notification it already shows (DOMAIN.md 5.6).
    """

    token: str
    platform: Platform
    title: str
    body: str
    data: Mapping[str, str]
    collapse_key: str
    ttl_s: int
    urgent: bool = True
    quiet: bool = False

    def __post_init__(self) -> None:
        if not self.token:
            raise ValueError("a push message needs a device token")
        if self.ttl_s <= 0:
            raise ValueError(f"ttl_s must be positive, got {self.ttl_s}")
        bad = [key for key, value in self.data.items() if not isinstance(value, str)]
        if bad:
            raise ValueError(f"FCM data values must be strings; not strings: {sorted(bad)}")

    def to_dict(self) -> dict[str, object]:
        return {
            "token": self.token,
            "platform": self.platform.value,
            "title": self.title,
            "body": self.body,
            "data": dict(self.data),
            "collapse_key": self.collapse_key,
            "ttl_s": self.ttl_s,
            "urgent": self.urgent,
            "quiet": self.quiet,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> "PushMessage":
        data = raw["data"]
        assert isinstance(data, Mapping)
        return cls(
            token=str(raw["token"]),
            platform=Platform(str(raw["platform"])),
            title=str(raw["title"]),
            body=str(raw["body"]),
            data={str(k): str(v) for k, v in data.items()},
            collapse_key=str(raw["collapse_key"]),
            ttl_s=int(str(raw["ttl_s"])),
            urgent=bool(raw.get("urgent", True)),
            quiet=bool(raw.get("quiet", False)),
        )


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: str


@dataclass(frozen=True, slots=True)
class RetryAfter:
    """A transient failure (quota, unavailable, timeout): try again after `seconds`."""

    seconds: float
    reason: str


@dataclass(frozen=True, slots=True)
class TokenGone:
    """The device token is no longer valid (unregistered); the device must be retired."""

    reason: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """FCM refused this message for good (e.g. invalid argument): resending cannot help."""

    reason: str


SendResult = Sent | RetryAfter | TokenGone | Rejected

MAX_BATCH = 500


def alert_path(alert_id: int) -> str:
    """Where the alert's page is, relative to the service: every alert push carries it in its
    data as `url` (apps open it; a web push links to it, alerts/fcm.py)."""
    return f"/m/alerts/{alert_id}"


class PushSender(Protocol):
    def send_batch(self, messages: Sequence[PushMessage], /) -> list[SendResult]:
        """Send up to 500 messages; one result per message, in the same order.

        A dead token, a quota or a rejected payload is a result. Raises PushUnavailable only when
        nothing could be attempted (credentials, configuration).
        """
        ...

    def describe(self) -> str:
        """One line saying where pushes go, for the startup log."""
        ...


def backoff_s(attempt: int, *, base_s: float = 2.0, cap_s: float = 300.0) -> float:
    """Delay before retry number `attempt` (1-based): base_s * 2**(attempt-1), at most cap_s."""
    return float(min(cap_s, base_s * 2 ** max(0, attempt - 1)))
