"""The local FCM inbox, driven over HTTP the way FCM's clients drive FCM."""

import json
import os
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from google.auth import crypt, jwt

from app.clock import ManualClock
from app.devfcm.credentials import is_dev_service_account, write_dev_service_account
from app.devfcm.inbox import JWT_GRANT_TYPE, create_fcm_inbox
from tests.servers import FcmServer, serve_fcm_inbox, serve_in_thread

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
SEND = "/v1/projects/lookout-dev/messages:send"


@pytest.fixture(scope="module")
def inbox_clock() -> ManualClock:
    return ManualClock(datetime.now(UTC))


@pytest.fixture(scope="module")
def fcm_server(
    tmp_path_factory: pytest.TempPathFactory, inbox_clock: ManualClock
) -> Iterator[FcmServer]:
    with serve_fcm_inbox(tmp_path_factory.mktemp("fcm"), clock=inbox_clock) as server:
        yield server


@pytest.fixture
def server(fcm_server: FcmServer) -> FcmServer:
    fcm_server.inbox.clear()
    return fcm_server


@pytest.fixture
def http(server: FcmServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=5) as http:
        yield http


@pytest.fixture
def authed(http: httpx.Client, server: FcmServer, inbox_clock: ManualClock) -> httpx.Client:
    token = access_token(http, server.credentials_path, now=inbox_clock())
    http.headers["Authorization"] = f"Bearer {token}"
    return http


def assertion(credentials_path: Path, *, now: datetime, **claims: object) -> str:
    info = json.loads(credentials_path.read_text())
    issued = int(now.timestamp())
    payload = {
        "iss": info["client_email"],
        "scope": SCOPE,
        "aud": "https://oauth2.googleapis.com/token",
        "iat": issued,
        "exp": issued + 3600,
    } | claims
    signer = crypt.RSASigner.from_service_account_info(info)
    return jwt.encode(signer, payload).decode()


def access_token(http: httpx.Client, credentials_path: Path, *, now: datetime) -> str:
    answer = http.post(
        "/token",
        data={"grant_type": JWT_GRANT_TYPE, "assertion": assertion(credentials_path, now=now)},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    return str(body["access_token"])


def urgent(token: str = "device-a", **fields: object) -> dict[str, object]:
    return {
        "token": token,
        "notification": {"title": "Stolen vehicle", "body": "Grey Civic, 5th Ave"},
        "data": {"alert_id": "42"},
        "android": {"priority": "high", "ttl": "600s", "collapse_key": "alert-42"},
        "apns": {
            "headers": {"apns-priority": "10", "apns-push-type": "alert"},
            "payload": {"aps": {"sound": "default", "interruption-level": "time-sensitive"}},
        },
    } | fields


def background(
    headers: dict[str, str] | None = None, aps: dict[str, object] | None = None
) -> dict[str, object]:
    """A quiet update's APNs block as alerts/fcm.py builds it, with some parts replaced."""
    return {
        "headers": {"apns-priority": "5", "apns-push-type": "background"} | (headers or {}),
        "payload": {"aps": aps if aps is not None else {"content-available": 1}},
    }


def error_of(answer: httpx.Response) -> dict[str, object]:
    body = answer.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    return error


def violated_field(answer: httpx.Response) -> str:
    assert answer.status_code == 400, answer.text
    error = error_of(answer)
    assert error["status"] == "INVALID_ARGUMENT"
    [bad_request] = [d for d in error["details"] if d["@type"].endswith("rpc.BadRequest")]  # type: ignore[union-attr,index]
    [violation] = bad_request["fieldViolations"]
    return str(violation["field"])


def test_an_accepted_message_is_stored_as_sent(authed: httpx.Client, server: FcmServer) -> None:
    answer = authed.post(SEND, json={"message": urgent()})

    assert answer.status_code == 200, answer.text
    name = answer.json()["name"]
    assert name.startswith("projects/lookout-dev/messages/")
    [record] = server.wait_for(1, timeout_s=5)
    assert record["name"] == name
    assert record["project"] == "lookout-dev"
    assert record["message"] == urgent()
    assert record["validate_only"] is False
    assert authed.get("/messages").json() == {"messages": [record], "count": 1}


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (urgent(android={"priority": "high", "foo": 1}), "message.android.foo"),
        (urgent(bogus="x"), "message.bogus"),
        (
            urgent(android={"notification": {"importance": "max"}}),
            "message.android.notification.importance",
        ),
        (urgent(apns={"fcm_options": {"label": "x"}}), "message.apns.fcm_options.label"),
    ],
)
def test_an_unknown_field_is_refused_with_fcms_error_shape(
    authed: httpx.Client, message: dict[str, object], field: str
) -> None:
    answer = authed.post(SEND, json={"message": message})

    assert violated_field(answer) == field
    parent, _, name = field.rpartition(".")
    assert error_of(answer)["message"] == (
        f"Invalid JSON payload received. Unknown name \"{name}\" at '{parent}': Cannot find field."
    )


