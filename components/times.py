"""Times as the signed-in user reads them: the presentation kit's one place for time zones.

Queries, cache keys, time arithmetic and exports stay UTC; a user may choose a display time zone
(watchfloor.time_zone, kept in the users file), and only here are times converted for display:
frames with Polars expressions (`local`), single moments for captions (`at`), spike figures as
every page writes them (`spike_texts`). Every shown time names its zone ("14:00 CET", a column or
axis title "(Europe/Berlin)").
"""

from __future__ import annotations

from datetime import UTC as UTC_ZONE  # UTC below is the zone's name, a string
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from components import plain
from watchfloor import auth, spike_record, time_zone
from watchfloor.config import load_settings

UTC = time_zone.UTC
_ZONE_KEY = "display_zone"  # the stored choice, as read from the users file on this run


def remember(stored: str | None) -> None:
    """Called by the shell on every run with the user's stored choice."""
    st.session_state[_ZONE_KEY] = stored or UTC


def zone() -> str:
    """The zone the pages show times in: the user's choice, UTC by default (or if it is unknown)."""
    return time_zone.or_utc(st.session_state.get(_ZONE_KEY))


def label() -> str:
    """How a column or axis title names the zone: 'UTC' or the IANA name."""
    return zone()


def titled(text: str) -> str:
    """'Onset (Europe/Berlin)': a column or axis title with the zone."""
    return f"{text} ({label()})"


def in_zone(frame: pl.DataFrame, columns: list[str] | tuple[str, ...], zone_name: str) -> pl.DataFrame:
    """`columns` (naive UTC datetimes) as naive wall-clock times in `zone_name` (Polars expressions)."""
    present = [c for c in columns if c in frame.columns]
    if zone_name == UTC or not present:
        return frame
    return frame.with_columns(pl.col(present).dt.replace_time_zone(UTC).dt.convert_time_zone(zone_name)
                              .dt.replace_time_zone(None))


def local(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """`columns` in the user's zone (see in_zone)."""
    return in_zone(frame, columns, zone())


def wall(moment: datetime | None, zone_name: str | None = None) -> datetime | None:
    """A naive UTC moment as naive wall-clock time in the zone (the user's by default)."""
    if moment is None:
        return None
    zone_name = zone_name or zone()
    if zone_name == UTC:
        return moment
    return moment.replace(tzinfo=UTC_ZONE).astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


def at(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M", zone_name: str | None = None) -> str:
    """'2026-03-08 14:00 EDT': a naive UTC moment in the zone, with the zone's abbreviation then."""
    if moment is None:
        return "–"
    zone_name = zone_name or zone()
    shown = moment.replace(tzinfo=UTC_ZONE).astimezone(ZoneInfo(zone_name))
    return f"{shown.strftime(fmt)} {shown.strftime('%Z') if zone_name != UTC else UTC}"


def minute_stamp(moment: datetime) -> str:
    """'03-08 14:05 EDT': a moment of the last days in the zone."""
    return at(moment, "%m-%d %H:%M")


def hour_stamp(moment: datetime) -> str:
    """'2026-03-08 14:00 EDT': an hour in the zone."""
    return at(moment, "%Y-%m-%d %H:00")


def zone_abbreviation(moment: datetime, zone_name: str | None = None) -> str:
    """The zone's abbreviation at a naive UTC moment: 'EDT', 'CET', 'UTC'."""
    return at(moment, "", zone_name).strip()


def dated(frame: pl.DataFrame, formats: dict[str, str], helps: dict[str, str] | None = None
          ) -> tuple[pl.DataFrame, dict[str, Any]]:
    """A display frame's time columns in the user's zone, titled with it ('When (Europe/Berlin)'),
    and their column configs (`formats`: column -> DatetimeColumn format; `helps`: their help)."""
    present = {c: f for c, f in formats.items() if c in frame.columns}
    shown = local(frame, *present).rename({c: titled(c) for c in present})
    config = {titled(c): st.column_config.DatetimeColumn(format=f, help=(helps or {}).get(c)) for c, f in present.items()}
    return shown, config


def local_row(row: dict, *columns: str) -> dict:
    """A row (dict) with `columns` as wall-clock times in the user's zone."""
    return {k: (wall(v) if k in columns and isinstance(v, datetime) else v) for k, v in row.items()}


SPIKE_TIMES = ("onset", "until", "end", "peak", "detected_at")


def spike_texts(frame: pl.DataFrame, zone_name: str | None = None) -> pl.DataFrame:
    """The spike record's texts (spike_record.texts) with its times in the zone (the user's by
    default); the figures themselves are the record's."""
    return spike_record.texts(in_zone(frame, SPIKE_TIMES, zone_name or zone()))


# --------------------------------------------------------------------------- the choice


def chooser(username: str) -> None:
    """The sidebar's time zone choice, remembered for the user in the users file; a name that is
    not a time zone gets one line and changes nothing."""
    stored = st.session_state.get(_ZONE_KEY) or UTC
    if stored != UTC and time_zone.or_utc(stored) == UTC:
        st.warning(f"Your saved time zone {plain.md(repr(stored))} is unknown here: times are shown in UTC.")
    current = zone()
    options = list(time_zone.names())
    if current not in options:  # a valid name zoneinfo lists apart (an alias such as 'EST')
        options.insert(1, current)
    picked = st.selectbox("Show times in", options=options, index=options.index(current),
                          key=f"display_zone_{current}", accept_new_options=True,
                          help="Your display time zone, kept for your account. Stored data, date ranges (whole UTC "
                               "days) and exports stay in UTC.")
    if picked is None or picked == current:
        return
    try:
        chosen = auth.set_time_zone(load_settings().users_file, username, picked)
    except time_zone.TimeZoneError as exc:
        message = str(exc)
        st.error(plain.md(message[:1].upper() + message[1:]) + ".")
        return
    except auth.AuthError as exc:
        st.error(f"Your time zone could not be saved: {plain.md(exc)}")
        return
    remember(chosen)
    st.rerun()
