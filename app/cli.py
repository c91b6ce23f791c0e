"""The `lookout` command: serve, worker, database, accounts and the local FCM inbox."""

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from app import logs, migrate
from app.auth import accounts
from app.clock import system_clock
from app.db import make_engine, transaction
from app.models import Role
from app.settings import Settings

cli = typer.Typer(
    help="Lookout: plate reads and bulletins become pushes on officers' phones.",
    no_args_is_help=True,
)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
admin_cli = typer.Typer(help="Cameras and people.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(admin_cli, name="admin")


def _settings(**changes: object) -> Settings:
    try:
        settings = Settings()
        return settings.changed(**changes) if changes else settings
    except ValidationError as error:
        problems = [f"{e['loc'][-1]}: {e['msg']}" if e["loc"] else e["msg"] for e in error.errors()]
        _fail("configuration: " + "; ".join(problems))
        raise  # unreachable: _fail exits


def _fail(message: str) -> None:
    typer.echo(f"lookout: {message}", err=True)
    raise typer.Exit(1)


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    worker: Annotated[bool, typer.Option(help="Run the push worker in this process")] = True,
) -> None:
    """Run the API (and, unless --no-worker, the push worker)."""
    from app.main import INBOX_PATH, create_app

    logs.configure()
    settings = _settings()
    changes: dict[str, object] = {"embedded_worker": worker and settings.worker.embedded}
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base = f"http://{local}:{port}"
    push = settings.push
    if settings.serves_inbox and push.fcm_credentials is None and push.fcm_url is None:
        changes["fcm_url"] = base + INBOX_PATH
    settings = settings.changed(**changes)
    typer.echo(f"Lookout API      {base}  (docs: {base}/docs)")
    typer.echo(f"Database         {_safe_url(settings.database_url)}")
    if settings.push.sender == "log":
        typer.echo("Pushes           written to the log only (LOOKOUT_PUSH_SENDER=log)")
    elif settings.push.fcm_credentials is None and settings.push.fcm_url is None:
        typer.echo("Pushes           written to the log only (no LOOKOUT_FCM_CREDENTIALS)")
    elif settings.push.fcm_credentials is None:
        where = "local FCM inbox" if settings.serves_inbox else settings.push.fcm_url
        typer.echo(f"Pushes           firebase-admin -> {where} (no real phones)")
    else:
        where = settings.push.fcm_url or "Google FCM"
        typer.echo(f"Pushes           firebase-admin -> {where} ({settings.push.fcm_credentials})")
    if settings.serves_inbox:
        typer.echo(f"Push inbox       {base}{INBOX_PATH}/  (what phones would receive)")
        if host not in ("127.0.0.1", "localhost", "::1"):
            typer.echo(
                f"WARNING: the push inbox shows every push, plates included, to anyone who can "
                f"reach {host}:{port}; set LOOKOUT_FCM_INBOX=false off a development machine",
                err=True,
            )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        access_log=False,  # it would print raw query strings, plates included
        log_config=None,
    )


@cli.command()
def worker() -> None:
    """Run a push worker on its own (scale out: run several against one PostgreSQL)."""
    from app.delivery.outbox import DELIVERY_CHANNEL
    from app.delivery.worker import Worker
    from app.main import make_sender
    from app.pg_listen import Listener
    from app.runtime import worker_config

    logs.configure()
    settings = _settings()
    engine = make_engine(settings.database_url)
    sender = make_sender(settings)
    config = worker_config(settings)
    typer.echo(
        f"Push worker {config.worker_id}: {_safe_url(settings.database_url)} -> {sender.describe()}"
    )
    running = Worker(engine, sender, config=config, clock=system_clock).start()
    # Woken at once by whichever process queues a push (PostgreSQL); else it polls.
    listener = None
    if engine.dialect.name == "postgresql":
        listener = Listener(settings.database_url, {DELIVERY_CHANNEL: running.wake}).start()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    if listener is not None:
        listener.stop()
    running.stop()
    close = getattr(sender, "close", None)
    if close:
        close()
    engine.dispose()


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    settings = _settings()
    migrate.upgrade(settings.database_url, revision)
    typer.echo(f"database {_safe_url(settings.database_url)} is at {revision}")


