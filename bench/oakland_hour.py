"""The alert budget of an Oakland-sized hour: starts Lookout with a temporary database, plays
the seeded hour against it (`lookout simulate`, app/simulation) through the HTTP API at 10x,
and prints what the officers' phones received.

    .venv/bin/python bench/oakland_hour.py                        # the hour, ~7 min, SQLite
    .venv/bin/python bench/oakland_hour.py --minutes 10            # a short run
    .venv/bin/python bench/oakland_hour.py --postgres              # on PostgreSQL
    .venv/bin/python bench/oakland_hour.py --out a.json --set ROUTING_MAX_OFFICERS=2
    .venv/bin/python bench/oakland_hour.py --compare a.json b.json # two runs side by side
    .venv/bin/python bench/oakland_hour.py --versus ROUTING_MAX_OFFICERS=2   # both in one run

The service is `python -m app.cli serve` from this checkout. Beats are imported as the README
says (`lookout import-beats`), cameras placed at intersections of the street file, both from
--data (default ../shared/data/oakland). At --speed S the service's time windows are divided
by S (and the bulletin search speed multiplied, up to its limit): see SCALED below; the run
prints the values it used and keeps them in the JSON. The baseline of a comparison is the
first run; the ratio column is second / first.
"""

import argparse
import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.settings import GROUPS, Settings  # noqa: E402
from app.simulation import budget, play, report  # noqa: E402
from app.simulation.scenario import Shape  # noqa: E402

# The service's time windows, scaled with the simulation: every duration (`*_s`) of these
# groups (routing: location freshness; alerting: merge window, push interval, retro windows;
# lifecycle: escalation and confirmation timers; policy: the quiet-update interval and the
# attention budget's hour; and any added there later), plus these.
SCALED_GROUPS = ("routing", "alerting", "lifecycle", "policy")
SCALED_ALSO = ("alert_ttl_s", "bulletin_retro_margin_s")
SPEEDS = ("bulletin_speed_mps",)  # multiplied, capped at the setting's own limit
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "oakland"
BEATS_FILE = "oakland-police-beats-2009.geojson"
STREETS_FILE = "oakland-main-streets-osm.geojson"


