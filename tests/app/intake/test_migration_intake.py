"""Revision 0003 (vendor intake) runs on a database that already holds cameras and reads."""

from alembic import command
from sqlalchemy import text

from app.db import make_engine
from app.migrate import alembic_config


def test_vendor_intake_migrates_a_populated_database_up_and_down(database_url: str) -> None:
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0002")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO camera (name, key_hash, key_hint, is_active, created_at)"
                    " VALUES ('gate', 'h', 'lkc_', true, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO plate_read (camera_id, plate, plate_key, read_at, received_at)"
                    " SELECT id, '7ABC123', '7ABC123', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
                    " FROM camera"
                )
            )
        command.upgrade(cfg, "head")
        with engine.connect() as connection:
            camera = connection.execute(text("SELECT may_create_cameras FROM camera")).one()
            read = connection.execute(text("SELECT plate, details FROM plate_read")).one()
        assert (bool(camera[0]), tuple(read)) == (False, ("7ABC123", None))
        command.downgrade(cfg, "0002")
        command.upgrade(cfg, "head")
        command.check(cfg)
    finally:
        engine.dispose()
