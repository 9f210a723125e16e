"""The Case page's drawings: search results, header, SLA clocks, timeline, signals, outcome,
QA reviews, appeals, incident, related cases, and the blurred content excerpt with its reveal.

Figures come from watchfloor.case_figures; every view and reveal is written to the audit log
(watchfloor.audit) by the page before anything of the case is drawn.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from components import case_link, plain, shell, tables, times
from components import chart_style as style
from components.kpi import page_link
from queries import plans
from watchfloor import audit, case_figures, roles
from watchfloor import palette as pal
from watchfloor.config import load_settings

REVEALED_KEY = "case_revealed"  # the case whose content is revealed in this visit, if any
REVEAL_ERROR_KEY = "case_reveal_error"
REASON_KEY = "case_reveal_reason"
EXPOSURE_KEY = "case_reveals_last_hour"  # the user's reveals in the wellness window, after this one
STATE_COLOURS = {"Met": pal.DEEP_GREEN, "On track": pal.DEEP_GREEN, "Warning": pal.OCHRE, "At risk": pal.RUST,
                 "Breached": pal.DEEP_RED}
LANE_COLOURS = {"Intake": pal.BLUE, "Review": pal.TEAL, "Pending info": pal.YELLOW, "Escalation": pal.RED,
                "Closed": pal.GREEN}


def _facts(facts: dict[str, str]) -> None:
    st.markdown("\n".join(f"- **{name}:** {plain.md(value)}" for name, value in facts.items()))


# --------------------------------------------------------------------------- visits and views

SEARCH_KEY = "case_search"
SHOWN_KEY = "case_shown"  # the case shown (and recorded as viewed) on the previous run of this visit


def visit_starts() -> bool:
    """Whether this run starts a visit to the Case page (leaving ends the view and the reveal)."""
    return shell.arrived("case")


def forget_view() -> None:
    """No case is shown: the next one opened is a new view, and nothing stays revealed."""
    st.session_state[SHOWN_KEY] = None
    st.session_state[REVEALED_KEY] = None


def record_view(user: shell.User, case_id: str, arrived: bool) -> None:
    """Write one audit entry per view (not per rerun), and keep a reveal only within its view.
    A case whose view cannot be recorded is not shown."""
    st.session_state[REVEALED_KEY] = case_figures.revealed_after(st.session_state.get(REVEALED_KEY), arrived, case_id)
    if not case_figures.is_new_view(st.session_state.get(SHOWN_KEY), arrived, case_id):
        return
    st.session_state.pop(REVEAL_ERROR_KEY, None)
    try:
        audit.AuditLog(load_settings().audit_log).append(user=user.username, role=user.role, action=audit.VIEW,
                                                         case_id=case_id)
    except (audit.AuditError, OSError) as exc:
        st.error(f"This case cannot be shown: the view could not be recorded in the audit log ({plain.md(exc)}).")
        st.stop()
    st.session_state[SHOWN_KEY] = case_id


# --------------------------------------------------------------------------- search


def search_box() -> tuple[str, bool]:
    """The search box: (what it holds, whether it was just submitted)."""
    with st.form("case_search_form", border=False, enter_to_submit=True):
        box, button = st.columns([5, 1.2], vertical_alignment="bottom", gap="small")
        typed = box.text_input("Find a case", key=SEARCH_KEY, max_chars=case_figures.SEARCH_MAX_CHARS,
                               placeholder="Case id, account id or organisation id")
        searched = button.form_submit_button("Find", icon=":material/search:", width="stretch")
    return typed or "", searched


def follow_search(outcome: case_figures.SearchOutcome | None) -> None:
    """After a search: a case-id match becomes the case shown (?case_id=); otherwise no case is."""
    if outcome is not None and outcome.case_id:
        st.query_params[case_link.CASE_PARAM] = outcome.case_id
    elif case_link.CASE_PARAM in st.query_params:
        del st.query_params[case_link.CASE_PARAM]


def search_page(typed: str, outcome: case_figures.SearchOutcome | None, role: str) -> None:
    """The page without a case: a hint, the cases found, or 'not found'."""
    if not typed.strip():
        st.caption("Type a case id, an account id or an organisation id, or open a case from any case table.")
    elif outcome is None or outcome.total == 0:
        not_found(typed)
    else:
        search_results(outcome, role)


def not_found(what: str | None) -> None:
    shown = " ".join((what or "").split())
    if len(shown) > 60:
        shown = shown[:60] + "…"
    st.warning(f"Not found: no case, account or organisation has the id {plain.md(shown)}."
               if shown else "Not found: give a case id, an account id or an organisation id.",
               icon=":material/search_off:")


def search_results(outcome: case_figures.SearchOutcome, role: str) -> None:
    """Cases of an account or organisation found by the search box; a row opens its case."""
    matches = outcome.matches
    more = f" (the newest {matches.height:,} of {outcome.total:,})" if outcome.total > matches.height else ""
    st.caption(f"{outcome.total:,} case(s) found{more}. Select a row to open the case.")
    shown, dated = times.dated(case_figures.search_display(matches), {"Created": "YYYY-MM-DD HH:mm"})
    case_link.case_table(
        shown, matches["case_id"].to_list(), key="case_search_results", role=role,
        column_config=dated,
        height=min(38 + 35 * matches.height, 420),
    )


# --------------------------------------------------------------------------- header and clocks


def header(case: dict) -> None:
    facts = case_figures.header_facts(case, times.at)
    st.subheader(f"Case {plain.md(case['case_id'])} · {plain.md(facts['Category'])}", anchor=False)
    left, middle, right = st.columns(3)
    names = list(facts)
    for column, part in zip((left, middle, right), (names[0:5], names[5:9], names[9:])):
        with column:
            _facts({name: facts[name] for name in part})


def clocks(clock_frame: pl.DataFrame, case: dict, as_of: datetime) -> None:
    st.markdown("**SLA clocks**")
    if clock_frame.height == 0:
        st.info("This case's queue has no SLA policy, so no SLA clock runs for it.")
        return
    for column, shown in zip(st.columns(2), case_figures.clock_display(clock_frame, times.at)):
        with column, st.container(border=True):
            colour = STATE_COLOURS.get(shown["state"], pal.SLATE)
            st.markdown(f"**{shown['label']} SLA** · <span style='color:{colour}'>**{shown['state']}**</span>",
                        unsafe_allow_html=True)
            st.metric(f"{shown['label']}: share of target used", shown["used"], border=False,
                      help="Counted time ÷ target. Time in pending info does not count where the policy "
                           "pauses; business-hours policies count only working hours.")
            st.caption(f"{shown['summary']} · counted {shown['counted']} · paused {shown['paused']}")
    st.caption(f"Clocks as of {times.at(as_of)}. {plain.md(case_figures.policy_line(case))}")


# --------------------------------------------------------------------------- timeline


def timeline(events: pl.DataFrame, clock_frame: pl.DataFrame, case_id: str) -> None:
    st.markdown("**Timeline**")
    if events.height == 0:
        st.info("No events are recorded for this case.")
        return
    points = times.local(case_figures.timeline_points(events), "at")
    clock_frame = times.local(clock_frame, "due_at")
    fig = go.Figure()
    # Every lane stays on the chart, also those this case never visited.
    fig.add_trace(go.Scatter(x=[points["at"][0]] * len(case_figures.LANE_ORDER), y=list(case_figures.LANE_ORDER), mode="markers",
                             marker=dict(opacity=0), hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(
        x=points["at"].to_list(), y=points["lane"].to_list(), mode="lines", showlegend=False,
        line=dict(color=pal.LIGHT_GREY, width=1.5, shape="hv"), hoverinfo="skip",
    ))
    for lane in case_figures.LANE_ORDER:
        part = points.filter(pl.col("lane") == lane)
        if part.height == 0:
            continue
        fig.add_trace(go.Scatter(
            x=part["at"].to_list(), y=part["lane"].to_list(), mode="markers", name=lane,
            marker=dict(size=11, color=LANE_COLOURS[lane], line=dict(width=1, color="white")),
            customdata=list(zip(part["event"].to_list(), part["actor"].to_list())),
            hovertemplate=f"%{{customdata[0]}}<br>%{{x|%Y-%m-%d %H:%M}} {times.label()}<br>%{{customdata[1]}}<extra></extra>",
            showlegend=False,
        ))
    for row in clock_frame.iter_rows(named=True):
        if row["due_at"] is None:
            continue
        fig.add_vline(x=row["due_at"], line=dict(color=pal.DEEP_RED if row["state"] == "breached" else pal.OCHRE,
                                                 dash="dash", width=1))
        fig.add_annotation(x=row["due_at"], y=1.0, yref="paper", showarrow=False, yanchor="bottom",
                           text=f"{row['label']} due", font=dict(size=11, color=pal.SLATE))
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(case_figures.LANE_ORDER)), title_text="")
    fig.update_xaxes(title=dict(text=times.titled("time"), font=dict(size=11)))
    style.draw(plain.figure(style.framed(fig, 260, top=30, right=40)), key="case_timeline_chart")
    shown, dated = times.dated(case_figures.timeline_display(events), {"When": "YYYY-MM-DD HH:mm"})
    tables.table(shown, hide_index=True, key="case_timeline_table",
                 column_config={**dated,
                                "Then": st.column_config.TextColumn(help="Where the case is after the event."),
                                "Until next": st.column_config.TextColumn(help="Time to the next event.")},
                 height=min(38 + 35 * events.height, 420))


# --------------------------------------------------------------------------- the rest of the case


def signals_and_outcome(case: dict) -> None:
    left, right = st.columns(2)
    with left, st.container(border=True):
        st.markdown("**Classifier signals**")
        _facts(case_figures.signal_facts(case))
        score = case_figures.classifier_score(case)
        if score is not None:
            st.progress(min(max(score, 0.0), 1.0), text="Classifier score (0 to 1)")
    with right, st.container(border=True):
        st.markdown("**Decision and enforcement**")
        _facts(case_figures.outcome_facts(case, times.at))


def qa_and_appeals(reviews: pl.DataFrame, appeals: pl.DataFrame) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown("**QA reviews**")
        if reviews.height == 0:
            st.caption("No QA review of this case.")
        else:
            summary = case_figures.qa_summary(reviews)
            st.caption(f"{summary.reviews} review(s): {summary.agreed} agree with the decision; "
                       f"{summary.golden} from the golden set.")
            shown, dated = times.dated(case_figures.qa_display(reviews), {"Reviewed": "YYYY-MM-DD HH:mm"})
            tables.table(shown, hide_index=True, key="case_qa_table", column_config=dated)
    with right:
        st.markdown("**Appeals**")
        if appeals.height == 0:
            st.caption("No appeal against this case.")
        else:
            shown, dated = times.dated(case_figures.appeals_display(appeals), {"Filed": "YYYY-MM-DD HH:mm",
                                                                    "Resolved": "YYYY-MM-DD HH:mm"})
            tables.table(shown, hide_index=True, key="case_appeals_table", column_config=dated)


def incident(case: dict, role: str) -> None:
    facts = case_figures.incident_facts(case, times.at)
    st.markdown("**Linked incident**")
    if facts is None:
        st.caption("This case is not linked to an incident.")
        return
    with st.container(border=True):
        _facts(facts)
        if case.get("incident_title"):
            page_link("incidents", "Open the incident", role, query_params={"incident": case["incident_id"]})


def related(related_cases: pl.DataFrame, case: dict, role: str) -> None:
    counts = case_figures.related_counts(related_cases)
    st.markdown("**Other cases of this account and organisation**")
    if counts.shown == 0:
        st.caption("No other case of this account or organisation.")
        return
    st.caption(case_figures.related_caption(counts, case.get("account_id"), case.get("org_id"), plain.md)
               + " Select a row to open the case.")
    shown, dated = times.dated(case_figures.related_display(related_cases), {"Created": "YYYY-MM-DD HH:mm"})
    case_link.case_table(
        shown, related_cases["case_id"].to_list(), key="case_related_table", role=role, column_config=dated,
        height=min(38 + 35 * related_cases.height, 390),
    )


# --------------------------------------------------------------------------- content and reveal

_BLURRED = ("Content under review is hidden here until you choose to reveal it. " * 3).strip()
_BLUR_HTML = (
    "<div style='position:relative;border:1px solid #d9dee5;border-radius:8px;padding:14px 16px;"
    "background:#f5f7fa;overflow:hidden'>"
    "<div aria-hidden='true' style='filter:blur(6px);user-select:none;color:#4a5568;line-height:1.6'>{text}</div>"
    "<div style='position:absolute;inset:0;display:flex;align-items:center;justify-content:center;"
    "font-weight:600;color:#2d3748'>Content blurred</div></div>"
)


def _reveal(case_id: str, user: shell.User) -> None:
    """The reveal button's callback: check the role and the reason, write the audit entry, then reveal."""
    st.session_state.pop(REVEAL_ERROR_KEY, None)
    if not roles.can_reveal(user.role):
        st.session_state[REVEAL_ERROR_KEY] = "Your role may not reveal case content."
        return
    try:
        reason = audit.clean_reason(st.session_state.get(REASON_KEY))
    except audit.ReasonError as exc:
        st.session_state[REVEAL_ERROR_KEY] = str(exc)
        return
    log = audit.AuditLog(load_settings().audit_log)
    try:
        log.append(
            user=user.username, role=user.role, action=audit.REVEAL, case_id=case_id, reason=reason)
    except (audit.AuditError, OSError) as exc:
        st.session_state[REVEAL_ERROR_KEY] = f"The content stays hidden: the reveal could not be recorded ({exc})."
        return
    st.session_state[REVEALED_KEY] = case_id
    st.session_state[REASON_KEY] = ""
    try:
        since = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=audit.EXPOSURE_WINDOW_MINUTES)
        st.session_state[EXPOSURE_KEY] = log.reveals_since(user.username, since)
    except audit.AuditError:
        st.session_state[EXPOSURE_KEY] = None


