"""What does a body without credentials cost the server's memory?

    .venv/bin/python bench/body_memory.py                       # this checkout
    .venv/bin/python bench/body_memory.py --source /tmp/old     # another checkout, same venv
    .venv/bin/python bench/body_memory.py --megabytes 50 --route /v1/hotlists

Starts `lookout serve` (uvicorn, one process, SQLite in a temporary directory) from the
checkout given, waits until it is ready, and posts `--megabytes` MB of `[{},{},...]` to a JSON
route with no credentials, `--rounds` times. Prints the server's resident memory (VmRSS from
/proc/<pid>/status) before, right after each answer, and two seconds after the last, with the
peak (VmHWM), the answer's status and how long it took. The baseline is the same server's
memory before the first request.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024  # kB
    return fields


def start(source: Path, data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = os.environ | {
        "PYTHONPATH": str(source),
        "LOOKOUT_DATABASE_URL": f"sqlite:///{data}/lookout.db",
        "LOOKOUT_DATA_DIR": str(data),
        "LOOKOUT_PUSH_SENDER": "log",
        "LOOKOUT_FCM_INBOX": "false",
    }
    python = sys.executable
    subprocess.run(
        [python, "-m", "app.cli", "db", "upgrade"],
        env=env, cwd=source, check=True, capture_output=True,
    )  # fmt: skip
    process = subprocess.Popen(
        [python, "-m", "app.cli", "serve", "--port", str(port)],
        env=env, cwd=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("lookout serve did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to serve")
    parser.add_argument("--megabytes", type=int, default=20)
    parser.add_argument("--route", default="/v1/bulletins")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    body = b"[" + b"{}," * (args.megabytes * 1024 * 1024 // 3) + b"{}]"
    with tempfile.TemporaryDirectory(prefix="lookout-bodymem-") as tmp:
        process, base = start(args.source.resolve(), Path(tmp))
        try:
            before = memory_mb(process.pid)
            print(f"source {args.source}  route {args.route}  body {len(body) / 1e6:.1f} MB")
            print(f"before           VmRSS {before['VmRSS']:7.1f} MB")
            with httpx.Client(base_url=base, timeout=120) as client:
                for round_ in range(1, args.rounds + 1):
                    started = time.perf_counter()
                    try:
                        response = client.post(
                            args.route,
                            content=body,
                            headers={"Content-Type": "application/json"},
                        )
                        status = str(response.status_code)
                    except httpx.TransportError as error:  # answered before the body was sent
                        status = f"closed ({error.__class__.__name__})"
                    took = time.perf_counter() - started
                    now = memory_mb(process.pid)
                    print(
                        f"after request {round_}  VmRSS {now['VmRSS']:7.1f} MB  "
                        f"peak {now['VmHWM']:7.1f} MB  status {status}  {took:.2f} s"
                    )
            time.sleep(2)
            settled = memory_mb(process.pid)
            print(
                f"2 s later        VmRSS {settled['VmRSS']:7.1f} MB  "
                f"peak {settled['VmHWM']:7.1f} MB  "
                f"(+{settled['VmRSS'] - before['VmRSS']:.1f} MB over before)"
            )
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
