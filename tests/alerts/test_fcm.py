"""FcmSender: the real firebase-admin SDK, over HTTP, against the local FCM inbox."""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import firebase_admin
import pytest
import requests
from firebase_admin import credentials, messaging

from alerts import fcm, push
from alerts.errors import PushUnavailable
from alerts.fcm import FcmSender, to_fcm_message
from alerts.push import Platform, PushMessage, Rejected, RetryAfter, Sent, TokenGone
from app.clock import ManualClock
from app.devfcm.credentials import write_dev_service_account
from tests.servers import FcmServer, serve_fcm_inbox


@pytest.fixture(scope="module")
def fcm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FcmServer]:
    with serve_fcm_inbox(tmp_path_factory.mktemp("fcm")) as server:
        yield server


@pytest.fixture
def server(fcm_server: FcmServer) -> FcmServer:
    fcm_server.inbox.clear()
    return fcm_server


@pytest.fixture
def sender(server: FcmServer) -> Iterator[FcmSender]:
    sender = make_sender(server.credentials_path, server.base_url)
    yield sender
    sender.close()


def make_sender(credentials_path: Path, fcm_url: str | None) -> FcmSender:
    return FcmSender(
        credentials_path=credentials_path,
        fcm_url=fcm_url,
        timeout_s=5,
        app_name=f"test-{uuid.uuid4().hex}",
    )


def message(token: str, **overrides: object) -> PushMessage:
    fields: dict[str, object] = {
        "token": token,
        "platform": Platform.ANDROID,
        "title": "Stolen vehicle nearby",
        "body": "Grey Honda Civic, northbound on 5th",
        "data": {"alert_id": "42", "level": "1", "version": "1"},
        "collapse_key": "alert-42",
        "ttl_s": 600,
        "urgent": True,
    }
    return PushMessage(**(fields | overrides))  # type: ignore[arg-type]


def test_an_urgent_message_arrives_with_the_fields_that_wake_the_phone(
    sender: FcmSender, server: FcmServer
) -> None:
    [result] = sender.send_batch([message("device-a")])

    [record] = server.wait_for(1, timeout_s=5)
    assert result == Sent(str(record["name"]))
    sent = record["message"]
    assert isinstance(sent, dict)
    assert sent["token"] == "device-a"
    assert sent["notification"] == {
        "title": "Stolen vehicle nearby",
        "body": "Grey Honda Civic, northbound on 5th",
    }
    assert sent["data"] == {"alert_id": "42", "level": "1", "version": "1"}
    android = sent["android"]
    assert android["priority"] == "high"
    assert android["ttl"] == "600s"
    assert android["collapse_key"] == "alert-42"
    assert android["notification"] == {
        "tag": "alert-42",
        "channel_id": "lookout_alerts",
        "notification_priority": "PRIORITY_MAX",
        "visibility": "PRIVATE",
    }
    apns = sent["apns"]
    assert apns["headers"] == {
        "apns-priority": "10",
        "apns-push-type": "alert",
        "apns-collapse-id": "alert-42",
    }
    assert apns["payload"]["aps"] == {
        "sound": "default",
        "thread-id": "alert-42",
        "interruption-level": "time-sensitive",
    }
    assert sent["webpush"]["headers"] == {"Urgency": "high", "TTL": "600"}


def test_a_routine_message_is_delivered_without_waking_the_phone(
    sender: FcmSender, server: FcmServer
) -> None:
    sender.send_batch([message("device-b", urgent=False, platform=Platform.IOS)])

    [record] = server.wait_for(1, timeout_s=5)
    sent = record["message"]
    assert isinstance(sent, dict)
    assert sent["android"]["priority"] == "normal"
    assert sent["android"]["notification"]["notification_priority"] == "PRIORITY_DEFAULT"
    assert sent["apns"]["headers"]["apns-priority"] == "5"
    assert "interruption-level" not in sent["apns"]["payload"]["aps"]


def test_a_quiet_update_is_data_only_and_rings_no_phone(
    sender: FcmSender, server: FcmServer
) -> None:
    """The inbox checks it as FCM and APNs would: a background push at priority 5 with
    content-available and nothing shown."""
    [result] = sender.send_batch([message("device-q", quiet=True, platform=Platform.IOS)])

    assert isinstance(result, Sent)
    [record] = server.wait_for(1, timeout_s=5)
    sent = record["message"]
    assert isinstance(sent, dict)
    assert "notification" not in sent
    assert sent["data"] == {
        "alert_id": "42", "level": "1", "version": "1", "quiet": "1",
        "title": "Stolen vehicle nearby", "body": "Grey Honda Civic, northbound on 5th",
    }  # fmt: skip
    assert sent["android"] == {"priority": "high", "ttl": "600s", "collapse_key": "alert-42"}
    assert sent["apns"] == {
        "headers": {
            "apns-priority": "5",
            "apns-push-type": "background",
            "apns-collapse-id": "alert-42",
        },
        "payload": {"aps": {"content-available": 1}},
    }
    assert sent["webpush"] == {"headers": {"Urgency": "normal", "TTL": "600"}}