@db_cli.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        typer.echo(migrate.current_revision(engine) or "empty (run `lookout db upgrade`)")
    finally:
        engine.dispose()


@admin_cli.command("create-camera")
def create_camera(
    name: str,
    lat: Annotated[float | None, typer.Option(min=-90, max=90)] = None,
    lon: Annotated[float | None, typer.Option(min=-180, max=180)] = None,
    heading: Annotated[float | None, typer.Option(min=0, max=360)] = None,
    may_create_cameras: Annotated[
        bool,
        typer.Option(
            help="A site's key (an LPR agent, an NVR, a webhook): cameras it names are "
            "created unplaced on first sight"
        ),
    ] = False,
) -> None:
    """Register a camera; prints its API key alone on the last line."""
    if (lat is None) != (lon is None):
        _fail("give --lat and --lon together")
    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            camera, key = accounts.create_camera(
                session, name=name, lat=lat, lon=lon, heading_deg=heading,
                pepper=settings.token_secret.get_secret_value(), actor=None, now=system_clock(),
                may_create_cameras=may_create_cameras,
            )  # fmt: skip
            typer.echo(f"camera {camera.id} {name!r} created; its API key (shown once):")
    finally:
        engine.dispose()
    typer.echo(key)


@admin_cli.command("create-user")
def create_user(
    name: str,
    role: Annotated[Role, typer.Option(help="admin, dispatcher, officer, supervisor or auditor")],
    badge: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a person; prints their bearer token alone on the last line."""
    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            user, token = accounts.create_user(
                session, name=name, role=role, badge=badge,
                pepper=settings.token_secret.get_secret_value(), actor=None, now=system_clock(),
            )  # fmt: skip
            typer.echo(f"{role.value} {user.id} {name!r} created; their token (shown once):")
    finally:
        engine.dispose()
    typer.echo(token)


@cli.command("import-beats")
def import_beats(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    code_property: Annotated[
        str | None, typer.Option(help="Property holding the beat code")
    ] = None,
    district_property: Annotated[
        str | None, typer.Option(help="Property naming the district")
    ] = None,
) -> None:
    """Replace the agency's beats with those of a GeoJSON file (restart the service after)."""
    from app.officers import beats
    from geo.errors import GeoError

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            imported = beats.import_file(
                session, path, now=system_clock(), code_property=code_property,
                district_property=district_property,
            )  # fmt: skip
    except (GeoError, ValueError) as error:
        _fail(f"{path}: {error}")
    finally:
        engine.dispose()
    typer.echo(f"{len(imported)} beats imported from {path} ({imported.skipped} features skipped)")


@cli.command("mqtt-intake")
def mqtt_intake(
    url: Annotated[
        str, typer.Option(help="mqtt://HOST:PORT, mqtt://USER:PASSWORD@HOST:PORT or mqtts://...")
    ],
    key: Annotated[str, typer.Option(help="The camera key of the site (the Frigate NVR)")],
    topic: Annotated[
        list[str],
        typer.Option(help="Repeat for each: frigate/events, frigate/tracked_object_update"),
    ],
    client_id: Annotated[
        str, typer.Option(help="Fixed, so the broker keeps our session across restarts")
    ] = "lookout-mqtt-intake",
) -> None:
    """Store the plates Frigate recognises, from its MQTT topics, as reads (with matching and
    alerts). Pushes go out through `lookout serve` or `lookout worker`."""
    from alerts.logsender import LogSender
    from app.intake.mqtt import MqttIntake, parse_url
    from app.reads.cameras import UnknownKey
    from app.runtime import Runtime

    logs.configure()
    try:
        broker = parse_url(url)
    except ValueError as error:
        _fail(str(error))
    settings = _settings(embedded_worker=False)
    runtime = Runtime.build(settings, clock=system_clock, sender=LogSender())
    with runtime.running():
        try:
            camera = runtime.camera_keys.camera(key)
        except UnknownKey as error:
            _fail(str(error))
        client = MqttIntake(
            broker=broker, topics=topic, intake=runtime.intake, key=camera,
            clock=system_clock, client_id=client_id,
        )  # fmt: skip
        typer.echo(f"MQTT intake      {broker.host}:{broker.port} {', '.join(topic)}")
        typer.echo(f"Database         {_safe_url(settings.database_url)}")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        client.start()
        try:
            stop.wait()
        finally:
            client.stop()


def _interval_s(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        value, unit = float(text[:-1]), units[text[-1]]
    except (KeyError, ValueError, IndexError):
        raise typer.BadParameter(f"{text!r}: use a number and s, m, h or d, e.g. 12h") from None
    if value <= 0:
        raise typer.BadParameter(f"{text!r}: must be positive")
    return value * unit


@cli.command("import-hotlist")
def import_hotlist(
    path: Annotated[Path, typer.Argument(dir_okay=False, help="The list file (re-read each time)")],
    name: Annotated[str, typer.Option("--list", help="Hot list name; created if missing")],
    layout: Annotated[str, typer.Option(help="csv, or a state/NCIC layout, e.g. ncic")] = "csv",
    kind: Annotated[str, typer.Option(help="Kind of a list created here")] = "stolen_vehicle",
    priority: Annotated[
        int, typer.Option(min=1, max=4, help="Priority of a list created here")
    ] = 2,
    replace: Annotated[bool, typer.Option(help="Make the list equal to the file (a diff)")] = True,
    every: Annotated[
        str | None, typer.Option(help="Refresh forever at this interval, e.g. 12h")
    ] = None,
    retro: Annotated[
        bool, typer.Option(help="Check the last day's reads against new entries")
    ] = True,
) -> None:
    """Import a hot-list file; with --every, keep refreshing it (adds and removes applied
    atomically each time). A missed refresh is logged and retried at the next interval."""
    import logging
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from alerts.logsender import LogSender
    from app.hotlists import files
    from app.hotlists import retro as retro_check
    from app.runtime import Runtime
    from lpr.errors import LprError

    logs.configure()
    settings = _settings()
    interval = _interval_s(every) if every else None
    if layout not in files.layouts():
        _fail(f"unknown layout {layout!r}; use one of: {', '.join(files.layouts())}")
    runtime = Runtime.build(settings, clock=system_clock, sender=LogSender(), worker=False)
    window = timedelta(seconds=settings.alerting.retro_window_s)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while True:
            now = system_clock()
            try:
                parsed = files.parse_file(path.read_bytes(), layout)
                with transaction(runtime.engine) as session:
                    hotlist = files.list_named(
                        session, name=name, kind=kind, priority=priority, now=now
                    )
                    report, ids = files.import_rows(
                        session, hotlist=hotlist, parsed=parsed, replace=replace, user=None,
                        now=now, tz=ZoneInfo(settings.agency_timezone),
                        source=f"{layout}:{path.name}",
                    )  # fmt: skip
                if retro and ids:  # the new entries are live everywhere before this search
                    with transaction(runtime.engine) as session:
                        report.retro_hits = retro_check.check(
                            session, hotlist=hotlist, entry_ids=ids, window=window,
                            config=runtime.alerting, officers=runtime.officers, now=now,
                        )  # fmt: skip
                typer.echo(
                    f"{path.name} -> {name!r}: {report.rows} rows, {report.added} added, "
                    f"{report.removed} removed, {report.unchanged} unchanged, "
                    f"{report.expired} expired, {len(report.problems)} problems, "
                    f"{report.retro_hits} historical hits"
                )
                for problem in report.problems[:20]:
                    typer.echo(f"  {problem.kind}: {problem.message}")
            except (OSError, LprError) as error:
                if interval is None:
                    _fail(f"{path}: {error}")
                logging.getLogger(__name__).error(
                    "hotlist.refresh_failed", extra={"detail": str(error)}
                )
            if interval is None or stop.wait(interval):
                return
    finally:
        runtime.stop()


@cli.command("fcm-inbox")
def fcm_inbox(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8001,
) -> None:
    """Run only the local FCM-compatible inbox (point LOOKOUT_FCM_URL at it)."""
    from app.devfcm.inbox import create_fcm_inbox

    logs.configure()
    typer.echo(
        f"FCM inbox        http://{host}:{port}/  (set LOOKOUT_FCM_URL=http://{host}:{port})"
    )
    uvicorn.run(create_fcm_inbox(), host=host, port=port, access_log=False, log_config=None)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
