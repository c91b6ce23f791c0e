"""Messages as each camera or program sends them, written for Lookout from each vendor's
documented structure (field names, types, nesting and quirks), with made-up plates, ids and
addresses. Each builder takes the moment of the read, so a test can post it as fresh."""

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
WEBP = b"RIFF\x24\x08\x00\x00WEBPVP8 " + bytes(range(256)) * 8


@dataclass(frozen=True)
class Post:
    """One HTTP request as the device makes it: a body or multipart parts, and its type."""

    content: bytes | None = None
    content_type: str = "application/json"
    data: dict[str, str] = field(default_factory=dict)  # multipart text fields
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)  # multipart files

    def request(self) -> dict[str, Any]:
        """Keyword arguments for `TestClient.post`."""
        if self.files or self.data:
            return {"data": self.data, "files": self.files}
        return {"content": self.content, "headers": {"Content-Type": self.content_type}}


# Hikvision: ISAPI EventNotificationAlert, multipart with the pictures or the bare XML.

HIKVISION_MAC = "c0:56:e3:4a:19:7b"
CENTRAL = timezone(timedelta(hours=-6))


def hikvision_xml(
    *,
    plate: str,
    at: datetime,
    uuid: str,
    event_type: str = "ANPR",
    state: str = "active",
    mac: str = HIKVISION_MAC,
) -> bytes:
    local = at.astimezone(CENTRAL)
    stamp = local.isoformat(timespec="milliseconds")
    anpr = f"""
  <ANPR>
    <country>3</country>
    <countryAbbreviation>NON</countryAbbreviation>
    <licensePlate>{plate}</licensePlate>
    <line>1</line>
    <direction>forward</direction>
    <confidenceLevel>91</confidenceLevel>
    <plateType>unknown</plateType>
    <plateColor>white</plateColor>
    <plateCharBelieve>95,93,90,92,91,90,89</plateCharBelieve>
    <vehicleType>vehicle</vehicleType>
    <detectDir>8</detectDir>
    <vehicleInfo>
      <index>4021</index>
      <vehicleType>1</vehicleType>
      <colorDepth>2</colorDepth>
      <color>white</color>
      <speed>0</speed>
      <vehicleLogoRecog>1036</vehicleLogoRecog>
      <vehileSubLogoRecog>3</vehileSubLogoRecog>
      <vehileModel>0</vehileModel>
    </vehicleInfo>
    <pictureInfoList>
      <pictureInfo>
        <fileName>licensePlatePicture.jpg</fileName>
        <type>licensePlatePicture</type>
        <dataType>0</dataType>
        <picRecogMode>1</picRecogMode>
        <absTime>{local:%Y%m%d%H%M%S}{local.microsecond // 1000:03d}</absTime>
      </pictureInfo>
      <pictureInfo>
        <fileName>detectionPicture.jpg</fileName>
        <type>detectionPicture</type>
        <dataType>0</dataType>
        <absTime>{local:%Y%m%d%H%M%S}{local.microsecond // 1000:03d}</absTime>
        <plateRect><X>512</X><Y>388</Y><width>120</width><height>34</height></plateRect>
      </pictureInfo>
    </pictureInfoList>
    <originalLicensePlate>{plate}</originalLicensePlate>
    <vehicleListName>otherList</vehicleListName>
  </ANPR>
  <UUID>{uuid}</UUID>
  <picNum>2</picNum>"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
  <ipAddress>10.40.12.31</ipAddress>
  <portNo>80</portNo>
  <protocol>HTTP</protocol>
  <macAddress>{mac}</macAddress>
  <channelID>1</channelID>
  <dateTime>{stamp}</dateTime>
  <activePostCount>1</activePostCount>
  <eventType>{event_type}</eventType>
  <eventState>{state}</eventState>
  <eventDescription>{event_type} alarm</eventDescription>
  <channelName>Main St northbound</channelName>{anpr if event_type == "ANPR" else ""}
</EventNotificationAlert>
""".encode()


def hikvision(*, plate: str, at: datetime, event_id: str) -> Post:
    """The multipart post of a camera with "upload picture" on."""
    return Post(
        files={
            "anpr.xml": ("anpr.xml", hikvision_xml(plate=plate, at=at, uuid=event_id), "text/xml"),
            "licensePlatePicture.jpg": ("licensePlatePicture.jpg", JPEG[:900], "image/jpeg"),
            "detectionPicture.jpg": ("detectionPicture.jpg", JPEG, "image/jpeg"),
        }
    )


