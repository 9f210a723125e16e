"""The data-freshness banner: how far behind now the newest event in the warehouse is, and a line
when the summaries the SLA, trend and vendor-work figures come from lag the raw events."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

import queries
from components import times
from watchfloor.config import Settings
from watchfloor.freshness import Freshness, assess, summary_lag


def freshness_banner(settings: Settings, as_of: datetime) -> Freshness:
    frame = queries.run("freshness", ttl=min(settings.cache_ttl_seconds, 30.0))
    freshness = assess(frame["newest_event_at"][0], as_of, settings.freshness_amber_minutes, settings.freshness_red_minutes)
    text = f"Data as of {freshness.describe(times.at(freshness.newest_event_at))}"
    if freshness.level == "green":
        st.caption(f":green[●] {text}")
    elif freshness.level == "amber":
        st.warning(f"Data is running behind: {text}", icon=":material/schedule:")
    else:
        st.error(f"Data is stale: {text}. Check the loader or the live feed.", icon=":material/error:")
    lag = summary_lag(frame["newest_event_at"][0], frame["summaries_through"][0], bool(frame["summaries_built"][0]))
    if lag:
        # One line under the data line; our own words and times only, so the caption's markdown is safe.
        st.caption(f":orange[●] {lag}")
    return freshness
