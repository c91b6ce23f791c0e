import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.auth.credentials import hash_secret
from app.db import make_engine, transaction
from app.models import AuthToken, Camera, User
from app.settings import DEV_SECRET
from tests.shared_data import OAKLAND


def _lookout(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_cli_migrates_and_prints_keys_alone_on_the_last_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"LOOKOUT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    assert _lookout("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    camera = _lookout(
        "admin",
        "create-camera",
        "Gate 1",
        "--lat",
        "37.8",
        "--lon",
        "-122.27",
        env=env,
        cwd=tmp_path,
    )
    user = _lookout("admin", "create-user", "Dana", "--role", "dispatcher", env=env, cwd=tmp_path)
    assert camera.returncode == 0 and user.returncode == 0, camera.stderr + user.stderr
    key = camera.stdout.strip().splitlines()[-1]
    token = user.stdout.strip().splitlines()[-1]
    engine = make_engine(url)
    with transaction(engine) as session:
        stored_camera = session.scalars(select(Camera)).one()
        stored_user = session.scalars(select(User)).one()
        assert stored_camera.key_hash == hash_secret(key, pepper=DEV_SECRET) != key
        stored_token = session.scalars(select(AuthToken)).one()
        assert stored_token.token_hash == hash_secret(token, pepper=DEV_SECRET) != token
        assert stored_token.kind == "bootstrap" and stored_token.user_id == stored_user.id
        assert (stored_user.role, stored_user.username, stored_camera.lat) == (
            "dispatcher",
            "dana",
            37.8,
        )
    engine.dispose()


def test_cli_errors_are_one_line_and_non_zero(tmp_path: Path) -> None:
    env = {"LOOKOUT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin"}
    bad_role = _lookout("admin", "create-user", "X", "--role", "chief", env=env, cwd=tmp_path)
    assert bad_role.returncode != 0 and "chief" in bad_role.stderr
    half = _lookout("admin", "create-camera", "Y", "--lat", "37.8", env=env, cwd=tmp_path)
    assert half.returncode == 1 and "--lat and --lon together" in half.stderr
    prod = _lookout("db", "upgrade", env=env | {"LOOKOUT_ENV": "prod"}, cwd=tmp_path)
    assert prod.returncode == 1 and "LOOKOUT_TOKEN_SECRET" in prod.stderr


def test_import_beats_stores_an_agency_file_for_every_process(tmp_path: Path) -> None:
    from app.officers import beats
    from geo import Point

    oakland = OAKLAND / "oakland-police-beats-2009.geojson"
    url = f"sqlite:///{tmp_path / 'beats.db'}"
    env = {"LOOKOUT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    assert _lookout("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    done = _lookout("import-beats", str(oakland), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("57 beats imported")
    engine = make_engine(url)
    with transaction(engine) as session:
        beat_map, source = beats.load(session)
    engine.dispose()
    assert source == "57 imported beats"
    assert beat_map.beat_at(Point(37.8053, -122.2725)) == "04X"  # City Hall
    bad = _lookout("import-beats", str(tmp_path / "beats.db"), env=env, cwd=tmp_path)
    assert bad.returncode == 1 and bad.stderr.startswith("lookout: ")


def test_import_hotlist_refreshes_a_list_from_an_extract_as_a_diff(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lists.db'}"
    env = {"LOOKOUT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    assert _lookout("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    extract = tmp_path / "stolen.csv"
    extract.write_text("LIC,LIS,VMA\n7ABC123,CA,HOND\n6DEF456,CA,TOYT\n6DEF45G,CA,TOYT\n")
    first = _lookout("import-hotlist", str(extract), "--list", "CA stolen", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "3 rows, 3 added, 0 removed" in first.stdout
    assert "twins" in first.stdout  # 6DEF456 and 6DEF45G differ only by a look-alike
    extract.write_text("LIC,LIS,VMA\n7ABC123,CA,HOND\n")
    second = _lookout("import-hotlist", str(extract), "--list", "CA stolen", env=env, cwd=tmp_path)
    assert "1 rows, 0 added, 2 removed, 1 unchanged" in second.stdout
    bad = _lookout(
        "import-hotlist", str(extract), "--list", "x", "--every", "soon", env=env, cwd=tmp_path
    )
    assert bad.returncode != 0 and "12h" in bad.stderr


def test_create_user_prints_the_enrolment_uri_then_the_token_and_takes_a_password(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"LOOKOUT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    assert _lookout("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    sergeant = _lookout("admin", "create-user", "Sgt Okafor", "--role", "supervisor",
                        "--username", "okafor", env=env, cwd=tmp_path)  # fmt: skip
    assert sergeant.returncode == 0, sergeant.stderr
    *_, uri, token = sergeant.stdout.strip().splitlines()
    assert uri.startswith("otpauth://totp/Lookout:okafor?secret=") and token.startswith("lku_")
    officer = subprocess.run(
        [sys.executable, "-m", "app.cli", "admin", "create-user", "Diaz", "--role", "officer",
         "--password-stdin"],
        input="a long enough secret\n", capture_output=True, text=True, env=env, cwd=tmp_path,
        timeout=120,
    )  # fmt: skip
    assert officer.returncode == 0, officer.stderr
    assert "one-time password" not in officer.stdout
    weak = subprocess.run(
        [sys.executable, "-m", "app.cli", "admin", "create-user", "Wu", "--role", "officer",
         "--password-stdin"],
        input="short\n", capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert weak.returncode == 1 and "at least 12 characters" in weak.stderr
    gone = _lookout("admin", "deactivate-user", "okafor", env=env, cwd=tmp_path)
    assert gone.returncode == 0 and "'okafor' deactivated; 1 tokens revoked" in gone.stdout


def test_areas_and_squads_from_the_cli(tmp_path: Path) -> None:
    from app.models import Beat, Squad, SquadMember

    url = f"sqlite:///{tmp_path / 'command.db'}"
    # The repository first: the shared virtualenv's editable install may point at another checkout.
    env = {"LOOKOUT_DATABASE_URL": url, "PATH": "/usr/bin:/bin",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}  # fmt: skip
    assert _lookout("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    beats_file, areas_file = (OAKLAND / f"oakland-police-{name}.geojson"
                              for name in ("beats-2009", "areas-2013"))  # fmt: skip
    assert _lookout("import-beats", str(beats_file), env=env, cwd=tmp_path).returncode == 0
    done = _lookout("import-areas", str(areas_file), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (f"5 areas imported from {areas_file}; 57 beats roll up to them")
    for name, role in (("sgt ray", "supervisor"), ("ofc lee", "officer")):
        made = _lookout("admin", "create-user", name, "--role", role, env=env, cwd=tmp_path)
        assert made.returncode == 0, made.stderr
    squad = _lookout("admin", "create-squad", "Day watch", "--sergeant", "sgt ray", "--area", "1",
                     env=env, cwd=tmp_path)  # fmt: skip
    assert squad.returncode == 0, squad.stderr
    squad_id = int(squad.stdout.splitlines()[-1])
    wrong = _lookout("admin", "create-squad", "Night", "--sergeant", "ofc lee", env=env,
                     cwd=tmp_path)  # fmt: skip
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "lookout: sergeant_id: user 2 is not an active supervisor"
    joined = _lookout("admin", "assign-squad", "ofc lee", str(squad_id), env=env, cwd=tmp_path)
    assert joined.returncode == 0, joined.stderr
    engine = make_engine(url)
    with transaction(engine) as session:
        assert session.get(Beat, "04X").area == "1"  # type: ignore[union-attr]
        assert session.get(Squad, squad_id).area == "1"  # type: ignore[union-attr]
        [member] = session.scalars(select(SquadMember)).all()
        assert member.squad_id == squad_id
    engine.dispose()
