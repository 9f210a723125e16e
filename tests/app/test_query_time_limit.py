"""A page whose query passes its time limit says so in one line (AppTest); the runner's side of the
time limit is tested in tests/unit/test_query_sharing.py."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.slow_query import slow_query

PATIENCE_S = 60.0  # only ever reached when the code under test is broken


def test_the_page_says_in_one_line_that_a_query_was_cancelled(query_folder, monkeypatch):
    db = slow_query(query_folder)
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", db)
    monkeypatch.setenv("WATCHFLOOR_QUERY_TIMEOUT_SECONDS", "0.3")

    def page():
        import streamlit as st

        from components import shell
        from queries import plans

        st.title("Slow page")
        shell.fetch_or_stop([plans.QueryCall("slow", "slow", {"x": 3})])
        st.write("not reached")

    at = AppTest.from_function(page, default_timeout=PATIENCE_S).run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "This page's data took too long: query 'slow' was cancelled at its time limit of 0.3 s. "
        "Try a shorter date range or narrower filters."]
    assert "not reached" not in [m.value for m in at.markdown]