def test_a_long_collapse_key_is_cut_to_the_64_bytes_apns_allows(
    sender: FcmSender, server: FcmServer
) -> None:
    [result] = sender.send_batch([message("device-c", collapse_key="bulletin-" + "é" * 40)])

    assert isinstance(result, Sent)
    [record] = server.wait_for(1, timeout_s=5)
    collapse_id = record["message"]["apns"]["headers"]["apns-collapse-id"]  # type: ignore[index]
    assert len(collapse_id.encode()) <= 64
    assert collapse_id.startswith("bulletin-éé")


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("unregistered-1", TokenGone("unregistered")),
        ("mismatch-1", TokenGone("sender-id-mismatch")),
        ("quota-1", RetryAfter(7.0, "quota-exceeded")),
        ("unavailable-1", RetryAfter(fcm.RETRY_S, "unavailable")),
        ("internal-1", RetryAfter(fcm.RETRY_S, "internal")),
        ("thirdpartyauth-1", RetryAfter(fcm.CONFIG_RETRY_S, "third-party-auth")),
        ("invalid-1", Rejected("Invalid registration token")),
    ],
)
def test_each_fcm_error_becomes_the_result_the_worker_acts_on(
    sender: FcmSender, server: FcmServer, token: str, expected: object
) -> None:
    assert sender.send_batch([message(token)]) == [expected]
    assert server.inbox.messages() == []


def test_a_mixed_batch_keeps_one_result_per_message_in_order(
    sender: FcmSender, server: FcmServer
) -> None:
    tokens = ["ok-1", "unregistered-2", "ok-2", "quota-2", "invalid-2", "ok-3"]

    results = sender.send_batch([message(token) for token in tokens])

    assert [type(result) for result in results] == [
        Sent,
        TokenGone,
        Sent,
        RetryAfter,
        Rejected,
        Sent,
    ]
    names = {record["name"]: record["message"]["token"] for record in server.wait_for(3, 5)}  # type: ignore[index]
    assert [names[r.message_id] for r in results if isinstance(r, Sent)] == ["ok-1", "ok-2", "ok-3"]


def test_an_empty_batch_sends_nothing(sender: FcmSender, server: FcmServer) -> None:
    assert sender.send_batch([]) == []
    assert server.inbox.messages() == []


