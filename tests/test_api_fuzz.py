"""Property-based fuzzing of the whole HTTP API from its own OpenAPI schema (schemathesis),
against a live uvicorn server, with the credentials of every role, of a camera, or none
(spread over the examples): no input may give a 5xx, and every answer must match the schema.
A bounded number of examples per operation keeps it inside the suite's time; what it found
once stays as regression tests in the domain test modules."""

import os
import shutil
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from app.clock import system_clock
from app.db import make_engine, transaction
from app.main import create_app
from app.models import Role
from app.settings import Settings
from tests import factories
from tests.conftest import _admin_execute, _database
from tests.servers import serve_in_thread

EXAMPLES = int(os.environ.get("LOOKOUT_FUZZ_EXAMPLES", "12"))
ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER, Role.AUDITOR, Role.OFFICER, Role.GATEWAY)
CALLERS = (*(role.value for role in ROLES), "camera", "nobody")


@dataclass(frozen=True, slots=True)
class LiveApi:
    base_url: str
    headers: dict[str, dict[str, str]]  # role (or "camera") -> credentials


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    tmp = tmp_path_factory.mktemp("fuzz")
    drop = None
    if request.param == "sqlite":
        path = tmp / "fuzz.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        server: str = request.getfixturevalue("postgres_server_url")
        template: str = request.getfixturevalue("postgres_template")
        name = f"lookout_fuzz_{uuid.uuid4().hex[:12]}"
        _admin_execute(server, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = _database(server, name)
        drop = (server, name)
    headers: dict[str, dict[str, str]] = {}
    engine = make_engine(url)
    with transaction(engine) as session:
        for role in ROLES:
            _, token = factories.make_user(session, role=role, now=system_clock())
            headers[role.value] = {"Authorization": f"Bearer {token}"}
        _, key = factories.make_camera(session, now=system_clock())
        headers["camera"] = {"X-API-Key": key}
    engine.dispose()
    app_settings = Settings(env="test", database_url=url, data_dir=Path(tmp), push_sender="log",
                            fcm_inbox=False, embedded_worker=False)  # fmt: skip
    try:
        with serve_in_thread(create_app(app_settings)) as base_url:
            yield LiveApi(base_url, headers)
    finally:
        if drop is not None:
            _admin_execute(drop[0], f'DROP DATABASE IF EXISTS "{drop[1]}" WITH (FORCE)')


# The document the server serves; built from the same factory, so collection needs no server.
schema = schemathesis.openapi.from_dict(create_app(Settings(env="test")).openapi())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples every run: a failure here is a regression
)
def test_no_input_gives_a_server_error_and_answers_match_the_schema(
    case: schemathesis.Case, live_api: LiveApi
) -> None:
    caller = _caller_of(case)
    # What is checked is the answer, not its speed: on a machine running other suites at once
    # an answer has taken over schemathesis's default 10 s.
    response = case.call(
        base_url=live_api.base_url, headers=live_api.headers.get(caller, {}), timeout=60
    )
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


def _caller_of(case: schemathesis.Case) -> str:
    """Who sends this example: spread over every caller, and the same caller for the same
    example on every run (schemathesis' own examples cannot take a drawn argument)."""
    example = repr((case.method, case.path, case.path_parameters, case.query, case.body))
    return CALLERS[zlib.crc32(example.encode()) % len(CALLERS)]
