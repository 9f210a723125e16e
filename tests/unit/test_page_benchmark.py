"""The page benchmark's verdict (benchmarks/run.py): which target applies to a row."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import run  # noqa: E402


def row(**kw):
    base = {"page": "sla", "size": "1m", "days": 7, "raw": 0.40, "cold": 0.45, "warm": 0.01,
            "page_cold": 0.9, "page_warm": 0.05}
    return {**base, **kw}


@pytest.mark.parametrize("changes,expected", [
    ({}, "meets"),
    ({"page_cold": 1.01}, "MISSES"),  # the whole page over 1 s on 1M
    ({"size": "10m", "page_cold": 1.9}, "meets"),  # 2 s on 10M
    ({"size": "10m", "page_cold": 2.1}, "MISSES"),
    ({"cold": 0.55, "raw": 0.5}, "MISSES"),  # the fetch over 0.5 s at the default range on 1M
    ({"cold": 0.55, "raw": 0.5, "days": 30}, "meets"),  # only at the default range
    ({"page": "capacity", "cold": 0.9, "raw": 0.8}, "meets"),  # capacity's fetch: 1 s
    ({"cold": 0.7, "raw": 0.4, "days": 90}, "MISSES"),  # over 1.5 x raw
    ({"warm": 0.06}, "MISSES"),
    ({"page": "shell", "page_cold": None, "cold": 0.3, "days": 30}, "meets"),  # a part of a page: its fetch
    ({"page": "case", "page_cold": None, "size": "10m", "cold": 2.5, "raw": 2.4}, "MISSES"),
])
def test_the_verdict_applies_the_target_of_the_row(changes, expected):
    assert run.verdict(row(**changes)) == expected


def test_a_page_that_failed_misses():
    assert run.verdict({"page": "vendors", "size": "10m", "days": 90, "failed": "timed out"}) == "MISSES"
