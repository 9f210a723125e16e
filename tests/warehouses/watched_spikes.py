"""The watched series' warehouse: one category, impersonation, on two surfaces in three regions, ten
cases an hour in each of the six cells for the 29 days before 2026-11-18 12:00, and a narrow spike
on image_gen x APAC (tests/unit/test_watched_spikes.py works out what the detector finds)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from tests import hand_warehouse as hw
from watchfloor.filters import Filters

HOUR = datetime(2026, 11, 18, 12)
AS_OF = HOUR + timedelta(minutes=30)
START = HOUR - timedelta(days=29)
LAST = HOUR - timedelta(hours=1)
CATEGORY = "impersonation"
SURFACES = ("chat", "image_gen")
REGIONS = ("AMER", "APAC", "EMEA")
BASE = 10
H = timedelta(hours=1)
# the pages' range (the spike's days), and the same without the spike's region
RANGE = Filters(start=date(2026, 11, 16), end=date(2026, 11, 18))
WITHOUT_APAC = Filters(start=date(2026, 11, 16), end=date(2026, 11, 18), regions=("AMER", "EMEA"))


def at(hour: int) -> datetime:
    return datetime(2026, 11, 18, hour)


NARROW = {("image_gen", "APAC"): (at(6), 3, 25)}


def cells(extra: dict | None = None, regions=REGIONS) -> pl.DataFrame:
    """category, surface, region, bucket, cases: BASE per cell and hour, plus `extra`
    {(surface, region): (first hour, hours, added cases)}."""
    rows = []
    extra = extra or {}
    for i in range(29 * 24):
        bucket = START + i * H
        for surface in SURFACES:
            for region in regions:
                cases = BASE
                if (surface, region) in extra:
                    first, hours, add = extra[(surface, region)]
                    if first <= bucket < first + hours * H:
                        cases += add
                rows.append((CATEGORY, surface, region, bucket, cases))
    return pl.DataFrame(rows, schema={"category": pl.String, "surface": pl.String, "region": pl.String,
                                      "bucket": pl.Datetime("us"), "cases": pl.Int64}, orient="row")


def rows() -> hw.Rows:
    """The warehouse's rows: a case for each count of `cells(NARROW)`, resolved an hour after it came."""
    cases = (
        cells(NARROW)
        .with_columns(pl.int_ranges(0, pl.col("cases")).alias("i"))
        .explode("i")
        .with_row_index("n")
        .select(
            pl.format("C-{}", pl.col("n")).alias("case_id"),
            (pl.col("bucket") + pl.duration(minutes=pl.col("i"))).alias("created_at"),
            pl.lit("user_report").alias("source"), "surface", "category", pl.lit("P2").alias("priority"),
            "region", pl.lit("en").alias("language"), pl.format("q_{}", pl.col("region")).alias("queue_id"),
            pl.lit("resolved").alias("status"),
            (pl.col("bucket") + pl.duration(minutes=pl.col("i") + 10)).alias("first_action_at"),
            (pl.col("bucket") + pl.duration(minutes=pl.col("i") + 60)).alias("resolved_at"),
            pl.lit("non_violating").alias("decision"),
            (pl.col("bucket") + pl.duration(minutes=pl.col("i") + 60)).alias("updated_at"),
            pl.format("acct_{}", pl.col("n") % 500).alias("account_id"),
        )
    )
    return {
        "sla_policies": [hw.policy("p2", "P2", 480, 4320, name="P2")],
        "queues": [hw.queue(f"q_{r}", f"L1 impersonation {r}", "impersonation", r, "p2") for r in REGIONS],
        "cases": cases,
    }