def exposure_note(reveals: int | None) -> None:
    """Reviewer wellness: how much disturbing content this person has revealed lately."""
    if not reveals:
        return
    window = audit.EXPOSURE_WINDOW_MINUTES
    if reveals >= audit.EXPOSURE_BREAK_AFTER:
        st.warning(f"You have revealed {reveals} content excerpts in the last {window} minutes. Looking at "
                   "disturbing content wears on anyone: consider a short break before the next one.",
                   icon=":material/self_improvement:")
    else:
        st.caption(f"Your reveals in the last {window} minutes: {reveals}.")


def _blur_again() -> None:
    st.session_state[REVEALED_KEY] = None


def content(case: dict, user: shell.User) -> None:
    """The content excerpt: blurred (the clear text is not even read) until revealed with a reason."""
    case_id = case["case_id"]
    st.markdown("**Content excerpt**")
    if not case.get("has_excerpt"):
        st.caption("This case has no content excerpt.")
        return
    if st.session_state.get(REVEALED_KEY) == case_id:
        excerpt = shell.fetch_or_stop(plans.case_excerpt(case_id))["excerpt"]
        with st.container(border=True):
            st.caption("Revealed for you and recorded in the audit log. It blurs again when you leave this case.")
            st.text(excerpt["content_excerpt"][0] if excerpt.height else "")
            exposure_note(st.session_state.get(EXPOSURE_KEY))
            st.button("Blur again", key="case_blur_again", icon=":material/visibility_off:", on_click=_blur_again)
        return
    st.html(_BLUR_HTML.format(text=html.escape(_BLURRED)))
    if not roles.can_reveal(user.role):
        st.caption(f"Content may be disturbing and is blurred. Your role ({roles.label(user.role)}) may not reveal it.")
        return
    st.caption("Content may be disturbing and is blurred. Revealing it is recorded in the audit log with your reason.")
    with st.form("case_reveal_form", border=False, enter_to_submit=True):
        st.text_input("Reason for revealing", key=REASON_KEY, max_chars=audit.REASON_MAX_CHARS,
                      placeholder="e.g. ticket T-1234: confirm the enforcement decision")
        st.form_submit_button("Reveal content", icon=":material/visibility:", on_click=_reveal, args=(case_id, user))
    error = st.session_state.get(REVEAL_ERROR_KEY)
    if error:
        st.error(plain.md(error))
