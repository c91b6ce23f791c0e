"""What every `lookout` command shares: its settings, a one-line failure, a safe URL."""

import typer
from pydantic import ValidationError
from sqlalchemy.engine import Engine, make_url

from app.audit import keys
from app.db import make_engine
from app.settings import Settings

cli = typer.Typer(
    help="Lookout: plate reads and bulletins become pushes on officers' phones.",
    no_args_is_help=True,
)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
admin_cli = typer.Typer(help="Cameras, people, keys and sessions.", no_args_is_help=True)
audit_cli = typer.Typer(help="The audit log.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(admin_cli, name="admin")
cli.add_typer(audit_cli, name="audit")


def engine_of(settings: Settings) -> Engine:
    """The database engine of a command, carrying the audit key its audit rows are sealed with."""
    return keys.bind(make_engine(settings.database_url), keys.for_settings(settings))


def settings_or_exit(**changes: object) -> Settings:
    try:
        settings = Settings()
        return settings.changed(**changes) if changes else settings
    except ValidationError as error:
        problems = [f"{e['loc'][-1]}: {e['msg']}" if e["loc"] else e["msg"] for e in error.errors()]
        fail("configuration: " + "; ".join(problems))
        raise  # unreachable: fail exits


def fail(message: str) -> None:
    typer.echo(f"lookout: {message}", err=True)
    raise typer.Exit(1)


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
