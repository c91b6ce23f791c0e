"""Exports through the API and the CLI: the signed SB 34 audit export (CSV and JSON) and the
warehouse's Parquet files, read back with the standard readers and compared with the rows."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.exports import signing, warehouse
from app.models import Alert, AuditLog, Read, Role
from app.settings import DEV_SECRET
from tests import factories
from tests.app.helpers import World, bearer, hotlist_with_plate, make_world, officer_on_duty

ROOT = Path(__file__).resolve().parents[3]


def _person(engine: Engine, clock: ManualClock, role: Role) -> dict[str, str]:
    with transaction(engine) as session:
        _, token = factories.make_user(session, role=role, now=clock())
    return bearer(token)


def _window(clock: ManualClock) -> dict[str, str]:
    return {
        "since": (clock() - timedelta(hours=1)).isoformat(),
        "until": (clock() + timedelta(hours=1)).isoformat(),
    }


def test_the_audit_export_carries_the_sb34_fields_and_is_signed_with_the_chain_head(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    dispatcher = _person(engine, clock, Role.DISPATCHER)
    auditor = _person(engine, clock, Role.AUDITOR)
    plate = factories.unique_plate()
    client.post("/v1/reads", json={"plate": plate}, headers=world.camera)
    searched = client.get(
        "/v1/reads",
        params={"plate": plate, "purpose": "robbery follow-up", "case_number": "24-0099"},
        headers=dispatcher,
    )
    assert searched.status_code == 200

    answer = client.get("/v1/exports/audit", params=_window(clock), headers=auditor)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    [search] = [r for r in rows if r["action"] == "read.search"]
    assert (search["plate"], search["purpose"], search["case_number"], search["results"]) == (
        plate, "robbery follow-up", "24-0099", "1",
    )  # fmt: skip
    assert search["user_role"] == "dispatcher" and search["organisation"] == "Lookout"
    assert search["user_name"].startswith("dispatcher-") and search["at"].endswith("+00:00")
    assert int(answer.headers["X-Lookout-Rows"]) == len(rows)

    signature = answer.headers["X-Lookout-Signature"].removeprefix("hmac-sha256=")
    assert signing.is_signed_by(answer.content, signature, secret=DEV_SECRET)
    assert not signing.is_signed_by(answer.content + b"x", signature, secret=DEV_SECRET)
    with transaction(engine) as session:
        newest = session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).one()  # type: ignore[union-attr]
        total = session.scalar(select(func.count()).select_from(AuditLog))
    assert newest.action == "export.audit" and newest.actor_role == "auditor"
    assert answer.headers["X-Lookout-Chain-Head"] == newest.hash
    assert int(answer.headers["X-Lookout-Chain-Rows"]) == total
    assert newest.detail["rows"] == len(rows)

    as_json = client.get(
        "/v1/exports/audit", params=_window(clock) | {"format": "json"}, headers=world.admin
    )
    assert as_json.status_code == 200
    document = json.loads(as_json.content)
    assert document["export"]["chain_head"]["hash"] == as_json.headers["X-Lookout-Chain-Head"]
    by_id = {r["id"]: r for r in document["rows"]}
    assert by_id[int(search["id"])]["plate"] == plate
    assert [str(r["id"]) for r in document["rows"]][: len(rows)] == [r["id"] for r in rows]


def test_exports_are_for_auditors_and_admins_and_refuse_bad_ranges_clearly(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    for role in (Role.DISPATCHER, Role.SUPERVISOR, Role.OFFICER):
        who = _person(engine, clock, role)
        assert (
            client.get("/v1/exports/audit", params=_window(clock), headers=who).status_code == 403
        )
        reads = client.get("/v1/exports/warehouse/reads", params=_window(clock), headers=who)
        assert reads.status_code == 403
    window = _window(clock)
    backwards = {"since": window["until"], "until": window["since"]}
    answer = client.get("/v1/exports/audit", params=backwards, headers=world.admin)
    assert answer.status_code == 422 and "until must be after since" in answer.text
    naive = client.get(
        "/v1/exports/warehouse/reads",
        params={"since": "2026-01-01T00:00:00", "until": window["until"]}, headers=world.admin,
    )  # fmt: skip
    assert naive.status_code == 422 and "since" in naive.json()["detail"]
    table = client.get("/v1/exports/warehouse/plates", params=window, headers=world.admin)
    assert table.status_code == 422 and "reads" in table.json()["detail"]
    missing = client.get("/v1/exports/audit", headers=world.admin)
    assert missing.status_code == 422 and "since" in missing.json()["detail"]


def _a_hit_with_its_life(
    client: TestClient, engine: Engine, clock: ManualClock, world: World
) -> int:
    plate = factories.unique_plate()
    _, officer, _ = officer_on_duty(client, engine, clock, lat=37.8045, lon=-122.2713)
    hotlist_with_plate(client, world, plate)
    client.post("/v1/reads", json={"plate": plate, "state": "CA"}, headers=world.camera)
    [alert] = client.get("/v1/alerts", headers=world.admin).json()["data"]
    responded = client.post(
        f"/v1/alerts/{alert['id']}/response", json={"status": "responding", "eta_s": 120},
        headers=bearer(officer),
    )  # fmt: skip
    assert responded.status_code == 200, responded.text
    closed = client.post(
        f"/v1/alerts/{alert['id']}/outcome", json={"disposition": "not_located"},
        headers=world.admin,
    )  # fmt: skip
    assert closed.status_code == 200, closed.text
    return int(alert["id"])


def test_the_warehouse_tables_stream_as_parquet_and_match_the_rows(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    auditor = _person(engine, clock, Role.AUDITOR)
    alert_id = _a_hit_with_its_life(client, engine, clock, world)
    for _ in range(3):
        client.post("/v1/reads", json={"plate": factories.unique_plate()}, headers=world.camera)
    covert = client.post(
        "/v1/hotlists", json={"name": factories.unique("c"), "kind": "covert", "priority": 2},
        headers=world.admin,
    ).json()  # fmt: skip
    secret_plate = factories.unique_plate()
    client.post(f"/v1/hotlists/{covert['id']}/entries", json=[{"plate": secret_plate}],
                headers=world.admin)  # fmt: skip
    client.post("/v1/reads", json={"plate": secret_plate}, headers=world.camera)

    tables: dict[str, Any] = {}
    for name in warehouse.TABLES:
        answer = client.get(f"/v1/exports/warehouse/{name}", params=_window(clock), headers=auditor)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/vnd.apache.parquet"
        tables[name] = pq.read_table(io.BytesIO(answer.content))
        assert tables[name].num_rows == int(answer.headers["X-Lookout-Rows"])
        assert tables[name].schema.names == [c[0] for c in warehouse.TABLES[name].columns]
        assert tables[name].schema.metadata[b"lookout.schema_version"] == b"1"

    with transaction(engine) as session:
        stored = {r.id: r for r in session.scalars(select(Read))}
        covert_alerts = session.scalars(select(Alert.id).where(Alert.is_covert)).all()  # type: ignore[arg-type]
    reads = tables["reads"].to_pylist()
    assert [r["id"] for r in reads] == sorted(stored)
    for row in reads:
        assert (row["plate"], row["camera_id"], row["read_at"]) == (
            stored[row["id"]].plate, stored[row["id"]].camera_id, stored[row["id"]].read_at,
        )  # fmt: skip
    assert covert_alerts and [a["id"] for a in tables["alerts"].to_pylist()] == [alert_id]
    assert [h["listed_plate"] for h in tables["hits"].to_pylist()] != []
    assert secret_plate not in {h["listed_plate"] for h in tables["hits"].to_pylist()}
    assert [(o["alert_id"], o["disposition"]) for o in tables["outcomes"].to_pylist()] == [
        (alert_id, "not_located")
    ]
    [response] = [r for r in tables["responses"].to_pylist() if r["status"] == "responding"]
    assert (response["alert_id"], response["eta_s"]) == (alert_id, 120.0)
    assert {d["alert_id"] for d in tables["deliveries"].to_pylist()} == {alert_id}

    exports = client.get("/v1/audit", params={"action": "export.warehouse"}, headers=world.admin)
    by_table = {e["detail"]["table"]: e["detail"]["rows"] for e in exports.json()["data"]}
    assert by_table["reads"] == len(stored) and set(by_table) == set(warehouse.TABLES)


def test_a_large_table_streams_in_row_groups(engine: Engine, clock: ManualClock) -> None:
    with transaction(engine) as session:
        camera, _ = factories.make_camera(session, now=clock())
        for i in range(7):
            session.add(Read(camera_id=camera.id, plate=f"7AAA{i:03d}", plate_key=f"7AAA{i:03d}",  # type: ignore[arg-type]
                             read_at=clock(), received_at=clock()))  # fmt: skip
    table = warehouse.TABLES["reads"]
    window = {"since": clock() - timedelta(hours=1), "until": clock() + timedelta(hours=1)}
    chunks = list(warehouse.stream(engine, table, chunk_rows=3, **window))
    assert len(chunks) == 4  # three row groups, then the footer
    parquet = pq.ParquetFile(io.BytesIO(b"".join(chunks)))
    assert parquet.metadata.num_row_groups == 3
    assert parquet.read().column("plate").to_pylist() == [f"7AAA{i:03d}" for i in range(7)]
    empty = b"".join(warehouse.stream(engine, table, since=clock() - timedelta(days=9),
                                      until=clock() - timedelta(days=8)))  # fmt: skip
    assert pq.read_table(io.BytesIO(empty)).num_rows == 0


def test_lookout_export_writes_signed_files_that_verify_and_open(
    client: TestClient, database_url: str, engine: Engine, clock: ManualClock, tmp_path: Path
) -> None:
    world = make_world(engine, clock)
    _a_hit_with_its_life(client, engine, clock, world)
    env = os.environ | {"LOOKOUT_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    window = _window(clock)

    def lookout(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", "export", *args], capture_output=True, text=True,
            env=env, cwd=tmp_path, timeout=120,
        )  # fmt: skip

    out = tmp_path / "audit.json"
    done = lookout("audit", "--since", window["since"], "--until", window["until"],
                   "--format", "json", "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    assert "alert.outcome" in {r["action"] for r in document["rows"]}
    checked = lookout("verify", str(out))
    assert checked.returncode == 0 and "signature valid" in checked.stdout, checked.stderr
    assert b'"alert.outcome"' in out.read_bytes()
    out.write_bytes(out.read_bytes().replace(b'"alert.outcome"', b'"alert.0utcome"'))
    tampered = lookout("verify", str(out))
    assert tampered.returncode == 1 and "HMAC does not match" in tampered.stderr

    folder = tmp_path / "warehouse"
    done = lookout("warehouse", "--since", window["since"], "--until", window["until"],
                   "--out", str(folder))  # fmt: skip
    assert done.returncode == 0, done.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["tables"]) == set(warehouse.TABLES)
    with transaction(engine) as session:
        reads = session.scalar(select(func.count()).select_from(Read))
    assert (
        pq.read_table(folder / "reads.parquet").num_rows
        == reads
        == (manifest["tables"]["reads"]["rows"])
    )
    outcome = pq.read_table(folder / "outcomes.parquet").to_pylist()
    assert [o["disposition"] for o in outcome] == ["not_located"]
    bad = lookout("warehouse", "--since", "yesterday", "--until", window["until"],
                  "--out", str(folder))  # fmt: skip
    assert bad.returncode == 1 and "--since 'yesterday' is not a time" in bad.stderr
