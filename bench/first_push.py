"""How soon after a bulletin is posted does its first push reach FCM, with the push worker
polling only once a minute (so only its wake-up after the commit can send it)?

    .venv/bin/python bench/first_push.py            # 20 bulletins and 20 hot-list hits
    .venv/bin/python bench/first_push.py --rounds 5

One Lookout (SQLite) served by uvicorn in this process, pushing through firebase-admin to the
development FCM server, with an officer on duty beside the camera. Measured: from the moment
POST /v1/bulletins returns to the moment the FCM server has the push. The baseline, in the same
run, is a camera read of a listed plate: from POST /v1/reads returning to its push arriving.
"""

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import migrate
from app.devfcm.credentials import write_dev_service_account
from app.devfcm.inbox import Inbox, create_fcm_inbox
from app.main import create_app
from app.settings import Settings

CAMERA = {"lat": 37.8044, "lon": -122.2712}


@contextmanager
def served(app: object) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def arrival_s(inbox: Inbox, count: int, since: float) -> float:
    inbox.wait_for(count, timeout_s=120)
    return time.perf_counter() - since


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    fcm = create_fcm_inbox()
    inbox: Inbox = fcm.state.inbox
    with tempfile.TemporaryDirectory() as tmp, served(fcm) as fcm_url:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(database_url)
        credentials = write_dev_service_account(Path(tmp) / "sa.json", token_uri=f"{fcm_url}/token")
        settings = Settings(
            database_url=database_url, data_dir=Path(tmp), fcm_credentials=credentials,
            fcm_url=fcm_url, fcm_inbox=False, embedded_worker=True, worker_poll_s=60,
            push_interval_s=0, alert_merge_window_s=0,
        )  # fmt: skip
        from app.auth.accounts import create_camera, create_user
        from app.clock import system_clock
        from app.db import make_engine, transaction
        from app.models import Role

        engine = make_engine(database_url)
        with transaction(engine) as session:
            pepper = settings.token_secret.get_secret_value()
            _, admin = create_user(session, name="admin", role=Role.ADMIN, badge=None,
                                   token_ttl=timedelta(days=1),
                                   pepper=pepper, actor=None, now=system_clock())  # fmt: skip
            _, officer = create_user(session, name="officer", role=Role.OFFICER, badge=None,
                                     token_ttl=timedelta(days=1),
                                     pepper=pepper, actor=None, now=system_clock())  # fmt: skip
            _, key = create_camera(session, name="cam", heading_deg=None, pepper=pepper,
                                   actor=None, now=system_clock(), **CAMERA)  # fmt: skip
        engine.dispose()
        as_admin = {"Authorization": f"Bearer {admin}"}
        as_officer = {"Authorization": f"Bearer {officer}"}
        with served(create_app(settings)) as base, httpx.Client(base_url=base) as api:
            api.post("/v1/devices", json={"token": "bench-phone-0001", "platform": "android"},
                     headers=as_officer).raise_for_status()  # fmt: skip
            api.put("/v1/me/duty", json={"on_duty": True}, headers=as_officer).raise_for_status()
            api.put("/v1/me/location", json=CAMERA | {"accuracy_m": 5},
                    headers=as_officer).raise_for_status()  # fmt: skip
            listed = api.post("/v1/hotlists", json={"name": "stolen", "kind": "stolen_vehicle",
                                                    "priority": 2}, headers=as_admin)  # fmt: skip
            hotlist_id = listed.json()["id"]
            plates = [f"5BEN{i:03d}" for i in range(args.rounds)]
            entries = [{"plate": p, "state": "CA"} for p in plates]
            api.post(f"/v1/hotlists/{hotlist_id}/entries", headers=as_admin, json=entries)
            received = len(inbox.messages())
            reads, bulletins = [], []
            for i in range(args.rounds):
                answer = api.post("/v1/reads", json={"plate": plates[i], "state": "CA"},
                                  headers={"X-API-Key": key})  # fmt: skip
                done = time.perf_counter()
                assert answer.status_code == 202, answer.text  # its push is awaited next
                received += 1
                reads.append(arrival_s(inbox, received, done))
                answer = api.post("/v1/bulletins", headers=as_admin, json={
                    "kind": "robbery", "narrative": f"bench {i}",
                    "vehicle": {"plate_pattern": f"9Z{i:03d}*", "make": "Honda"},
                    "area": {"center": CAMERA, "radius_m": 1000},
                })  # fmt: skip
                done = time.perf_counter()
                answer.raise_for_status()
                received += 1
                bulletins.append(arrival_s(inbox, received, done))
    print(f"First push after the request returned, worker polling every 60 s, {args.rounds} each")
    print(f"{'':<28}{'p50 ms':>9}{'max ms':>9}")
    for name, values in (("hot-list hit (baseline)", reads), ("bulletin", bulletins)):
        print(f"{name:<28}{statistics.median(values) * 1000:>9.1f}{max(values) * 1000:>9.1f}")
    ratio = statistics.median(bulletins) / statistics.median(reads)
    print(f"bulletin p50 / hit p50: {ratio:.2f}")


if __name__ == "__main__":
    main()
