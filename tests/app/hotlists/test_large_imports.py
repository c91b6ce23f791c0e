"""Hot-list files larger than one SQL statement can carry (PostgreSQL takes at most 65,535
parameters): imported and replaced through the API and the CLI, atomically, and matched."""

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.main import create_app
from app.models import HotListChange, HotListEntry, HotListImportRow
from app.settings import Settings
from tests import factories
from tests.app.helpers import hits_of, make_world

ROWS = 70_000  # more new rows than PostgreSQL takes parameters in one statement
LETTERS = "ACEFHJKMNPRTUVWXY"  # no two of them look alike (O/0, I/1, S/5 ...)


def plate(n: int) -> str:
    """The n-th of 44 million distinct California-style plates: 1ACE000, 1ACE001 ..."""
    rest, digits = divmod(n, 1000)
    rest, third = divmod(rest, 17)
    rest, second = divmod(rest, 17)
    rest, first = divmod(rest, 17)
    return f"{rest % 9 + 1}{LETTERS[first]}{LETTERS[second]}{LETTERS[third]}{digits:03d}"


def ncic_line(n: int, *, code: str = "V") -> str:
    """One record of an NCIC vehicle-file extract (the `ncic` layout, fixed width)."""
    return f"{code}{n:09d}CA0010000202511{n % 28 + 1:02d}{plate(n):<10}CA2026PC2016HONDCIVSDBLK"


@pytest.fixture(scope="module")
def extract() -> Callable[[range], bytes]:
    """An NCIC extract of the records in a range, header line first."""

    def make(numbers: range) -> bytes:
        lines = ["NCIC VEHICLE FILE EXTRACT", *(ncic_line(n) for n in numbers)]
        return ("\n".join(lines) + "\n").encode()

    return make


def _new_list(client: TestClient, headers: dict[str, str]) -> int:
    response = client.post(
        "/v1/hotlists",
        json={"name": factories.unique("list"), "kind": "stolen_vehicle", "priority": 2},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _import(
    client: TestClient, headers: dict[str, str], hotlist_id: int, data: bytes, *, replace: bool
) -> dict[str, object]:
    response = client.post(
        f"/v1/hotlists/{hotlist_id}/import",
        params={"layout": "ncic", "replace": replace},
        files={"file": ("ncic.txt", data, "text/plain")},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    report: dict[str, object] = response.json()
    return report


def _live_ids(engine: Engine, hotlist_id: int) -> list[int]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(HotListEntry.id)
                .where(HotListEntry.hotlist_id == hotlist_id, HotListEntry.deleted_at.is_(None))  # type: ignore[union-attr]
                .order_by(HotListEntry.id)  # type: ignore[arg-type]
            )
        )


def _index_caught_up(client: TestClient, engine: Engine) -> None:
    """Wait (with a deadline) until this process's index has applied the whole change feed."""
    with transaction(engine) as session:
        last = session.scalar(select(func.max(HotListChange.id))) or 0
    index = client.app.state.runtime.index  # type: ignore[attr-defined]
    assert index.wait_applied(last, timeout_s=120)


