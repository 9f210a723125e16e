"""Case: one case in full, reached from any case table, a deep link ?case_id=..., or the search box.
Every view and every reveal of its content is written to the audit log."""

import streamlit as st

from components import case_link, shell
from components import case_view as draw
from queries import plans
from watchfloor import case_view as cv

user = shell.guard("case")
as_of = shell.as_of()
arrived = draw.visit_starts()

st.title("Case", anchor=False)
typed, searched = draw.search_box()
term = cv.search_term(typed)
outcome = cv.search_outcome(shell.fetch_or_stop(plans.case_search(as_of, term))["matches"]) if term else None
if searched:
    draw.follow_search(outcome)

wanted = st.query_params.get(case_link.CASE_PARAM)
if wanted is None:
    draw.forget_view()
    draw.search_page(typed, outcome, user.role)
    st.stop()

case_id = cv.search_term(wanted)
found = shell.fetch_or_stop(plans.case(as_of, case_id)) if case_id else None
if found is None or found["case"].height == 0:
    draw.forget_view()
    draw.not_found(wanted)
    st.stop()

draw.record_view(user, case_id, arrived)  # stops the page if the view cannot be recorded
case = found["case"].row(0, named=True)
clock_frame = cv.case_clocks(case, found["events"], as_of)
draw.header(case)
draw.clocks(clock_frame, case, as_of)
draw.content(case, user)
draw.timeline(found["events"], clock_frame, case_id)
draw.signals_and_outcome(case)
draw.qa_and_appeals(found["qa_reviews"], found["appeals"])
draw.incident(case, user.role)
draw.related(found["related"], case, user.role)
