"""Every revision runs on a database that already holds the whole chain of a delivered alert,
on SQLite too, where altering a referenced table means rebuilding it."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.db import make_engine
from app.migrate import alembic_config

ROWS_AT_0001 = [
    "INSERT INTO app_user (id, name, role, token_hash, token_hint, is_active, created_at)"
    " VALUES (1, 'Diaz', 'officer', 'h1', 'lku_', true, CURRENT_TIMESTAMP)",
    "INSERT INTO camera (id, name, key_hash, key_hint, is_active, created_at)"
    " VALUES (1, 'gate', 'h2', 'lkc_', true, CURRENT_TIMESTAMP)",
    "INSERT INTO device (id, user_id, token, platform, is_active, created_at, last_seen_at)"
    " VALUES (1, 1, 'tok', 'android', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO hotlist (id, name, kind, priority, is_active, created_at)"
    " VALUES (1, 'stolen', 'stolen_vehicle', 2, true, CURRENT_TIMESTAMP)",
    "INSERT INTO hotlist_entry (id, hotlist_id, plate, plate_key, created_at)"
    " VALUES (1, 1, '7ABC123', '7ABC123', CURRENT_TIMESTAMP)",
    "INSERT INTO hotlist_change (id, entry_id, op, at) VALUES (1, 1, 'upsert', CURRENT_TIMESTAMP)",
    "INSERT INTO plate_read (id, camera_id, plate, plate_key, read_at, received_at)"
    " VALUES (1, 1, '7ABC123', '7ABC123', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO hit (id, read_id, entry_id, hotlist_id, quality, read_plate, listed_plate,"
    " created_at) VALUES (1, 1, 1, 1, 'exact', '7ABC123', '7ABC123', CURRENT_TIMESTAMP)",
    "INSERT INTO alert (id, hit_id, priority, title, body, plate, read_at, details, status,"
    " created_at) VALUES (1, 1, 2, 't', 'b', '7ABC123', CURRENT_TIMESTAMP, '{}', 'open',"
    " CURRENT_TIMESTAMP)",
    "INSERT INTO alert_recipient (id, alert_id, user_id, rank, created_at)"
    " VALUES (1, 1, 1, 1, CURRENT_TIMESTAMP)",
    "INSERT INTO delivery (id, alert_id, recipient_id, device_id, priority, message, status,"
    " attempts, next_attempt_at, created_at, updated_at) VALUES (1, 1, 1, 1, 2, '{}', 'sent', 1,"
    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
]


@contextmanager
def _database_at(
    database_url: str, revision: str, rows: Sequence[str]
) -> Iterator[tuple[Config, Engine]]:
    """The database migrated down to `revision` and holding `rows` (INSERT statements), with
    its Alembic config and an engine disposed of afterwards."""
    cfg = alembic_config(database_url)
    command.downgrade(cfg, revision)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for statement in rows:
                connection.execute(text(statement))
        yield cfg, engine
    finally:
        engine.dispose()


def test_all_revisions_migrate_a_populated_database_up_down_and_up(database_url: str) -> None:
    with _database_at(database_url, "0001", ROWS_AT_0001) as (cfg, engine):
        command.upgrade(cfg, "head")
        with engine.connect() as connection:
            alert = connection.execute(text("SELECT id, plate, sightings FROM alert")).one()
            delivery = connection.execute(text("SELECT status FROM delivery")).scalar_one()
        assert (tuple(alert), delivery) == ((1, "7ABC123", 1), "sent")
        command.downgrade(cfg, "0001")
        command.upgrade(cfg, "head")
        command.check(cfg)


def test_stored_vendor_ids_get_their_reads_plate(database_url: str) -> None:
    """0007: a retry of a read stored before the upgrade is still recognised."""
    camera_and_read = ROWS_AT_0001[1:2] + ROWS_AT_0001[6:7]
    with _database_at(database_url, "0006", camera_and_read) as (cfg, engine):
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO read_source_key (camera_id, key, read_id) VALUES (1, 'g-1', 1)")
            )
        command.upgrade(cfg, "head")
        with engine.connect() as connection:
            keys = connection.execute(text("SELECT key, read_id FROM read_source_key")).all()
        assert [tuple(row) for row in keys] == [("g-1|7ABC123", 1)]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_reads_become_day_partitioned_with_every_row_and_dependant_intact(
    database_url: str,
) -> None:
    """0016 on PostgreSQL: a populated plate_read is converted in place; every read keeps its
    id and day, its hit, bulletin match and vendor id still find it, a read with a garbage
    clock lands in the default partition, new ids follow the old ones; and back down."""
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0001")
    engine = make_engine(database_url)
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    days_ago = (0, 1, 2, 9)
    try:
        with engine.begin() as connection:
            for statement in ROWS_AT_0001[:5]:  # a user, a camera, a device, a list, an entry
                connection.execute(text(statement))
            for n, ago in enumerate(days_ago, start=1):
                connection.execute(
                    text(
                        "INSERT INTO plate_read (id, camera_id, plate, plate_key, read_at,"
                        " received_at) VALUES (:id, 1, '7ABC123', '7ABC123', :at, :at)"
                    ),
                    {"id": n, "at": today - timedelta(days=ago)},
                )
            connection.execute(  # a camera whose clock says 1999, stored with a note
                text(
                    "INSERT INTO plate_read (id, camera_id, plate, plate_key, read_at,"
                    " received_at) VALUES (5, 1, '7ABC123', '7ABC123', '1999-01-01 00:00+00',"
                    " :at)"
                ),
                {"at": today},
            )
            connection.execute(text("SELECT setval('plate_read_id_seq', 5)"))
            connection.execute(text(ROWS_AT_0001[7].replace("(1, 1, 1, 1,", "(1, 2, 1, 1,")))
        command.upgrade(cfg, "0015")
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO read_source_key (camera_id, key, read_id) VALUES (1, 'g', 3)")
            )
            connection.execute(
                text(
                    "INSERT INTO bulletin (id, kind, priority, status, occurred_at, area,"
                    " created_at, updated_at, version) VALUES (1, 'robbery', 1, 'active', :at,"
                    " '{}', :at, :at, 1)"
                ),
                {"at": today},
            )
            connection.execute(
                text(
                    "INSERT INTO bulletin_match (bulletin_id, read_id, read_at, plate, plate_key,"
                    " source, score, reasons, warnings, matched_at) VALUES (1, 4, :at, '7ABC123',"
                    " '7ABC123', 'retro', 1.0, '[]', '[]', :at)"
                ),
                {"at": today},
            )
        before = _reads_and_dependants(engine)
        command.upgrade(cfg, "head")
        command.check(cfg)
        assert _reads_and_dependants(engine) == before
        with engine.connect() as connection:
            homes = {
                row.id: row.home
                for row in connection.execute(
                    text("SELECT id, tableoid::regclass::text AS home FROM plate_read")
                )
            }
            partitioned = connection.execute(
                text(
                    "SELECT count(*) FROM pg_partitioned_table"
                    " WHERE partrelid = 'plate_read'::regclass"
                )
            ).scalar_one()
        assert partitioned == 1
        for n, ago in enumerate(days_ago, start=1):
            assert homes[n] == f"plate_read_p{today - timedelta(days=ago):%Y%m%d}"
        assert homes[5] == "plate_read_default"
        with engine.begin() as connection:
            next_id = connection.execute(
                text(
                    "INSERT INTO plate_read (camera_id, plate, plate_key, read_at, received_at)"
                    " VALUES (1, '7ABC124', '7ABC124', now(), now()) RETURNING id"
                )
            ).scalar_one()
        assert next_id == 6

        command.downgrade(cfg, "0015")
        after_down = _reads_and_dependants(engine)
        assert after_down[0][:5] == before[0] and after_down[1:] == before[1:]
        with engine.connect() as connection:
            assert (
                connection.execute(text("SELECT count(*) FROM pg_partitioned_table")).scalar_one()
                == 0
            )
        command.upgrade(cfg, "head")
        command.check(cfg)
    finally:
        engine.dispose()


def _reads_and_dependants(engine: Engine) -> tuple[list[tuple[Any, ...]], ...]:
    with engine.connect() as connection:
        reads = connection.execute(text("SELECT id, plate, read_at FROM plate_read ORDER BY id"))
        joined = [
            connection.execute(
                text(
                    f"SELECT d.read_id, r.read_at FROM {table} d JOIN plate_read r"
                    " ON r.id = d.read_id ORDER BY d.read_id"
                )
            ).all()
            for table in ("hit", "read_source_key", "bulletin_match")
        ]
        return ([tuple(r) for r in reads], *[[tuple(r) for r in rows] for rows in joined])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_breadcrumbs_become_day_partitioned_with_every_fix_intact(database_url: str) -> None:
    """0017 on PostgreSQL: a populated officer_location is converted in place; every fix keeps
    its id, officer and time, lands in its day (a phone whose clock said 1999 in the default
    partition), new ids follow the old ones; and back down to a plain table with every row."""
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0001")
    engine = make_engine(database_url)
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    when = [today - timedelta(days=ago) for ago in (0, 3, 30)]
    when.append(datetime(1999, 1, 1, tzinfo=UTC))
    fixes = "SELECT id, user_id, lat, recorded_at FROM officer_location ORDER BY id"
    try:
        with engine.begin() as connection:
            connection.execute(text(ROWS_AT_0001[0]))  # the officer
        command.upgrade(cfg, "0016")
        with engine.begin() as connection:
            for n, at in enumerate(when, start=1):
                connection.execute(
                    text(
                        "INSERT INTO officer_location (id, user_id, lat, lon, recorded_at)"
                        " VALUES (:id, 1, :lat, -122.27, :at)"
                    ),
                    {"id": n, "lat": 37.8 + n / 1000, "at": at},
                )
            connection.execute(text("SELECT setval('officer_location_id_seq', 4)"))
            before = [tuple(r) for r in connection.execute(text(fixes))]
        command.upgrade(cfg, "head")
        command.check(cfg)
        with engine.begin() as connection:
            assert [tuple(r) for r in connection.execute(text(fixes))] == before
            homes = dict(
                connection.execute(
                    text("SELECT id, tableoid::regclass::text FROM officer_location")
                ).all()
            )
            next_id = connection.execute(
                text(
                    "INSERT INTO officer_location (user_id, lat, lon, recorded_at)"
                    " VALUES (1, 37.8, -122.27, now()) RETURNING id"
                )
            ).scalar_one()
        assert [homes[n] for n in (1, 2, 3)] == [
            f"officer_location_p{at:%Y%m%d}" for at in when[:3]
        ]
        assert homes[4] == "officer_location_default"
        assert next_id == 5

        command.downgrade(cfg, "0016")
        with engine.connect() as connection:
            assert [tuple(r) for r in connection.execute(text(fixes))][:4] == before
            assert (
                connection.execute(text("SELECT to_regclass('officer_location_default')")).scalar()
                is None
            )
        command.upgrade(cfg, "head")
        command.check(cfg)
    finally:
        engine.dispose()


def test_stats_facts_are_filled_from_the_stored_pushes_and_answers(database_url: str) -> None:
    """0018: an alert pushed and answered before the upgrade has its pushes sent and its first
    `responding` on its row and on its officer's recipient row."""
    with _database_at(database_url, "0001", ROWS_AT_0001) as (cfg, engine):
        command.upgrade(cfg, "0017")
        with engine.begin() as connection:
            for n, (status, at) in enumerate(
                [("seen", "2026-12-01 10:00:05"), ("on_scene", "2026-12-01 10:03:00"),
                 ("responding", "2026-12-01 10:01:00")], start=1,
            ):  # fmt: skip
                connection.execute(
                    text("INSERT INTO alert_response (id, alert_id, user_id, status, at)"
                         " VALUES (:n, 1, 1, :status, :at)"),
                    {"n": n, "status": status, "at": datetime.fromisoformat(at + "+00:00")},
                )  # fmt: skip
        command.upgrade(cfg, "head")
        with engine.connect() as connection:
            facts = [
                connection.execute(text(f"SELECT pushes, responding_at FROM {table}")).one()
                for table in ("alert", "alert_recipient")
            ]
        first = datetime(2026, 12, 1, 10, 1, tzinfo=UTC)
        for pushes, responding_at in facts:
            at = responding_at if isinstance(responding_at, datetime) else None
            if isinstance(responding_at, str):  # SQLite keeps UTC as text
                at = datetime.fromisoformat(responding_at).replace(tzinfo=UTC)
            assert (pushes, at.astimezone(UTC) if at else None) == (1, first)
