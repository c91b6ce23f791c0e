"""Pushes through Firebase Cloud Messaging (HTTP v1) with firebase-admin's synchronous client.

The only module that imports firebase_admin. It reaches into firebase-admin 7.7's private
per-app messaging service (`messaging._get_messaging_service(app)`, its `_fcm_url` and its
`_client.session`); each is checked when a sender is built and pinned by tests/alerts/test_fcm.py.
"""

import asyncio
import email.utils
import threading
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import firebase_admin
import google.auth.exceptions
from firebase_admin import credentials, exceptions, messaging
from requests import Session
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from alerts import push
from alerts.errors import PushUnavailable

GOOGLE_FCM_URL = "https://fcm.googleapis.com"
CHANNEL_ID = "lookout_alerts"  # the high-importance channel the Android app creates
# Without a Retry-After the sender cannot know which attempt this was; this is the earliest
# sensible retry, and the worker takes max(seconds, its own backoff_s(attempt)).
RETRY_S = push.backoff_s(1)
# A broken credential, permission or APNs key waits for an administrator; retrying sooner only
# fills the log.
CONFIG_RETRY_S = 300.0

# firebase-admin retries 500/503 four times (7 s of sleeps) and, through urllib3, sleeps out a
# 429's Retry-After up to four times: minutes inside the worker's send. The worker schedules
# retries itself, so the SDK gets two quick ones and never honours Retry-After.
_SEND_RETRY = Retry(
    connect=1,
    read=1,
    status=2,
    status_forcelist=(500, 503),
    backoff_factor=0.25,
    respect_retry_after_header=False,
    allowed_methods=None,
    raise_on_status=False,
)


class FcmSender:
    """A PushSender that sends each message as one FCM HTTP v1 request via firebase-admin."""

    def __init__(
        self,
        *,
        credentials_path: Path,
        fcm_url: str | None,
        timeout_s: float,
        app_name: str,
        public_url: str | None = None,
    ) -> None:
        """Build a named Firebase app from a service-account file.

        `fcm_url` is the base URL of an FCM-v1-compatible server (the local inbox); None sends to
        Google. `app_name` must be unique among live senders. `public_url`, an https:// URL
        where people reach the service, makes a web push open the alert's page (the `url` of its
        data); FCM takes only HTTPS links, so another one is ignored. Raises PushUnavailable when
        the credentials file is missing or invalid, or the SDK no longer has the attributes we
        set.
        """
        try:
            certificate = credentials.Certificate(str(credentials_path))
        except (OSError, ValueError, TypeError, AttributeError) as error:
            raise PushUnavailable(
                f"cannot use Firebase credentials {credentials_path}: {error}"
            ) from error
        project_id = certificate.project_id
        if not project_id:
            raise PushUnavailable(f"Firebase credentials {credentials_path} have no project_id")
        self._project_id: str = project_id
        self._fcm_url = fcm_url
        self._link_base = public_url.rstrip("/") if public_url and _is_https(public_url) else None
        self._app = firebase_admin.initialize_app(
            certificate, {"httpTimeout": timeout_s, "projectId": project_id}, name=app_name
        )
        self._closed = False
        try:
            if fcm_url is not None:
                point_messaging_at(self._app, fcm_url)
            _limit_sdk_retries(self._app, (fcm_url or GOOGLE_FCM_URL).rstrip("/"))
        except PushUnavailable:
            self.close()
            raise

    def send_batch(self, messages: Sequence[push.PushMessage], /) -> list[push.SendResult]:
        """One result per message, in order, sent in chunks of push.MAX_BATCH.

        Raises PushUnavailable when FCM could not be called at all (the access token could not be
        fetched: bad key, unreachable token endpoint).
        """
        results: list[push.SendResult] = []
        for start in range(0, len(messages), push.MAX_BATCH):
            results += self._send_chunk(messages[start : start + push.MAX_BATCH])
        return results  # [] for no messages: send_each([]) raises instead of returning nothing

    def describe(self) -> str:
        if self._fcm_url is None:
            return f"Google FCM project {self._project_id}"
        return f"FCM project {self._project_id} via {self._fcm_url}"

    def close(self) -> None:
        """Delete the Firebase app and close its HTTP sessions. Safe to call anywhere:
        firebase-admin closes its async client with asyncio.run, which cannot run inside a
        running event loop, so from such a thread the work moves to a short-lived thread."""
        if self._closed:
            return
        self._closed = True
        if _loop_running():
            closer = threading.Thread(target=self._close_now, name="fcm-close")
            closer.start()
            closer.join(timeout=30)
            return
        self._close_now()

    def _close_now(self) -> None:
        get_service = getattr(messaging, "_get_messaging_service", None)
        client = getattr(get_service(self._app), "_client", None) if get_service else None
        firebase_admin.delete_app(self._app)
        if client is not None:
            # delete_app closes only the async client; the requests session keeps its sockets.
            client.close()

    def _send_chunk(self, chunk: Sequence[push.PushMessage]) -> list[push.SendResult]:
        try:
            batch = messaging.send_each(
                [to_fcm_message(m, link_base=self._link_base) for m in chunk], app=self._app
            )
        except ValueError as error:
            # The SDK encodes the whole batch before sending any of it, so one message it refuses
            # would otherwise block the rest; send singly to find it.
            if len(chunk) == 1:
                return [push.Rejected(f"firebase-admin refused the message: {error}")]
            return [result for message in chunk for result in self._send_chunk([message])]
        except (exceptions.UnknownError, google.auth.exceptions.GoogleAuthError) as error:
            # send_each wraps a failed token refresh (RefreshError) in one UnknownError for the
            # whole batch; per-message failures come back as responses instead.
            raise PushUnavailable(f"{self.describe()}: {error}") from error
        return [to_result(response) for response in batch.responses]


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def point_messaging_at(app: firebase_admin.App, base_url: str) -> None:
    """Make `app` send FCM messages to `base_url` (an FCM-v1-compatible server) instead of Google.

    firebase-admin has no option for this, so it sets the private per-app attribute
    `messaging._get_messaging_service(app)._fcm_url` (firebase-admin 7.7). Raises
    PushUnavailable, naming the attribute, when an SDK upgrade has moved it.
    """
    if not base_url.startswith(("http://", "https://")):
        raise PushUnavailable(f"FCM URL must start with http:// or https://, got {base_url!r}")
    service = _messaging_service(app)
    if not isinstance(getattr(service, "_fcm_url", None), str):
        raise _sdk_moved("_MessagingService._fcm_url", "redirect FCM sends")
    service._fcm_url = f"{base_url.rstrip('/')}/v1/projects/{app.project_id}/messages:send"


