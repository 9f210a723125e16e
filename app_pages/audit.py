"""Audit: who viewed which case, who revealed its content and why, and who signed in; filter, check
and export."""

from datetime import UTC, datetime, timedelta
from typing import cast

import streamlit as st

from components import plain, shell, tables, times
from watchfloor import audit
from watchfloor.config import load_settings
from watchfloor.formatting import count_of

user = shell.guard("audit")
settings = load_settings()
log = audit.AuditLog(settings.audit_log)

st.title("Audit", anchor=False)
st.caption("Every case view, every reveal of case content and every sign-in, newest first. Entries are signed "
           "with a key kept apart from the log and chained, and the newest is recorded apart from it: nothing in "
           "Watchfloor can change or delete one, and a change, a deletion or a cut-off end made outside it shows "
           "below.")

try:
    snapshot = log.snapshot()
except audit.AuditError as exc:
    st.error(f"The audit log cannot be read: {plain.md(exc)}")
    st.stop()
check, entries = snapshot.verification, snapshot.frame

if check.intact:
    st.success(f"The audit log is intact: {count_of(check.entries, 'entry', 'entries')}, newest hash `{check.head[:16]}…`.",
               icon=":material/verified_user:")
else:
    st.error(f"The audit log has been tampered with outside Watchfloor ({len(check.problems)} problem(s)). "
             "Run `watchfloor audit verify` for the full list.", icon=":material/gpp_bad:")
    for problem in check.problems[:10]:
        st.markdown(f"- {plain.md(problem)}")
for note in check.notes:
    st.caption(plain.md(note))

if entries.height == 0:
    st.info("Nothing has been recorded yet: no case has been viewed or revealed, and nobody has signed in.")
    st.stop()

# `at` is a Datetime column (polars types min/max as any value): the same datetimes, only typed.
first_day, last_day = cast(datetime, entries["at"].min()).date(), cast(datetime, entries["at"].max()).date()
period_column, users_column, actions_column, case_column = st.columns([2, 2, 2, 2])
with period_column:
    period = st.date_input("Between (UTC)", value=(first_day, last_day), key="audit_period",
                           min_value=first_day, max_value=last_day, format="YYYY-MM-DD")
with users_column:
    users = st.multiselect("User", options=sorted(entries["user"].unique().to_list()), key="audit_users",
                           placeholder="Everyone")
with actions_column:
    actions = st.multiselect("Action", options=list(audit.ACTIONS), format_func=audit.ACTION_LABELS.__getitem__,
                             key="audit_actions", placeholder="Every action")
with case_column:
    case_id = st.text_input("Case id", key="audit_case", max_chars=200, placeholder="Any case")

start, end = (tuple(period) + (None, None))[:2]  # a range being picked has one end only
chosen = audit.AuditFilter(
    start=datetime.combine(start, datetime.min.time()) if start else None,
    end=datetime.combine((end or start), datetime.min.time()) + timedelta(days=1) if start else None,
    users=tuple(users), actions=tuple(actions), case_id=case_id or "",
)
shown = audit.filter_entries(entries, chosen)
figures = audit.summary(shown)

with st.container(horizontal=True, gap="small"):  # five tiles that wrap on a narrow screen
    st.metric("Entries", f"{figures.entries:,}", border=True, width=172)
    st.metric("Case views", f"{figures.views:,}", border=True, width=172)
    st.metric("Reveals", f"{figures.reveals:,}", border=True, width=172,
              help="Content excerpts revealed, each with a reason.")
    st.metric("People / cases", f"{figures.users:,} / {figures.cases:,}", border=True, width=172,
              help="People: who viewed, revealed or signed in (not the names typed into failed sign-ins).")
    st.metric("Failed sign-ins", f"{figures.failed_sign_ins:,}", border=True, width=172,
              help="Wrong user name or password; five for one name lock it out for a while.")

if shown.height == 0:
    st.info("No entry matches these filters.")
    st.stop()

tables.table(  # times in the reader's zone; the export below stays UTC
    times.local(shown.select("seq", "at", "user", "role", "action", "case_id", "reason"), "at"),
    key="audit_table", hide_index=True, placeholder="–",
    column_config={
        "seq": st.column_config.NumberColumn("No.", format="%d", width="small"),
        "at": st.column_config.DatetimeColumn(times.titled("When"), format="YYYY-MM-DD HH:mm:ss"),
        "user": "User", "role": "Role", "action": "Action", "case_id": "Case",
        "reason": st.column_config.TextColumn("Reason or detail", width="large"),
    },
    height=min(38 + 35 * shown.height, 560),
)
stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
st.download_button("Export these entries (CSV)", data=audit.to_csv(shown), file_name=f"watchfloor-audit-{stamp}.csv",
                   mime="text/csv", key="audit_export", icon=":material/download:", on_click="ignore")
