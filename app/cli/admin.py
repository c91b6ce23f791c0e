"""`lookout admin ...`: cameras and people, their keys, passwords and sessions, and squads."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated

import typer
from sqlalchemy import select
from sqlmodel import Session, col

from app import audit
from app.auth import accounts, passwords, tokens
from app.auth.sessions import live_sessions
from app.cli.common import admin_cli, engine_of, fail, settings_or_exit
from app.clock import system_clock
from app.db import transaction
from app.models import Role, User
from app.settings import Settings


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
        fail("give --lat and --lon together")
    settings = settings_or_exit()
    engine = engine_of(settings)
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
    username: Annotated[
        str | None, typer.Option(help="What they sign in with; NAME in lower case if not given")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="Read their password from stdin instead of making a one-time one")
    ] = False,
) -> None:
    """Create a person. Prints a one-time password (unless --password-stdin), and where the
    role signs in with a code the otpauth:// URI to enrol an authenticator app from, on the
    line before the last; the last line is a bootstrap bearer token alone, which expires
    (LOOKOUT_BOOTSTRAP_TOKEN_TTL_S)."""
    settings = settings_or_exit()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    pepper, now = settings.token_secret.get_secret_value(), system_clock()
    ttl = timedelta(seconds=settings.auth.bootstrap_token_ttl_s)
    with _database(settings) as session:
        try:
            user, token = accounts.create_user(
                session, name=name, username=username, role=role, badge=badge, pepper=pepper,
                actor=None, now=now, token_ttl=ttl,
            )  # fmt: skip
            one_time = accounts.set_password(
                session, user, password=password, min_length=settings.auth.password_min_length,
                actor=None, now=now,
            )  # fmt: skip
        except (accounts.AccountConflict, passwords.WeakPassword) as refused:
            fail(str(refused))
        uri = None
        if settings.auth.needs_second_factor(role.value):
            uri = accounts.enrol_totp(session, user, pepper=pepper, actor=None, now=now)
    typer.echo(f"{role.value} {user.id} {name!r} created; signs in as {user.username!r}")
    if one_time:
        typer.echo(f"one-time password (change it at the first sign-in): {one_time}")
    ttl_s = settings.auth.bootstrap_token_ttl_s
    lasts = f"{ttl_s / 3600:g} h" if ttl_s >= 3600 else f"{ttl_s} s"  # not "0.000833333 h"
    if uri:
        typer.echo("second factor: enrol an authenticator app from the URI below (shown once)")
    typer.echo(f"bootstrap token (shown once, expires in {lasts}) on the last line")
    if uri:
        typer.echo(uri)
    typer.echo(token)


@admin_cli.command("deactivate-user")
def deactivate_user(
    name: Annotated[str, typer.Argument(help="The user name they sign in with")],
    reason: Annotated[str, typer.Option(help="Why (audited)")] = "deactivated from the CLI",
) -> None:
    """Deactivate a person: their tokens are refused in every running process within a second."""
    settings = settings_or_exit()
    with _database(settings) as session:
        user = _user_named(session, name)
        now = system_clock()
        user.is_active, user.deactivated_at = False, now
        session.add(user)
        assert user.id is not None
        revoked = tokens.revoke_user(session, user_id=user.id, reason="deactivated", now=now)
        audit.record(
            session, actor=None, action="user.update", now=now, object_type="user",
            object_id=user.id, purpose=reason, detail={"is_active": False},
        )  # fmt: skip
    typer.echo(f"{user.username!r} deactivated; {revoked} tokens revoked")


@admin_cli.command("reset-password")
def reset_password(name: Annotated[str, typer.Argument(help="The user name")]) -> None:
    """A new one-time password for a person, printed alone on the last line; they change it at
    their next sign-in, and every session of theirs is signed out."""
    settings = settings_or_exit()
    with _database(settings) as session:
        user = _user_named(session, name)
        now = system_clock()
        one_time = accounts.set_password(
            session, user, password=None, min_length=settings.auth.password_min_length,
            actor=None, now=now,
        )  # fmt: skip
        assert user.id is not None
        tokens.revoke_user(session, user_id=user.id, reason="password reset", now=now)
    typer.echo(f"{user.username!r}: one-time password (shown once):")
    typer.echo(str(one_time))


@admin_cli.command("reset-second-factor")
def reset_second_factor(name: Annotated[str, typer.Argument(help="The user name")]) -> None:
    """A lost phone: a new authenticator enrolment URI, printed alone on the last line."""
    settings = settings_or_exit()
    with _database(settings) as session:
        user = _user_named(session, name)
        now = system_clock()
        uri = accounts.enrol_totp(
            session, user, pepper=settings.token_secret.get_secret_value(), actor=None, now=now
        )
        assert user.id is not None
        tokens.revoke_user(session, user_id=user.id, reason="second factor reset", now=now)
    typer.echo(f"{user.username!r}: enrol an authenticator app from (shown once):")
    typer.echo(uri)


@admin_cli.command("set-role")
def set_role(
    name: Annotated[str, typer.Argument(help="The user name")],
    role: Annotated[Role, typer.Argument(help="The new role")],
) -> None:
    """Change a person's role; their sessions are signed out so the new role holds at once."""
    settings = settings_or_exit()
    with _database(settings) as session:
        user = _user_named(session, name)
        now, before = system_clock(), user.role
        user.role = role.value
        session.add(user)
        assert user.id is not None
        tokens.revoke_user(session, user_id=user.id, reason="role changed", now=now)
        audit.record(
            session, actor=None, action="user.update", now=now, object_type="user",
            object_id=user.id, detail={"role": [before, role.value]},
        )  # fmt: skip
    typer.echo(f"{user.username!r} is now {role.value}")