def _is_https(url: str) -> bool:
    return url.startswith("https://")


def to_fcm_message(message: push.PushMessage, *, link_base: str | None = None) -> messaging.Message:
    """The FCM message for one PushMessage.

    Every message carries the Android, APNs and web push blocks: FCM applies the one matching the
    token, so a device stored with the wrong platform still gets an urgent alert. With
    `link_base` (the service's public https:// URL), a web push opens the alert's page: the
    `url` of the data, which Android and iOS apps open themselves. apns-expiration
    is omitted because it is an absolute time and this sender reads no clock; iOS then relies on
    FCM's default storage time, not on ttl_s.
    """
    if message.quiet:
        return _quiet_message(message)
    collapse_key = message.collapse_key or None
    urgent = message.urgent
    apns_headers = {"apns-priority": "10" if urgent else "5", "apns-push-type": "alert"}
    if collapse_key:
        apns_headers["apns-collapse-id"] = _truncate_utf8(collapse_key, 64)
    return messaging.Message(
        token=message.token,
        notification=messaging.Notification(title=message.title, body=message.body),
        data=dict(message.data),
        android=messaging.AndroidConfig(
            priority="high" if urgent else "normal",
            ttl=timedelta(seconds=message.ttl_s),
            collapse_key=collapse_key,
            notification=messaging.AndroidNotification(
                tag=collapse_key,
                channel_id=CHANNEL_ID,
                priority="max" if urgent else "default",
                visibility="private",
            ),
        ),
        apns=messaging.APNSConfig(
            headers=apns_headers,
            payload=messaging.APNSPayload(
                aps=messaging.Aps(
                    thread_id=collapse_key,
                    sound="default",
                    custom_data={"interruption-level": "time-sensitive"} if urgent else {},
                )
            ),
        ),
        webpush=messaging.WebpushConfig(
            headers={"Urgency": "high" if urgent else "normal", "TTL": str(message.ttl_s)},
            notification=messaging.WebpushNotification(
                tag=collapse_key, require_interaction=urgent or None
            ),
            fcm_options=_web_link(message, link_base),
        ),
    )


def _web_link(
    message: push.PushMessage, link_base: str | None
) -> messaging.WebpushFCMOptions | None:
    path = message.data.get("url")
    if link_base is None or not path or not path.startswith("/"):
        return None
    return messaging.WebpushFCMOptions(link=link_base + path)


