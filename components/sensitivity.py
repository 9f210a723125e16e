"""The spike sensitivity in force (low, normal, high): one setting for Home, Trends, Incidents and
the Executive summary, chosen on the Trends page and kept in the session and in the URL
(`?sensitivity=high`; `normal` is the default and leaves the URL alone). Anything else in the URL
is ignored: the detector's own list (watchfloor.spike_detector.SENSITIVITIES) is the only source."""

from __future__ import annotations

import streamlit as st

from watchfloor.spike_detector import SENSITIVITIES

SESSION_KEY = "spike_sensitivity"
WIDGET_KEY = "spike_sensitivity_control"
URL_KEY = "sensitivity"
DEFAULT = "normal"
LABELS = {"low": "Low", "normal": "Normal", "high": "High"}


def current() -> str:
    """The sensitivity in force: the session's, else the URL's (if it names one), else normal."""
    chosen = st.session_state.get(SESSION_KEY)
    if chosen in SENSITIVITIES:
        return chosen
    from_url = st.query_params.get(URL_KEY)
    return from_url if from_url in SENSITIVITIES else DEFAULT


def control() -> str:
    """The low / normal / high control; returns the sensitivity now in force and keeps it."""
    in_force = current()
    picked = st.segmented_control(
        "Spike sensitivity", options=list(SENSITIVITIES), format_func=LABELS.__getitem__, default=in_force,
        key=WIDGET_KEY, required=True,
        help="How unusual a count must be to raise an alert, for every category and scope, here and on Home, "
             "Incidents and the Executive summary. High finds smaller spikes and raises more alerts.")
    chosen = picked if picked in SENSITIVITIES else in_force
    st.session_state[SESSION_KEY] = chosen
    if chosen == DEFAULT:
        if URL_KEY in st.query_params:
            del st.query_params[URL_KEY]
    elif st.query_params.get(URL_KEY) != chosen:
        st.query_params[URL_KEY] = chosen
    return chosen
