"""Every revision runs on a database that already holds the whole chain of a delivered alert,
on SQLite too, where altering a referenced table means rebuilding it."""

from alembic import command
from sqlalchemy import text

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


def test_all_revisions_migrate_a_populated_database_up_down_and_up(database_url: str) -> None:
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0001")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for statement in ROWS_AT_0001:
                connection.execute(text(statement))
        command.upgrade(cfg, "head")
        with engine.connect() as connection:
            alert = connection.execute(text("SELECT id, plate, sightings FROM alert")).one()
            delivery = connection.execute(text("SELECT status FROM delivery")).scalar_one()
        assert (tuple(alert), delivery) == ((1, "7ABC123", 1), "sent")
        command.downgrade(cfg, "0001")
        command.upgrade(cfg, "head")
        command.check(cfg)
    finally:
        engine.dispose()


def test_stored_vendor_ids_get_their_reads_plate(database_url: str) -> None:
    """0007: a retry of a read stored before the upgrade is still recognised."""
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0006")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for statement in ROWS_AT_0001[1:2] + ROWS_AT_0001[6:7]:  # a camera and its read
                connection.execute(text(statement))
            connection.execute(
                text("INSERT INTO read_source_key (camera_id, key, read_id) VALUES (1, 'g-1', 1)")
            )
        command.upgrade(cfg, "head")
        with engine.connect() as connection:
            keys = connection.execute(text("SELECT key, read_id FROM read_source_key")).all()
        assert [tuple(row) for row in keys] == [("g-1|7ABC123", 1)]
    finally:
        engine.dispose()
