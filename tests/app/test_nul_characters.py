"""A NUL character in any string a request carries is a 422 naming where it is: JSON fields,
query and path parameters, vendor messages and hot-list files. PostgreSQL cannot store one:
it used to be a 500, and on /v1/reads and vendor intake a 503 that cameras retry forever."""

import inspect
import json
import re
import typing
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from app import api
from app.clock import ManualClock
from app.models import Role
from app.schemas.common import Input
from app.schemas.reads import ReadBatchIn, ReadIn
from tests.app.helpers import World, alerts_by_read, hotlist_with_plate, make_world
from tests.app.intake.support import alpr_group, make_site, post
from tests.app.pages.support import PASSWORD, make_person

NUL = "\u0000"
AREA = {"center": {"lat": 37.8044, "lon": -122.2712}, "radius_m": 1500}


def _hotlist(client: TestClient, world: World) -> int:
    made = client.post(
        "/v1/hotlists",
        json={"name": "Stolen", "kind": "stolen_vehicle", "priority": 2},
        headers=world.admin,
    )
    return int(made.json()["id"])


def _refused(response: object, where: str) -> None:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    detail = response.json()["detail"]  # type: ignore[attr-defined]
    assert where in detail and "NUL" in detail, detail


BODIES = [
    ("post", "/v1/bulletins", {"kind": "robbery", "narrative": f"two{NUL}men", "area": AREA},
     "narrative"),
    ("post", "/v1/bulletins", {"kind": "robbery", "vehicle": {"make": f"Hon{NUL}da"},
                               "area": AREA}, "vehicle.make"),
    ("post", "/v1/hotlists", {"name": f"Stolen{NUL}", "kind": "stolen_vehicle", "priority": 2},
     "name"),
    ("post", "/v1/hotlists/{hotlist}/entries", [{"plate": "7ABC123", "reason": f"x{NUL}"}],
     "[0].reason"),
    ("post", "/v1/hotlists/{hotlist}/entries", [{"plate": "7ABC123", "case_number": NUL}],
     "[0].case_number"),
    ("patch", "/v1/hotlists/{hotlist}", {"description": f"old{NUL}"}, "description"),
    ("post", "/v1/users", {"name": f"Officer{NUL}Diaz", "role": "officer"}, "name"),
    ("post", "/v1/cameras", {"name": f"Broadway{NUL}"}, "name"),
    ("post", "/v1/devices", {"token": f"phone-token{NUL}1", "platform": "ios"}, "token"),
    ("post", "/v1/locations", {"locations": [{"badge": f"B{NUL}1", "lat": 37.8, "lon": -122.2}]},
     "locations[0].badge"),
    ("put", "/v1/officers/{me}/beat", {"beat": f"04{NUL}X"}, "beat"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "where"), BODIES)
def test_a_nul_in_a_json_field_is_a_422_naming_it(
    client: TestClient,
    engine: Engine,
    clock: ManualClock,
    method: str,
    path: str,
    body: object,
    where: str,
) -> None:
    world = make_world(engine, clock)
    me = client.get("/v1/me", headers=world.admin).json()["id"]
    url = path.format(hotlist=_hotlist(client, world), me=me)
    _refused(client.request(method, url, json=body, headers=world.admin), where)


@pytest.mark.parametrize(
    ("read", "where"),
    [
        ({"plate": "7ABC123", "vehicle": {"color": f"red{NUL}"}}, "vehicle.color"),
        ({"plate": "7ABC123", "image_url": f"https://cam/{NUL}.jpg"}, "image_url"),
        ({"reads": [{"plate": "7ABC123"}, {"plate": f"7AB{NUL}123"}]}, "reads[1].plate"),
    ],
)
def test_a_nul_in_a_read_is_a_422_not_a_503_a_camera_retries(
    client: TestClient, engine: Engine, clock: ManualClock, read: object, where: str
) -> None:
    world = make_world(engine, clock)
    _refused(client.post("/v1/reads", json=read, headers=world.camera), where)


@pytest.mark.parametrize(
    ("path", "params", "where"),
    [
        ("/v1/reads", {"plate": "7ABC123", "purpose": f"inv{NUL}estigation"}, "'purpose'"),
        ("/v1/reads", {"plate": "7ABC123", "purpose": "investigation", "case_number": NUL},
         "'case_number'"),
        ("/v1/audit", {"action": f"alert{NUL}"}, "'action'"),
        ("/v1/bulletins", {"kind": NUL}, "'kind'"),
        ("/v1/hotlists/{hotlist}/entries", {"purpose": f"review{NUL}"}, "'purpose'"),
    ],
)  # fmt: skip
def test_a_nul_in_a_query_parameter_is_a_422_naming_it(
    client: TestClient,
    engine: Engine,
    clock: ManualClock,
    path: str,
    params: dict[str, str],
    where: str,
) -> None:
    world = make_world(engine, clock)
    url = path.format(hotlist=_hotlist(client, world))
    _refused(client.get(url, params=params, headers=world.admin), where)


