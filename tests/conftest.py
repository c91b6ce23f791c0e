"""Fixtures: a fresh database per test on SQLite and on PostgreSQL, the FCM inbox, the app.

PostgreSQL comes from LOOKOUT_TEST_DATABASE_URL, else 127.0.0.1:5432 (user postgres), else an
embedded server from the `pgserver` wheel. With CI set, only a configured or local server will
do, and an unreachable one fails the run instead of being replaced or skipped.
"""

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine, make_url

from app import migrate
from app.audit import keys
from app.clock import ManualClock
from app.db import make_engine
from app.main import create_app
from app.settings import Settings
from tests.servers import FcmServer, serve_fcm_inbox

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _reachable(url: str) -> str | None:
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else repr(error)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An SQLAlchemy URL of a PostgreSQL server's maintenance database."""
    configured = os.environ.get("LOOKOUT_TEST_DATABASE_URL")
    candidates = [configured] if configured else [LOCAL_POSTGRES]
    for url in candidates:
        problem = _reachable(url)
        if problem is None:
            yield url
            return
        if configured or os.environ.get("CI"):
            pytest.fail(
                f"PostgreSQL at {make_url(url).render_as_string()} is unreachable: {problem}"
            )
    try:
        import pgserver  # a user's fresh machine: PostgreSQL 16 from a wheel, no install needed
    except ImportError:
        pytest.fail(
            f"no PostgreSQL at {make_url(LOCAL_POSTGRES).render_as_string()} and no embedded "
            "one (the pgserver wheel exists for Python 3.11 and 3.12 only): start PostgreSQL or "
            "set LOOKOUT_TEST_DATABASE_URL"
        )

    # A short path: PostgreSQL's unix socket path must stay under ~100 bytes.
    data = Path(tempfile.mkdtemp(prefix="lkpg"))
    server = pgserver.get_server(data, cleanup_mode="stop")
    socket_dir = make_url(server.get_uri()).query["host"]
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={socket_dir}"
    finally:
        server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


def _admin_execute(server_url: str, *statements: str) -> None:
    with psycopg.connect(_libpq(server_url), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def _database(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template(postgres_server_url: str, worker_id: str) -> Iterator[str]:
    """A migrated database per test run and xdist worker, copied for each test."""
    name = f"lookout_tpl_{worker_id}_{uuid.uuid4().hex[:8]}"
    _admin_execute(postgres_server_url, f'CREATE DATABASE "{name}"')
    migrate.upgrade(_database(postgres_server_url, name))  # disposes its engine: a template
    try:  # may have no open connections
        yield name
    finally:
        _admin_execute(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "lookout.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database for one test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "lookout.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server_url: str = request.getfixturevalue("postgres_server_url")
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"lookout_test_{uuid.uuid4().hex[:12]}"
    _admin_execute(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    try:
        yield _database(server_url, name)
    finally:
        _admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The test's database, carrying the audit key that the app built on it uses too (the
    settings fixture's: derived from the development token secret)."""
    engine = keys.bind(make_engine(database_url), keys.for_settings(Settings(env="test")))
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fcm(tmp_path: Path) -> Iterator[FcmServer]:
    with serve_fcm_inbox(tmp_path) as server:
        yield server


@pytest.fixture
def settings(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Settings:
    """The app pushes through firebase-admin to the `fcm` inbox when the test asks for `fcm`
    (itself or through another fixture), else to the log: most tests never push, and an inbox
    is a uvicorn server to start and stop."""
    push: dict[str, Any] = {"push_sender": "log"}
    if "fcm" in request.fixturenames:
        fcm: FcmServer = request.getfixturevalue("fcm")
        push = {"fcm_credentials": fcm.credentials_path, "fcm_url": fcm.base_url}
    return Settings(
        env="test",
        database_url=database_url,
        data_dir=tmp_path,
        fcm_inbox=False,
        embedded_worker=False,  # tests drive the worker with delivery.run_once
        **push,
    )


CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _chromium() -> str | None:
    configured = os.environ.get("LOOKOUT_TEST_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A real headless Chromium (the machine's own: nothing is downloaded). Per module: while
    Playwright's sync API is open, its event loop counts as running in this thread, and a later
    test on the same worker that calls asyncio.run (firebase-admin's delete_app) would fail."""
    executable = _chromium()
    if executable is None:
        message = "no Chromium found; install it (e.g. `apt install chromium`) for the page tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


SCREENSHOTS = Path(
    os.environ.get("LOOKOUT_SCREENSHOTS", Path(__file__).parent.parent / "build/screenshots")
)


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """Save a page's picture as build/screenshots/<name>.png (kept by CI; linked from the
    README), to look at before calling a page done. Names are unique per test: parallel-safe."""

    def save(page: Any, name: str, *, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


@pytest.fixture
def client(settings: Settings, clock: ManualClock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client
