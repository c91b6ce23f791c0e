"""Writes requirements.lock: the exact version of every package the service needs at run time
(not the development tools), as pip resolves pyproject.toml today. The Docker image installs
from it, so two builds a month apart get the same packages. Run `make lock` after changing the
dependencies in pyproject.toml."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
             "--quiet", "--report", str(report), str(ROOT)],
            check=True,
        )  # fmt: skip
        resolved = json.loads(report.read_text())["install"]
    pins = sorted(
        f"{item['metadata']['name'].lower().replace('_', '-')}=={item['metadata']['version']}"
        for item in resolved
        if item["metadata"]["name"] != "lookout"
    )
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    header = [
        "# Exact run-time dependencies of Lookout, resolved from pyproject.toml by `make lock`",
        f"# (Python {python}). The Docker image installs these, then Lookout with --no-deps.",
    ]
    (ROOT / "requirements.lock").write_text("\n".join([*header, *pins]) + "\n")
    print(f"requirements.lock: {len(pins)} packages")


if __name__ == "__main__":
    main()
