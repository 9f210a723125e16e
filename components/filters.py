"""The shared sidebar filters: drawn once by the entry point, read by every page, kept in the URL."""

from __future__ import annotations

from datetime import date

import streamlit as st

import queries
from watchfloor.filters import MULTI_KEYS, Filters, default_filters, parse_query_params

# Shared widget keys (the same on every page, so the choice persists across pages).
PERIOD_KEY = "filter_period"
WIDGET_KEYS = {attr: f"filter_{attr}" for attr in MULTI_KEYS.values()}
LABELS = {"regions": "Region", "verticals": "Vertical", "priorities": "Priority", "vendors": "Vendor"}
_INITIALISED = "filters_initialised"
_NOTICE = "filters_notice"


def filter_options() -> dict[str, dict[str, str]]:
    """Known values per URL key, value -> label, read from the warehouse."""
    frame = queries.run("filter_options")
    options: dict[str, dict[str, str]] = {key: {} for key in MULTI_KEYS}
    for row in frame.iter_rows(named=True):
        options[row["filter"]][row["value"]] = row["label"]
    return options


def initialise_from_url(options: dict[str, dict[str, str]], today: date, url_params: dict[str, list[str]]) -> None:
    """On a session's first run, take the filters from the URL; drop unknown values with a notice."""
    if st.session_state.get(_INITIALISED):
        return
    parsed = parse_query_params(url_params, {k: list(v) for k, v in options.items()}, today)
    st.session_state[PERIOD_KEY] = (parsed.filters.start, parsed.filters.end)
    for attr, key in WIDGET_KEYS.items():
        st.session_state[key] = list(getattr(parsed.filters, attr))
    if parsed.dropped:
        st.session_state[_NOTICE] = parsed.dropped
    st.session_state[_INITIALISED] = True


def draw_sidebar(options: dict[str, dict[str, str]], today: date) -> Filters:
    with st.sidebar:
        st.subheader("Filters")
        st.date_input("Date range", key=PERIOD_KEY, max_value=today, format="YYYY-MM-DD")
        for attr, key in WIDGET_KEYS.items():
            url_key = next(k for k, a in MULTI_KEYS.items() if a == attr)
            choices = options.get(url_key, {})
            st.multiselect(
                LABELS[attr],
                options=list(choices),
                format_func=lambda value, choices=choices: choices.get(value, value),
                key=key,
                placeholder="All",
            )
    dropped = st.session_state.pop(_NOTICE, None)
    if dropped:
        st.warning("Ignored filter values from the link that this warehouse does not know: " + ", ".join(dropped))
    return current_filters(today)


def current_filters(today: date) -> Filters:
    """The filters in force, from session state (defaults when the sidebar has not been drawn)."""
    defaults = default_filters(today)
    period = st.session_state.get(PERIOD_KEY) or (defaults.start, defaults.end)
    if isinstance(period, date):
        period = (period,)
    start = period[0] if len(period) > 0 else defaults.start
    end = period[1] if len(period) > 1 else start
    chosen = {attr: tuple(st.session_state.get(key) or ()) for attr, key in WIDGET_KEYS.items()}
    return Filters(start=start, end=end, **chosen)


def write_to_url(filters: Filters) -> None:
    """Mirror the filters into the URL's query parameters, leaving other parameters alone."""
    wanted = filters.to_query_params()
    for key in ["from", "to", *MULTI_KEYS]:
        values = wanted.get(key)
        current = st.query_params.get_all(key)
        if values and current != values:
            st.query_params[key] = values if len(values) > 1 else values[0]
        elif not values and current:
            del st.query_params[key]
