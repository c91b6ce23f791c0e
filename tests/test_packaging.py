"""What ships beside the code stays true to it: compose.yaml names only real settings and
commands, requirements.lock pins every dependency of pyproject.toml, the Docker build
context leaves local state out, and the image starts from a base pinned by digest."""

import re
import tomllib
from pathlib import Path

import typer.main
import yaml
from packaging.requirements import Requirement

from app.cli import cli
from app.settings import ENV_PREFIX, GROUPS, Settings

ROOT = Path(__file__).resolve().parent.parent


def _setting_names() -> set[str]:
    names = {ENV_PREFIX + name.upper() for name in Settings.model_fields if name not in GROUPS}
    for model in GROUPS.values():
        for name, info in model.model_fields.items():
            names.add(ENV_PREFIX + (info.alias or name).upper())
    return names


def _commands(group: object, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for name, command in getattr(group, "commands", {}).items():
        found.add((*prefix, name))
        found |= _commands(command, (*prefix, name))
    return found


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_compose_names_only_settings_and_commands_that_exist() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    known_settings = _setting_names()
    commands = _commands(typer.main.get_command(cli))
    services = compose["services"]
    lookout_services = [s for s in services.values() if s.get("image", "").startswith("lookout")]
    assert len(lookout_services) >= 4  # migrate, two API replicas, a worker
    serving = 0
    for service in lookout_services:
        for name in service.get("environment", {}):
            assert name in known_settings, f"compose.yaml sets {name}, which Lookout does not read"
        argv = service["command"]
        assert argv[0] == "lookout"
        words = tuple(w for w in argv[1:] if not w.startswith("-"))
        assert any(words[: len(c)] == c for c in commands), f"no command `lookout {argv[1:]}`"
        serving += argv[1] == "serve"
    assert serving >= 2


def test_the_lock_file_pins_every_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pinned[_normalised(name)] = version
    for dependency in project["dependencies"]:
        requirement = Requirement(dependency)
        name = _normalised(requirement.name)
        assert name in pinned, f"{name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"requirements.lock pins {name}=={pinned[name]}, outside {requirement.specifier}"
        )


def test_the_docker_build_context_leaves_local_state_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "var", "*.db"} <= ignored


def test_every_stage_of_the_image_starts_from_a_base_pinned_by_digest() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.MULTILINE)
    assert base is not None
    assert re.fullmatch(r"python:[\w.-]+@sha256:[0-9a-f]{64}", base[1])
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert stages and all(stage == "${PYTHON_IMAGE}" for stage in stages)
