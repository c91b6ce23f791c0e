"""A region on one box: the Oakland-hour simulator at 1x, 10x and 100x against the production
shape on a fresh PostgreSQL database, and the tails a camera and an officer would see.

    .venv/bin/python bench/region.py                     # 1x, 10x, 100x: ~7 min
    .venv/bin/python bench/region.py --speeds 10 100 --minutes 6
    .venv/bin/python bench/region.py --out region.json   # keep the figures
    .venv/bin/python bench/region.py --speeds 100 --api-workers 2   # two API processes

Each speed gets its own temporary database and its own processes, as a deployment has them:
`lookout serve --no-worker` (the API and the ingest writer), `lookout worker` (pushes, timers,
housekeeping) and `lookout fcm-inbox` (the FCM server the pushes go to through firebase-admin,
standing in for Google's), all from this checkout; the simulator (app/simulation, a client of
the public API only) plays `--minutes` of the seeded hour at that speed, with the service's
time windows scaled as bench/oakland_hour.py does. 42,000 reads an hour is Oakland (12 reads a
second); at 100x, 1,170 reads a second is a Bay-Area region's peak, with 60 officers' fixes
every 0.15 s and the hits, bulletins and answers of the hour.

Printed per speed: camera `POST /v1/reads` p50/p95/p99/max (ms, as the camera saw it, retries
included); read -> push p50/p95/p99/max (ms: from just before the camera's POST left to the FCM
server's receipt of each push a hit read caused, first pushes and repeat sightings alike;
escalations, confirmations and answers are not a read's pushes); reads a second achieved
against offered; how far behind schedule reads went out (the client or the service could not
keep up); the one-minute load average when the speed ended, because the machine may be shared;
the CPU milliseconds each process spent per read while the hour played (what a shared machine
skews least), and from them how many reads a second the service would take on this machine's
cores. At 1x the officers do not answer (an answer comes up to two minutes after its push).
The first speed is the baseline: every other row is also printed as a ratio to it. Targets
from issue 15: POST p99 < 50 ms and read -> push p99 < 250 ms at 100x.
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from oakland_hour import (  # noqa: E402
    BEATS_FILE,
    DEFAULT_DATA,
    STREETS_FILE,
    database,
    free_port,
    lookout,
    scaled_settings,
)

from app.heap import freeze_startup_heap  # noqa: E402
from app.simulation import play  # noqa: E402
from app.simulation.play import Played  # noqa: E402
from app.simulation.scenario import Shape  # noqa: E402

PG_SERVER = os.environ.get(
    "LOOKOUT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
NOT_A_READS_PUSH = frozenset({"escalation", "confirmation", "response", "close"})
TARGET_POST_P99_MS = 50.0
QUIET = "background"  # the simulator's tag of a read of a car on no list and no bulletin
TARGET_PUSH_P99_MS = 250.0


def quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _stat(pid: int | str) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process and its children (`serve --workers N`) have used
    (Linux /proc), 0 if it is gone."""
    children = [p for p in os.listdir("/proc") if p.isdigit() and _stat(p)[1:2] == [str(pid)]]
    total = 0
    for fields in (_stat(pid), *(_stat(child) for child in children)):
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used while the hour plays, by each of the service's processes, by the
    PostgreSQL backends serving its database, and by this process (the simulator)."""

    def __init__(self, pids: dict[str, int], dsn: str) -> None:
        self.pids, self.dsn = pids, dsn.replace("postgresql+psycopg://", "postgresql://")
        self.start: dict[str, float] = {}
        self.used: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        import psycopg

        found = {name: cpu_s(pid) for name, pid in self.pids.items()}
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            backends = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            ).fetchall()
        for (pid,) in backends:
            found[f"pg:{pid}"] = cpu_s(pid)
        usage = os.times()
        found["simulator"] = usage.user + usage.system
        return found

    def begin(self) -> None:
        self.start = self._now()

    def end(self) -> None:
        now = self._now()
        used = {k: v - self.start.get(k, 0.0) for k, v in now.items()}
        self.used = {k: v for k, v in used.items() if not k.startswith("pg:")}
        self.used["postgres"] = sum(v for k, v in used.items() if k.startswith("pg:"))


@contextmanager
def process(env: dict[str, str], tmp: Path, name: str, *args: str) -> Iterator[int]:
    launcher = env.get("LOOKOUT_BENCH_LAUNCHER")  # e.g. a sampling profiler that runs app.cli
    command = [sys.executable, launcher] if launcher else [sys.executable, "-m", "app.cli"]
    log = (tmp / f"{name}.log").open("w")
    child = subprocess.Popen(
        [*command, *args], env=env | {"SAMPLER_OUT": str(tmp / f"{name}.samples")}, cwd=ROOT,
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield child.pid
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
        log.close()
        if child.returncode not in (0, -15):
            print(f"  {name} exited with {child.returncode}; see {tmp / (name + '.log')}")


def wait_for(url: str, what: str, tmp: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not start; see the logs in {tmp}")


def run_speed(args: argparse.Namespace, speed: float) -> dict[str, Any]:
    data = Path(args.data)
    settings = scaled_settings(speed)
    with tempfile.TemporaryDirectory(prefix="region-") as name, ExitStack() as stack:
        tmp = Path(name)
        if args.keep:
            tmp = Path(tempfile.mkdtemp(prefix=f"region-{speed:g}x-"))
        url = stack.enter_context(database(PG_SERVER, tmp))
        api_port, fcm_port = free_port(), free_port()
        fcm = f"http://127.0.0.1:{fcm_port}"
        env = dict(os.environ) | settings | {
            "LOOKOUT_DATABASE_URL": url, "LOOKOUT_DATA_DIR": str(tmp), "PYTHONPATH": str(ROOT),
            "LOOKOUT_FCM_URL": fcm, "LOOKOUT_FCM_INBOX": "false",
        }  # fmt: skip
        for variable in ("LOOKOUT_FCM_CREDENTIALS", "LOOKOUT_BEATS_FILE"):
            env.pop(variable, None)
        lookout(env, "db", "upgrade")
        if (data / BEATS_FILE).exists():
            lookout(env, "import-beats", str(data / BEATS_FILE))
        token = lookout(env, "admin", "create-user", "Region bench", "--role", "admin")
        token = token.splitlines()[-1].strip()
        pids = {
            "fcm": stack.enter_context(
                process(env, tmp, "fcm", "fcm-inbox", "--port", str(fcm_port))
            )
        }
        wait_for(f"{fcm}/messages", "lookout fcm-inbox", tmp)
        pids["worker"] = stack.enter_context(process(env, tmp, "worker", "worker"))
        pids["api"] = stack.enter_context(
            process(
                env,
                tmp,
                "api",
                "serve",
                "--no-worker",
                "--port",
                str(api_port),
                "--workers",
                str(args.api_workers),
            )
        )
        meter = CpuMeter(pids, url)

        def progress(text: str) -> None:
            if text.startswith("playing"):
                meter.begin()
            print(f"  [{speed:g}x] {time.strftime('%H:%M:%S')} {text}", flush=True)

        base = f"http://127.0.0.1:{api_port}"
        wait_for(f"{base}/healthz", "lookout serve", tmp)
        streets = data / STREETS_FILE
        options = play.Options(
            base_url=base, admin_token=token, inbox_url=fcm, speed=speed, seed=args.seed,
            shape=Shape(minutes=args.minutes), concurrency=args.concurrency,
            respond=speed > 1,  # answers come 10 to 120 s after a push: at 1x, 2 more minutes
            streets_file=streets if streets.exists() else None, drain_sim_s=args.drain * speed,
            progress=progress,
        )  # fmt: skip
        freeze_startup_heap()  # the client's own collector pauses would be counted as the API's
        played = run_loop(play.play(options))
        meter.end()  # after the drain and the inbox: a little of the simulator's wrap-up
        load = os.getloadavg()[0]
        queued_at = deliveries_queued_at(url)
    return figures(played, speed, load, meter.used, queued_at)


def deliveries_queued_at(url: str) -> dict[str, datetime]:
    """When each push sent was queued (its hit's transaction), by FCM message name."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute(
            "SELECT provider_id, created_at FROM delivery WHERE provider_id IS NOT NULL"
        ).fetchall()
    return {str(name): created for name, created in rows}