def test_an_extract_of_70000_rows_is_imported_matched_and_replaced(
    client: TestClient, engine: Engine, clock: ManualClock, extract: Callable[[range], bytes]
) -> None:
    world = make_world(engine, clock)
    hotlist_id = _new_list(client, world.admin)
    report = _import(client, world.admin, hotlist_id, extract(range(ROWS)), replace=False)
    assert (report["rows"], report["added"], report["removed"]) == (ROWS, ROWS, 0)
    assert report["problem_counts"] == {"header": 1}
    assert len(_live_ids(engine, hotlist_id)) == ROWS
    # Every process's index follows the change feed by itself, a slice at a time.
    _index_caught_up(client, engine)
    for n in (0, ROWS // 2, ROWS - 1):
        read = client.post(
            "/v1/reads", json={"plate": plate(n), "state": "CA"}, headers=world.camera
        )
        assert hits_of(client, world.admin, read) == 1
    # The refresh keeps three records and adds one: 69,997 entries go in one transaction.
    kept = [ncic_line(0), ncic_line(ROWS // 2), ncic_line(ROWS - 1), ncic_line(ROWS)]
    refresh = ("NCIC VEHICLE FILE EXTRACT\n" + "\n".join(kept) + "\n").encode()
    report = _import(client, world.admin, hotlist_id, refresh, replace=True)
    assert (report["added"], report["removed"], report["unchanged"]) == (1, ROWS - 3, 3)
    assert len(_live_ids(engine, hotlist_id)) == 4
    _index_caught_up(client, engine)
    gone = client.post("/v1/reads", json={"plate": plate(1), "state": "CA"}, headers=world.camera)
    assert hits_of(client, world.admin, gone) == 0
    new = client.post("/v1/reads", json={"plate": plate(ROWS), "state": "CA"}, headers=world.camera)
    assert hits_of(client, world.admin, new) == 1


def test_a_file_refused_mid_way_leaves_the_list_exactly_as_it_was(
    client: TestClient, engine: Engine, clock: ManualClock, extract: Callable[[range], bytes]
) -> None:
    world = make_world(engine, clock)
    hotlist_id = _new_list(client, world.admin)
    _import(client, world.admin, hotlist_id, extract(range(10)), replace=False)
    before = _live_ids(engine, hotlist_id)
    lines = extract(range(100, 100 + ROWS)).split(b"\n")
    lines[40_000] = lines[40_000][:30] + b"\x00" + lines[40_000][31:]  # a UTF-16 scrap
    response = client.post(
        f"/v1/hotlists/{hotlist_id}/import",
        params={"layout": "ncic", "replace": True},
        files={"file": ("ncic.txt", b"\n".join(lines), "text/plain")},
        headers=world.admin,
    )
    assert response.status_code == 422
    assert "line 40001" in response.json()["detail"] and "NUL" in response.json()["detail"]
    assert _live_ids(engine, hotlist_id) == before
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(HotListImportRow)) == 0


def test_a_file_over_the_import_limit_is_a_413(
    settings: Settings, engine: Engine, clock: ManualClock, extract: Callable[[range], bytes]
) -> None:
    small = settings.changed(hotlist_import_max_bytes=10_000)
    with TestClient(create_app(small, clock=clock)) as client:
        world = make_world(engine, clock)
        hotlist_id = _new_list(client, world.admin)
        response = client.post(
            f"/v1/hotlists/{hotlist_id}/import",
            params={"layout": "ncic"},
            files={"file": ("ncic.txt", extract(range(1000)), "text/plain")},
            headers=world.admin,
        )
        assert response.status_code == 413
        assert "at most 10000" in response.json()["detail"]
        assert _live_ids(engine, hotlist_id) == []


def test_the_cli_imports_and_replaces_an_extract_of_70000_rows(
    database_url: str, engine: Engine, tmp_path: Path, extract: Callable[[range], bytes]
) -> None:
    path = tmp_path / "ncic.txt"
    path.write_bytes(extract(range(ROWS)))
    env = {"LOOKOUT_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "app.cli", "import-hotlist", str(path), "--list", "NCIC"]
    first = subprocess.run(
        [*command, "--layout", "ncic"], capture_output=True, text=True, env=env, timeout=600
    )
    assert first.returncode == 0, first.stderr
    assert f"{ROWS} rows, {ROWS} added, 0 removed" in first.stdout
    path.write_bytes(extract(range(ROWS - 2, ROWS + 1)))
    second = subprocess.run(
        [*command, "--layout", "ncic"], capture_output=True, text=True, env=env, timeout=600
    )
    assert second.returncode == 0, second.stderr
    assert f"3 rows, 1 added, {ROWS - 2} removed, 2 unchanged" in second.stdout
    with transaction(engine) as session:
        plates = session.scalars(
            select(HotListEntry.plate).where(HotListEntry.deleted_at.is_(None))  # type: ignore[union-attr]
        ).all()
    assert sorted(plates) == sorted(plate(n) for n in range(ROWS - 2, ROWS + 1))


def test_an_import_killed_while_staging_changes_nothing_and_its_rows_are_swept_a_day_later(
    database_url: str,
    engine: Engine,
    settings: Settings,
    clock: ManualClock,
    tmp_path: Path,
    extract: Callable[[range], bytes],
) -> None:
    """`kill -9` of `lookout import-hotlist` mid-file: the list is exactly as it was, and the
    rows it had staged are swept by the worker's housekeeping once they are a day old."""
    path = tmp_path / "ncic.txt"
    env = {"LOOKOUT_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "app.cli", "import-hotlist", str(path), "--list", "NCIC",
               "--layout", "ncic"]  # fmt: skip
    path.write_bytes(extract(range(3)))
    assert subprocess.run(command, capture_output=True, env=env, timeout=300).returncode == 0
    with transaction(engine) as session:
        before = session.scalars(select(HotListEntry.plate).order_by(HotListEntry.plate)).all()  # type: ignore[arg-type]

    def staged() -> int:
        with transaction(engine) as session:
            return int(session.scalar(select(func.count()).select_from(HotListImportRow)) or 0)

    path.write_bytes(extract(range(100, 600_100)))  # seconds of staging, 5,000 rows a chunk
    importer = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while staged() == 0:
            assert importer.poll() is None, "the import ended before it had staged a chunk"
            assert time.monotonic() < deadline, "the import never staged a row"
            time.sleep(0.01)
    finally:
        importer.kill()
        importer.wait(timeout=30)
    left = staged()
    assert left > 0
    with transaction(engine) as session:
        after = session.scalars(select(HotListEntry.plate).order_by(HotListEntry.plate)).all()  # type: ignore[arg-type]
    assert after == before == sorted(plate(n) for n in range(3))

    # The worker sweeps the rows of an import nobody has staged to for a day.
    clock.advance(days=1, minutes=1)
    worker = settings.changed(embedded_worker=True, housekeeping_every_s=0.05)
    with TestClient(create_app(worker, clock=clock)):
        deadline = time.monotonic() + 60
        while staged():
            assert time.monotonic() < deadline, f"{staged()} of {left} staged rows never swept"
            time.sleep(0.05)
