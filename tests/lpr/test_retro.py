from datetime import UTC, datetime, timedelta

from lpr.explain import Quality
from lpr.matcher import Entry
from lpr.policy import MatchPolicy
from lpr.retro import StoredRead, retro_hits

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def read(read_id: int, *keys: str, state: str | None = "CA", minutes_ago: int = 5) -> StoredRead:
    return StoredRead(
        read_id, tuple((key, 0.9) for key in keys), state, NOW - timedelta(minutes=minutes_ago)
    )


def test_a_new_entry_finds_the_reads_it_would_have_hit() -> None:
    reads = [
        read(1, "7ABC123", minutes_ago=60),
        read(2, "7A8C123", minutes_ago=10),
        read(3, "XYZ789", "7ABC123"),
        read(4, "7ABC123", state="NV"),
        read(5, "9ZZZ999"),
    ]
    found = retro_hits(Entry(1, 1, "7ABC123", "CA"), reads, policy=MatchPolicy(), now=NOW)
    assert [(r.read.id, r.hit.quality, r.hit.candidate_rank) for r in found] == [
        (3, Quality.EXACT, 2),
        (2, Quality.CONFUSABLE, 1),
        (1, Quality.EXACT, 1),
    ]


def test_patterns_and_expiry() -> None:
    entry = Entry(1, 1, "7K?4??", expires_at=NOW + timedelta(hours=1))
    reads = [read(1, "7KX4AB"), read(2, "7KX5AB")]
    assert [r.read.id for r in retro_hits(entry, reads, policy=MatchPolicy(), now=NOW)] == [1]
    later = NOW + timedelta(hours=2)
    assert retro_hits(entry, reads, policy=MatchPolicy(), now=later) == []