def run_loop(work: Any) -> Played:
    """The simulator on uvloop when it is installed (as `lookout serve` runs): the load
    generator shares the machine with the service, and the less it costs the better."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work)
    result: Played = uvloop.run(work)
    return result


def figures(
    played: Played,
    speed: float,
    load: float,
    cpu: dict[str, float],
    queued_at: dict[str, datetime],
) -> dict[str, Any]:
    posts = [s * 1000 for s in played.read_latency_s]
    stages = push_delays_s(played, queued_at)
    delays = [total * 1000 for total, _ in stages]
    # Where a push's time went: from the camera's POST until its hit's transaction began (the
    # ingest writer, and the queue of the thread that stores hits), then on to the FCM server
    # (that transaction, its commit, the push worker's wake-up and firebase-admin's request).
    until_queued = [queued * 1000 for _, queued in stages if queued is not None]
    after_queued = [(total - queued) * 1000 for total, queued in stages if queued is not None]
    offered = len(played.scenario.reads) * speed / played.scenario.shape.duration_s
    achieved = len(posts) / played.played_s if played.played_s else 0.0
    return {
        "speed": speed,
        "reads": len(posts),
        "failed": sum(played.read_failures.values()),
        "retried": played.read_retries,
        "post_ms": _tails(posts),
        # Reads of background traffic (nothing listed) against those of listed or look-alike
        # cars: a camera's answer waits for its read's alert to be stored with it.
        "post_quiet_ms": _tails(
            [ms for ms, tag in zip(posts, played.read_sent_tags, strict=True) if tag == QUIET]
        ),
        "post_listed_ms": _tails(
            [ms for ms, tag in zip(posts, played.read_sent_tags, strict=True) if tag != QUIET]
        )
        | {"n": sum(tag != QUIET for tag in played.read_sent_tags)},
        "push_ms": _tails(delays) | {"n": len(delays)},
        "push_until_queued_ms": _tails(until_queued),
        "push_after_queued_ms": _tails(after_queued),
        "offered_per_s": round(offered, 1),
        "achieved_per_s": round(achieved, 1),
        "behind_p99_s": round(quantile(played.read_late_s, 0.99), 2),
        "pushes": len(played.messages),
        "load_1min": round(load, 2),
        "slow_seconds": slow_seconds(played),
        # CPU milliseconds per read posted, by process: what the machine's load does not skew
        "cpu_ms_per_read": {k: round(v * 1000 / max(1, len(posts)), 3) for k, v in cpu.items()},
    }


def slow_seconds(played: Played, over_ms: float = TARGET_POST_P99_MS) -> list[dict[str, float]]:
    """The five seconds of the run with the most camera POSTs over `over_ms`: whether the tail
    is spread out (a busy machine) or comes in bursts (a pause somewhere)."""
    by_second: dict[int, list[float]] = {}
    for sent, latency in zip(played.read_sent_s, played.read_latency_s, strict=True):
        by_second.setdefault(int(sent), []).append(latency * 1000)
    slow = sorted(
        ((sum(ms > over_ms for ms in v), max(v), second) for second, v in by_second.items()),
        reverse=True,
    )
    return [{"second": t, "over": n, "max_ms": round(m, 1)} for n, m, t in slow[:5] if n]


def _tails(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(quantile(values, 0.5), 1),
        "p95": round(quantile(values, 0.95), 1),
        "p99": round(quantile(values, 0.99), 1),
        "max": round(max(values, default=0.0), 1),
    }


def push_delays_s(
    played: Played, queued_at: dict[str, datetime]
) -> list[tuple[float, float | None]]:
    """For each push a hit read caused: the FCM server's receipt minus the read's POST, and
    the time from the POST until the push was queued (None if unknown). A hit push carries its
    alert's sighting count; the read is that sighting of the alert's trail."""
    trails: dict[int, list[int]] = {}
    for alert in played.alerts:
        trail = (alert.get("details") or {}).get("trail") or []
        trails[int(alert["id"])] = [int(p["read_id"]) for p in trail if "read_id" in p]
    delays: list[tuple[float, float | None]] = []
    for record in played.messages:
        data = (record.get("message") or {}).get("data") or {}
        if data.get("kind") == "bulletin" or data.get("action") in NOT_A_READS_PUSH:
            continue
        trail = trails.get(int(data.get("alert_id", 0) or 0), [])
        sighting = int(data.get("sightings", 0) or 0)
        if not 0 < sighting <= len(trail):
            continue
        posted = played.read_posted_at.get(trail[sighting - 1])
        if posted is not None:
            received = datetime.fromisoformat(record["received_at"])
            queued = queued_at.get(str(record.get("name")))
            delays.append(
                (
                    (received - posted).total_seconds(),
                    None if queued is None else (queued - posted).total_seconds(),
                )
            )
    return delays


ROWS = (
    ("POST /v1/reads p50 (ms)", "post_ms.p50"),
    ("  p95", "post_ms.p95"),
    ("  p99", "post_ms.p99"),
    ("  max", "post_ms.max"),
    ("  p99 of background reads", "post_quiet_ms.p99"),
    ("  p99 of listed/look-alike reads", "post_listed_ms.p99"),
    ("  listed/look-alike reads", "post_listed_ms.n"),
    ("read -> push p50 (ms)", "push_ms.p50"),
    ("  p95", "push_ms.p95"),
    ("  p99", "push_ms.p99"),
    ("  max", "push_ms.max"),
    ("  pushes measured", "push_ms.n"),
    ("  p99 until queued (POST, writer, hits queue)", "push_until_queued_ms.p99"),
    ("  p99 after queued (hit, commit, worker, FCM)", "push_after_queued_ms.p99"),
    ("reads/s offered", "offered_per_s"),
    ("reads/s achieved", "achieved_per_s"),
    ("reads behind schedule p99 (s)", "behind_p99_s"),
    ("reads failed", "failed"),
    ("reads retried (503/429)", "retried"),
    ("load average (1 min) at the end", "load_1min"),
    ("CPU ms per read: lookout serve", "cpu_ms_per_read.api"),
    ("  PostgreSQL backends", "cpu_ms_per_read.postgres"),
    ("  lookout worker", "cpu_ms_per_read.worker"),
    ("  lookout fcm-inbox", "cpu_ms_per_read.fcm"),
    ("  the simulator (client)", "cpu_ms_per_read.simulator"),
)


def value(row: dict[str, Any], dotted: str) -> float:
    here: Any = row
    for part in dotted.split("."):
        here = here[part]
    return float(here)


def render(rows: list[dict[str, Any]]) -> str:
    width = max(len(label) for label, _ in ROWS) + 2
    head = f"{'':<{width}}" + "".join(f"{str(r['speed']) + 'x':>10}" for r in rows)
    head += "".join(f"{'ratio ' + str(r['speed']) + 'x':>12}" for r in rows[1:])
    lines = [head]
    base = rows[0]
    for label, dotted in ROWS:
        line = f"{label:<{width}}" + "".join(f"{value(r, dotted):>10g}" for r in rows)
        for r in rows[1:]:
            b = value(base, dotted)
            line += f"{value(r, dotted) / b:>12.2f}" if b else f"{'':>12}"
        lines.append(line)
    lines.append("")
    for r in rows:
        cpu = r["cpu_ms_per_read"]
        serving = sum(cpu.get(k, 0.0) for k in ("api", "postgres", "worker"))
        if not serving:
            continue
        cores = os.cpu_count() or 1
        lines.append(
            f"{r['speed']:g}x: the service used {serving:.2f} CPU ms a read (API, PostgreSQL, "
            f"worker): {cores} cores would take ~{1000 * cores / serving:,.0f} reads/s with "
            f"nothing else running, one API process ~{1000 / cpu.get('api', serving):,.0f}"
        )
    for r in rows:
        slow = ", ".join(
            f"{s['second']:g} s ({s['over']:g}, max {s['max_ms']:g} ms)" for s in r["slow_seconds"]
        )
        lines.append(
            f"{r['speed']:g}x: seconds with the most POSTs over {TARGET_POST_P99_MS:g} ms: "
            f"{slow or 'none'}"
        )
    for r in rows:
        post, push = r["post_ms"]["p99"], r["push_ms"]["p99"]
        ok = post < TARGET_POST_P99_MS and push < TARGET_PUSH_P99_MS
        lines.append(
            f"{r['speed']:g}x: POST p99 {post:g} ms, read -> push p99 {push:g} ms: "
            f"{'within' if ok else 'over'} the targets (< {TARGET_POST_P99_MS:g} ms, "
            f"< {TARGET_PUSH_P99_MS:g} ms)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--speeds", type=float, nargs="+", default=[1.0, 10.0, 100.0])
    parser.add_argument("--minutes", type=float, default=None,
                        help="simulated minutes per speed (default: 3 at 1x, else 1.5 x speed"
                             " up to the hour: 15 at 10x, 60 at 100x)")  # fmt: skip
    parser.add_argument("--api-workers", type=int, default=1,
                        help="API processes (lookout serve --workers)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=256, help="requests in flight")
    parser.add_argument("--drain", type=float, default=5.0,
                        help="real seconds waited after the last read for its pushes")  # fmt: skip
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="Oakland GeoJSON directory")
    parser.add_argument("--keep", action="store_true", help="keep each speed's logs")
    parser.add_argument("--out", type=Path, help="write the figures here (JSON)")
    args = parser.parse_args()
    rows = []
    minutes = args.minutes
    for speed in args.speeds:
        args.minutes = minutes or (3.0 if speed <= 1 else min(60.0, 1.5 * speed))
        print(f"{speed:g}x: {args.minutes:g} simulated minutes", flush=True)
        rows.append(run_speed(args, speed))
    print()
    print(f"Oakland hour at {', '.join(f'{s:g}x' for s in args.speeds)} on PostgreSQL "
          f"({os.cpu_count()} cores); ratios to the {args.speeds[0]:g}x run")  # fmt: skip
    print(render(rows))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.out}")


if __name__ == "__main__":
    main()
