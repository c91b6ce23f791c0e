"""Whatever arrives, a parser returns a `Parsed` that passes the checks or raises
VendorFormatError; never anything else (which the app would turn into a 500)."""

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lpr.vendors import (
    Parsed,
    VendorFormatError,
    axis,
    blueiris,
    dahua,
    frigate,
    genetec,
    hikvision,
    loads_lenient,
    openalpr,
    parkpow,
    platerecognizer,
    survision,
    verkada,
)
from tests.lpr.vendors import devices
from tests.lpr.vendors.checks import check
from tests.lpr.vendors.samples import SAMPLES

RECEIVED = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

# Field names and type values the parsers look at, so random objects reach deep code paths.
KEYS = """data_type version epoch_start epoch_end epoch_time agent_uid site_id camera_id uuid uuids
plate_indexes best_plate best_plate_number best_confidence best_uuid best_uuid_epoch_ms
best_region best_region_confidence region region_confidence country candidates plate confidence
plate_index results vehicle make make_model color body_type year name gps_latitude gps_longitude
travel_direction vehicle_crop_jpeg plate_crop_jpeg overview_jpeg is_preview error group
plate_number camera_number camera_name web_server_config camera_label video_streams is_streaming
last_update timestamp agent_version hook event id data score dscore code type props value model
timestamp_local timestamp_camera direction webhook_type license_plate_number license_plate_state
detected created created_at image_url after before label top_score frame_time start_time
false_positive recognized_license_plate recognized_license_plate_score sub_label severity
plateText plateUTF8 plateUnicode plateASCII plateCountry plateRegionCode plateISO3166-2
plateConfidence carState carID capture_timestamp capture_ts datetime geotag lat lon
carMoveDirection vehicle_info brand confidenceMMR confidenceColor camera_info SerialNumber
MACAddress ProdShortName sensorProviderID imageType ImageArray ImageType BinaryImage identify
ALPV macAddress device_ID system Plate ConfidenceScore State Attributes DateUtc TimeUtc DateLocal
TimeLocal SharpName CameraName Latitude Longitude VehicleID ContextImage PlateImage anpr decision
@plate @reliability @date @session @id @context_isoAlpha2 @direction jpeg method params eventList
Events Code Data Object ObjectType Text Confidence TrafficCar PlateNumber MachineName RealUTC UTC
UTCMS TimeZone GroupID EventID CommInfo GPSInfo Latitude Longitude Country NonMotor Plate Vehicle
Category VehicleColor VehicleSign DrivingDirection Index ai_dump api found predictions label Image
camera ALERT_PATH timestampUTC start_cam start_date start_data start_prediction end_cam end_date
end_data license_plate start_img start_direction code latitude longitude visit""".split()
WORDS = """alpr_group alpr_results alpr_alert vehicle heartbeat lpr recognition image.done events
reviews car us-ca ca pl ABC123 2025-02-19T09:35:04+0100 /9j/4AAQ USA CAN DEU WA new
\\u0037\\u0041 20260101 120000123 20260101 120000123+0100 ACCC8EF1A2B3 plate vehicle
03/24/2026 17:05:09 - 96 TrafficJunction Plate client.notifyEventStream
alpr objects Plate:\x20SGX""".split()

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(WORDS)
    | st.sampled_from([0, 1, 100, 1_700_000_000, 1_700_000_000_000, 93.5, 0.9])
)
json_values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=8)
    ),
    max_leaves=30,
)
objects = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), json_values, max_size=10)

PARSERS: dict[str, Callable[[object], Parsed]] = {
    "openalpr": lambda body: openalpr.parse(body, received_at=RECEIVED, max_image_bytes=4096),
    "platerecognizer": lambda body: platerecognizer.parse(body, received_at=RECEIVED),
    "verkada": lambda body: verkada.parse(body, received_at=RECEIVED),
    "frigate": lambda body: frigate.parse(body, received_at=RECEIVED),
    "axis": lambda body: axis.parse(body, received_at=RECEIVED, max_image_bytes=4096),
    "genetec": lambda body: genetec.parse(body, received_at=RECEIVED, max_image_bytes=4096),
    "survision": lambda body: survision.parse(body, received_at=RECEIVED, max_image_bytes=4096),
    "dahua": lambda body: dahua.parse(body, received_at=RECEIVED),
    "blueiris": lambda body: blueiris.parse(body, received_at=RECEIVED, max_image_bytes=4096),
    "parkpow": lambda body: parkpow.parse(body, received_at=RECEIVED),
}
# Parsers of bodies that are not JSON objects: fed bytes, and shapes of their own below.
RAW_PARSERS: dict[str, Callable[[bytes], Parsed]] = {
    "hikvision": lambda body: hikvision.parse(body, received_at=RECEIVED, max_image_bytes=4096),
}
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def survives(parse: Callable[[object], Parsed], body: object) -> None:
    try:
        parsed = parse(body)
    except VendorFormatError as error:
        assert str(error)
        return
    check(parsed)


