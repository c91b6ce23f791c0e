"""The audit log cannot be quietly rewritten: rows cut from the end, a chain rewritten and
re-sealed, forged checkpoints all fail `GET /v1/audit?verify=true` and `lookout audit verify`;
rows find their plate however it was typed; a purpose of only spaces is refused."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.audit import GENESIS, keys
from app.audit.chain import legacy_seal
from app.audit.checkpoints import Checkpoint, Head, append
from app.audit.keys import AuditKey
from app.clock import ManualClock
from app.db import transaction
from app.models import AuditLog, Role
from app.runtime import Runtime
from app.settings import Settings
from tests import factories
from tests.app.helpers import World, bearer, make_world

ROOT = Path(__file__).resolve().parents[3]


def _runtime(client: TestClient) -> Runtime:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    assert isinstance(runtime, Runtime)
    return runtime


def _verify(client: TestClient, world: World) -> dict[str, Any]:
    response = client.get("/v1/audit", params={"verify": True, "limit": 1}, headers=world.admin)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _audited_reads(client: TestClient, world: World, n: int) -> None:
    """`n` plate searches, each an audit row."""
    for i in range(n):
        response = client.get(
            "/v1/reads",
            params={"plate": f"7AUD{i:03d}", "purpose": "stolen car follow-up"},
            headers=world.admin,
        )
        assert response.status_code == 200, response.text


def _newest_ids(engine: Engine, n: int) -> list[int]:
    with transaction(engine) as session:
        return list(
            session.scalars(select(col(AuditLog.id)).order_by(col(AuditLog.id).desc()).limit(n))
        )


def test_rows_cut_from_the_end_fail_verification_after_a_checkpoint(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    _audited_reads(client, world, 5)
    checkpoint = _runtime(client).checkpointer.run_once()
    assert checkpoint is not None
    first = _verify(client, world)
    assert (first["chain_intact"], first["chain_problems"]) == (True, [])

    # Whoever can write the database removes the three newest rows; what is left, and every
    # row appended after it, is still a valid chain. Only the checkpoint knows better.
    newest = _newest_ids(engine, 3)
    with transaction(engine) as session:
        session.execute(delete(AuditLog).where(col(AuditLog.id).in_(newest)))
    _audited_reads(client, world, 2)
    after = _verify(client, world)
    assert after["chain_intact"] is False
    # PostgreSQL never hands an id out twice: the row is missing. SQLite gives the newest id
    # again to the next row: the row is another one. Either way the checkpoint names it.
    assert any(
        f"row {checkpoint.last_id}" in p
        and ("rows missing after checkpoint 1" in p or "is not the row checkpoint 1" in p)
        for p in after["chain_problems"]
    ), after["chain_problems"]


def test_a_chain_rewritten_and_resealed_without_the_key_fails_verification(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    _audited_reads(client, world, 4)
    assert _runtime(client).checkpointer.run_once() is not None
    # The attacker changes a plate in the second row and re-seals the whole chain the only
    # way the database allows: without the key (the plain SHA-256 of the old chain), keeping
    # the key ids, or claiming the rows came from before the key.
    for claimed_key_id in ("kept", None):
        with transaction(engine) as session:
            rows = session.scalars(select(AuditLog).order_by(col(AuditLog.id))).all()
            rows[1].plate = rows[1].plate_key = "1FORGED"
            prev = GENESIS
            for row in rows:
                if claimed_key_id is None:
                    row.key_id = None
                row.prev_hash, row.hash = prev, ""
                row.hash = prev = legacy_seal(row)
        problems = _verify(client, world)["chain_problems"]
        assert problems, f"a re-sealed chain passed (key ids {claimed_key_id})"
        if claimed_key_id == "kept":
            assert f"row {rows[0].id} was altered: its seal does not fit its content" in problems
        else:
            assert any("no checkpoint vouches" in p or "is not the row" in p for p in problems)


def test_a_forged_checkpoint_and_a_foreign_key_are_named(
    client: TestClient, engine: Engine, clock: ManualClock, settings: Settings
) -> None:
    world = make_world(engine, clock)
    _audited_reads(client, world, 2)
    forger = AuditKey.from_secret(b"not the deployment's key, whatever it is")
    append(
        settings.data_dir / "audit-checkpoints.jsonl",
        Checkpoint.signed(Head(rows=1, last_id=1, seal="0" * 64), at=clock(), key=forger),
    )
    problems = _verify(client, world)["chain_problems"]
    assert any(
        "checkpoint file line 1 is not signed with this LOOKOUT_AUDIT_SECRET" in p for p in problems
    ), problems


def test_rows_from_before_the_key_are_kept_and_vouched_for_by_a_checkpoint(
    engine: Engine, clock: ManualClock, settings: Settings, tmp_path: Path
) -> None:
    """Rows written before revision 0010 keep their SHA-256 seals; the first checkpoint
    vouches for them, and rewriting one breaks the link of the first keyed row after them."""
    from app import audit
    from app.audit.checkpoints import Checkpointer

    key = keys.for_settings(settings)
    prev = GENESIS
    with transaction(engine) as session:
        for i in range(3):
            row = AuditLog(
                at=clock(), action="read.view", plate=f"7old {i}", plate_key=f"7OLD{i}",
                detail={}, prev_hash=prev, hash="",
            )  # fmt: skip
            row.hash = prev = legacy_seal(row)
            session.add(row)
    path = tmp_path / "checkpoints.jsonl"
    with transaction(engine) as session:
        unvouched = audit.verify(session, key=key, checkpoint_file=path)
    assert any("3 rows carry no key and no checkpoint vouches" in p for p in unvouched.problems)
    checkpointer = Checkpointer(engine, key=key, path=path, clock=clock, every_s=60)
    assert checkpointer.run_once() is not None  # what a process does when it starts
    with transaction(engine) as session:
        audit.record(session, actor=None, action="read.view", now=clock(), plate="7new 1")
    with transaction(engine) as session:
        report = audit.verify(session, key=key, checkpoint_file=path)
    assert (report.intact, report.legacy_rows, report.keyed_rows) == (True, 3, 1), report
    with transaction(engine) as session:
        session.execute(update(AuditLog).where(col(AuditLog.plate) == "7old 1").values(plate="X"))
        rows = session.scalars(select(AuditLog).order_by(col(AuditLog.id))).all()
        prev = GENESIS
        for row in rows[:3]:  # the rewrite re-hashes the old rows, as anyone could
            row.prev_hash, row.hash = prev, ""
            row.plate_key = "X"
            row.hash = prev = legacy_seal(row)
    with transaction(engine) as session:
        rewritten = audit.verify(session, key=key, checkpoint_file=path)
    assert any(
        f"row {rows[3].id} does not follow row {rows[2].id}" in p for p in rewritten.problems
    ), rewritten.problems


def test_the_audit_log_finds_views_and_searches_of_a_plate_however_it_was_typed(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    read_id = client.post("/v1/reads", json={"plate": "7abc-123"}, headers=world.camera).json()[
        "read_ids"
    ][0]
    searched = client.get(
        "/v1/reads", params={"plate": "7ABC 123", "purpose": "case 24-1"}, headers=world.admin
    )
    assert searched.status_code == 200
    assert client.get(f"/v1/reads/{read_id}", headers=world.admin).status_code == 200
    for typed in ("7abc 123", "7ABC123", "7-ABC-123"):
        found = client.get("/v1/audit", params={"plate": typed}, headers=world.admin).json()
        actions = [row["action"] for row in found["data"]]
        assert actions[:2] == ["read.search", "read.view"], (typed, actions)  # and audit.views
        assert {row["plate_key"] for row in found["data"]} == {"7ABC123"}
    view = next(row for row in found["data"] if row["action"] == "read.view")
    assert view["plate"] == "7abc-123"  # as the camera read it, beside its normalised form


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("GET", "/v1/reads", {"plate": "7ABC123", "purpose": "     "}, None),
        ("GET", "/v1/hotlists/entries/flagged", {"purpose": " \t  "}, None),
        ("GET", "/v1/hotlists/1/entries", {"purpose": "    "}, None),
        ("POST", "/v1/bulletins/1/cancel", None, {"reason": "      "}),
        ("POST", "/v1/devices/1/move", None, {"user_id": 1, "reason": "   "}),
    ],
)
def test_a_purpose_of_only_spaces_is_refused(
    client: TestClient,
    engine: Engine,
    clock: ManualClock,
    method: str,
    path: str,
    params: dict[str, str] | None,
    body: dict[str, object] | None,
) -> None:
    world = make_world(engine, clock)
    response = client.request(method, path, params=params, json=body, headers=world.admin)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert ("purpose" in detail or "reason" in detail) and "besides spaces" in detail


def test_lookout_audit_verify_says_what_is_wrong(
    client: TestClient, engine: Engine, clock: ManualClock, settings: Settings, tmp_path: Path
) -> None:
    world = make_world(engine, clock)
    with transaction(engine) as session:
        _, auditor = factories.make_user(session, role=Role.AUDITOR, now=clock())
    _audited_reads(client, world, 5)
    assert client.get("/v1/audit", headers=bearer(auditor)).status_code == 200
    assert _runtime(client).checkpointer.run_once() is not None
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LOOKOUT_DATABASE_URL": settings.database_url,
        "LOOKOUT_DATA_DIR": str(settings.data_dir),
        "LOOKOUT_ENV": "test",
        "PYTHONPATH": str(ROOT),  # this checkout's code, whatever the virtualenv points at
    }

    def lookout_audit_verify(**extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", "audit", "verify"],
            capture_output=True, text=True, env=env | extra, cwd=tmp_path, timeout=120,
        )  # fmt: skip

    intact = lookout_audit_verify()
    assert intact.returncode == 0, intact.stderr
    assert "intact" in intact.stdout and "checkpoints      1 in" in intact.stdout

    wrong_key = lookout_audit_verify(LOOKOUT_AUDIT_SECRET=hashlib.sha256(b"x").hexdigest())
    assert wrong_key.returncode == 1
    assert "not this LOOKOUT_AUDIT_SECRET" in wrong_key.stderr

    ids = _newest_ids(engine, 6)
    with transaction(engine) as session:
        session.execute(
            update(AuditLog).where(col(AuditLog.id) == ids[-1]).values(purpose="routine")
        )
        session.execute(delete(AuditLog).where(col(AuditLog.id) == ids[0]))
    tampered = lookout_audit_verify()
    assert tampered.returncode == 1
    lines = tampered.stderr.splitlines()
    assert f"TAMPERED: row {ids[-1]} was altered: its seal does not fit its content" in lines
    assert any(
        line.startswith("TAMPERED: rows missing after checkpoint 1") and f"row {ids[0]}" in line
        for line in lines
    ), lines