def _quiet_message(message: push.PushMessage) -> messaging.Message:
    """A quiet update: data only, so no platform plays a sound or shows anything itself; the
    app applies `title` and `body` (added to the data) to the notification it shows under the
    same tag. iOS takes it as a background push, which Apple requires to carry
    content-available, no alert, sound or badge, and apns-priority 5 (it may be delayed, so
    the app re-fetches the alert when opened). Android gets it at high priority when the
    alert is urgent: the app updates a visible notification with it, and the other cars must
    learn at once that someone is responding."""
    collapse_key = message.collapse_key or None
    apns_headers = {"apns-priority": "5", "apns-push-type": "background"}
    if collapse_key:
        apns_headers["apns-collapse-id"] = _truncate_utf8(collapse_key, 64)
    return messaging.Message(
        token=message.token,
        data=dict(message.data) | {"title": message.title, "body": message.body, "quiet": "1"},
        android=messaging.AndroidConfig(
            priority="high" if message.urgent else "normal",
            ttl=timedelta(seconds=message.ttl_s),
            collapse_key=collapse_key,
        ),
        apns=messaging.APNSConfig(
            headers=apns_headers,
            payload=messaging.APNSPayload(aps=messaging.Aps(content_available=True)),
        ),
        webpush=messaging.WebpushConfig(headers={"Urgency": "normal", "TTL": str(message.ttl_s)}),
    )


def to_result(response: messaging.SendResponse) -> push.SendResult:
    """What one FCM response means for the delivery; see DOMAIN.md 7.4."""
    match response.exception:
        case None:
            return push.Sent(response.message_id)
        case messaging.UnregisteredError():
            return push.TokenGone("unregistered")
        case messaging.SenderIdMismatchError():
            # The token belongs to another Firebase project: drop it; the reason flags the config.
            return push.TokenGone("sender-id-mismatch")
        case exceptions.ResourceExhaustedError() as error:  # QuotaExceededError included
            return push.RetryAfter(_retry_after_s(error) or RETRY_S, "quota-exceeded")
        case messaging.ThirdPartyAuthError():
            # APNs or web push credentials are broken for every device of that kind; an
            # administrator must fix them, and the alert must not be dropped meanwhile.
            return push.RetryAfter(CONFIG_RETRY_S, "third-party-auth")
        case exceptions.UnauthenticatedError() | exceptions.PermissionDeniedError() as error:
            # Our own credentials or IAM role, not this message: resending later can succeed.
            return push.RetryAfter(CONFIG_RETRY_S, _reason(error))
        case (
            exceptions.UnavailableError()
            | exceptions.InternalError()
            | exceptions.DeadlineExceededError()
            | exceptions.UnknownError() as error
        ):
            return push.RetryAfter(_retry_after_s(error) or RETRY_S, _reason(error))
        case error:
            return push.Rejected(str(error))  # INVALID_ARGUMENT and the like: resending cannot help


def _reason(error: exceptions.FirebaseError) -> str:
    return str(error.code).lower().replace("_", "-")


def _retry_after_s(error: exceptions.FirebaseError) -> float | None:
    """Seconds from the response's Retry-After header (delta-seconds or an HTTP date, read
    against the response's own Date header), else None."""
    response = error.http_response
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        retry_at = email.utils.parsedate_to_datetime(value)
        sent_at = email.utils.parsedate_to_datetime(response.headers.get("Date", ""))
        return max(0.0, (retry_at - sent_at).total_seconds())
    except (TypeError, ValueError):  # no Date header, or one naive and one aware
        return None


def _truncate_utf8(text: str, max_bytes: int) -> str:
    return text.encode()[:max_bytes].decode(errors="ignore")


def _messaging_service(app: firebase_admin.App) -> messaging._MessagingService:
    get_service = getattr(messaging, "_get_messaging_service", None)
    if get_service is None:
        raise _sdk_moved("messaging._get_messaging_service", "configure FCM sends")
    return get_service(app)


def _limit_sdk_retries(app: firebase_admin.App, base_url: str) -> None:
    session = getattr(getattr(_messaging_service(app), "_client", None), "session", None)
    if not isinstance(session, Session):
        raise _sdk_moved("_MessagingService._client.session", "bound its retries")
    # requests picks the longest matching prefix, so this wins over the SDK's own adapters.
    adapter = HTTPAdapter(pool_connections=100, pool_maxsize=100, max_retries=_SEND_RETRY)
    session.mount(f"{base_url}/v1/projects/", adapter)


def _sdk_moved(attribute: str, purpose: str) -> PushUnavailable:
    return PushUnavailable(
        f"firebase-admin {firebase_admin.__version__} has no {attribute}, so Lookout cannot "
        f"{purpose}; alerts/fcm.py is written for firebase-admin 7.7"
    )
