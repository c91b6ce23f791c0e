"""`lookout retention ...`: the policy in force, and one enforcement run by hand."""

from typing import Annotated

import typer

from app.cli.common import cli, safe_url, settings_or_exit
from app.clock import system_clock
from app.db import make_engine
from app.retention.policy import describe
from app.retention.report import counts_in_order

retention_cli = typer.Typer(help="Retention by law and evidence holds.", no_args_is_help=True)
cli.add_typer(retention_cli, name="retention")


@retention_cli.command("run")
def run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would go; remove nothing")
    ] = False,
) -> None:
    """Enforce the retention policy once (LOOKOUT_RETENTION_POLICY and its overrides) and
    print what was removed per table (or, with --dry-run, what would be). Audited."""
    from app.runtime import make_enforcer

    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        enforcer = make_enforcer(settings, engine)
        report = enforcer.run(system_clock(), dry_run=dry_run, by="cli")
    finally:
        engine.dispose()
    policy = report.policy
    typer.echo(f"policy {policy.name}: {policy.law} ({safe_url(settings.database_url)})")
    for clock, seconds in describe(policy).items():
        kept = "forever" if seconds is None else f"{seconds / 86_400:g} days"
        typer.echo(f"  {clock:<13} kept {kept}")
    if report.skipped:
        typer.echo(f"nothing done: {report.skipped}")
        return
    verb = "would remove" if dry_run else "removed"
    for table, count in counts_in_order(report):
        typer.echo(f"{table:<22} {verb} {count}")
    typer.echo(f"total {verb} {report.total}")
    dropped = "would drop" if dry_run else "dropped"
    reads = [p for p in report.partitions if p.startswith("plate_read_")]
    breadcrumbs = [p for p in report.partitions if p.startswith("officer_location_")]
    if reads:
        typer.echo(
            f"day partitions {dropped}: {', '.join(reads)}"
            f" ({report.kept_from_partitions} reads kept, moved to the default partition)"
        )
    if breadcrumbs:
        typer.echo(f"breadcrumb day partitions {dropped}: {', '.join(breadcrumbs)}")


@retention_cli.command("policies")
def policies() -> None:
    """The templates LOOKOUT_RETENTION_POLICY may name, with their clocks in days."""
    from app.retention.policy import TEMPLATES, effective

    for name, template in TEMPLATES.items():
        periods = describe(effective(template))
        shown = ", ".join(
            f"{k} {'forever' if v is None else f'{v / 86_400:g}d'}" for k, v in periods.items()
        )
        typer.echo(f"{name}: {shown} -- {template.law}")
