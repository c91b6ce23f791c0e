"""Every LPR payload sample, posted to its endpoint as the vendor's software would, is stored
with the right plate, time, camera, confidence and vehicle, or deliberately not stored."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from tests.app.intake.support import FRIGATE_SAMPLES, camera_of, make_site, stored_reads
from tests.lpr.vendors.samples import payload_samples, sample
from tests.shared_data import missing

JSON = "application/json"


@dataclass(frozen=True)
class Expect:
    plate: str
    read_at: str  # ISO, UTC
    camera_ref: str | None  # None: stored under the key's own camera
    confidence: float
    state: str | None = None
    vehicle: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    vendor: str
    reads: tuple[Expect, ...] = ()
    kind: str | None = None  # a message that stores no read: heartbeat, ...
    content_type: str = JSON


OPENALPR_AGENT = "openalpr:YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY:1234"
PR_STREAM = Expect(
    "wa88822", "2025-02-19T08:35:04.691903", "platerecognizer:camera-1", 0.999,
    vehicle={"make": "Peugeot", "model": "207", "color": "black", "type": "Sedan"},
)  # fmt: skip

CASES: dict[str, Case] = {
    "openalpr-alpr_group-v1-openalpr-doc.json": Case(
        "openalpr",
        (Expect("A13709", "2015-11-24T00:50:08.789", "openalpr:dimitar-video:1414799424", 0.9208),),
    ),
    "openalpr-alpr_group-v2-openalpr-doc.json": Case(
        "openalpr",
        (
            Expect(
                "D2651BF",
                "2019-07-09T14:05:21.504",
                OPENALPR_AGENT,
                0.9388,
                state="MO",
                vehicle={
                    "make": "ford",
                    "model": "focus",
                    "color": "black",
                    "type": "sedan-standard",
                },
            ),
        ),
    ),
    "openalpr-alpr_results-v2-openalpr-doc.json": Case(
        "openalpr",
        (
            Expect("D2651BF", "2019-07-09T14:13:28.425", OPENALPR_AGENT, 0.9294),
            Expect("CG3L5Y", "2019-07-09T14:13:28.425", OPENALPR_AGENT, 0.9474, state="MO"),
        ),
    ),
    "openalpr-alprd-opensource-results-openalpr-doc.json": Case(
        "openalpr",
        (
            Expect("S11FRE", "2014-06-07T17:10:50", "openalpr:headquarters:1", 0.7713),
            Expect("EJLESSIE", "2014-06-07T16:20:50", "openalpr:headquarters:1", 0.7817),
        ),
    ),
    "openalpr-cloud-alpr_results-v3-openalpr-doc.json": Case(
        "openalpr",
        (
            Expect(
                "627WWI",
                "2020-06-22T18:17:18.217",
                None,
                0.9409,
                state="WA",
                vehicle={
                    "make": "daihatsu",
                    "model": "sirion",
                    "color": "silver-gray",
                    "type": "sedan-compact",
                },
            ),
        ),
    ),
    "openalpr-webservice-alpr_results-openalpr-doc.json": Case(
        "openalpr", (Expect("AKS4329", "2015-11-23T17:22:37.883", None, 0.8646, state="GA"),)
    ),
    "openalpr-heartbeat-v1-openalpr-doc.json": Case("openalpr", kind="heartbeat"),
    "openalpr-heartbeat-v2-openalpr-doc.json": Case("openalpr", kind="heartbeat"),
    "platerecognizer-snapshot-cloud-response-mmc-platerec-docs.jsonc": Case(
        "platerecognizer",
        (
            Expect(
                "nhk552",
                "2020-10-12T16:17:27.574008",
                None,
                0.904,
                vehicle={"make": "Riley", "model": "RMF", "color": "black", "type": "Sedan"},
            ),
        ),
    ),
    "platerecognizer-snapshot-vehicle-detection-mode-platerec-docs.json": Case(
        "platerecognizer",
        (
            Expect(
                "nhk552",
                "2021-11-23T17:56:47.896406",
                "platerecognizer:my-camera",
                0.838,
                vehicle={"make": "Riley", "model": "RMF", "color": "black", "type": "Sedan"},
            ),
        ),
    ),
    "platerecognizer-webhook-snapshot-image.done-platerec-docs.json": Case(
        "platerecognizer",
        (
            Expect("765410", "2019-08-31T14:22:06.983", None, 0.9132),
            Expect("830265", "2019-08-31T14:22:06.983", None, 0.7701),
        ),
    ),
    "platerecognizer-stream-webhook-2025-lpr-ai.json": Case("platerecognizer", (PR_STREAM,)),
    "platerecognizer-stream-jsonl-output-lpr-ai.jsonl": Case(
        "platerecognizer", (PR_STREAM,), content_type="application/x-ndjson"
    ),
    "platerecognizer-stream-csv-output-lpr-ai.csv": Case(
        "platerecognizer", (PR_STREAM,), content_type="text/csv"
    ),
    "platerecognizer-stream-csv-output-first-row-platerec-guides.csv": Case(
        "platerecognizer",
        (
            Expect(
                "sjubi1",
                "2021-10-27T06:20:43.970337",
                "platerecognizer:camera-1",
                0.781,
                vehicle={
                    "make": "Volkswagen",
                    "model": "Golf",
                    "color": "white",
                    "type": "Big Truck",
                },
            ),
        ),
        content_type="text/csv",
    ),
    "verkada-lpr-webhook-2020-verkada-apidocs.json": Case(
        "verkada",
        (
            Expect(
                "7NCR867",
                "2020-10-15T01:31:24",
                "verkada:7a226fef-3636-4428-bb61-aa3e61c4abea",
                0.85,
            ),
        ),
    ),
    "verkada-lpr-webhook-2025-verkada-apidocs.json": Case(
        "verkada",
        (
            Expect(
                "ABCD123",
                "2025-09-19T17:27:45.879",
                "verkada:38718198-8a78-4718-a60f-68e1a8de30ac",
                0.9630,
                state="CA",
            ),
        ),
    ),
}


def test_every_payload_sample_is_posted_in_a_test() -> None:
    found = payload_samples()
    if not found:
        missing("the LPR samples")
    covered = set(CASES) | set(FRIGATE_SAMPLES)  # Frigate speaks MQTT: test_intake_mqtt.py
    assert sorted(set(found) - covered) == [], "a new sample needs an intake test"
    assert sorted(covered - set(found)) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_sample_is_stored_as_the_vendor_meant_it(
    name: str, client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    case = CASES[name]
    site = make_site(engine, clock)
    response = client.post(
        f"/v1/intake/{case.vendor}",
        content=sample(name),
        headers={"Content-Type": case.content_type, **site.headers},
    )
    assert response.status_code == 202, response.text
    body = response.json()
    if case.kind is not None:
        assert (body["kind"], body["stored"], body["ignored"]) == (case.kind, 0, None)
        return
    assert body["ignored"] is None and body["duplicates"] == 0
    assert body["stored"] == len(case.reads)
    reads = stored_reads(engine, body["read_ids"])
    assert [r.id for r in reads] == body["read_ids"]
    for read, expected in zip(reads, case.reads, strict=True):
        assert read.plate == expected.plate
        assert read.read_at == datetime.fromisoformat(expected.read_at).replace(tzinfo=UTC)
        assert read.received_at == clock()
        assert read.confidence == pytest.approx(expected.confidence, abs=1e-4)
        assert read.state == expected.state
        assert read.candidates and read.candidates[0]["plate"] == expected.plate
        vehicle = {
            "make": read.vehicle_make,
            "model": read.vehicle_model,
            "color": read.vehicle_color,
            "type": read.vehicle_type,
        }
        assert vehicle == {"make": None, "model": None, "color": None, "type": None} | dict(
            expected.vehicle
        )
        if expected.vehicle:
            assert read.details is not None and read.details["vehicle_confidence"]
        if expected.camera_ref is None:
            assert read.camera_id == site.camera_id
        else:
            camera = camera_of(engine, site, expected.camera_ref)
            assert camera is not None and read.camera_id == camera.id
            assert read.details is not None
            assert read.details["camera_ref"] == expected.camera_ref
        assert read.details is not None and read.details["vendor"] == case.vendor


@pytest.mark.parametrize(
    "name", [n for n in sorted(CASES) if CASES[n].content_type == JSON and CASES[n].reads]
)
def test_a_sample_posted_twice_is_stored_once(
    name: str, client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """A vendor's retry. Messages that carry no id of their own (a Cloud API response, the web
    service's) cannot be told from a new read and are stored again."""
    case = CASES[name]
    site = make_site(engine, clock)
    post = lambda: client.post(  # noqa: E731
        f"/v1/intake/{case.vendor}", content=sample(name), headers=site.headers
    )
    first, second = post().json(), post().json()
    if name.startswith(("openalpr-cloud", "openalpr-webservice")):
        assert second["stored"] == first["stored"]
        return
    assert (second["stored"], second["duplicates"]) == (0, first["stored"])
    assert sorted(second["duplicate_of"]) == sorted(first["read_ids"])
    assert len(stored_reads(engine)) == first["stored"]
