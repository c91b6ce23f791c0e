"""The `lookout` command: serve, worker, database, accounts, imports and the local FCM inbox.
One typer app (app/cli/common.py); each module adds its commands to it."""

from app.cli import admin, audit, exports, imports, retention, service  # noqa: F401  registers the commands
from app.cli.common import cli


def main() -> None:
    cli()
