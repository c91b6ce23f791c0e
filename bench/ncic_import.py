"""A state's NCIC extract of 2,000,000 rows, imported through the API and the CLI.

    .venv/bin/python bench/ncic_import.py                    # 2,000,000 rows, SQLite and PostgreSQL
    .venv/bin/python bench/ncic_import.py --rows 300000      # a quicker look
    .venv/bin/python bench/ncic_import.py --databases postgresql

The file is an NCIC vehicle-file extract in the `ncic` fixed-width layout (FORMATS.md §4, the
line in lpr-samples/hotlist-ncic-example-line-*.txt): a header line, then one record a line
with NIC, ORI, entry date, plate, state, plate year and type, vehicle year, make, model, style
and colour, about 66 bytes a row (2M rows: 130 MB).

For each database, one `lookout serve` process takes reads from 16 cameras posting one read
at a time throughout. Measured in the same run, one after the other:

- parse:     the bare file parse in this process (lpr.hotlist_files.iter_parse), no database;
- api 100k:  POST /v1/hotlists/{id}/import of the first 100,000 rows (the baseline import);
- api full:  the same of the whole file into another list;
- cli full:  `lookout import-hotlist FILE --layout ncic` of the whole file into a third list.

Printed for each: seconds, rows/s, the server's peak resident memory while it ran (sampled from
/proc every 50 ms; the CLI's own peak from wait4), and the p99 latency of POST /v1/reads during
it, against the reads' p99 with nothing else running. Peak memory of the full imports is also
shown as a multiple of the 100k import's: flat means the import streams. The server's index
holds every entry (that is its job), so its resident size grows by the entries imported; the
line "index" shows that growth once the import is over.
"""

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import import_load  # noqa: E402  cameras posting reads, an admin token
import ingest  # noqa: E402  the ingest bench's servers and database set-up

LETTERS = "ACEFHJKMNPRTUVWXY"  # no two look alike, so the file has no O/0 twins
MAKES = ("HOND", "TOYT", "FORD", "CHEV", "NISS", "DODG", "JEEP", "SUBA", "VOLK", "HYUN")
MODELS = ("CIV", "CAM", "F15", "MAL", "ALT", "RAM", "CHR", "OUT", "JET", "ELA")
STYLES = ("4D", "PK", "SW", "2D", "MC", "VN")
COLORS = ("BLK", "WHI", "SIL", "GRY", "BLU", "RED", "GRN", "TAN", "MAR", "BRO")
CODES = ("V", "V", "V", "V", "V", "V", "L", "S", "K", "F")  # mostly stolen vehicles


def plate(n: int) -> str:
    rest, digits = divmod(n, 1000)
    rest, third = divmod(rest, 17)
    rest, second = divmod(rest, 17)
    rest, first = divmod(rest, 17)
    return f"{rest % 9 + 1}{LETTERS[first]}{LETTERS[second]}{LETTERS[third]}{digits:03d}"


def write_extract(path: Path, rows: int) -> None:
    """An NCIC vehicle-file extract: a header line, then `rows` records of distinct plates."""
    with path.open("w", encoding="ascii", newline="\n") as out:
        out.write(f"NCIC VEHICLE FILE EXTRACT {rows} RECORDS\n")
        for n in range(rows):
            out.write(
                f"{CODES[n % 10]}{n:09d}CA{n % 997:03d}0000"
                f"20{15 + n % 11:02d}{n % 12 + 1:02d}{n % 28 + 1:02d}{plate(n):<10}CA"
                f"{2020 + n % 7}PC{1995 + n % 30}{MAKES[n % 10]}{MODELS[n % 10]}"
                f"{STYLES[n % 6]}{COLORS[n % 10]}\n"
            )