def millis(at: datetime) -> int:
    """Whole milliseconds since the epoch, as cameras count them (no float rounding)."""
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def at_utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def dumps(value: object) -> bytes:
    return json.dumps(value).encode()


# AXIS License Plate Verifier: multipart push, the event JSON in `event`, the picture in `image`.

AXIS_SERIAL = "ACCC8EF1A2B3"


def axis_event(
    *, plate: str, at: datetime, car_id: str, state: str = "new", region: str = "CA"
) -> dict[str, Any]:
    local = at.astimezone(timezone(timedelta(hours=-8)))
    ms = millis(at)
    escaped = "".join(f"\\u{ord(ch):04x}" for ch in plate)  # as the TCP/JSON sample writes it
    return {
        "packetCounter": "48213",
        "capture_timestamp": str(ms),
        "frame_timestamp": str(ms * 1000 + 417),
        "capture_ts": str(ms * 1_000_000),
        "datetime": f"{local:%Y%m%d %H%M%S}{local.microsecond // 1000:03d}",
        "plateText": escaped,
        "plateUnicode": plate,
        "plateUTF8": plate,
        "plateASCII": plate,
        "plateCountry": "USA",
        "plateISO3166-2": "",
        "plateRegion": "California",
        "plateRegionCode": region,
        "plateList": "",
        "plateListMode": "",
        "plateListDescription": "",
        "plateConfidence": "0.874120",
        "carState": state,
        "roiID": "1",
        "geotag": {"lat": 37.80441, "lon": -122.27118},
        "imageType": "plate",
        "plateImageType": "jpeg",
        "plateImageSize": "0",
        "carMoveDirection": "in",
        "timeProcessing": "0",
        "plateCoordinates": [604, 512, 131, 37],
        "plateCoordinatesRelative": [604, 512, 131, 37],
        "carID": car_id,
        "GEOtarget": "Camera",
        "imagesURI": [f"/local/fflprapp/tools.cgi?action=getImage&name=12/{ms}_lp_{plate}.jpg"],
        "imageFile": f"localdata/images/12/{ms}_roi_{plate}.jpg",
        "profileID": "1",
        "vehicle_info": {
            "view": "rear",
            "type": "CAR",
            "make": "Toyota",
            "model": "Camry",
            "color": "SILVER",
            "confidenceMMR": "0.912300",
            "confidenceColor": "0.880100",
        },
        "camera_info": {
            "SerialNumber": AXIS_SERIAL,
            "ProdShortName": "AXIS P1455-LE",
            "IPAddress": "10.40.12.52",
            "MACAddress": AXIS_SERIAL,
        },
        "sensorProviderID": "Broadway-EB",
    }


def axis(*, plate: str, at: datetime, event_id: str) -> Post:
    event = json.dumps(axis_event(plate=plate, at=at, car_id=event_id[:8]), ensure_ascii=False)
    return Post(
        files={
            "event": ("event.json", event.encode(), "application/json"),
            "image": ("image.jpg", JPEG, "image/jpeg"),
        }
    )


# Genetec AutoVu: a SharpV's HTTP read, every value a string.

GENETEC_SHARP = "SHARPV-40317"


def genetec_read(
    *, plate: str, at: datetime, vehicle_id: str, local_as_utc: bool = False
) -> dict[str, Any]:
    local = at.astimezone(timezone(timedelta(hours=-7)))
    utc = local if local_as_utc else at
    return {
        "Address": "",
        "Attributes": {
            "Vehicle Type": "Passenger Vehicle",
            "Vehicle Type Confidence Score": "94",
            "Vehicle Color": "Blue",
            "Vehicle Color Confidence Score": "88",
            "Vehicle Make": "-",
            "Vehicle Model": "-",
            "Relative Motion": "Approaching",
            "State Name": "CA",
            "State Name Confidence Score": "97",
            "Confidence Score": "96",
        },
        "CameraName": f"{GENETEC_SHARP} - Camera",
        "ConfidenceScore": "96",
        "ContextImage": b64(JPEG),
        "DateLocal": f"{local:%m/%d/%Y}",
        "DateUtc": f"{utc:%m/%d/%Y}",
        "InventoryLocation": "",
        "IsHit": "No",
        "Latitude": "37.8044",
        "LatitudeDMS": "N37 48 15",
        "Longitude": "-122.2712",
        "LongitudeDMS": "W-122 16 16",
        "OverviewImage": "",
        "ParkingLot": "",
        "PatrollerId": "00000000-0000-0000-0000-000000000000",
        "PatrollerName": "",
        "PermitName": "",
        "Plate": plate,
        "PlateImage": b64(JPEG[:900]),
        "SharpName": GENETEC_SHARP,
        "State": "CA",
        "TimeLocal": f"{local:%H:%M:%S}",
        "TimeUtc": f"{utc:%H:%M:%S}",
        "UserId": "00000000-0000-0000-0000-000000000000",
        "UserName": "",
        "VehicleID": vehicle_id,
    }


