from alembic import command
from alembic.script import ScriptDirectory

from app.migrate import alembic_config


def test_migrations_have_one_head_and_match_the_models(database_url: str) -> None:
    cfg = alembic_config(database_url)
    assert len(ScriptDirectory.from_config(cfg).get_heads()) == 1
    command.upgrade(cfg, "head")
    command.check(cfg)  # raises when autogenerate finds a difference


def test_migrations_go_down_and_up_again(database_url: str) -> None:
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "base")
    command.upgrade(cfg, "head")
    command.check(cfg)
