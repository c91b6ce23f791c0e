"""`lookout audit verify`: the audit log checked against its key and its checkpoints."""

from pathlib import Path
from typing import Annotated

import typer

from app import audit
from app.audit import checkpoints, keys
from app.cli.common import audit_cli, engine_of, safe_url, settings_or_exit
from app.db import transaction


@audit_cli.command("verify")
def verify(
    checkpoint_file: Annotated[
        Path | None,
        typer.Option(help="Checkpoints to check against (default: LOOKOUT_AUDIT_CHECKPOINT_FILE)"),
    ] = None,
) -> None:
    """Check every audit row's seal against LOOKOUT_AUDIT_SECRET, the chain's links, and each
    checkpoint's row. Prints what is wrong, row by row; exits 1 if anything is."""
    settings = settings_or_exit()
    key = keys.for_settings(settings)
    path = checkpoint_file or checkpoints.file_of(settings)
    engine = engine_of(settings)
    try:
        with transaction(engine) as session:
            report = audit.verify(session, key=key, checkpoint_file=path)
    finally:
        engine.dispose()
    typer.echo(f"audit log        {safe_url(settings.database_url)}")
    typer.echo(
        f"rows             {report.rows} ({report.keyed_rows} sealed with key {key.key_id}, "
        f"{report.legacy_rows} from before the key)"
    )
    where = path if path.exists() else f"{path} (none yet)"
    typer.echo(f"checkpoints      {report.checkpoints} in {where}")
    if report.intact:
        typer.echo("intact: every row fits its seal and its place, every checkpoint its row")
        return
    for problem in report.problems:
        typer.echo(f"TAMPERED: {problem}", err=True)
    raise typer.Exit(1)