def parse_seconds(path: Path) -> tuple[float, int]:
    from lpr.hotlist_files import HotListRow, iter_parse

    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as lines:
        rows = sum(isinstance(item, HotListRow) for item in iter_parse(lines, "ncic"))
    return time.perf_counter() - started, rows


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class PeakRss:
    """The largest resident size of a process seen while the block runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_kb = max(self.peak_kb, rss_kb(self.pid))

    def __enter__(self) -> "PeakRss":
        self.peak_kb = rss_kb(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def wait_up(port: int, process: "subprocess.Popen[bytes]", timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s  # a loaded machine starts the server slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def run(
    database_url: str, extract: Path, head: Path, rows: int, baseline_s: float
) -> dict[str, Any]:
    key = ingest.prepare(database_url)
    token = import_load.admin_token(database_url)
    port = ingest.free_port()
    server = subprocess.Popen(
        [sys.executable, str(BENCH / "ingest.py"), "--serve", "lookout", "--port", str(port),
         "--database-url", database_url],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    results: dict[str, Any] = {}
    windows: dict[str, tuple[float, float]] = {}
    stop = threading.Event()
    try:
        wait_up(port, server)
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=auth, timeout=3600) as api:

            def new_list(name: str) -> int:
                created = api.post("/v1/hotlists", json={"name": name, "kind": "stolen_vehicle",
                                                         "priority": 2})  # fmt: skip
                created.raise_for_status()
                return int(created.json()["id"])

            def timed(name: str, action: Callable[[], int]) -> None:
                with PeakRss(server.pid) as server_rss:
                    start = time.perf_counter()
                    outcome = action()
                    end = time.perf_counter()
                windows[name] = (start, end)
                results[name] = {"s": end - start, "server_kb": server_rss.peak_kb,
                                 "outcome": outcome}  # fmt: skip

            def upload(path: Path, hotlist_id: int) -> int:
                with path.open("rb") as data:
                    answer = api.post(
                        f"/v1/hotlists/{hotlist_id}/import", params={"layout": "ncic"},
                        files={"file": (path.name, data, "text/plain")},
                    )  # fmt: skip
                if answer.status_code != 201:
                    raise SystemExit(f"import answered {answer.status_code}: {answer.text[:300]}")
                return int(answer.json()["added"])

            def cli(path: Path) -> int:
                env = os.environ | {"LOOKOUT_DATABASE_URL": database_url}
                process = subprocess.Popen(
                    [sys.executable, "-m", "app.cli", "import-hotlist", str(path), "--list",
                     "ncic-cli", "--layout", "ncic"],
                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                    cwd=BENCH.parent,
                )  # fmt: skip
                _, status, usage = os.wait4(process.pid, 0)
                process.returncode = os.waitstatus_to_exitcode(status)
                out = process.stdout.read() if process.stdout else ""
                if process.returncode != 0:
                    failure = process.stderr.read() if process.stderr else ""
                    raise SystemExit(f"lookout import-hotlist failed: {failure}")
                results["cli_kb"] = usage.ru_maxrss
                return int(out.split(" added")[0].rsplit(" ", 1)[-1])

            def imports() -> None:
                time.sleep(baseline_s)
                windows["idle"] = (time.perf_counter() - baseline_s + 1.0, time.perf_counter())
                results["rss_start_kb"] = rss_kb(server.pid)
                timed("api_100k", lambda: upload(head, new_list("ncic-100k")))
                timed("api_full", lambda: upload(extract, new_list("ncic")))
                time.sleep(5.0)  # the index takes the new entries a slice at a time
                results["rss_after_kb"] = rss_kb(server.pid)
                timed("cli_full", lambda: cli(extract))
                time.sleep(1.0)
                stop.set()

            importer = threading.Thread(target=imports)
            importer.start()
            samples = asyncio.run(import_load.cameras_until(port, key, stop))
            importer.join()
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=60)
    for name, (start, end) in windows.items():
        during = sorted(d for s, d in samples if start <= s < end)
        p99 = (
            during[min(len(during) - 1, int(len(during) * 0.99))] * 1000 if during else float("nan")
        )
        results.setdefault(name, {})["p99_ms"] = p99
        results[name]["reads"] = len(during)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--baseline-seconds", type=float, default=6.0)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        extract, head = Path(tmp) / "ncic_extract.txt", Path(tmp) / "ncic_head.txt"
        write_extract(extract, args.rows)
        write_extract(head, args.baseline_rows)
        size_mb = extract.stat().st_size / 1e6
        parse_s, parsed = parse_seconds(extract)
        print(f"NCIC extract: {args.rows:,} rows, {size_mb:.0f} MB; bare parse {parse_s:.1f} s "
              f"({parsed / parse_s:,.0f} rows/s); 16 cameras post reads throughout")  # fmt: skip
        for database in args.databases:
            if database == "sqlite":
                url, drop = f"sqlite:///{Path(tmp) / 'bench.db'}", None
            else:
                url, drop = ingest.postgres_database()
            try:
                r = run(url, extract, head, args.rows, args.baseline_seconds)
            finally:
                if drop:
                    drop()
            report(database, r, args.rows, args.baseline_rows, parse_s)


def report(database: str, r: dict[str, Any], rows: int, head_rows: int, parse_s: float) -> None:
    idle = r["idle"]["p99_ms"]
    base_kb = r["api_100k"]["server_kb"]
    print(f"\n{database}: server {r['rss_start_kb'] / 1024:.0f} MB resident before the imports; "
          f"reads p99 {idle:.1f} ms with no import ({r['idle']['reads']} reads)")  # fmt: skip
    print(f"{'':<10}{'rows':>10}{'s':>8}{'rows/s':>10}{'x parse':>9}{'peak MB':>9}"
          f"{'x 100k':>8}{'reads':>7}{'p99 ms':>8}{'x idle':>8}")  # fmt: skip
    for name, count in (("api_100k", head_rows), ("api_full", rows), ("cli_full", rows)):
        m = r[name]
        kb = r["cli_kb"] if name == "cli_full" else m["server_kb"]
        label = {"api_100k": "api 100k", "api_full": "api", "cli_full": "cli"}[name]
        slower = m["s"] / (parse_s * count / rows)
        print(f"{label:<10}{m['outcome']:>10,}{m['s']:>8.1f}{count / m['s']:>10,.0f}"
              f"{slower:>9.1f}{kb / 1024:>9.0f}{kb / base_kb:>8.2f}{m['reads']:>7}"
              f"{m['p99_ms']:>8.1f}{m['p99_ms'] / idle:>8.1f}")  # fmt: skip
    grown = (r["rss_after_kb"] - r["rss_start_kb"]) / 1024
    print(
        f"index     server resident {grown:+.0f} MB after the API import "
        f"({rows + head_rows:,} entries in its index); cli peak is the CLI process's own"
    )


if __name__ == "__main__":
    main()
