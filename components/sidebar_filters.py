"""The shared sidebar filters: drawn once by the entry point, read by every page, kept in the URL.

The filters in force live under one plain session key (FILTERS_KEY). The widgets have their
own keys, which Streamlit drops whenever a run ends without drawing them (a login, an
interrupted run); so each widget is drawn with the filters in force as its default (never by
writing to its key, which can leave the browser showing a stale value), and after drawing,
the filters in force are taken from the widgets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta

import streamlit as st

import queries
from components import plain
from watchfloor import roles
from watchfloor.filters import MULTI_KEYS, Filters, default_filters, parse_query_params

FILTERS_KEY = "filters"
PERIOD_KEY = "filter_period"
WIDGET_KEYS = {attr: f"filter_{attr}" for attr in MULTI_KEYS.values()}
LABELS = {"regions": "Region", "verticals": "Vertical", "priorities": "Priority", "vendors": "Vendor"}
_NOTICE = "filters_notice"
_NOTICE_FOR = "filters_notice_for"


def filter_options() -> dict[str, dict[str, str]]:
    """Known values per URL key, value -> label, read from the warehouse."""
    frame = queries.run("filter_options")
    options: dict[str, dict[str, str]] = {key: {} for key in MULTI_KEYS}
    for row in frame.iter_rows(named=True):
        options[row["filter"]][row["value"]] = row["label"]
    return options


def initialise_from_url(options: dict[str, dict[str, str]], today: date, url_params: dict[str, list[str]]) -> None:
    """On a session's first run, take the filters from the URL; drop unknown values with a notice."""
    if FILTERS_KEY in st.session_state:
        return
    parsed = parse_query_params(url_params, {k: list(v) for k, v in options.items()}, today)
    st.session_state[FILTERS_KEY] = parsed.filters
    if parsed.dropped:
        st.session_state[_NOTICE] = parsed.dropped
        st.session_state[_NOTICE_FOR] = parsed.filters


def draw_sidebar(options: dict[str, dict[str, str]], today: date, page_key: str = "") -> Filters:
    """The filters the page uses, in the sidebar; the ones it does not use are kept as they are
    (for the pages that do) but not offered."""
    current = st.session_state.get(FILTERS_KEY) or default_filters(today)
    spec = roles.page(page_key) if page_key in roles.PAGE_KEYS else None
    dates, scope = bool(spec and spec.date_range), bool(spec and spec.scope)
    if not dates and not scope:
        st.session_state[FILTERS_KEY] = current
        return current
    with st.sidebar:
        st.subheader("Filters", anchor=False)
        if dates:
            st.date_input("Date range", value=(current.start, current.end), key=PERIOD_KEY,
                          max_value=max(today, current.end), format="YYYY-MM-DD")
        elif spec is not None and spec.no_date_range:  # always set here (no spec: returned above)
            st.caption(spec.no_date_range)
        for attr, key in (WIDGET_KEYS.items() if scope else ()):
            url_key = next(k for k, a in MULTI_KEYS.items() if a == attr)
            choices = options.get(url_key, {})
            st.multiselect(
                LABELS[attr],
                options=list(choices),
                format_func=_labeller(choices),
                default=[v for v in getattr(current, attr) if v in choices],
                key=key,
                placeholder="All",
            )
    chosen = _from_widgets(today, fallback=current, dates=dates, scope=scope)
    st.session_state[FILTERS_KEY] = chosen
    dropped = st.session_state.get(_NOTICE)
    if dropped and st.session_state.get(_NOTICE_FOR) == chosen:
        st.warning("Ignored filter values from the link that this warehouse does not know: "
                   + ", ".join(plain.md(value, limit=80) for value in dropped))
    elif dropped:
        # The user has changed the filters since: the notice has done its job.
        st.session_state.pop(_NOTICE, None)
    return chosen


def _labeller(choices: dict[str, str]) -> Callable[[str], str]:
    """A value's label, or the value itself when the warehouse has no label for it."""
    def label(value: str) -> str:
        return choices.get(value, value)
    return label


def _from_widgets(today: date, fallback: Filters, dates: bool = True, scope: bool = True) -> Filters:
    period: tuple[date, ...] | date = (st.session_state.get(PERIOD_KEY) if dates else None) or (fallback.start, fallback.end)
    if isinstance(period, date):
        period = (period,)
    start = period[0] if len(period) > 0 else fallback.start
    # While only the first day of a new range is picked, keep it as a one-day range.
    end = period[1] if len(period) > 1 else start
    chosen = {attr: tuple(st.session_state.get(key) or ()) if scope else getattr(fallback, attr)
              for attr, key in WIDGET_KEYS.items()}
    return Filters(start=start, end=end, **chosen)


def current_filters(today: date) -> Filters:
    """The filters in force (defaults when none have been chosen in this session)."""
    current = st.session_state.get(FILTERS_KEY)
    if current is not None:
        return current
    if any(key in st.session_state for key in (PERIOD_KEY, *WIDGET_KEYS.values())):
        return _from_widgets(today, default_filters(today))
    return default_filters(today)


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


def widen_period_button(days: int, end: date, label: str, key: str) -> None:
    """A button that sets the sidebar's date range to the `days` days ending at `end` (the end of
    the range in force), for a chart that needs more than the range holds, such as a trend by week."""
    st.button(label, key=key, on_click=_widen_period, args=(days, end))


def _widen_period(days: int, end: date) -> None:
    current = st.session_state.get(FILTERS_KEY) or _from_widgets(end, default_filters(end))
    widened = dataclasses.replace(current, start=end - timedelta(days=days - 1), end=end)
    st.session_state[FILTERS_KEY] = widened
    # In a callback, before the next run draws it, the widget takes a value written to its key (a
    # widget keeps its own value however its default changes).
    st.session_state[PERIOD_KEY] = (widened.start, widened.end)
