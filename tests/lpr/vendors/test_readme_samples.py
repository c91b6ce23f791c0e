"""The README's sample of each camera and program is read as the README says: it stays true."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lpr.vendors import Parsed, Reads, axis, blueiris, dahua, genetec, hikvision, parkpow, survision
from tests.lpr.vendors.checks import check

README = Path(__file__).parents[3] / "README.md"
RECEIVED = datetime(2026, 11, 30, 20, 2, 20, tzinfo=UTC)
READ_AT = datetime(2026, 11, 30, 20, 2, 17, 412000, tzinfo=UTC)
PARSERS: list[tuple[str, Callable[..., Parsed], str | None]] = [
    ("hikvision", hikvision.parse, None),
    ("axis", axis.parse, "CA"),
    ("genetec", genetec.parse, "CA"),
    ("survision", survision.parse, "CA"),
    ("dahua", dahua.parse, None),
    ("blueiris", blueiris.parse, None),
    ("parkpow", parkpow.parse, "CA"),
]


def _samples() -> list[str]:
    text = README.read_text()
    section = text[text.index("### Setting up each camera") : text.index("### The key, and")]
    return [body for _, body in re.findall(r"```(xml|json)\n(.*?)```", section, re.S)]


@pytest.mark.parametrize(("index", "vendor"), [(i, p[0]) for i, p in enumerate(PARSERS)])
def test_each_readme_sample_is_a_read_of_7KDR415(index: int, vendor: str) -> None:
    _, parse, state = PARSERS[index]
    parsed = parse(_samples()[index].encode(), received_at=RECEIVED)
    check(parsed)
    assert isinstance(parsed, Reads)
    (read,) = parsed.reads
    assert read.plate.upper().replace(" ", "") == "7KDR415"
    assert (read.state, read.read_at.replace(microsecond=0) if read.read_at else None) == (
        state, READ_AT.replace(microsecond=0)
    )  # fmt: skip
