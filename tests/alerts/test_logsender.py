"""LogSender: pushes become log events, with no plate at INFO."""

import logging

import pytest

from alerts.logsender import LogSender
from alerts.push import Platform, PushMessage, Sent


def message(token: str) -> PushMessage:
    return PushMessage(
        token=token,
        platform=Platform.ANDROID,
        title="Stolen vehicle 7ABC123",
        body="Plate 7ABC123 read at 5th and Main",
        data={"alert_id": "42", "plate": "7ABC123"},
        collapse_key="alert-42",
        ttl_s=600,
    )


def test_each_message_is_logged_and_reported_sent(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="alerts.logsender")
    sender = LogSender()

    results = sender.send_batch([message("token-aaaaaa111111"), message("token-bbbbbb222222")])

    assert results == [Sent("log-1"), Sent("log-2")]
    logged = [r for r in caplog.records if r.getMessage() == "push.logged"]
    assert [(r.message_id, r.alert_id, r.token_tail) for r in logged] == [  # type: ignore[attr-defined]
        ("log-1", "42", "111111"),
        ("log-2", "42", "222222"),
    ]


def test_no_plate_or_full_token_reaches_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="alerts.logsender")

    LogSender().send_batch([message("token-aaaaaa111111")])

    for record in caplog.records:
        text = repr(record.__dict__)
        assert "7ABC123" not in text
        assert "token-aaaaaa" not in text


def test_debug_shows_the_content_for_development(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="alerts.logsender")

    LogSender().send_batch([message("token-aaaaaa111111")])

    [content] = [r for r in caplog.records if r.getMessage() == "push.logged.content"]
    assert content.levelno == logging.DEBUG
    assert content.title == "Stolen vehicle 7ABC123"  # type: ignore[attr-defined]


def test_describe_says_pushes_go_to_the_log() -> None:
    assert "log" in LogSender().describe()