def test_an_unknown_top_level_key_is_refused(authed: httpx.Client) -> None:
    answer = authed.post(SEND, json={"message": urgent(), "dry_run": True})

    assert violated_field(answer) == "dry_run"


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (urgent(data={"alert_id": 42}), "message.data.alert_id"),
        (urgent(data={"from": "lookout"}), "message.data.from"),
        (urgent(data={"google.sent_time": "1"}), "message.data.google.sent_time"),
        (urgent(topic="all-officers"), "message.topic"),
        ({"notification": {"title": "nobody"}}, "message"),
        (urgent(android={"ttl": "600"}), "message.android.ttl"),
        (urgent(android={"ttl": "600 s"}), "message.android.ttl"),
        (urgent(android={"ttl": "1.0000000001s"}), "message.android.ttl"),
        (urgent(android={"ttl": 600}), "message.android.ttl"),
        (urgent(android={"ttl": "2419201s"}), "message.android.ttl"),
        (urgent(android={"priority": "urgent"}), "message.android.priority"),
        (
            urgent(android={"notification": {"visibility": "private"}}),
            "message.android.notification.visibility",
        ),
        (urgent(apns={"headers": {"apns-priority": 10}}), "message.apns.headers.apns-priority"),
        (urgent(apns={"headers": {"apns-priority": "7"}}), "message.apns.headers.apns-priority"),
        (urgent(apns={"payload": {"alert_id": "42"}}), "message.apns.payload.aps"),
        (
            urgent(apns={"payload": {"aps": {"interruption_level": "critical"}}}),
            "message.apns.payload.aps.interruption_level",
        ),
        (
            urgent(apns={"payload": {"aps": {"interruption-level": "urgent"}}}),
            "message.apns.payload.aps.interruption-level",
        ),
        (urgent(notification={"title": "t", "body": "x" * 4100}), "message"),
        # Apple's background (silent) pushes: priority 5, content-available, nothing shown.
        (
            urgent(apns=background(headers={"apns-priority": "10"})),
            "message.apns.headers.apns-priority",
        ),
        (
            urgent(apns=background(aps={"content-available": 1, "sound": "default"})),
            "message.apns.payload.aps.sound",
        ),
        (urgent(apns=background(aps={"thread-id": "alert-42"})), "message.apns.payload.aps"),
        (
            urgent(
                apns={
                    "headers": {"apns-priority": "10"},
                    "payload": {"aps": {"content-available": 1}},
                }
            ),
            "message.apns.headers.apns-priority",
        ),
        (urgent(webpush={"headers": {"TTL": 60}}), "message.webpush.headers.TTL"),
    ],
)
def test_a_message_fcm_would_refuse_is_refused(
    authed: httpx.Client, server: FcmServer, message: dict[str, object], field: str
) -> None:
    answer = authed.post(SEND, json={"message": message})

    assert violated_field(answer) == field
    assert server.inbox.messages() == []


def test_a_message_too_big_is_named_as_such(authed: httpx.Client) -> None:
    answer = authed.post(SEND, json={"message": urgent(data={"blob": "x" * 4096})})

    assert answer.status_code == 400
    assert str(error_of(answer)["message"]).startswith("Message is too big")


@pytest.mark.parametrize(
    "android",
    [
        {"priority": "HIGH", "ttl": "0.5s"},
        {"priority": "normal", "ttl": "2419200s"},
        {"collapseKey": "alert-42", "directBootOk": True},  # proto3 JSON takes camelCase too
        {"notification": {"notification_priority": "PRIORITY_MAX", "visibility": "SECRET"}},
    ],
)
def test_spellings_fcm_accepts_are_accepted(
    authed: httpx.Client, android: dict[str, object]
) -> None:
    answer = authed.post(SEND, json={"message": urgent(android=android)})

    assert answer.status_code == 200, answer.text


