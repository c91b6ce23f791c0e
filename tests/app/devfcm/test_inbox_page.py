"""The FCM inbox page in a real headless Chromium: what a new user looks at as "the phone"."""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alerts.fcm import FcmSender
from alerts.push import Platform, PushMessage
from app.devfcm.credentials import write_dev_service_account
from app.main import create_app
from app.settings import Settings
from tests.servers import FcmServer, serve_in_thread


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _push(base_url: str, credentials: Any, title: str, body: str, token: str) -> None:
    sender = FcmSender(
        credentials_path=credentials,
        fcm_url=base_url,
        timeout_s=5,
        app_name=f"page-{uuid.uuid4().hex[:8]}",
    )
    try:
        message = PushMessage(
            token=token, platform=Platform.ANDROID, title=title, body=body,
            data={"alert_id": "41", "plate": "7ABC123"}, collapse_key="alert-41", ttl_s=600,
        )  # fmt: skip
        [result] = sender.send_batch([message])
        assert type(result).__name__ == "Sent", result
    finally:
        sender.close()


def test_the_page_shows_pushes_as_text_and_picks_up_new_ones(page: Any, fcm: FcmServer) -> None:
    hostile = "<img src=x onerror=\"document.title='pwned'\">"
    _push(
        fcm.base_url,
        fcm.credentials_path,
        f"P2 Look for this car {hostile}",
        "Seen 2 min ago",
        "phone-aaa111",
    )
    page.goto(fcm.base_url + "/")
    assert page.locator("article.card h2").first.inner_text() == f"P2 Look for this car {hostile}"
    assert page.locator("article.card img").count() == 0
    assert page.title() == "Lookout FCM inbox"

    _push(fcm.base_url, fcm.credentials_path, "P1 Second alert", "AMBER", "phone-bbb222")
    page.wait_for_function("document.querySelectorAll('article.card').length === 2", timeout=10_000)
    assert page.locator("article.card h2").first.inner_text() == "P1 Second alert"
    assert "plate" in page.locator("article.card dl").first.inner_text()


def test_the_inbox_mounted_in_lookout_works_without_a_trailing_slash(
    page: Any, settings: Settings, tmp_path: Path
) -> None:
    settings = settings.changed(fcm_inbox=True)
    with serve_in_thread(create_app(settings)) as base:
        page.goto(base + "/fcm")
        assert page.locator(".empty").inner_text() == "No messages yet."
        account = write_dev_service_account(
            tmp_path / "mounted.json", token_uri=base + "/fcm/token"
        )
        _push(base + "/fcm", account, "P3 Mounted", "body", "phone-ccc333")
        page.wait_for_selector("article.card h2", timeout=10_000)
        assert page.locator("article.card h2").inner_text() == "P3 Mounted"
