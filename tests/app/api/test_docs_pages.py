"""/docs and /redoc in a real headless Chromium on a network with no internet: every request
that leaves the app is refused, and the pages must still render the whole API."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.main import create_app
from app.settings import Settings
from tests.servers import serve_in_thread


@pytest.fixture
def offline_docs(browser: Any, settings: Settings) -> Iterator[tuple[Any, str, list[str]]]:
    """A page that can reach only the app, the app's address, and what it tried to fetch
    elsewhere."""
    with serve_in_thread(create_app(settings)) as base_url:
        here = urlsplit(base_url).netloc
        elsewhere: list[str] = []

        def only_the_app(route: Any) -> None:
            if urlsplit(route.request.url).netloc == here:
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", only_the_app)
        yield context.new_page(), base_url, elsewhere
        context.close()


def test_swagger_ui_renders_offline_and_documents_the_read_body(
    offline_docs: tuple[Any, str, list[str]], screenshot: Any
) -> None:
    page, base_url, elsewhere = offline_docs
    page.goto(base_url + "/docs")
    post_reads = page.locator("#operations-reads-post_reads_v1_reads_post")
    post_reads.wait_for(timeout=15_000)
    post_reads.locator(".opblock-summary").click()
    example = post_reads.locator(".opblock-section-request-body .body-param__example")
    example.wait_for(timeout=10_000)
    # The body's own fields, documented (the references used to point nowhere).
    for field in ("plate", "read_at", "vehicle", "candidates", "lat", "lon", "image_url"):
        assert f'"{field}"' in example.inner_text(), field
    assert elsewhere == []
    screenshot(page, "docs-swagger")


def test_redoc_renders_offline(offline_docs: tuple[Any, str, list[str]], screenshot: Any) -> None:
    page, base_url, elsewhere = offline_docs
    page.goto(base_url + "/redoc")
    page.locator("h1", has_text="Lookout").wait_for(timeout=20_000)
    assert page.locator("text=Post Reads").count() > 0
    assert elsewhere == []
    screenshot(page, "docs-redoc")


def test_error_answers_are_documented_as_what_the_server_sends(
    client: Any, settings: Settings, tmp_path: Path
) -> None:
    document = client.get("/openapi.json").json()
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["properties"]) == {"detail", "errors"}
    assert "HTTPValidationError" not in document["components"]["schemas"]
    answer = client.post("/v1/hotlists", json={"name": ""})
    assert answer.status_code == 401
    assert set(answer.json()) <= set(problem["properties"])
    bad_read = document["paths"]["/v1/reads"]["post"]["requestBody"]["content"]
    refs = [option["$ref"] for option in bad_read["application/json"]["schema"]["oneOf"]]
    for ref in refs:
        assert ref.rsplit("/", 1)[1] in document["components"]["schemas"]