@FUZZ
@given(value=json_values, vendor=st.sampled_from(sorted(PARSERS)))
def test_random_json_as_bytes(value: object, vendor: str) -> None:
    survives(PARSERS[vendor], json.dumps(value).encode())


@FUZZ
@given(value=objects, vendor=st.sampled_from(sorted(PARSERS)))
def test_random_objects_as_mappings(value: dict[str, object], vendor: str) -> None:
    survives(PARSERS[vendor], value)


@FUZZ
@given(
    value=objects,
    topic=st.sampled_from(
        ["frigate/events", "frigate/tracked_object_update", "frigate/reviews", "x"]
    ),
)
def test_random_frigate_messages_on_each_topic(value: dict[str, object], topic: str) -> None:
    survives(lambda body: frigate.parse(body, received_at=RECEIVED, topic=topic), value)


@FUZZ
@given(
    body=st.binary(max_size=200) | st.text(max_size=200).map(str.encode),
    vendor=st.sampled_from(sorted(PARSERS) + sorted(RAW_PARSERS)),
)
def test_random_bytes(body: bytes, vendor: str) -> None:
    survives({**PARSERS, **RAW_PARSERS}[vendor], body)


@FUZZ
@given(
    form=st.dictionaries(
        st.sampled_from(["json", "upload", "other"]),
        st.binary(max_size=50) | st.text(max_size=50) | json_values.map(json.dumps),
    )
)
def test_random_multipart_forms(form: dict[str, str | bytes]) -> None:
    survives(lambda f: platerecognizer.parse_multipart_fields(f, received_at=RECEIVED), form)


@FUZZ
@given(
    form=st.dictionaries(
        st.sampled_from(["event", "image", "other"]),
        st.binary(max_size=50) | st.text(max_size=50) | objects.map(json.dumps),
    )
)
def test_random_axis_multipart_forms(form: dict[str, str | bytes]) -> None:
    survives(lambda f: axis.parse_multipart_fields(f, received_at=RECEIVED), form)


@FUZZ
@given(
    form=st.dictionaries(
        st.sampled_from(["license_plate", "time", "camera", "vehicle_id", "json", "x"]),
        st.binary(max_size=30) | st.text(max_size=30) | st.sampled_from(WORDS),
    )
)
def test_random_parkpow_alert_forms(form: dict[str, str | bytes]) -> None:
    survives(lambda f: parkpow.parse_form(f, received_at=RECEIVED), form)


@FUZZ
@given(lines=st.lists(json_values.map(json.dumps) | st.text(max_size=30), max_size=4))
def test_random_jsonl(lines: list[str]) -> None:
    try:
        results = platerecognizer.parse_jsonl("\n".join(lines), received_at=RECEIVED)
    except VendorFormatError:
        return
    for parsed in results:
        check(parsed)


@FUZZ
@given(
    cells=st.lists(
        st.lists(
            st.text(max_size=15)
            | st.sampled_from(
                ["{'code': 'us-ca', 'score': 0.9}", "[{'plate': 'abc'}]", "0.5", "ABC123"]
            ),
            max_size=15,
        ),
        max_size=4,
    ),
    header=st.booleans(),
)
def test_random_csv(cells: list[list[str]], header: bool) -> None:
    columns = (
        "timestamp,plate,score,dscore,file,box,model_make,color,vehicle,region,orientation,"
        "candidates,source_url,position_sec,direction"
    )
    rows = [",".join(json.dumps(c) for c in row) for row in cells]
    body = "\n".join(([columns] if header else []) + rows)
    try:
        results = platerecognizer.parse_csv(body, received_at=RECEIVED)
    except VendorFormatError:
        return
    for parsed in results:
        check(parsed)


# Mutated samples: real shapes with any part replaced by anything.


