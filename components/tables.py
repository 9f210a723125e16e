"""Tables: every table on a page is drawn here, so every frame reaches the browser the same way.

A Polars frame goes to the browser as Arrow directly. Handed to st.dataframe as it is, it would
be turned into pandas and back into Arrow first, which was a sixth of a warm page run's CPU
(and a page run holds the interpreter lock that every other session is waiting for).
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pyarrow as pa
import streamlit as st

import queries

# 64-bit string offsets, which Polars writes, become the 32-bit ones a pandas round trip gives.
_NARROW = {pa.large_string(): pa.string(), pa.large_binary(): pa.binary()}


def _plain_type(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_dictionary(kind):  # Polars' enums and categoricals: shown as their text
        kind = kind.value_type
    return _NARROW.get(kind, kind)


def as_arrow(frame: pl.DataFrame) -> pa.Table:
    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    return table.cast(pa.schema([pa.field(f.name, _plain_type(f.type)) for f in table.schema]))


def table(data: pl.DataFrame | Any, **kwargs: Any) -> Any:
    """st.dataframe for a Polars frame (or anything st.dataframe takes, such as a pandas Styler).
    A frame's Arrow form is kept as long as the frame: a cached or derived frame is converted once.
    An empty cell shows a dash, never "None", unless the caller says otherwise."""
    kwargs.setdefault("placeholder", "–")
    return st.dataframe(queries.memo(data, as_arrow) if isinstance(data, pl.DataFrame) else data, **kwargs)
