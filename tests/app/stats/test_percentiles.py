"""SQLite's percentiles are picked from the sorted durations with the interpolation
PostgreSQL's percentile_cont uses, so both databases answer the same figures."""

import pytest

from app.stats.durations import percentile


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [([], 0.5, None), ([7.0], 0.9, 7.0), ([10.0, 30.0], 0.5, 20.0), ([10.0, 30.0], 0.9, 28.0),
     ([1.0, 2.0, 3.0, 4.0, 100.0], 0.9, 61.6)],
)  # fmt: skip
def test_percentiles_interpolate_as_percentile_cont(
    values: list[float], fraction: float, expected: float | None
) -> None:
    result = percentile(values, fraction)
    assert result == expected if expected is None else result == pytest.approx(expected)