def test_a_nul_in_a_vendor_message_is_a_422_naming_the_field(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    group = alpr_group()
    group["best_plate"]["plate"] = f"D265{NUL}1BF"
    _refused(post(client, "openalpr", group, site), "best_plate.plate")
    verkada = {"webhook_type": "lpr", "data": {"camera_id": f"c{NUL}1", "license_plate": "7A"}}
    _refused(post(client, "verkada", verkada, site), "data.camera_id")
    csv = b"timestamp,plate,camera_id\n2024-01-01T00:00:00Z,7abc\x00123,cam1\n"
    answer = post(client, "platerecognizer", csv, site, headers={"Content-Type": "text/csv"})
    _refused(answer, "line 2")


def test_a_nul_in_a_hot_list_file_is_a_422_naming_its_line(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist = _hotlist(client, world)
    data = b"plate,state,reason\n7ABC123,CA,Stolen\n6DEF456,CA,Sto\x00len\n"
    answer = client.post(
        f"/v1/hotlists/{hotlist}/import",
        files={"file": ("stolen.csv", data, "text/csv")},
        headers=world.admin,
    )
    _refused(answer, "line 3")
    utf16 = "plate,state\n7ABC123,CA\n".encode("utf-16-le")  # no byte-order mark
    answer = client.post(
        f"/v1/hotlists/{hotlist}/import",
        files={"file": ("stolen.csv", utf16, "text/csv")},
        headers=world.admin,
    )
    _refused(answer, "UTF-16")
    # A raw NUL byte in the part's file name (httpx would percent-encode it).
    form = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="stolen\x00.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\nplate\n7ABC123\n\r\n--b--\r\n"
    )
    named = client.post(
        f"/v1/hotlists/{hotlist}/import",
        content=form,
        headers={"Content-Type": "multipart/form-data; boundary=b", **world.admin},
    )
    _refused(named, "file")


def _models(annotation: object) -> Iterator[type[BaseModel]]:
    for arg in typing.get_args(annotation):
        yield from _models(arg)
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)


def test_every_request_body_model_refuses_nul_characters() -> None:
    """The one rule holds for routes added later: each body model is an `Input`."""
    found = {ReadIn, ReadBatchIn}  # POST /v1/reads validates its body itself
    for router in api.ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                for param in route.dependant.body_params:
                    found.update(_models(param.field_info.annotation))
    found.discard(BaseModel)
    assert len(found) > 15
    assert sorted(m.__name__ for m in found if not issubclass(m, Input)) == []


def test_a_query_string_without_nul_passes(client: TestClient) -> None:
    assert client.get("/healthz", params={"x": "%00 is text here"}).status_code == 200
    assert json.loads(client.get("/healthz?x=a%2500").text) == {"status": "ok", "detail": None}


def test_a_nul_in_a_sign_in_form_is_a_422_naming_the_field(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """Forms are no `Input` model: the user name was looked up with its NUL (a 500 on
    PostgreSQL), at the token endpoint and on the sign-in page."""
    person = make_person(engine, role=Role.OFFICER, now=clock())
    _refused(client.post("/v1/auth/token", data={"username": f"{person.username}{NUL}",
                                                 "password": PASSWORD}), "username")  # fmt: skip
    page = client.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    signin = client.post("/signin", data={"username": f"{person.username}{NUL}",
                                          "password": PASSWORD, "csrf": csrf.group(1)})  # fmt: skip
    assert signin.status_code == 422 and "username" in signin.text, signin.text
    signed_in = client.post("/v1/auth/token", data={"username": person.username,
                                                    "password": PASSWORD})  # fmt: skip
    assert signed_in.status_code == 200, signed_in.text


def test_a_nul_in_a_page_form_is_a_422_naming_the_field(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """The console's confirmation note went to the database as typed (a 500 on PostgreSQL)."""
    world = make_world(engine, clock)
    hotlist_with_plate(client, world, "7ABC123", priority=1)
    read = client.post("/v1/reads", json={"plate": "7ABC123", "state": "CA"}, headers=world.camera)
    assert read.status_code == 202, read.text
    (alert_id,) = alerts_by_read(client, world.admin)[read.json()["read_ids"][0]]
    dispatcher = make_person(engine, role=Role.DISPATCHER, now=clock())
    page = client.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    signed_in = client.post("/signin", data={"username": dispatcher.username,
                                             "password": PASSWORD, "csrf": csrf.group(1)},
                            follow_redirects=False)  # fmt: skip
    assert signed_in.status_code == 303, signed_in.text
    console = re.search(r'name="csrf" value="([^"]+)"', client.get("/console").text)
    assert console is not None
    note = {"csrf": console.group(1), "state": "requested", "note": f"call{NUL}back"}
    answer = client.post(f"/console/alerts/{alert_id}/confirmation", data=note)
    assert answer.status_code == 422 and "note" in answer.text, answer.text
    note["note"] = "call back"
    taken = client.post(f"/console/alerts/{alert_id}/confirmation", data=note,
                        follow_redirects=False)  # fmt: skip
    assert taken.status_code < 400, taken.text
