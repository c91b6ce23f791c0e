"""The vendor samples in ../shared/data/lpr-samples, read at test time (never copied here)."""

import os
from datetime import UTC, datetime
from pathlib import Path

from tests.shared_data import LPR_SAMPLES, missing

SAMPLES = Path(os.environ.get("LOOKOUT_LPR_SAMPLES", str(LPR_SAMPLES)))
RECEIVED = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)  # every sample is 1-12 years older


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not SAMPLES.is_dir():
        missing("the LPR samples")
    return path.read_bytes()


def payload_samples() -> list[str]:
    """Every LPR payload sample: all files but the hot-list lines and the notes."""
    if not SAMPLES.is_dir():
        return []
    return sorted(
        p.name
        for p in SAMPLES.iterdir()
        if p.is_file() and not p.name.startswith("hotlist-") and p.suffix != ".md"
    )
