"""A served process takes its startup heap out of the garbage collector's scans (app/heap.py);
an app started in a test process leaves the collector as it is."""

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_served_app_freezes_what_it_holds_once_started(
    settings: Settings, unfrozen: None
) -> None:
    with TestClient(create_app(settings, freeze_heap=True)) as client:
        assert client.get("/healthz").status_code == 200
        # The modules, routes and models of a started app: hundreds of thousands of objects.
        assert gc.get_freeze_count() > 50_000


def test_an_app_started_in_a_test_freezes_nothing(settings: Settings, unfrozen: None) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == 0