@admin_cli.command("rotate-camera-key")
def rotate_camera_key(camera_id: Annotated[int, typer.Argument(help="The camera's id")]) -> None:
    """A new API key for a camera (or a site); the old one is refused in every process within
    a second. Prints the new key alone on the last line."""
    settings = settings_or_exit()
    with _database(settings) as session:
        try:
            key = accounts.rotate_camera_key(
                session, camera_id=camera_id, pepper=settings.token_secret.get_secret_value(),
                actor=None, now=system_clock(),
            )  # fmt: skip
        except LookupError as missing:
            fail(str(missing))
    typer.echo(f"camera {camera_id}: its new API key (shown once):")
    typer.echo(key)


@admin_cli.command("rotate-token")
def rotate_token(name: Annotated[str, typer.Argument(help="The user name")]) -> None:
    """A new bearer token for a person or a gateway account, printed alone on the last line;
    every other token of theirs is refused in every process within a second. A gateway's lasts
    LOOKOUT_GATEWAY_TOKEN_TTL_S, anyone else's LOOKOUT_BOOTSTRAP_TOKEN_TTL_S."""
    settings = settings_or_exit()
    group = settings.auth
    with _database(settings) as session:
        user = _user_named(session, name)
        seconds = (
            group.gateway_token_ttl_s if user.role == Role.GATEWAY else group.bootstrap_token_ttl_s
        )
        token = accounts.rotate_user_token(
            session, user, ttl=timedelta(seconds=seconds),
            pepper=settings.token_secret.get_secret_value(), actor=None, now=system_clock(),
        )  # fmt: skip
    typer.echo(f"{user.username!r}: a new token (shown once; the others are revoked):")
    typer.echo(token)


@admin_cli.command("sessions")
def sessions(name: Annotated[str, typer.Argument(help="The user name")]) -> None:
    """Where a person is signed in: a line a live session (its id, kind, start, expiry and
    client), as GET /v1/users/{id}/sessions."""
    settings = settings_or_exit()
    with _database(settings) as session:
        user = _user_named(session, name)
        assert user.id is not None
        found = live_sessions(session, user_id=user.id, now=system_clock())
    for live in found:
        typer.echo(
            f"{live.session}  {live.kind}  started {live.started_at:%Y-%m-%d %H:%M}  "
            f"expires {live.expires_at:%Y-%m-%d %H:%M}  {live.client or '-'}"
        )
    if not found:
        typer.echo(f"{user.username!r} has no live session")


@admin_cli.command("revoke-sessions")
def revoke_sessions(
    name: Annotated[str, typer.Argument(help="The user name")],
    only: Annotated[
        str | None, typer.Option(help="One session's id (from `lookout admin sessions`)")
    ] = None,
) -> None:
    """Sign a person out everywhere, or of one session; refused in every process within a
    second (audited)."""
    settings = settings_or_exit()
    with _database(settings) as session:
        user = _user_named(session, name)
        assert user.id is not None
        now = system_clock()
        if only is None:
            revoked = tokens.revoke_user(session, user_id=user.id, reason="revoked", now=now)
        elif only not in {s.session for s in live_sessions(session, user_id=user.id, now=now)}:
            fail(f"{user.username!r} has no live session {only}")
        else:
            revoked = tokens.revoke_session(session, session_id=only, reason="revoked", now=now)
        audit.record(
            session, actor=None, action="auth.sessions.revoke", now=now, object_type="user",
            object_id=user.id, detail={"session": only, "tokens": revoked},
        )  # fmt: skip
    typer.echo(f"{user.username!r}: {revoked} tokens revoked")


@admin_cli.command("create-squad")
def create_squad(
    name: str,
    sergeant: Annotated[str, typer.Option(help="The sergeant's user name (a supervisor)")],
    area: Annotated[str | None, typer.Option(help="The police area it works")] = None,
) -> None:
    """A squad under a sergeant; prints its id alone on the last line."""
    from app.errors import AppError
    from app.officers import squads

    settings = settings_or_exit()
    with _database(settings) as session:
        sergeant_id = _user_named(session, sergeant).id
        assert sergeant_id is not None
        try:
            squad = squads.create(session, name=name, sergeant_id=sergeant_id, area=area,
                                  actor=None, now=system_clock())  # fmt: skip
        except AppError as refused:
            fail(refused.detail)
    typer.echo(f"squad {name!r} created under {sergeant!r}; its id:")
    typer.echo(str(squad.id))


@admin_cli.command("assign-squad")
def assign_squad(
    name: Annotated[str, typer.Argument(help="The officer's user name")],
    squad_id: Annotated[int | None, typer.Argument(help="The squad's id; none: out of any")] = None,
) -> None:
    """Put an officer in a squad (out of the one they were in), or in none."""
    from app.errors import AppError
    from app.officers import squads

    settings = settings_or_exit()
    with _database(settings) as session:
        officer_id = _user_named(session, name).id
        assert officer_id is not None
        try:
            squads.assign(session, officer_id=officer_id, squad_id=squad_id, actor=None,
                          now=system_clock())  # fmt: skip
        except AppError as refused:
            fail(refused.detail)
    typer.echo(f"{name!r} is now in " + (f"squad {squad_id}" if squad_id else "no squad"))


@contextmanager
def _database(settings: Settings) -> Iterator[Session]:
    engine = engine_of(settings)
    try:
        with transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


def _user_named(session: Session, name: str) -> User:
    user = session.scalars(select(User).where(col(User.username) == name.strip().lower())).first()
    if user is None:
        fail(f"no user named {name!r} (use the user name they sign in with)")
    assert user is not None
    return user
