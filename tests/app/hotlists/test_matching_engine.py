"""The plate-matching engine through the API: misreads, candidates, edits, partial plates,
policies, explanations, historical hits and extract imports, on both databases."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.hotlists import service as hotlists
from app.hotlists.index import CHANGES_PER_REFRESH, HotListIndex
from app.models import AlertRecipient, HotList, Role
from app.schemas.hotlists import EntryIn
from tests import factories
from tests.app.helpers import World, hits_of, make_world, officer_on_duty
from tests.shared_data import LPR_SAMPLES

SAMPLES = LPR_SAMPLES


def _list(
    client: TestClient, world: World, *, kind: str = "stolen_vehicle", **extra: object
) -> int:
    body = {"name": factories.unique("list"), "kind": kind, "priority": 2} | extra
    response = client.post("/v1/hotlists", json=body, headers=world.admin)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _add(
    client: TestClient, world: World, hotlist_id: int, *entries: dict[str, object]
) -> dict[str, object]:
    response = client.post(
        f"/v1/hotlists/{hotlist_id}/entries", json=list(entries), headers=world.admin
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _read(client: TestClient, world: World, **read: object) -> int:
    return hits_of(client, world.admin, client.post("/v1/reads", json=read, headers=world.camera))


def _latest_alert(client: TestClient, world: World) -> dict[str, object]:
    alert_id = client.get("/v1/alerts", headers=world.admin).json()["data"][0]["id"]
    return dict(client.get(f"/v1/alerts/{alert_id}", headers=world.admin).json())


def test_a_confusable_misread_hits_and_says_so(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_id = _list(client, world)
    _add(client, world, hotlist_id, {"plate": "7ABC123", "state": "CA"})
    assert _read(client, world, plate="7A8C123", state="CA") == 1
    alert = _latest_alert(client, world)
    assert "POSSIBLE MISREAD — verify plate" in str(alert["title"])
    details = alert["details"]
    assert isinstance(details, dict)
    assert details["match"] == "confusable"
    assert details["match_label"] == "POSSIBLE MISREAD — verify plate"
    assert "position 3 read 8, entry B" in details["explanation"]
    assert (details["plate_read"], details["plate_listed"]) == ("7A8C123", "7ABC123")
    assert "Why: read 7A8C123, entry 7ABC123" in str(alert["body"])
    exact = _list(client, world)
    _add(client, world, exact, {"plate": "6XYZ777", "state": "CA"})
    assert _read(client, world, plate="6XYZ777") == 1
    assert "— EXACT" in str(_latest_alert(client, world)["title"])


def test_a_lower_ranked_ocr_candidate_hits_and_its_rank_is_shown(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    _add(client, world, _list(client, world), {"plate": "7ABC123"})
    guesses = [{"plate": "7XYZ128", "confidence": 0.5}, {"plate": "7ABC123", "confidence": 0.41}]
    hits = _read(client, world, plate="7XYZ123", confidence=0.9, candidates=guesses)
    assert hits == 1
    matching = _latest_alert(client, world)["details"]["matching"]  # type: ignore[index]
    assert (matching["candidate_rank"], matching["candidate_count"]) == (3, 3)
    assert matching["candidate_confidence"] == 0.41


def test_policies_decide_how_fuzzy_a_list_is_and_changes_apply_at_once(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    ncic = _list(client, world)  # large list: exact or one look-alike, no edits
    local = _list(client, world, kind="local")  # small list: two look-alikes and one edit
    assert client.get(f"/v1/hotlists/{local}", headers=world.admin).json()["match"] == {
        "confusable_max": 2, "edit_max": 1, "broad_confusables": False, "ignore_state": False,
    }  # fmt: skip
    _add(client, world, ncic, {"plate": "8DEF456"})
    _add(client, world, local, {"plate": "5GHJ789"})
    assert _read(client, world, plate="8DEF4567") == 0  # one extra character: no edits here
    assert _read(client, world, plate="5GHJ7809") == 1  # ...but one edit on the local list
    assert _latest_alert(client, world)["details"]["match"] == "edited"  # type: ignore[index]
    assert _read(client, world, plate="BDEF4S6") == 0  # two look-alikes: over the NCIC budget

    exact_only = {"match": {"confusable_max": 0}}
    assert (
        client.patch(f"/v1/hotlists/{ncic}", json=exact_only, headers=world.admin).status_code
        == 200
    )
    assert _read(client, world, plate="8DEF45G") == 0
    assert _read(client, world, plate="8DEF456") == 1

    assert (
        client.patch(
            f"/v1/hotlists/{ncic}", json={"is_active": False}, headers=world.admin
        ).status_code
        == 200
    )
    assert _read(client, world, plate="8DEF456") == 0
    client.patch(f"/v1/hotlists/{ncic}", json={"is_active": True}, headers=world.admin)
    assert _read(client, world, plate="8DEF456") == 1


def test_partial_plates_and_lists_that_ignore_state(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    local = _list(client, world, kind="local")
    _add(client, world, local, {"plate": "7AB*", "state": "CA"}, {"plate": "4?X?9"})
    assert _read(client, world, plate="7ABQ999", state="CA") == 1
    assert _latest_alert(client, world)["details"]["match"] == "partial"  # type: ignore[index]
    assert _read(client, world, plate="4KXZ9") == 1
    assert _read(client, world, plate="6ZZZ111") == 0
    bad = client.post(f"/v1/hotlists/{local}/entries", json=[{"plate": "*7*"}], headers=world.admin)
    assert bad.status_code == 422 and "known characters" in bad.json()["detail"]

    national = _list(client, world, match={"ignore_state": True})
    _add(client, world, national, {"plate": "9NAT999", "state": "TX"})
    assert _read(client, world, plate="9NAT999", state="CA") == 1


def test_a_new_entry_finds_reads_already_taken_as_historical_hits(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=37.8044, lon=-122.2712)
    officer, _, _ = officer_on_duty(client, engine, clock, lat=37.8050, lon=-122.2712)
    old = (clock() - timedelta(hours=3)).isoformat()
    recent = (clock() - timedelta(minutes=5)).isoformat()
    assert _read(client, world, plate="7HIS001", read_at=old) == 0
    assert _read(client, world, plate="7HIS0O2", read_at=recent) == 0  # O for 0: a misread
    assert (
        _read(client, world, plate="7HIS003", read_at=(clock() - timedelta(hours=30)).isoformat())
        == 0
    )
    hotlist_id = _list(client, world, dispatch_first="never")  # misreads to officers too
    added = _add(
        client, world, hotlist_id, {"plate": "7HIS001"}, {"plate": "7HIS002"}, {"plate": "7HIS003"}
    )
    assert added["retro_hits"] == 2  # the 30-hour-old read is outside the 24 h window
    alerts = client.get("/v1/alerts", headers=world.admin).json()["data"]
    assert {a["kind"] for a in alerts} == {"historical_hit"}
    by_plate = {a["plate"]: a for a in alerts}
    assert by_plate["7HIS001"]["recipients"] == 0  # 3 hours old: dispatch only
    assert by_plate["7HIS0O2"]["recipients"] == 1  # 5 minutes old: still worth a push
    detail = client.get(f"/v1/alerts/{by_plate['7HIS001']['id']}", headers=world.admin).json()
    assert detail["details"]["warnings"][0].startswith("HISTORICAL HIT: read 3 h ago")
    with transaction(engine) as session:
        assert [r.user_id for r in session.scalars(select(AlertRecipient))] == [officer]


def test_state_extract_layouts_import_and_replace_atomically(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_id = _list(client, world, kind="missing_person")
    line = (SAMPLES / "hotlist-mi_state-example-line-openalpr_hotlist_import.txt").read_bytes()
    other = line.replace(b"AHG5263", b"ZZZ9999")
    first = client.post(
        f"/v1/hotlists/{hotlist_id}/import", params={"layout": "mi_state"},
        files={"file": ("mi.txt", line + other, "text/plain")}, headers=world.admin,
    ).json()  # fmt: skip
    assert (first["rows"], first["added"], first["removed"]) == (2, 2, 0)
    entries = client.get(
        f"/v1/hotlists/{hotlist_id}/entries", params={"purpose": "test"}, headers=world.admin
    ).json()
    assert [(e["plate"], e["state"], e["vehicle"]["make"]) for e in entries] == [
        ("AHG5263", "WI", "CHEV"),
        ("ZZZ9999", "WI", "CHEV"),
    ]
    assert "NIC M035777045" in entries[0]["note"]

    second = client.post(
        f"/v1/hotlists/{hotlist_id}/import", params={"layout": "mi_state", "replace": True},
        files={"file": ("mi.txt", line, "text/plain")}, headers=world.admin,
    ).json()  # fmt: skip
    assert (second["added"], second["removed"], second["unchanged"]) == (0, 1, 1)
    assert _read(client, world, plate="ZZZ9999", state="WI") == 0
    assert _read(client, world, plate="AHG5263", state="WI") == 1
    unknown = client.post(
        f"/v1/hotlists/{hotlist_id}/import", params={"layout": "nowhere"},
        files={"file": ("x.txt", line, "text/plain")}, headers=world.admin,
    )  # fmt: skip
    assert unknown.status_code == 422 and "mi_state" in unknown.json()["detail"]


def test_a_washington_extracts_advice_is_the_entrys_note_not_its_reason(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_id = _list(client, world)
    line = SAMPLES / "hotlist-wa_stolen_vehicles-example-line-openalpr_hotlist_import.txt"
    report = client.post(
        f"/v1/hotlists/{hotlist_id}/import", params={"layout": "wa_stolen_vehicles"},
        files={"file": ("wa.txt", line.read_bytes(), "text/plain")}, headers=world.admin,
    ).json()  # fmt: skip
    assert report["added"] == 1
    [entry] = client.get(
        f"/v1/hotlists/{hotlist_id}/entries", params={"purpose": "test"}, headers=world.admin
    ).json()
    assert "YES TO IMPOUND" in entry["note"] and "VIN 5J6YH28573L041133" in entry["note"]
    assert "IMPOUND" not in (entry["reason"] or "")


def test_import_reports_twins_and_duplicates(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_id = _list(client, world)
    csv = b"plate,state\nABC1O0,CO\nABC100,CO\nXYZ123,CO\nXYZ123,CO\n"
    report = client.post(
        f"/v1/hotlists/{hotlist_id}/import",
        files={"file": ("l.csv", csv, "text/csv")},
        headers=world.admin,
    ).json()
    kinds = {p["kind"]: p["lines"] for p in report["problems"]}
    assert kinds["twins"] == [2, 3]
    assert kinds["duplicate"] == [4, 5]
    assert report["added"] == 3


def test_a_large_change_set_is_applied_a_slice_per_refresh(
    engine: Engine, clock: ManualClock
) -> None:
    """The writer applies changes between batches of reads; thousands of new entries from
    another process arrive over a few batches, the newest matching once applied."""
    index = HotListIndex(poll_interval_s=3600)
    with transaction(engine) as session:
        index.refresh(session, clock())  # loaded: empty
        user, _ = factories.make_user(session, role=Role.ADMIN, now=clock())
        hotlist = HotList(name="big", kind="stolen_vehicle", priority=2, created_at=clock())
        session.add(hotlist)
        session.flush()
        total = CHANGES_PER_REFRESH + 500
        entries = [EntryIn(plate=f"8BIG{i:04d}", state="CA") for i in range(total)]
        hotlists.add_entries(session, hotlist=hotlist, entries=entries, user=user, now=clock())
    index.invalidate()
    applied = []
    with transaction(engine) as session:
        while index.is_due():
            applied.append(index.refresh(session, clock()))
    assert applied == [CHANGES_PER_REFRESH, 500]
    last = f"8BIG{total - 1:04d}"
    assert [hit.read_key for hit in index.matcher.match_read([(last, None)], state="CA",
                                                              now=clock())] == [last]  # fmt: skip
