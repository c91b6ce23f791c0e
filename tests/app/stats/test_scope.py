"""Each level of command sees its own numbers: a sergeant their squad and its officers, an
area's commander their area and the squads working it, an officer their own, command staff
and admins everything; anything else is a 403 saying what the caller may see."""

from app.models import Role
from tests.app.lifecycle.support import Scene
from tests.app.stats.support import person, squad, stats, window


def test_every_level_sees_its_own_scope_and_nothing_else(scene: Scene) -> None:
    admin = scene.world.admin
    mine, theirs = scene.officer(100), scene.officer(300)
    sergeant_id, sergeant = person(scene, Role.SUPERVISOR)
    other_sergeant_id, _ = person(scene, Role.SUPERVISOR)
    commander_id, commander = person(scene, Role.SUPERVISOR)
    uncommanded_id, uncommanded = person(scene, Role.SUPERVISOR)
    _, dispatcher = person(scene, Role.DISPATCHER)
    alpha = squad(scene, "Alpha", sergeant_id, "1", mine.user_id)
    bravo = squad(scene, "Bravo", other_sergeant_id, "5", theirs.user_id)
    made = scene.client.put("/v1/areas/1/commander", json={"user_id": commander_id},
                            headers=admin)  # fmt: skip
    assert made.status_code == 200 and made.json()["commander_id"] == commander_id
    assert "04X" in made.json()["beats"]
    scene.hit(priority=2)
    scene.work()
    span = window(scene.clock())

    def status(path: str, headers: dict[str, str]) -> int:
        return scene.client.get(f"/v1/stats{path}", params=span, headers=headers).status_code

    # A sergeant: their squad and its officers.
    own = stats(scene, "", sergeant, span)
    assert (own["scope"], own["id"], own["up"]) == ("squad", str(alpha), None)
    assert [int(child["id"]) for child in own["children"]] == [mine.user_id]
    assert status(f"/officers/{mine.user_id}", sergeant) == 200
    for outside in (f"/squads/{bravo}", f"/officers/{theirs.user_id}", "/areas/1", "/beats/04X",
                    f"/cameras/{scene.world.camera_id}"):  # fmt: skip
        assert status(outside, sergeant) == 403, outside
    refused = scene.client.get(f"/v1/stats/squads/{bravo}", params=span, headers=sergeant)
    assert refused.json()["detail"] == (
        f"squad {bravo} is outside your command; you see squad {alpha}"
    )

    # An area's commander: the area, its beats, the squads working it and their officers.
    own = stats(scene, "", commander, span)
    assert (own["scope"], own["id"], own["up"]) == ("area", "1", None)
    assert [child["id"] for child in own["children"]] == [str(alpha)]
    assert own["figures"]["alerts"] == 1
    for inside in (f"/squads/{alpha}", f"/officers/{mine.user_id}", "/beats/04X"):
        assert status(inside, commander) == 200, inside
    for outside in ("/areas/5", f"/squads/{bravo}", f"/officers/{theirs.user_id}", "/beats/31X"):
        assert status(outside, commander) == 403, outside

    # An officer: their own numbers and alerts.
    own = stats(scene, "", mine.headers, span)
    assert (own["scope"], own["id"]) == ("officer", str(mine.user_id))
    assert own["up"] is None  # their squad's numbers are their sergeant's to see
    assert len(own["alerts"]) == 1
    for outside in (f"/officers/{theirs.user_id}", f"/squads/{alpha}", "/areas/1"):
        assert status(outside, mine.headers) == 403, outside

    # Dispatchers see none; a supervisor with no command neither, until made command staff.
    assert status("", dispatcher) == 403
    refused = scene.client.get("/v1/stats", params=span, headers=uncommanded)
    assert refused.status_code == 403 and "no area or squad is under your command" in refused.text
    staff = scene.client.patch(f"/v1/users/{uncommanded_id}", json={"is_command_staff": True},
                               headers=admin)  # fmt: skip
    assert staff.status_code == 200 and staff.json()["is_command_staff"] is True
    assert stats(scene, "", uncommanded, span)["scope"] == "agency"
    for anywhere in ("/areas/5", f"/squads/{bravo}", f"/officers/{theirs.user_id}"):
        assert status(anywhere, uncommanded) == 200, anywhere
    assert status("/areas/9", admin) == 404
    assert status("/squads/999", admin) == 404


def test_squads_refuse_what_does_not_fit(scene: Scene) -> None:
    admin = scene.world.admin
    officer = scene.officer(100)
    sergeant_id, sergeant = person(scene, Role.SUPERVISOR)

    def create(**body: object) -> tuple[int, str]:
        answer = scene.client.post("/v1/squads", json=body, headers=admin)
        return answer.status_code, answer.text

    code, text = create(name="A", sergeant_id=officer.user_id)
    assert code == 422 and "not an active supervisor" in text
    code, text = create(name="A", sergeant_id=sergeant_id, area="9")
    assert code == 422 and "no police area '9'; known: 1, 2, 3, 4, 5" in text
    assert create(name="A", sergeant_id=sergeant_id)[0] == 201
    assert create(name="A", sergeant_id=sergeant_id)[0] == 409
    [squad_row] = scene.client.get("/v1/squads", headers=admin).json()
    assert scene.client.post("/v1/squads", json={"name": "B", "sergeant_id": sergeant_id},
                             headers=sergeant).status_code == 403  # fmt: skip
    moved = scene.client.patch(f"/v1/squads/{squad_row['id']}", json={"area": "3"},
                               headers=admin)  # fmt: skip
    assert moved.status_code == 200 and moved.json()["area"] == "3"
    cleared = scene.client.patch(f"/v1/squads/{squad_row['id']}", json={"sergeant_id": None},
                                 headers=admin)  # fmt: skip
    assert cleared.status_code == 422

    def assign(user_id: int, squad_id: int | None) -> int:
        return scene.client.put(f"/v1/officers/{user_id}/squad", json={"squad_id": squad_id},
                                headers=admin).status_code  # fmt: skip

    assert assign(sergeant_id, squad_row["id"]) == 422  # only officers join squads
    assert assign(officer.user_id, 999) == 422
    assert assign(officer.user_id, squad_row["id"]) == 200
    [listed] = scene.client.get("/v1/squads", headers=admin).json()
    assert [m["id"] for m in listed["members"]] == [officer.user_id]
    assert assign(officer.user_id, None) == 200
    assert scene.client.get("/v1/squads", headers=admin).json()[0]["members"] == []
    areas = scene.client.get("/v1/areas", headers=sergeant).json()
    assert [a["code"] for a in areas] == ["1", "2", "3", "4", "5"]
    assert sum(len(a["beats"]) for a in areas) == 57  # every Oakland beat rolls up to one