def test_a_fid_is_a_target(authed: httpx.Client, server: FcmServer) -> None:
    message = urgent()
    message["fid"] = message.pop("token")

    assert authed.post(SEND, json={"message": message}).status_code == 200
    assert len(server.inbox.messages(token="device-a")) == 1


def test_validate_only_checks_the_message_without_storing_it(
    authed: httpx.Client, server: FcmServer
) -> None:
    answer = authed.post(SEND, json={"message": urgent(), "validate_only": True})

    assert answer.json() == {"name": "projects/lookout-dev/messages/fake_message_id"}
    assert server.inbox.messages() == []


def test_a_send_without_a_bearer_token_is_unauthenticated(http: httpx.Client) -> None:
    answer = http.post(SEND, json={"message": urgent()})

    assert answer.status_code == 401
    error = error_of(answer)
    assert error["code"] == 401
    assert error["status"] == "UNAUTHENTICATED"
    assert "missing required authentication credential" in str(error["message"])


def test_a_token_the_inbox_did_not_issue_is_unauthenticated(http: httpx.Client) -> None:
    answer = http.post(SEND, json={"message": urgent()}, headers={"Authorization": "Bearer x"})

    assert answer.status_code == 401
    assert "invalid authentication credentials" in str(error_of(answer)["message"])


def test_an_access_token_expires_after_an_hour(
    authed: httpx.Client, inbox_clock: ManualClock
) -> None:
    inbox_clock.advance(seconds=3601)

    assert authed.post(SEND, json={"message": urgent()}).status_code == 401


def test_a_token_for_another_project_is_denied(authed: httpx.Client) -> None:
    answer = authed.post("/v1/projects/other-project/messages:send", json={"message": urgent()})

    assert answer.status_code == 403
    assert error_of(answer)["status"] == "PERMISSION_DENIED"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "client_credentials", "assertion": "a.b.c"}, "unsupported_grant_type"),
        ({"grant_type": JWT_GRANT_TYPE, "assertion": "not-a-jwt"}, "invalid_grant"),
        ({"grant_type": JWT_GRANT_TYPE}, "invalid_request"),
    ],
)
def test_the_token_endpoint_refuses_a_malformed_grant(
    http: httpx.Client, form: dict[str, str], error: str
) -> None:
    answer = http.post("/token", data=form)

    assert answer.status_code == 400
    assert answer.json()["error"] == error


@pytest.mark.parametrize(
    ("claims", "error"),
    [
        ({"scope": "https://www.googleapis.com/auth/userinfo.email"}, "invalid_scope"),
        ({"iss": None}, "invalid_grant"),
        ({"exp": 0}, "invalid_grant"),
    ],
)
def test_the_token_endpoint_refuses_bad_claims(
    http: httpx.Client,
    server: FcmServer,
    inbox_clock: ManualClock,
    claims: dict[str, object],
    error: str,
) -> None:
    signed = assertion(server.credentials_path, now=inbox_clock(), **claims)

    answer = http.post("/token", data={"grant_type": JWT_GRANT_TYPE, "assertion": signed})

    assert answer.status_code == 400
    assert answer.json()["error"] == error