def genetec(*, plate: str, at: datetime, event_id: str) -> Post:
    return Post(content=dumps(genetec_read(plate=plate, at=at, vehicle_id=event_id)))


# Survision: the camera's XML as JSON, `@attribute` keys, every value a string.


def survision_message(
    *, plate: str, at: datetime, event: str, context: str = "US-CA"
) -> dict[str, Any]:
    return {
        "anpr": {
            "@date": str(millis(at)),
            "@synchronized": "1",
            "@session": "7",
            "@id": event,
            "decision": {
                "@x": "688",
                "@y": "702",
                "@width": "204",
                "@height": "48",
                "@sinus": "0.021733",
                "@plate": plate,
                "@context": "US",
                "@context_isoAlpha3": "USA",
                "@context_isoAlpha2": context,
                "@reliability": "94",
                "@plateOccurences": "11",
                "@direction": "front",
                "@squarePlate": "0",
                "jpeg": b64(JPEG),
            },
        }
    }


def survision(*, plate: str, at: datetime, event_id: str) -> Post:
    event = str(int(event_id.replace("-", "")[:7], 16))
    return Post(content=dumps(survision_message(plate=plate, at=at, event=event)))


# Dahua ITC: a JSON-RPC client.notifyEventStream push with one TrafficJunction event.

DAHUA_MACHINE = "7K02A1BPAZ00931"


