"""Tables reach the browser as Arrow straight from Polars (components/tables.py)."""

from __future__ import annotations

import ast
from datetime import datetime, timedelta

import polars as pl
import pyarrow as pa

from components import tables
from tests.source_files import ROOT, serving_files


def test_a_frame_becomes_the_table_the_pandas_route_gave():
    frame = pl.DataFrame({
        "text": ["a", None, "ç €"],
        "count": [1, 2, None],
        "share": [0.5, None, 1.0],
        "at": [datetime(2026, 11, 2, 9, 30), None, datetime(2026, 11, 3)],
        "took": [timedelta(minutes=90), None, timedelta(0)],
        "state": pl.Series(["open", "closed", "open"], dtype=pl.Enum(["open", "closed"])),
        "queue": pl.Series(["q1", None, "q2"], dtype=pl.Categorical),
    }).with_columns(pl.col("at").dt.replace_time_zone("Europe/Berlin").alias("local"))
    table = tables.as_arrow(frame)
    assert table.column_names == frame.columns
    assert table.schema.field("text").type == pa.string()  # 32-bit offsets, as pandas gave
    assert table.schema.field("state").type == pa.string()  # an enum is shown as its text
    assert table.schema.field("queue").type == pa.string()
    assert table.schema.field("count").type == pa.int64()
    assert table.schema.field("local").type == pa.timestamp("us", tz="Europe/Berlin")
    assert table.to_pylist() == frame.to_dicts()


def test_an_empty_frame_keeps_its_columns():
    frame = pl.DataFrame(schema={"case_id": pl.String, "hours": pl.Float64})
    table = tables.as_arrow(frame)
    assert table.num_rows == 0 and table.schema.names == ["case_id", "hours"]


def dataframe_calls(source: str) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr == "dataframe"
            and isinstance(node.value, ast.Name) and node.value.id == "st"]


def test_the_check_finds_a_direct_table():
    assert dataframe_calls("import streamlit as st\nst.dataframe(frame)\ntables.table(frame)\n") == [2]


def test_every_table_is_drawn_through_the_kit():
    """st.dataframe given a Polars frame converts it through pandas, Polars' to_pandas included
    (see test_no_polars_callbacks): only components/tables.py may call it."""
    found = [f"{path.relative_to(ROOT)}:{line}" for path in serving_files()
             if path != ROOT / "components" / "tables.py"
             for line in dataframe_calls(path.read_text(encoding="utf-8"))]
    assert found == []


def test_an_empty_cell_shows_a_dash_unless_asked_otherwise(monkeypatch):
    drawn: list[dict] = []
    monkeypatch.setattr(tables.st, "dataframe", lambda data, **kwargs: drawn.append(kwargs))
    frame = pl.DataFrame({"stage": ["In review", None], "share": [0.5, None]})
    tables.table(frame, hide_index=True)
    tables.table(frame, placeholder="n/a")
    assert [d.get("placeholder") for d in drawn] == ["–", "n/a"]
