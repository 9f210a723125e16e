"""Case: one case in full, reached from any case table, a deep link ?case_id=..., or the search box.
Every view and every reveal of its content is written to the audit log."""

import streamlit as st

from components import case_link, case_view, shell
from queries import plans
from watchfloor import case_figures

user = shell.guard("case")
as_of = shell.as_of()
arrived = case_view.visit_starts()

st.title("Case", anchor=False)
typed, searched = case_view.search_box()
term = case_figures.search_term(typed)
outcome = case_figures.search_outcome(shell.fetch_or_stop(plans.case_search(as_of, term))["matches"]) if term else None
if searched:
    case_view.follow_search(outcome)

wanted = st.query_params.get(case_link.CASE_PARAM)
if wanted is None:
    case_view.forget_view()
    case_view.search_page(typed, outcome, user.role)
    st.stop()

case_id = case_figures.search_term(wanted)
found = shell.fetch_or_stop(plans.case(as_of, case_id)) if case_id else None
if case_id is None or found is None or found["case"].height == 0:  # no case_id: found is None too
    case_view.forget_view()
    case_view.not_found(wanted)
    st.stop()

case_view.record_view(user, case_id, arrived)  # stops the page if the view cannot be recorded
case = found["case"].row(0, named=True)
clock_frame = case_figures.case_clocks(case, found["events"], as_of)
case_view.header(case)
case_view.clocks(clock_frame, case, as_of)
case_view.content(case, user)
case_view.timeline(found["events"], clock_frame, case_id)
case_view.signals_and_outcome(case)
case_view.qa_and_appeals(found["qa_reviews"], found["appeals"])
case_view.incident(case, user.role)
case_view.related(found["related"], case, user.role)