def dahua_event(*, plate: str, at: datetime, group: int, real_utc: bool = True) -> dict[str, Any]:
    real = int(at.timestamp())
    local = real - 7 * 3600  # UTC-07:00: `UTC` is the local wall clock written as an epoch
    data: dict[str, Any] = {
        "Action": "Pulse",
        "Class": "Traffic",
        "Code": "TrafficJunction",
        "CommInfo": {"Country": "US", "GPSInfo": {"Latitude": 0.0, "Longitude": 0.0}},
        "CountInGroup": 1,
        "EventID": group % 100000,
        "GroupID": group,
        "IndexInGroup": 1,
        "JunctionDirection": "Obverse",
        "Lane": 1,
        "LocaleTime": datetime.fromtimestamp(local, UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "Name": "TrafficJunction0",
        "Object": {
            "Action": "Appear",
            "BoundingBox": [4410, 4620, 5012, 4790],
            "Category": "Normal",
            "Confidence": 214,
            "ObjectID": 40211,
            "ObjectType": "Plate",
            "Text": plate,
        },
        "PTS": 42994650150.0,
        "RealUTC": real,
        "TimeZone": 27,
        "TrafficCar": {
            "CountInGroup": 1,
            "DrivingDirection": ["Approach", "Car come in", "Car go out"],
            "Event": "TrafficJunction",
            "GroupID": group,
            "Lane": 1,
            "MachineName": DAHUA_MACHINE,
            "PlateColor": "White",
            "PlateNumber": plate,
            "PlateType": "Normal",
            "Speed": 31,
            "UTC": local,
            "VehicleColor": "Red",
            "VehicleSign": "Honda",
            "VehicleSize": "Light-duty",
            "ViolationName": "ANPR",
        },
        "UTC": local,
        "UTCMS": at.microsecond // 1000,
        "Vehicle": {"Category": "SaloonCar", "Confidence": 201, "ObjectType": "Vehicle"},
    }
    if not real_utc:
        data.pop("RealUTC")
    return {
        "id": 3143,
        "method": "client.notifyEventStream",
        "params": {
            "SID": 513,
            "eventList": [{"Action": "Pulse", "Code": "TrafficJunction", "Data": data}],
        },
        "session": "5f2a09c1e07b44d8a1f0",
    }


def dahua(*, plate: str, at: datetime, event_id: str) -> Post:
    group = int(event_id.replace("-", "")[:7], 16)
    return Post(content=dumps(dahua_event(plate=plate, at=at, group=group)))


# Blue Iris: an alert webhook whose body template carries CodeProject.AI's ai_dump (&JSON).


def blueiris_ai_dump(*, plates: list[tuple[str, float]], at: datetime) -> list[dict[str, Any]]:
    processed = at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return [
        {
            "api": "objects",
            "found": {
                "success": True,
                "predictions": [
                    {
                        "confidence": 0.91,
                        "label": "car",
                        "x_min": 120,
                        "y_min": 88,
                        "x_max": 910,
                        "y_max": 640,
                    }
                ],
                "message": "Found car",
                "timestampUTC": processed,
            },
        },
        {
            "api": "alpr",
            "found": {
                "success": True,
                "processMs": 212,
                "inferenceMs": 180,
                "predictions": [
                    {
                        "confidence": score,
                        "label": f"Plate: {text}",
                        "plate": text,
                        "x_min": 402,
                        "y_min": 511,
                        "x_max": 538,
                        "y_max": 552,
                    }
                    for text, score in plates
                ],
                "message": "Found " + ", ".join(f"Plate: {text}" for text, _ in plates),
                "moduleId": "ALPR",
                "moduleName": "License Plate Reader",
                "code": 200,
                "command": "alpr",
                "timestampUTC": processed,
            },
        },
    ]


def blueiris_alert(*, plates: list[tuple[str, float]], at: datetime, path: str) -> dict[str, Any]:
    return {
        "ai_dump": blueiris_ai_dump(plates=plates, at=at),
        "Image": b64(WEBP),
        "camera": "DrivewayLPR",
        "ALERT_PATH": path,
        "ALERT_CLIP": f"@{path[-9:]}",
        "timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def blueiris(*, plate: str, at: datetime, event_id: str) -> Post:
    path = f"DrivewayLPR.{at:%Y%m%d_%H%M%S}.{event_id[:6]}.3-1.jpg"
    # a two-line plate: CodeProject.AI reads the two rows with a space between them
    two_lines = f"{plate[:3]} {plate[3:]}"
    return Post(content=dumps(blueiris_alert(plates=[(two_lines, 0.88)], at=at, path=path)))


# ParkPow: a vehicle visit as its webhook sends it (a Plate Recognizer result inside).


def parkpow_visit(
    *, plate: str, at: datetime, visit_id: int, ended: bool = False
) -> dict[str, Any]:
    local = at.astimezone(timezone(timedelta(hours=-7)))
    result = {
        "box": {"xmin": 412, "ymin": 508, "xmax": 541, "ymax": 549},
        "plate": plate.lower(),
        "region": {"code": "us-ca", "score": 0.93},
        "score": 0.907,
        "candidates": [{"score": 0.907, "plate": plate.lower()}],
        "dscore": 0.884,
        "vehicle": {
            "score": 0.81,
            "type": "Sedan",
            "box": {"xmin": 60, "ymin": 91, "xmax": 990, "ymax": 700},
        },
        "model_make": [{"make": "Tesla", "model": "Model 3", "score": 0.74}],
        "color": [{"color": "white", "score": 0.88}],
        "orientation": [{"orientation": "Rear", "score": 0.97}],
        "direction": 172,
    }
    camera = {
        "code": "gate-2",
        "name": "Gate 2 entrance",
        "type": "Entrance",
        "latitude": "37.8044",
        "longitude": "-122.2712",
        "notes": "",
    }
    return {
        "id": visit_id,
        "vehicle": {"license_plate": plate.lower(), "status": "Unauthorized", "field1": None},
        "score": 0.907,
        "start_cam": camera,
        "start_date": local.isoformat(timespec="microseconds"),
        "start_data": result,
        "start_direction": 172,
        "start_orientation": "Rear",
        "start_img": f"https://app.parkpow.example/media/visits/{visit_id}-start.jpg",
        "last_spotted": local.isoformat(timespec="microseconds"),
        "status": "Created - New visit created",
        "end_cam": {**camera, "code": "gate-2-exit", "type": "Exit"} if ended else None,
        "end_date": (local + timedelta(minutes=42)).isoformat() if ended else None,
        "end_data": result if ended else None,
        "duration": 42.0 if ended else None,
    }


def parkpow(*, plate: str, at: datetime, event_id: str) -> Post:
    visit_id = int(event_id.replace("-", "")[:7], 16)
    return Post(content=dumps({"data": parkpow_visit(plate=plate, at=at, visit_id=visit_id)}))
