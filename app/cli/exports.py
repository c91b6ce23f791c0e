"""`lookout export ...`: the signed audit export, the warehouse's Parquet files, and checking
a signature."""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import cli, fail, settings_or_exit
from app.clock import system_clock
from app.db import make_engine, transaction

export_cli = typer.Typer(help="Audit and warehouse exports.", no_args_is_help=True)
cli.add_typer(export_cli, name="export")

WHEN = "ISO 8601 with a time zone (2026-11-01T00:00:00-07:00, ...Z); a bare date is UTC midnight"


def _moment(raw: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        fail(f"{name} {raw!r} is not a time: {WHEN}")
        raise  # unreachable: fail exits
    if value.tzinfo is None:
        if len(raw) > 10:
            fail(f"{name} {raw!r} has no time zone: {WHEN}")
        value = value.replace(tzinfo=UTC)
    return value


def _range(since: str, until: str) -> tuple[datetime, datetime]:
    start, end = _moment(since, "--since"), _moment(until, "--until")
    if end <= start:
        fail("--until must be after --since")
    return start, end


@export_cli.command("audit")
def export_audit(
    since: Annotated[str, typer.Option(help="From (inclusive); " + WHEN)],
    until: Annotated[str, typer.Option(help="To (exclusive)")],
    out: Annotated[Path, typer.Option(help="The file to write; FILE.sig.json goes beside it")],
    format: Annotated[str, typer.Option(help="csv or json")] = "csv",
) -> None:
    """The audit log for a time range with the SB 34 fields, signed (audited)."""
    from app.exports import audit_log

    if format not in ("csv", "json"):
        fail(f"--format {format!r}: use csv or json")
    start, end = _range(since, until)
    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            signed = audit_log.export(
                session, since=start, until=end, fmt="csv" if format == "csv" else "json",
                organisation=settings.agency_name,
                secret=settings.token_secret.get_secret_value(), actor=None, now=system_clock(),
            )  # fmt: skip
    finally:
        engine.dispose()
    out.write_bytes(signed.body)
    manifest = signed.manifest(since=start, until=end, file=out.name)
    _signature_path(out).write_text(json.dumps(manifest, indent=1) + "\n")
    typer.echo(
        f"{signed.rows} audit rows -> {out}; chain head {signed.head.hash[:16]}... "
        f"({signed.head.rows} rows); signature in {_signature_path(out)}"
    )


@export_cli.command("warehouse")
def export_warehouse(
    since: Annotated[str, typer.Option(help="From (inclusive); " + WHEN)],
    until: Annotated[str, typer.Option(help="To (exclusive)")],
    out: Annotated[Path, typer.Option(help="A directory: one <table>.parquet each")],
    table: Annotated[
        list[str] | None, typer.Option(help="Only these tables (repeat); all by default")
    ] = None,
) -> None:
    """Reads, hits, alerts, deliveries, responses and outcomes for a time range as Parquet,
    with manifest.json (rows, SHA-256 and HMAC of each file). Audited."""
    from app import audit
    from app.exports import signing, warehouse

    chosen = table or list(warehouse.TABLES)
    unknown = [t for t in chosen if t not in warehouse.TABLES]
    if unknown:
        fail(f"no table {', '.join(unknown)}; tables: {', '.join(warehouse.TABLES)}")
    start, end = _range(since, until)
    settings = settings_or_exit()
    secret = settings.token_secret.get_secret_value()
    out.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    files: dict[str, dict[str, object]] = {}
    try:
        for name in chosen:
            path = out / f"{name}.parquet"
            rows = warehouse.write(engine, warehouse.TABLES[name], path, since=start, until=end)
            data = path.read_bytes()
            files[name] = {"file": path.name, "rows": rows,
                           "sha256": hashlib.sha256(data).hexdigest(),
                           "hmac_sha256": signing.sign(data, secret=secret)}  # fmt: skip
            typer.echo(f"{name:<11} {rows} rows -> {path}")
        with transaction(engine) as session:
            audit.record(
                session, actor=None, action="export.warehouse", now=system_clock(),
                object_type="warehouse",
                detail={"tables": {n: f["rows"] for n, f in files.items()}, "since": start,
                        "until": end, "schema_version": warehouse.SCHEMA_VERSION, "by": "cli"},
            )  # fmt: skip
    finally:
        engine.dispose()
    manifest = {"kind": "warehouse", "schema_version": warehouse.SCHEMA_VERSION,
                "since": start.isoformat(), "until": end.isoformat(), "tables": files}  # fmt: skip
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


@export_cli.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="An audit export (FILE.sig.json beside it)")],
) -> None:
    """Check an audit export's HMAC, and that the audit log still holds its chain head."""
    from sqlalchemy import select
    from sqlmodel import col

    from app.exports import signing
    from app.models import AuditLog

    settings = settings_or_exit()
    try:
        manifest = json.loads(_signature_path(file).read_text())
        data = file.read_bytes()
    except (OSError, ValueError) as error:
        fail(f"cannot read {file} and its signature: {error.__class__.__name__}")
        raise  # unreachable
    if not signing.is_signed_by(
        data, manifest.get("hmac_sha256", ""), secret=settings.token_secret.get_secret_value()
    ):
        fail(f"{file}: the HMAC does not match: changed, or signed with another secret")
    head = manifest["chain_head"]
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            stored = session.scalar(
                select(col(AuditLog.hash)).where(col(AuditLog.id) == head["id"])
            )
    finally:
        engine.dispose()
    if stored is None:
        typer.echo(f"{file}: signature valid; its chain head (row {head['id']}) is no longer kept")
    elif stored != head["hash"]:
        fail(f"{file}: signature valid, but audit row {head['id']} has changed since the export")
    else:
        typer.echo(f"{file}: signature valid; chain head row {head['id']} matches the audit log")


def _signature_path(path: Path) -> Path:
    return path.with_name(path.name + ".sig.json")
