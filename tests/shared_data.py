"""Where the shared real-world material lives (../shared/data beside the repository): read in
place at test time, never copied into the repository."""

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


def _find() -> Path:
    configured = os.environ.get("LOOKOUT_SHARED_DATA")
    if configured:
        return Path(configured)
    for parent in _REPO.parents:
        candidate = parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path("/work/shared/data")


SHARED_DATA = _find()
LPR_SAMPLES = SHARED_DATA / "lpr-samples"
OAKLAND = SHARED_DATA / "oakland"


def missing(what: str) -> None:
    """Skip a test whose shared material is absent on a user's machine; fail it in CI, where it
    must be there (a skipped sample test would hide a broken intake)."""
    import pytest

    message = f"{what} are not at {SHARED_DATA} (set LOOKOUT_SHARED_DATA)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
