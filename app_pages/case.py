"""Case: one case in full, reached from any case table, a deep link ?case_id=..., or the search box.
Every view and every reveal of its content is written to the audit log."""

import streamlit as st

from components import case_link, shell
from components import case_view as draw
from queries import plans
from watchfloor import audit
from watchfloor import case_view as cv
from watchfloor.config import load_settings

SEARCH_KEY = "case_search"
SHOWN_KEY = "case_shown"  # the case shown (and logged as viewed) on the previous run of this visit

user = shell.guard("case")
as_of = shell.as_of()

# Streamlit drops a widget's state when a run does not draw it, so the search box's state is
# missing exactly when this run starts a visit to the page: leaving ends the view and the reveal.
arrived = SEARCH_KEY not in st.session_state

st.title("Case", anchor=False)
with st.form("case_search_form", border=False, enter_to_submit=True):
    box, button = st.columns([5, 1], vertical_alignment="bottom")
    term_typed = box.text_input("Find a case", key=SEARCH_KEY, max_chars=cv.SEARCH_MAX_CHARS,
                                placeholder="Case id, account id or organisation id")
    searched = button.form_submit_button("Find", icon=":material/search:", use_container_width=True)

term = cv.search_term(term_typed)
outcome = None
if term_typed.strip():
    outcome = cv.search_outcome(shell.fetch_or_stop(plans.case_search(as_of, term))["matches"]) if term else None
    if searched:
        if outcome is not None and outcome.case_id:
            st.query_params[case_link.CASE_PARAM] = outcome.case_id
        elif case_link.CASE_PARAM in st.query_params:
            del st.query_params[case_link.CASE_PARAM]

wanted = st.query_params.get(case_link.CASE_PARAM)
case_id = cv.search_term(wanted)

if wanted is None:
    st.session_state[SHOWN_KEY] = None
    st.session_state[draw.REVEALED_KEY] = None
    if not term_typed.strip():
        st.caption("Type a case id, an account id or an organisation id, or open a case from any case table.")
    elif outcome is None or outcome.total == 0:
        draw.not_found(term_typed)
    else:
        draw.search_results(outcome, user.role)
    st.stop()

found = shell.fetch_or_stop(plans.case(as_of, case_id)) if case_id else None
if found is None or found["case"].height == 0:
    st.session_state[SHOWN_KEY] = None
    st.session_state[draw.REVEALED_KEY] = None
    draw.not_found(wanted)
    st.stop()

case = found["case"].row(0, named=True)
st.session_state[draw.REVEALED_KEY] = cv.revealed_after(st.session_state.get(draw.REVEALED_KEY), arrived, case_id)
if cv.is_new_view(st.session_state.get(SHOWN_KEY), arrived, case_id):
    st.session_state.pop(draw.REVEAL_ERROR_KEY, None)
    try:
        audit.AuditLog(load_settings().audit_log).append(user=user.username, role=user.role, action=audit.VIEW,
                                                         case_id=case_id)
    except (audit.AuditError, OSError) as exc:
        st.error(f"This case cannot be shown: the view could not be recorded in the audit log ({exc}).")
        st.stop()
    st.session_state[SHOWN_KEY] = case_id

clock_frame = cv.case_clocks(case, found["events"], as_of)
draw.header(case)
draw.clocks(clock_frame, as_of)
draw.content(case, user)
draw.timeline(found["events"], clock_frame, case_id)
draw.signals_and_outcome(case)
draw.qa_and_appeals(found["qa_reviews"], found["appeals"])
draw.incident(case, user.role)
draw.related(found["related"], case, user.role)
