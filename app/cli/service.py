"""`lookout serve`, `lookout worker`, `lookout db ...` and the development FCM inbox."""

import os
import signal
import threading
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.engine import make_url

from app import logs, migrate
from app.cli.common import cli, db_cli, engine_of, fail, safe_url, settings_or_exit
from app.clock import system_clock
from app.db import make_engine
from app.settings import ENV_PREFIX


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    worker: Annotated[bool, typer.Option(help="Run the push worker in this process")] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="API processes sharing the port (each with its own push worker unless"
            " --no-worker); more than one needs PostgreSQL",
        ),
    ] = 1,
) -> None:
    """Run the API (and, unless --no-worker, the push worker)."""
    from app.main import INBOX_PATH, create_app

    logs.configure()
    settings = settings_or_exit()
    require_schema(settings.database_url)
    if workers > 1 and make_url(settings.database_url).get_backend_name() != "postgresql":
        fail("--workers above 1 needs PostgreSQL (LOOKOUT_DATABASE_URL=postgresql+psycopg://…)")
    if workers > 1 and settings.serves_inbox and settings.push.fcm_url is None:
        # The inbox keeps what it received in its process: each would show a random share.
        fail(
            "--workers above 1 cannot share the built-in push inbox: run `lookout fcm-inbox` and"
            " set LOOKOUT_FCM_URL to it, or set LOOKOUT_FCM_INBOX=false"
        )
    changes: dict[str, object] = {"embedded_worker": worker and settings.worker.embedded}
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base = f"http://{local}:{port}"
    push = settings.push
    if settings.serves_inbox and push.fcm_credentials is None and push.fcm_url is None:
        changes["fcm_url"] = base + INBOX_PATH
    settings = settings.changed(**changes)
    typer.echo(f"Lookout API      {base}  (docs: {base}/docs)")
    typer.echo(f"Pages            {base}/signin  (officers /m/, dispatch /console, /command)")
    typer.echo(f"Database         {safe_url(settings.database_url)}")
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
    if workers > 1:
        # Each process builds its own app from the environment: hand it what was decided here.
        os.environ[ENV_PREFIX + "EMBEDDED_WORKER"] = (
            "true" if changes["embedded_worker"] else "false"
        )
        if "fcm_url" in changes:
            os.environ[ENV_PREFIX + "FCM_URL"] = str(changes["fcm_url"])
        typer.echo(f"Processes        {workers}")
        uvicorn.run(
            "app.main:create_app_from_environment",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            access_log=False,
            log_config=None,
        )
        return
    uvicorn.run(
        create_app(settings, freeze_heap=True),
        host=host,
        port=port,
        access_log=False,  # it would print raw query strings, plates included
        log_config=None,
        # Live pages hold event streams open; on shutdown they get this long, then the
        # browsers reconnect to the next process.
        timeout_graceful_shutdown=5,
    )


def require_schema(database_url: str) -> None:
    """Exit with what to do when the database is not migrated to this version's head."""
    engine = make_engine(database_url)
    try:
        problem = migrate.schema_problem(engine, database_url)
    except Exception as error:  # unreachable or refusing: say so in one line, not a traceback
        fail(f"the database {safe_url(database_url)} does not answer ({type(error).__name__})")
        raise  # unreachable: fail exits
    finally:
        engine.dispose()
    if problem is not None:
        fail(f"{problem} (database {safe_url(database_url)})")


@cli.command()
def worker() -> None:
    """Run a push worker on its own (scale out: run several against one PostgreSQL). It runs
    the alerts' timers (confirmation expiry, escalation) and retention too."""
    from datetime import timedelta

    from app.audit import checkpoints, keys
    from app.audit.checkpoints import Checkpointer
    from app.delivery.outbox import DELIVERY_CHANNEL
    from app.delivery.worker import Worker
    from app.heap import freeze_startup_heap
    from app.housekeeping import Housekeeper
    from app.lifecycle.timers import TimerRunner
    from app.main import make_sender
    from app.officers.tracker import OfficerTracker
    from app.pg_listen import Listener
    from app.runtime import alert_settings, make_enforcer, worker_config

    logs.configure()
    settings = settings_or_exit()
    require_schema(settings.database_url)
    engine = engine_of(settings)
    sender = make_sender(settings)
    config = worker_config(settings)
    typer.echo(
        f"Push worker {config.worker_id}: {safe_url(settings.database_url)} -> {sender.describe()}"
    )
    officers = OfficerTracker(fresh_for=timedelta(seconds=settings.routing.location_fresh_s))
    timers = TimerRunner(engine, alerting=alert_settings(settings), officers=officers)
    running = Worker(engine, sender, config=config, clock=system_clock, timers=timers).start()
    housekeeper = Housekeeper(
        make_enforcer(settings, engine), clock=system_clock, every_s=settings.housekeeping_every_s
    ).start()
    checkpointer = Checkpointer(
        engine,
        key=keys.for_settings(settings),
        path=checkpoints.file_of(settings),
        clock=system_clock,
        every_s=settings.audit.checkpoint_every_s,
    ).start()
    # Woken at once by whichever process queues a push (PostgreSQL); else it polls.
    listener = None
    if engine.dialect.name == "postgresql":
        listener = Listener(settings.database_url, {DELIVERY_CHANNEL: running.wake}).start()
    freeze_startup_heap()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    if listener is not None:
        listener.stop()
    housekeeper.stop()
    running.stop()
    checkpointer.stop()
    close = getattr(sender, "close", None)
    if close:
        close()
    engine.dispose()


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    settings = settings_or_exit()
    migrate.upgrade(settings.database_url, revision)
    typer.echo(f"database {safe_url(settings.database_url)} is at {revision}")


@db_cli.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    settings = settings_or_exit()
    engine = engine_of(settings)
    try:
        typer.echo(migrate.current_revision(engine) or "empty (run `lookout db upgrade`)")
    finally:
        engine.dispose()


@cli.command("fcm-inbox")
def fcm_inbox(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8001,
) -> None:
    """Run only the local FCM-compatible inbox (point LOOKOUT_FCM_URL at it)."""
    from app.devfcm.inbox import create_fcm_inbox
    from app.heap import freeze_startup_heap

    logs.configure()
    typer.echo(
        f"FCM inbox        http://{host}:{port}/  (set LOOKOUT_FCM_URL=http://{host}:{port})"
    )
    inbox = create_fcm_inbox()
    freeze_startup_heap()
    uvicorn.run(inbox, host=host, port=port, access_log=False, log_config=None)
