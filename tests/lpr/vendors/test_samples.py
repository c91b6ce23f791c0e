"""Every LPR payload sample is read: reads that pass the checks, a heartbeat, or a reason."""

from collections.abc import Callable

import pytest

from lpr.vendors import (
    Heartbeat,
    Ignored,
    Parsed,
    Reads,
    frigate,
    openalpr,
    platerecognizer,
    verkada,
)
from tests.lpr.vendors.checks import check
from tests.lpr.vendors.samples import RECEIVED, payload_samples, sample
from tests.shared_data import missing

Parser = Callable[[bytes], tuple[Parsed, ...]]


def one(parse: Callable[..., Parsed]) -> Parser:
    return lambda body: (parse(body, received_at=RECEIVED),)


EXPECTED: dict[str, tuple[Parser, type]] = {
    "openalpr-alpr_group-v1-openalpr-doc.json": (one(openalpr.parse), Reads),
    "openalpr-alpr_group-v2-openalpr-doc.json": (one(openalpr.parse), Reads),
    "openalpr-alpr_results-v2-openalpr-doc.json": (one(openalpr.parse), Reads),
    "openalpr-alprd-opensource-results-openalpr-doc.json": (one(openalpr.parse), Reads),
    "openalpr-cloud-alpr_results-v3-openalpr-doc.json": (one(openalpr.parse), Reads),
    "openalpr-heartbeat-v1-openalpr-doc.json": (one(openalpr.parse), Heartbeat),
    "openalpr-heartbeat-v2-openalpr-doc.json": (one(openalpr.parse), Heartbeat),
    "openalpr-webservice-alpr_results-openalpr-doc.json": (one(openalpr.parse), Reads),
    "platerecognizer-snapshot-cloud-response-mmc-platerec-docs.jsonc": (
        one(platerecognizer.parse),
        Reads,
    ),
    "platerecognizer-snapshot-vehicle-detection-mode-platerec-docs.json": (
        one(platerecognizer.parse),
        Reads,
    ),
    "platerecognizer-webhook-snapshot-image.done-platerec-docs.json": (
        one(platerecognizer.parse),
        Reads,
    ),
    "platerecognizer-stream-webhook-2025-lpr-ai.json": (one(platerecognizer.parse), Reads),
    "platerecognizer-stream-jsonl-output-lpr-ai.jsonl": (
        lambda body: platerecognizer.parse_jsonl(body, received_at=RECEIVED),
        Reads,
    ),
    "platerecognizer-stream-csv-output-lpr-ai.csv": (
        lambda body: platerecognizer.parse_csv(body, received_at=RECEIVED),
        Reads,
    ),
    "platerecognizer-stream-csv-output-first-row-platerec-guides.csv": (
        lambda body: platerecognizer.parse_csv(body, received_at=RECEIVED),
        Reads,
    ),
    "verkada-lpr-webhook-2020-verkada-apidocs.json": (one(verkada.parse), Reads),
    "verkada-lpr-webhook-2025-verkada-apidocs.json": (one(verkada.parse), Reads),
    "frigate-mqtt-events-recognized_license_plate-frigate-docs.jsonc": (one(frigate.parse), Reads),
    "frigate-mqtt-tracked_object_update-lpr-frigate-docs.jsonc": (one(frigate.parse), Reads),
    "frigate-mqtt-tracked_object_update-lpr-0.16-frigate-docs.json": (one(frigate.parse), Reads),
    "frigate-mqtt-reviews-frigate-docs.jsonc": (one(frigate.parse), Ignored),
}


def test_every_payload_sample_has_an_expectation() -> None:
    found = payload_samples()
    if not found:
        missing("the LPR samples")
    assert sorted(set(found) - set(EXPECTED)) == [], "a new sample needs a parser and a test"
    assert sorted(set(EXPECTED) - set(found)) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_payload_sample_is_read_or_deliberately_ignored(name: str) -> None:
    parser, expected = EXPECTED[name]
    results = parser(sample(name))
    assert results
    for parsed in results:
        assert isinstance(parsed, expected), parsed
        check(parsed)


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if not n.endswith((".csv", ".jsonl"))))
def test_every_sample_reads_the_same_from_bytes_text_with_a_bom_and_a_log_line(name: str) -> None:
    parser, _ = EXPECTED[name]
    body = sample(name)
    plain = parser(body)
    assert parser(b"\xef\xbb\xbf" + body) == plain
    assert parser(b"2026-01-01 12:00:00 agent[42]: posting result\n" + body) == plain
