"""The statistics bench's agreement check (bench/absence_statistics.py) on
hand-made figures. The bench reports a selector's speed only next to a floor
that gives the same number: it must stay quiet when they agree up to the
selectors' rounding, and it must name each figure that differs. The bench
itself runs with `make bench`."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from absence_statistics import _agree

from analytics.figures import (
    DurationClass,
    DurationClassCount,
    Verzuimduur,
    Verzuimpercentage,
)


def _vp(sick: str) -> Verzuimpercentage:
    """A VP as the selector returns it: sums to 4 decimals, percentages to 2."""
    employment = Decimal("36500.0000")
    percentage = (100 * Decimal(sick) / employment).quantize(Decimal("0.01"))
    return Verzuimpercentage(
        sick_days=Decimal(sick),
        employment_days=employment,
        percentage=percentage,
        sick_days_excl_pregnancy=Decimal(sick),
        percentage_excl_pregnancy=percentage,
    )


def test_a_verzuimpercentage_equal_to_its_floor_up_to_rounding_agrees():
    # The floor's exact sums carry more decimals than the selector keeps.
    floor = [(Decimal("36500"), Decimal("1825.00004"), Decimal("1825.00004"))]

    assert _agree("verzuimpercentage", _vp("1825.0000"), floor) == []


def test_a_verzuimpercentage_that_differs_from_its_floor_is_named():
    # 75 sick days more in the floor: 5.00 % against 5.21 %.
    floor = [(Decimal("36500"), Decimal("1900"), Decimal("1825"))]

    differences = _agree("verzuimpercentage", _vp("1825.0000"), floor)

    assert any(d.startswith("sick_days:") for d in differences)
    assert any(d.startswith("percentage:") for d in differences)
    assert not any(d.startswith("sick_days_excl") for d in differences)


def test_a_duration_class_count_that_differs_is_named():
    result = Verzuimduur(
        ended_cases=10,
        total_days=100,
        mean_days=Decimal("10.00"),
        classes=tuple(
            DurationClassCount(duration_class, count, None)
            for duration_class, count in zip(DurationClass, (8, 2, 0, 0), strict=True)
        ),
    )

    assert _agree("verzuimduur", result, [(10, 100, 8, 2, 0, 0)]) == []
    assert _agree("verzuimduur", result, [(10, 100, 7, 3, 0, 0)]) == [
        "kort: selector 8, floor 7",
        "middellang: selector 2, floor 3",
    ]
