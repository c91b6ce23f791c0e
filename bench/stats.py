"""How fast are the chain of command's numbers on a year of data?

    .venv/bin/python bench/stats.py                    # 1,000,000 alerts on PostgreSQL
    .venv/bin/python bench/stats.py --alerts 100000 --runs 3
    .venv/bin/python bench/stats.py --sqlite           # also on SQLite (copied from PostgreSQL)

A new PostgreSQL database (on LOOKOUT_BENCH_PG_URL's server, dropped at the end) is migrated
and filled with bulk SQL (generate_series): Oakland's 57 beats rolled up to its five areas,
400 officers in 20 squads (4 per area, each with its sergeant), 5 area commanders, 50 cameras,
10 hot lists, and over one year N alerts, each from its own read and hit, told to two
officers of its area (one push each; 97 % sent). In realistic proportions: 90 % seen (after
about 40 s), 45 % answered `responding` (about a minute later), a P1/P2 hit nobody responded
to escalates (half of them on to the dispatcher desk), 30 % have their record's confirmation
requested (most confirmed within minutes), and 85 % are closed with an outcome (27 % located,
8 % misread, 4 % wrong vehicle ...).

Each statistics query is then timed as the API runs it (app/stats, in one session), the p50
of `--runs`, and printed with its ratio to the baseline measured in the same run:
`SELECT count(*) FROM alert` over the same year window (the index on created_at).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, col

from app import migrate
from app.db import make_engine, transaction
from app.models import Alert, Beat, Camera, HotList, PoliceArea, Squad, User
from app.officers import areas, beats
from app.stats import drill
from app.stats.figures import Raised, Window, compute
from app.stats.scope import Command

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get(
    "LOOKOUT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
OAKLAND = Path(os.environ.get("LOOKOUT_SHARED_DATA", ROOT.parent / "shared" / "data")) / "oakland"
if not OAKLAND.is_dir():
    OAKLAND = Path("/work/shared/data/oakland")
AREAS, SQUADS_PER_AREA, OFFICERS_PER_SQUAD = 5, 4, 20
OFFICERS = AREAS * SQUADS_PER_AREA * OFFICERS_PER_SQUAD  # 400: ids 1..400
SQUADS = AREAS * SQUADS_PER_AREA  # sergeants: ids 401..420
COMMANDERS = OFFICERS + SQUADS  # + area number: ids 421..425
ADMIN = COMMANDERS + AREAS + 1
CAMERAS, HOTLISTS, ENTRIES = 50, 10, 1000
START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR = Window(since=START, until=START + timedelta(days=365))
LAST_WEEK = Window(since=YEAR.until - timedelta(days=7), until=YEAR.until)

PEOPLE_SQL = [
    f"""INSERT INTO app_user (id, name, username, role, is_active, created_at,
        must_change_password, failed_sign_ins, is_command_staff)
    SELECT g, CASE WHEN g <= {OFFICERS} THEN 'Officer ' WHEN g <= {COMMANDERS} THEN 'Sergeant '
                   WHEN g < {ADMIN} THEN 'Commander ' ELSE 'Admin ' END || g,
           'user-' || g,
           CASE WHEN g <= {OFFICERS} THEN 'officer' WHEN g < {ADMIN} THEN 'supervisor'
                ELSE 'admin' END,
           true, :start, false, 0, false
    FROM generate_series(1, {ADMIN}) g""",
    f"""INSERT INTO device (id, user_id, token, platform, is_active, created_at, last_seen_at)
    SELECT g, g, 'bench-phone-' || g, 'android', true, :start, :start
    FROM generate_series(1, {OFFICERS}) g""",
    f"""INSERT INTO squad (id, name, sergeant_id, area, created_at, updated_at)
    SELECT s, 'Squad ' || s, {OFFICERS} + s, (1 + (s - 1) / {SQUADS_PER_AREA})::text,
           :start, :start
    FROM generate_series(1, {SQUADS}) s""",
    f"""INSERT INTO squad_member (user_id, squad_id, since_at)
    SELECT g, 1 + (g - 1) / {OFFICERS_PER_SQUAD}, :start FROM generate_series(1, {OFFICERS}) g""",
    f"UPDATE police_area SET commander_id = {COMMANDERS} + code::int",
    f"""INSERT INTO camera (id, name, key_hash, key_hint, is_active, created_at,
        may_create_cameras)
    SELECT c, 'Camera ' || c, 'bench-key-' || c, 'bench', true, :start, false
    FROM generate_series(1, {CAMERAS}) c""",
    f"""INSERT INTO hotlist (id, name, kind, priority, is_active, created_at, confusable_max,
        edit_max, broad_confusables, ignore_state)
    SELECT h, 'List ' || h, 'stolen_vehicle', 1 + (h - 1) % 4, true, :start, 1, 0, false, false
    FROM generate_series(1, {HOTLISTS}) h""",
    f"""INSERT INTO hotlist_entry (id, hotlist_id, plate, plate_key, created_at, false_hits)
    SELECT e, 1 + (e - 1) % {HOTLISTS}, 'E' || e, 'E' || e, :start, 0
    FROM generate_series(1, {ENTRIES}) e""",
]

# One row per alert with every draw it needs; the tables below are filled from it. Alerts
# are stored in the order they were raised, as they are in service (the table's physical
# order follows created_at). The facts the service keeps on alert and alert_recipient as they
# happen (first responding, pushes sent) are written with the rows they summarise.
DRAWS_SQL = [
    """CREATE TEMP TABLE bench_beat AS
    SELECT row_number() OVER (ORDER BY code) AS n, code, area::int AS area
    FROM beat WHERE area IS NOT NULL""",
    f"""CREATE TEMP TABLE draw AS
    SELECT g, :start + (g - random()) / :alerts * interval '365 days' AS t,
           1 + floor(random() * (SELECT count(*) FROM bench_beat))::int AS beat_n,
           1 + floor(random() * {ENTRIES})::int AS entry,
           1 + floor(random() * {CAMERAS})::int AS camera,
           floor(random() * 80)::int AS first_officer, 1 + floor(random() * 79)::int AS step,
           random() AS r_seen, random() AS r_respond, random() AS r_confirm,
           random() AS r_outcome, random() AS r_escalate, random() AS r_push, random() AS r_x,
           -ln(1 - random()) AS e1, -ln(1 - random()) AS e2
    FROM generate_series(1, :alerts) g""",
    """CREATE TEMP TABLE life AS
    SELECT d.*, b.code AS beat, b.area,
           1 + (d.entry - 1) % 10 AS hotlist, 1 + ((d.entry - 1) % 10) % 4 AS priority,
           (b.area - 1) * 80 + 1 + d.first_officer AS officer_1,
           (b.area - 1) * 80 + 1 + (d.first_officer + d.step) % 80 AS officer_2,
           CASE WHEN d.r_seen < 0.9 THEN d.t + (5 + d.e1 * 35) * interval '1 second' END
               AS seen_at,
           CASE WHEN d.r_seen < 0.9 AND d.r_respond < 0.5
                THEN d.t + (5 + d.e1 * 35 + 10 + d.e2 * 50) * interval '1 second' END
               AS responding_at
    FROM draw d JOIN bench_beat b ON b.n = d.beat_n""",
    """INSERT INTO plate_read (id, camera_id, plate, plate_key, read_at, received_at, beat)
    SELECT g, camera, 'E' || entry, 'E' || entry, t, t, beat FROM life""",
    """INSERT INTO hit (id, read_id, entry_id, hotlist_id, quality, read_plate, listed_plate,
        created_at, historical)
    SELECT g, g, entry, hotlist, 'exact', 'E' || entry, 'E' || entry, t, false FROM life""",
    """INSERT INTO alert (id, hit_id, kind, dedup_key, hotlist_id, is_covert, beat, sightings,
        last_seen_at, updated_at, priority, title, body, plate, read_at, details, status,
        created_at, acknowledged_at, confirmation, confirmation_urgent,
        confirmation_requested_at, confirmation_answered_at, escalation_level, escalated_at,
        disposition, result, closed_at, responding_at, pushes)
    SELECT g, g, 'hotlist_hit', 'entry:' || entry, hotlist, false, beat, 1, t, t, priority,
        'Stolen vehicle', 'Stolen vehicle seen', 'E' || entry, t, '{}',
        CASE WHEN r_outcome < 0.85 THEN 'closed' WHEN responding_at IS NOT NULL
             THEN 'responding' WHEN seen_at IS NOT NULL THEN 'acknowledged' ELSE 'open' END,
        t, seen_at,
        CASE WHEN r_confirm < 0.20 THEN 'confirmed' WHEN r_confirm < 0.25 THEN 'not_confirmed'
             WHEN r_confirm < 0.28 THEN 'expired' WHEN r_confirm < 0.30 THEN 'requested'
             ELSE 'unconfirmed' END,
        CASE WHEN r_confirm < 0.30 THEN priority <= 2 END,
        CASE WHEN r_confirm < 0.30 THEN t + interval '60 seconds' END,
        CASE WHEN r_confirm < 0.25
             THEN t + (90 + r_x * 540) * interval '1 second' END,
        CASE WHEN responding_at IS NULL AND priority <= 2 AND r_escalate < 0.6
             THEN 1 + (r_escalate < 0.3)::int ELSE 0 END,
        CASE WHEN responding_at IS NULL AND priority <= 2 AND r_escalate < 0.3
             THEN t + interval '6 minutes' END,
        CASE WHEN r_outcome < 0.27 THEN 'located' WHEN r_outcome < 0.60 THEN 'not_located'
             WHEN r_outcome < 0.68 THEN 'misread' WHEN r_outcome < 0.72 THEN 'wrong_vehicle'
             WHEN r_outcome < 0.77 THEN 'record_invalid' WHEN r_outcome < 0.82 THEN 'duplicate'
             WHEN r_outcome < 0.85 THEN 'cancelled' END,
        CASE WHEN r_outcome < 0.27 THEN (ARRAY['stopped', 'detained', 'arrested',
             'vehicle_recovered', 'cited', 'warned', 'no_action'])[1 + floor(r_x * 7)::int] END,
        CASE WHEN r_outcome < 0.85 THEN t + (600 + r_x * 3000) * interval '1 second' END,
        responding_at, CASE WHEN r_push < 0.97 THEN 2 ELSE 0 END
    FROM life""",
    """INSERT INTO alert_recipient (id, alert_id, user_id, rank, created_at, acknowledged_at,
        reason, response, responded_at, responding_at, pushes)
    SELECT 2 * g - 1, g, officer_1, 1, t, seen_at, 'nearest',
           CASE WHEN responding_at IS NOT NULL THEN 'responding'
                WHEN seen_at IS NOT NULL THEN 'seen' END,
           coalesce(responding_at, seen_at), responding_at, (r_push < 0.97)::int
    FROM life
    UNION ALL
    SELECT 2 * g, g, officer_2, 2, t, NULL, 'nearest', NULL, NULL, NULL, (r_push < 0.97)::int
    FROM life""",
    """INSERT INTO delivery (id, alert_id, recipient_id, device_id, priority, message, status,
        attempts, next_attempt_at, sent_at, created_at, updated_at)
    SELECT r.id, r.alert_id, r.id, r.user_id, 2, '{}',
           CASE WHEN l.r_push < 0.97 THEN 'sent' ELSE 'failed' END, 1, r.created_at,
           r.created_at + interval '1 second', r.created_at, r.created_at
    FROM alert_recipient r JOIN life l ON l.g = r.alert_id""",
    """INSERT INTO alert_response (id, alert_id, user_id, status, at)
    SELECT 2 * g - 1, g, officer_1, 'seen', seen_at FROM life WHERE seen_at IS NOT NULL
    UNION ALL
    SELECT 2 * g, g, officer_1, 'responding', responding_at FROM life
    WHERE responding_at IS NOT NULL""",
    """INSERT INTO alert_escalation (id, alert_id, level, step, reason, detail, told, at)
    SELECT 2 * a.id - 1, a.id, 1, 'next_ring', 'no_response', 'bench', '[]'::json,
           a.created_at + interval '3 minutes'
    FROM alert a WHERE a.escalation_level >= 1
    UNION ALL
    SELECT 2 * a.id, a.id, 2, 'dispatcher', 'no_response', 'bench', '[]'::json, a.escalated_at
    FROM alert a WHERE a.escalation_level >= 2""",
]


def fill(engine: Engine, alerts: int) -> None:
    with transaction(engine) as session:
        beats.import_file(session, OAKLAND / "oakland-police-beats-2009.geojson", now=START)
        areas.import_file(session, OAKLAND / "oakland-police-areas-2013.geojson", now=START)
    with engine.begin() as connection:
        # Foreign keys are right by construction; checking 8 M rows one by one is the slow part.
        connection.execute(text("SET session_replication_role = replica"))
        connection.execute(text("SELECT setseed(0.42)"))
        for statement in PEOPLE_SQL + DRAWS_SQL:
            started = time.perf_counter()
            connection.execute(text(statement), {"start": START, "alerts": alerts})
            took = time.perf_counter() - started
            label = " ".join(statement.split()[:3])
            print(f"  {label:<42} {took:6.1f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def copy_to_sqlite(source: Engine, path: Path) -> Engine:
    """The same rows in a migrated SQLite file, table by table, in batches."""
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    target = make_engine(url)
    tables = [t for t in SQLModel.metadata.sorted_tables if t.name != "alembic_version"]
    with source.connect() as reader, target.begin() as writer:
        writer.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for table in tables:
            rows = reader.execute(table.select()).mappings()
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(dict(row))
                if len(batch) == 20_000:
                    writer.execute(table.insert(), batch)
                    batch = []
            if batch:
                writer.execute(table.insert(), batch)
    with target.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    return target


def p50_s(engine: Engine, run: Callable[[Session], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        with Session(engine) as session:
            started = time.perf_counter()
            run(session)
            times.append(time.perf_counter() - started)
            session.rollback()  # the officer level's audit row
    return statistics.median(times)


def queries(engine: Engine) -> list[tuple[str, Callable[[Session], object]]]:
    everything = Command(everything=True)
    with Session(engine) as session:
        admin = session.get(User, ADMIN)
        area = session.get(PoliceArea, "1")
        squad = session.get(Squad, 1)
        officer = session.get(User, 1)
        beat = session.scalars(select(Beat).where(col(Beat.area) == "1")).first()
        hotlist = session.get(HotList, 1)
        camera = session.get(Camera, 1)
    assert admin and area and squad and officer and beat and hotlist and camera

    def officer_level(window: Window) -> Callable[[Session], object]:
        return lambda s: drill.officer(s, officer, window, command=everything, viewer=admin,
                                       limit=100, now=YEAR.until)  # fmt: skip

    return [
        ("figures only, agency, a year", lambda s: compute(s, Raised(), YEAR)),
        ("GET /v1/stats: agency + its 5 areas, a year", lambda s: drill.agency(s, YEAR)),
        ("area 1 + its 4 squads, a year",
         lambda s: drill.area(s, area, YEAR, command=everything)),
        ("squad + its 20 officers, a year",
         lambda s: drill.squad(s, squad, YEAR, command=everything)),
        ("officer + their 100 newest alerts, a year", officer_level(YEAR)),
        ("beat, a year", lambda s: drill.beat(s, beat, YEAR, command=everything)),
        ("hot list, a year", lambda s: drill.hotlist(s, hotlist, YEAR)),
        ("camera, a year", lambda s: drill.camera(s, camera, YEAR)),
        ("area 1 + its 4 squads, last 7 days",
         lambda s: drill.area(s, area, LAST_WEEK, command=everything)),
        ("officer + alerts, last 7 days", officer_level(LAST_WEEK)),
    ]  # fmt: skip


def measure(engine: Engine, name: str, runs: int) -> None:
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(Alert))

    def baseline(session: Session) -> object:
        created = col(Alert.created_at)
        return session.scalar(
            select(func.count()).where(created >= YEAR.since, created < YEAR.until)
        )

    base = p50_s(engine, baseline, runs)
    print(f"\n{name}: {total:,} alerts; p50 of {runs} runs")
    print(f"  {'baseline: SELECT count(*) of the year':<46} {base * 1000:9.1f} ms      1.0x")
    for label, run in queries(engine):
        took = p50_s(engine, run, runs)
        print(f"  {label:<46} {took * 1000:9.1f} ms {took / base:8.1f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sqlite", action="store_true", help="also time the same rows on SQLite")
    parser.add_argument(
        "--keep", metavar="NAME", help="fill database NAME once and keep it; later runs reuse it"
    )
    args = parser.parse_args()
    server = make_url(PG_SERVER)
    name = args.keep or f"lookout_bench_stats_{uuid.uuid4().hex[:8]}"
    admin_engine = make_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    tmp = Path(tempfile.mkdtemp(prefix="lookout-bench-stats-"))
    engine = make_engine(url)
    try:
        if not exists:
            migrate.upgrade(url)
            print(f"filling {name} with {args.alerts:,} alerts (bulk SQL):", flush=True)
            started = time.perf_counter()
            fill(engine, args.alerts)
            print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
        measure(engine, "PostgreSQL", args.runs)
        if args.sqlite:
            print("\ncopying to SQLite ...", flush=True)
            sqlite = copy_to_sqlite(engine, tmp / "bench.db")
            try:
                measure(sqlite, "SQLite", args.runs)
            finally:
                sqlite.dispose()
    finally:
        engine.dispose()
        if not args.keep:
            with admin_engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