def _samples() -> list[tuple[str, object]]:
    found = []
    if SAMPLES.is_dir():
        for path in sorted(SAMPLES.iterdir()):
            if path.suffix in (".json", ".jsonc") and "-" in path.name:
                found.append((path.name.split("-")[0], loads_lenient(path.read_bytes())))
    return found or [("openalpr", {"data_type": "alpr_group", "best_plate_number": "ABC123"})]


# Our own messages written from the documented structure of the vendors without shared samples.
DEVICE_DOCS: list[tuple[str, object]] = [
    ("axis", devices.axis_event(plate="7ABC123", at=RECEIVED, car_id="9")),
    ("genetec", devices.genetec_read(plate="7ABC123", at=RECEIVED, vehicle_id="g")),
    ("survision", devices.survision_message(plate="7ABC123", at=RECEIVED, event="4")),
    ("dahua", devices.dahua_event(plate="7ABC123", at=RECEIVED, group=9)),
    ("blueiris", devices.blueiris_alert(plates=[("SGX 7923G", 0.9)], at=RECEIVED, path="p")),
    ("blueiris", devices.blueiris_ai_dump(plates=[("7ABC123", 0.9)], at=RECEIVED)),
    ("parkpow", devices.parkpow_visit(plate="7ABC123", at=RECEIVED, visit_id=1, ended=True)),
]
SAMPLE_DOCS = _samples() + DEVICE_DOCS


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:5]):
            found += _paths(child, (*prefix, index))
    return found


def _replace(document: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    document = copy.deepcopy(document)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_samples(data: st.DataObject) -> None:
    vendor, document = data.draw(st.sampled_from(SAMPLE_DOCS))
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        path = data.draw(st.sampled_from(_paths(document)))
        document = _replace(document, path, data.draw(json_values))
    survives(PARSERS[vendor], document)
    survives(PARSERS[vendor], json.dumps(document))


# Hikvision XML: random trees of the element names the parser reads, and the device sample with
# parts replaced.

XML_TAGS = """EventNotificationAlert ipAddress macAddress channelID dynChannelID deviceID dateTime
eventType eventState channelName ANPR licensePlate originalLicensePlate confidenceLevel
countryAbbreviation direction vehicleType vehicleInfo color pictureInfoList pictureInfo fileName
type absTime UUID DeviceGPSInfo longitudeType latitudeType Longitude Latitude degree minute
sec""".split()
XML_TEXT = ["ANPR", "videoloss", "inactive", "active", "7ABC123", "unknown", "E", "S", "93",
            "2026-01-01T11:59:00+01:00", "20260101115900000", "c0:56:e3:4a:19:7b", "x", "",
            "licensePlatePicture.jpg", "-200", "1e400", "&amp;", "\u00e9"]  # fmt: skip

xml_text = st.sampled_from(XML_TEXT) | st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12
).map(lambda t: t.replace("&", "&amp;").replace("<", "&lt;"))
xml_nodes = st.recursive(
    st.tuples(st.sampled_from(XML_TAGS), xml_text).map(lambda p: f"<{p[0]}>{p[1]}</{p[0]}>"),
    lambda children: st.tuples(st.sampled_from(XML_TAGS), st.lists(children, max_size=5)).map(
        lambda p: f"<{p[0]}>{''.join(p[1])}</{p[0]}>"
    ),
    max_leaves=30,
)


@FUZZ
@given(children=st.lists(xml_nodes, max_size=8), namespace=st.booleans())
def test_random_isapi_alerts(children: list[str], namespace: bool) -> None:
    xmlns = ' xmlns="http://www.isapi.org/ver20/XMLSchema"' if namespace else ""
    body = f"<EventNotificationAlert{xmlns}>{''.join(children)}</EventNotificationAlert>"
    survives(RAW_PARSERS["hikvision"], body.encode())


@FUZZ
@given(data=st.data())
def test_mutated_isapi_alerts(data: st.DataObject) -> None:
    body = devices.hikvision_xml(plate="7ABC123", at=RECEIVED, uuid="u").decode()
    lines = body.splitlines()
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        lines[index] = data.draw(xml_nodes | xml_text | st.just(""))
    survives(RAW_PARSERS["hikvision"], "\n".join(lines).encode())
    form = {
        "anpr.xml": "\n".join(lines),
        "licensePlatePicture.jpg": data.draw(st.binary(max_size=40)),
    }
    survives(lambda f: hikvision.parse_multipart_fields(f, received_at=RECEIVED), form)
