"""`lookout import-beats`, `lookout import-areas`, `lookout import-hotlist` and
`lookout mqtt-intake`: data coming in from files and brokers."""

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from app import logs
from app.cli.common import cli, fail, safe_url, settings_or_exit
from app.clock import system_clock
from app.db import make_engine, transaction


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

    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            imported = beats.import_file(
                session, path, now=system_clock(), code_property=code_property,
                district_property=district_property,
            )  # fmt: skip
    except (GeoError, ValueError) as error:
        fail(f"{path}: {error}")
    finally:
        engine.dispose()
    typer.echo(f"{len(imported)} beats imported from {path} ({imported.skipped} features skipped)")


@cli.command("import-areas")
def import_areas(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    code_property: Annotated[
        str | None, typer.Option(help="Property holding the area code (e.g. New_Dist)")
    ] = None,
) -> None:
    """Replace the agency's police areas with those of a GeoJSON file; the imported beats roll
    up to them (each to the area covering most of it)."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from app.models import Beat
    from app.officers import areas
    from geo.errors import GeoError

    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            imported = areas.import_file(
                session, path, now=system_clock(), code_property=code_property
            )
            rolled = session.scalar(select(func.count()).where(col(Beat.area).is_not(None)))
    except (GeoError, ValueError) as error:
        fail(f"{path}: {error}")
    finally:
        engine.dispose()
    typer.echo(f"{len(imported)} areas imported from {path}; {rolled} beats roll up to them")


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
        fail(str(error))
    settings = settings_or_exit(embedded_worker=False)
    runtime = Runtime.build(settings, clock=system_clock, sender=LogSender())
    with runtime.running():
        try:
            camera = runtime.camera_keys.camera(key)
        except UnknownKey as error:
            fail(str(error))
        client = MqttIntake(
            broker=broker, topics=topic, intake=runtime.intake, key=camera,
            clock=system_clock, client_id=client_id,
        )  # fmt: skip
        typer.echo(f"MQTT intake      {broker.host}:{broker.port} {', '.join(topic)}")
        typer.echo(f"Database         {safe_url(settings.database_url)}")
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
    settings = settings_or_exit()
    interval = _interval_s(every) if every else None
    if layout not in files.layouts():
        fail(f"unknown layout {layout!r}; use one of: {', '.join(files.layouts())}")
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
                        source=f"{layout}:{path.name}", alerting=runtime.alerting,
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
                    fail(f"{path}: {error}")
                logging.getLogger(__name__).error(
                    "hotlist.refresh_failed", extra={"detail": str(error)}
                )
            if interval is None or stop.wait(interval):
                return
    finally:
        runtime.stop()
