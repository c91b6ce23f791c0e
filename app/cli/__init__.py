"""The `lookout` command: serve, worker, database, accounts, imports, the local FCM inbox and
the simulator.
One typer app (app/cli/common.py); each module adds its commands to it."""

from app.cli import admin, audit, exports, imports, retention, service, simulate  # noqa: F401  registers the commands
from app.cli.common import cli


def main() -> None:
    cli()