@pytest.mark.parametrize(
    ("token", "status", "name", "fcm_code"),
    [
        ("unregistered-1", 404, "NOT_FOUND", "UNREGISTERED"),
        ("quota-1", 429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"),
        ("unavailable-1", 503, "UNAVAILABLE", None),
        ("invalid-1", 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"),
        ("mismatch-1", 403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"),
    ],
)
def test_a_token_prefix_injects_an_fcm_failure(
    authed: httpx.Client,
    server: FcmServer,
    token: str,
    status: int,
    name: str,
    fcm_code: str | None,
) -> None:
    answer = authed.post(SEND, json={"message": urgent(token)})

    assert answer.status_code == status
    error = error_of(answer)
    assert (error["code"], error["status"]) == (status, name)
    codes = [d["errorCode"] for d in error.get("details", []) if "errorCode" in d]  # type: ignore[attr-defined]
    assert codes == ([fcm_code] if fcm_code else [])
    assert answer.headers.get("Retry-After") == ("7" if token.startswith("quota-") else None)
    assert server.inbox.messages() == []


def test_messages_filter_by_token_and_clear(authed: httpx.Client) -> None:
    for token in ("device-a", "device-b", "device-a"):
        assert authed.post(SEND, json={"message": urgent(token)}).status_code == 200

    assert authed.get("/messages", params={"token": "device-a"}).json()["count"] == 2
    assert authed.delete("/messages").json() == {"deleted": 3}
    assert authed.get("/messages").json() == {"messages": [], "count": 0}


def test_wait_for_returns_once_a_message_arrives_from_another_thread(
    authed: httpx.Client, server: FcmServer
) -> None:
    sending = threading.Thread(
        target=authed.post, args=(SEND,), kwargs={"json": {"message": urgent()}}
    )
    sending.start()
    try:
        [record] = server.wait_for(1, timeout_s=5)
    finally:
        sending.join()
    assert record["message"]["token"] == "device-a"  # type: ignore[index]


def test_wait_for_times_out_naming_what_arrived(authed: httpx.Client, server: FcmServer) -> None:
    authed.post(SEND, json={"message": urgent("device-123456")})

    with pytest.raises(TimeoutError, match=r"expected 2 FCM messages .* got 1: .*123456"):
        server.wait_for(2, timeout_s=0.05)


def test_the_page_escapes_what_the_messages_say(authed: httpx.Client) -> None:
    title = "<script>alert('plate')</script>"
    message = urgent(notification={"title": title, "body": "<b>7ABC123</b>"})
    message["data"] = {"<i>key</i>": "<img src=x onerror=alert(1)>"}
    authed.post(SEND, json={"message": message})

    page = authed.get("/")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "&lt;script&gt;alert(&#x27;plate&#x27;)&lt;/script&gt;" in page.text
    for raw in (title, "<b>7ABC123</b>", "<i>key</i>", "<img src=x"):
        assert raw not in page.text
    assert "src=" not in page.text.replace("&lt;img src=x", "")  # no external assets


def test_the_inbox_works_mounted_under_a_prefix(tmp_path: Path) -> None:
    lookout = FastAPI()
    lookout.mount("/fcm", create_fcm_inbox())

    with serve_in_thread(lookout) as base_url, httpx.Client(base_url=base_url) as http:
        credentials = write_dev_service_account(
            tmp_path / "sa.json", token_uri=f"{base_url}/fcm/token"
        )
        token = access_token_at(http, "/fcm/token", credentials)
        sent = http.post(
            f"/fcm{SEND}", json={"message": urgent()}, headers={"Authorization": f"Bearer {token}"}
        )
        page = http.get("/fcm/", follow_redirects=True)
        listed = http.get("/fcm/messages")

    assert sent.status_code == 200
    assert page.status_code == 200
    assert 'new URL("messages", base)' in page.text  # relative, so it follows the mount
    assert listed.json()["count"] == 1


def access_token_at(http: httpx.Client, path: str, credentials: Path) -> str:
    signed = assertion(credentials, now=datetime.now(UTC))
    answer = http.post(path, data={"grant_type": JWT_GRANT_TYPE, "assertion": signed})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def test_the_dev_service_account_is_private_marked_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "sa.json"

    written = write_dev_service_account(path, token_uri="http://127.0.0.1:8000/fcm/token")
    first_key = json.loads(path.read_text())["private_key"]
    again = write_dev_service_account(path, token_uri="http://127.0.0.1:8000/fcm/token")

    assert written == again == path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    info = json.loads(path.read_text())
    assert info["private_key"] == first_key
    assert info["type"] == "service_account"
    assert info["client_email"] == "lookout-dev@lookout-dev.iam.gserviceaccount.com"
    assert info["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert is_dev_service_account(path)


def test_the_dev_service_account_gets_a_new_key_for_another_token_uri(tmp_path: Path) -> None:
    path = write_dev_service_account(tmp_path / "sa.json", token_uri="http://127.0.0.1:1/token")
    first_key = json.loads(path.read_text())["private_key"]

    write_dev_service_account(path, token_uri="http://127.0.0.1:2/token", project_id="demo")

    info = json.loads(path.read_text())
    assert info["private_key"] != first_key
    assert (info["token_uri"], info["project_id"]) == ("http://127.0.0.1:2/token", "demo")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_real_service_account_is_not_taken_for_a_dev_one(tmp_path: Path) -> None:
    path = tmp_path / "prod.json"
    path.write_text(json.dumps({"type": "service_account", "project_id": "agency-prod"}))

    assert not is_dev_service_account(path)
    assert not is_dev_service_account(tmp_path / "absent.json")
