"""The label expressions give, value for value, what the Python label functions give."""

from __future__ import annotations

import polars as pl
import pytest

from components.charts import mark, marked
from watchfloor import formatting
from watchfloor import trends as tr
from watchfloor.labels import CATEGORY_LABELS, category_label, category_labels, humanise, humanised, texts_of

CODES = [*CATEGORY_LABELS, "new_thing", "pending_info", "in_review", "", "_", "a", "  padded_code ",
         "already Human", "x_y_z", "ärger_über", "ßtraße", "CBRN", "api", "image_gen", "plugins", "EMEA", "de"]


def test_humanised_and_category_labels_agree_with_the_functions():
    frame = pl.DataFrame({"code": CODES + [None]}, schema={"code": pl.String})
    out = frame.select(humanised("code").alias("h"), category_labels("code").alias("c"))
    assert out["h"].to_list() == [humanise(c) for c in CODES] + [None]
    assert out["c"].to_list() == [category_label(c) for c in CODES] + [None]
    # Spot checks worked out by hand.
    assert humanise("pending_info") == "Pending info" and category_label("cbrn") == "CBRN"


@pytest.mark.parametrize("dimension", ["category", "surface", "region", "language", "organisation", "subcategory",
                                       "source"])
def test_value_labels_agree_with_value_label(dimension):
    frame = pl.DataFrame({"v": CODES + [None]}, schema={"v": pl.String})
    shown = frame.select(tr.value_labels(dimension, "v"))["v"].to_list()
    assert shown == [tr.value_label(dimension, v) for v in CODES] + [None]


def test_texts_of_formats_rows_and_keeps_nulls_of_one_column():
    frame = pl.DataFrame({"a": [1, None, 3], "b": ["x", "y", None]})
    assert texts_of(frame, lambda a: f"<{a}>", "a").to_list() == ["<1>", None, "<3>"]
    assert texts_of(frame, lambda a: f"<{a}>", "a", skip_nulls=False).to_list() == ["<1>", "<None>", "<3>"]
    assert texts_of(frame, lambda a, b: f"{a}{b}", "a", "b").to_list() == ["1x", "Noney", "3None"]
    assert texts_of(pl.DataFrame({"a": []}, schema={"a": pl.Int64}), str, "a").to_list() == []


def test_status_marks():
    assert mark("red", "breached") == "🔴 breached" and mark("green", "80.0%") == "🟢 80.0%"
    assert mark(None, "5") == "5" and mark("none", "–") == "–"
    frame = pl.DataFrame({"text": ["a", "b", "c", "d"], "colour": ["amber", "yellow", None, "purple"]})
    out = frame.select(marked(pl.col("text"), pl.col("colour").replace_strict(
        {"amber": "amber", "yellow": "yellow"}, default=None, return_dtype=pl.String)))
    assert out["text"].to_list() == ["🟠 a", "🟡 b", "c", "d"]


def test_signed_counts_read_with_sign_and_separators():
    assert formatting.signed_count(4266) == "+4,266"
    assert formatting.signed_count(-8441) == "-8,441"
    assert formatting.signed_count(0) == "0"
    assert formatting.signed_count(None) == "–"
    assert formatting.signed_count(1234567.4) == "+1,234,567"