def scaled_settings(speed: float) -> dict[str, str]:
    """LOOKOUT_* variables for a service whose time runs `speed` times faster."""
    current = Settings()
    found: dict[str, str] = {}
    for group, model in GROUPS.items():
        values = getattr(current, group)
        for name, info in model.model_fields.items():
            flat = info.alias or name
            value = getattr(values, name)
            duration = flat.endswith("_s") and (group in SCALED_GROUPS or flat in SCALED_ALSO)
            if duration and isinstance(value, int | float) and not isinstance(value, bool):
                scaled = value / speed
                found[flat] = str(max(1, round(scaled)) if isinstance(value, int) else scaled)
                if value == 0:
                    found[flat] = "0"
            elif flat in SPEEDS:
                limit = next((m.le for m in info.metadata if getattr(m, "le", None)), None)
                faster = value * speed
                found[flat] = str(min(faster, limit) if limit is not None else faster)
    return {f"LOOKOUT_{k.upper()}": v for k, v in sorted(found.items())}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lookout(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"lookout {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip()


@contextmanager
def database(postgres: str | None, tmp: Path) -> Iterator[str]:
    if postgres is None:
        yield f"sqlite:///{tmp / 'lookout.db'}"
        return
    import psycopg

    name = f"lookout_sim_{secrets.token_hex(4)}"
    server = postgres.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def service(env: dict[str, str], tmp: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp / "service.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)], env=env, cwd=ROOT,
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the service did not start; see {tmp / 'service.log'}")
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def run_once(args: argparse.Namespace, changes: dict[str, str], label: str) -> dict[str, Any]:
    """Start a service with the scaled settings (and `changes`), play the hour, return figures."""
    data = Path(args.data)
    settings = scaled_settings(args.speed) | {f"LOOKOUT_{k.upper()}": v for k, v in changes.items()}
    with tempfile.TemporaryDirectory(prefix="oakland-hour-") as name:
        tmp = Path(name)
        with database(args.postgres, tmp) as url:
            env = dict(os.environ) | settings | {
                "LOOKOUT_DATABASE_URL": url, "LOOKOUT_DATA_DIR": str(tmp),
                "LOOKOUT_FCM_INBOX": "true", "PYTHONPATH": str(ROOT),
            }  # fmt: skip
            for variable in ("LOOKOUT_FCM_CREDENTIALS", "LOOKOUT_FCM_URL", "LOOKOUT_BEATS_FILE"):
                env.pop(variable, None)
            lookout(env, "db", "upgrade")
            if (data / BEATS_FILE).exists():
                lookout(env, "import-beats", str(data / BEATS_FILE))
            else:
                print(f"no {data / BEATS_FILE}: the service's demo beats are used")
            admin = lookout(env, "admin", "create-user", "Simulation admin", "--role", "admin")
            token = admin.splitlines()[-1].strip()
            streets = data / STREETS_FILE
            with service(env, tmp) as base:
                shown = ", ".join(f"{k.removeprefix('LOOKOUT_')}={v}" for k, v in settings.items())
                print(f"[{label}] service at {base} ({url.split(':')[0]}); settings: {shown}")
                shape = Shape(minutes=args.minutes, stolen_entries=args.stolen)
                options = play.Options(
                    base_url=base, admin_token=token, speed=args.speed, seed=args.seed,
                    shape=shape, streets_file=streets if streets.exists() else None,
                    concurrency=args.concurrency,
                    progress=lambda text: print(f"[{label}] {text}", flush=True),
                )  # fmt: skip
                played = asyncio.run(play.play(options))
    figures = budget.figures(played)
    figures["run"]["label"] = label
    figures["run"]["database"] = "postgresql" if args.postgres else "sqlite"
    figures["settings"] = settings
    return figures


def parse_changes(pairs: list[str]) -> dict[str, str]:
    changes = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--set/--versus take NAME=VALUE, got {pair!r}")
        changes[name.removeprefix("LOOKOUT_").lower()] = value
    return changes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--speed", type=float, default=10.0)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stolen", type=int, default=20_000, help="stolen plates (P2)")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="Oakland GeoJSON directory")
    parser.add_argument(
        "--postgres", nargs="?", const=os.environ.get(
            "LOOKOUT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ), default=None, help="run on a temporary PostgreSQL database on this server",
    )  # fmt: skip
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a service setting for this run (after scaling)")  # fmt: skip
    parser.add_argument("--versus", action="append", default=[], metavar="NAME=VALUE",
                        help="run twice: as given, then with these too; compare")  # fmt: skip
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, help="write the figures here (JSON)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"),
                        help="print two saved runs side by side and exit")  # fmt: skip
    args = parser.parse_args()
    if args.compare:
        first, second = (report.load(p) for p in args.compare)
        labels = tuple(f.get("run", {}).get("label") or p.stem for f, p in zip(
            (first, second), args.compare, strict=True))  # fmt: skip
        print(report.compare(first, second, (labels[0], labels[1])))
        return
    changes = parse_changes(args.set)
    first = run_once(args, changes, args.label or "today")
    if not args.versus:
        print(report.render(first, first["run"]["label"]))
        if args.out:
            report.save(first, args.out)
            print(f"figures written to {args.out}")
        return
    other = changes | parse_changes(args.versus)
    second = run_once(args, other, "with " + " ".join(args.versus))
    print(report.compare(first, second, (first["run"]["label"], second["run"]["label"])))
    if args.out:
        report.save(first, args.out.with_suffix(".a.json"))
        report.save(second, args.out.with_suffix(".b.json"))


if __name__ == "__main__":
    main()