def test_a_batch_above_the_fcm_limit_is_sent_in_chunks_and_keeps_its_order(
    sender: FcmSender, server: FcmServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(push, "MAX_BATCH", 2)
    tokens = [f"device-{n}" for n in range(5)]

    results = sender.send_batch([message(token) for token in tokens])

    names = {record["name"]: record["message"]["token"] for record in server.wait_for(5, 5)}  # type: ignore[index]
    assert [names[r.message_id] for r in results if isinstance(r, Sent)] == tokens


def test_a_message_the_sdk_refuses_is_rejected_without_holding_back_the_batch(
    sender: FcmSender, server: FcmServer
) -> None:
    unencodable = message("device-x", data={7: "not a string key"})

    results = sender.send_batch([message("device-1"), unencodable, message("device-2")])

    assert [type(result) for result in results] == [Sent, Rejected, Sent]
    assert "non-string keys" in results[1].reason  # type: ignore[union-attr]
    assert {r["message"]["token"] for r in server.wait_for(2, 5)} == {"device-1", "device-2"}  # type: ignore[index]


def test_the_sdk_fetches_a_new_token_when_the_inbox_clock_moves_past_its_expiry(
    tmp_path: Path,
) -> None:
    clock = ManualClock()
    with serve_fcm_inbox(tmp_path, clock=clock) as server:
        sender = make_sender(server.credentials_path, server.base_url)
        try:
            first = sender.send_batch([message("device-a")])
            clock.advance(hours=2)
            second = sender.send_batch([message("device-a")])
        finally:
            sender.close()

    assert [type(r) for r in first + second] == [Sent, Sent]


def test_describe_names_the_project_and_where_pushes_go(
    sender: FcmSender, server: FcmServer
) -> None:
    assert sender.describe() == f"FCM project lookout-dev via {server.base_url}"


def test_without_a_url_the_sender_names_google(server: FcmServer) -> None:
    sender = make_sender(server.credentials_path, None)
    try:
        assert sender.describe() == "Google FCM project lookout-dev"
    finally:
        sender.close()


def test_a_missing_credentials_file_makes_push_unavailable(tmp_path: Path) -> None:
    with pytest.raises(PushUnavailable, match="cannot use Firebase credentials"):
        make_sender(tmp_path / "absent.json", "http://127.0.0.1:9")


def test_a_credentials_file_that_is_not_a_service_account_makes_push_unavailable(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sa.json"
    path.write_text(json.dumps({"type": "authorized_user"}))

    with pytest.raises(PushUnavailable, match="service account"):
        make_sender(path, "http://127.0.0.1:9")


def test_a_token_endpoint_that_refuses_makes_the_whole_batch_unavailable(
    server: FcmServer, tmp_path: Path
) -> None:
    path = write_dev_service_account(
        tmp_path / "sa.json", token_uri=f"{server.base_url}/no-such-token-endpoint"
    )
    sender = make_sender(path, server.base_url)
    try:
        with pytest.raises(PushUnavailable, match="lookout-dev"):
            sender.send_batch([message("device-a"), message("device-b")])
    finally:
        sender.close()
    assert server.inbox.messages() == []


def test_the_private_sdk_attributes_we_rely_on_still_exist(server: FcmServer) -> None:
    """firebase-admin has no public way to choose the FCM URL; an upgrade must fail here."""
    app = firebase_admin.initialize_app(
        credentials.Certificate(str(server.credentials_path)), name=f"pin-{uuid.uuid4().hex}"
    )
    try:
        assert callable(messaging._get_messaging_service)
        service = messaging._MessagingService(app)
        try:
            assert service._fcm_url == (
                "https://fcm.googleapis.com/v1/projects/lookout-dev/messages:send"
            )
            assert isinstance(service._client.session, requests.Session)
        finally:
            service.close()
            service._client.close()
    finally:
        firebase_admin.delete_app(app)


def test_a_sender_fails_loudly_when_the_sdk_moves_its_service(
    server: FcmServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(messaging, "_get_messaging_service")
    name = f"moved-{uuid.uuid4().hex}"

    with pytest.raises(PushUnavailable, match=r"messaging\._get_messaging_service"):
        FcmSender(
            credentials_path=server.credentials_path,
            fcm_url=server.base_url,
            timeout_s=5,
            app_name=name,
        )
    with pytest.raises(ValueError, match=name):
        firebase_admin.get_app(name)  # the half-built app was deleted


def test_pointing_fails_loudly_when_the_sdk_renames_the_url_attribute(server: FcmServer) -> None:
    app = firebase_admin.initialize_app(
        credentials.Certificate(str(server.credentials_path)), name=f"renamed-{uuid.uuid4().hex}"
    )
    service = messaging._get_messaging_service(app)
    try:
        del service._fcm_url
        with pytest.raises(PushUnavailable, match="_fcm_url"):
            fcm.point_messaging_at(app, server.base_url)
    finally:
        firebase_admin.delete_app(app)
        service._client.close()


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "30"}, 30.0),
        (
            {
                "Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT",
                "Date": "Wed, 21 Oct 2026 07:28:00 GMT",
            },
            30.0,
        ),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT"}, fcm.RETRY_S),  # no Date to read it by
        ({"Retry-After": "soon"}, fcm.RETRY_S),
        ({}, fcm.RETRY_S),
    ],
)
def test_a_quota_error_waits_as_long_as_fcm_asks(headers: dict[str, str], seconds: float) -> None:
    response = requests.Response()
    response.status_code = 429
    response.headers.update(headers)
    error = messaging.QuotaExceededError("quota exceeded", http_response=response)

    result = fcm.to_result(messaging.SendResponse(None, error))

    assert result == RetryAfter(seconds, "quota-exceeded")


def test_a_web_push_opens_the_alerts_page_when_the_service_has_a_public_https_url() -> None:
    linked = message("device-w", data={"alert_id": "42", "url": "/m/alerts/42"})
    web = to_fcm_message(linked, link_base="https://lookout.example.gov").webpush
    assert web is not None and web.fcm_options is not None
    assert web.fcm_options.link == "https://lookout.example.gov/m/alerts/42"
    assert to_fcm_message(linked).webpush.fcm_options is None  # no public URL: no link
