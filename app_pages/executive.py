"""Executive summary: one screen on what escalated and whether commitments were met, a period
against the one before, with a one-page export."""

import streamlit as st

import queries
from components import executive_tiles as tiles
from components import filters, shell
from queries import plans
from watchfloor import executive as ex
from watchfloor import executive_export as export

user = shell.guard("executive")
as_of = shell.as_of()
chosen = filters.current_filters(as_of.date())

tiles.compact_page()
title_column, kind_column, export_column = st.columns([1.25, 1.6, 0.75], vertical_alignment="center")
with title_column:
    st.title("Executive summary", anchor=False)
with kind_column:
    kind = st.segmented_control("Period", options=list(ex.PERIOD_KINDS), format_func=ex.PERIOD_KINDS.get,
                                default=ex.LAST_7_DAYS, required=True, key="executive_period_kind",
                                label_visibility="collapsed") or ex.LAST_7_DAYS
day = first = last = None
if kind in (ex.WEEK, ex.MONTH, ex.QUARTER, ex.CUSTOM):
    pick_column, caption_column = st.columns([1, 3.5], vertical_alignment="center")
else:
    pick_column, caption_column = None, st.container()
if kind in (ex.WEEK, ex.MONTH, ex.QUARTER):
    day = pick_column.selectbox(ex.PERIOD_KINDS[kind], options=ex.recent_periods(kind, as_of),
                                format_func=lambda d: ex.calendar_period(kind, d, as_of).label.split(" (")[0],
                                key=f"executive_period_{kind}", label_visibility="collapsed")
elif kind == ex.CUSTOM:
    picked = pick_column.date_input("Days (UTC)", value=(as_of.date().replace(day=1), as_of.date()),
                                    max_value=as_of.date(), format="YYYY-MM-DD", key="executive_custom_days",
                                    label_visibility="collapsed")
    picked = picked if isinstance(picked, tuple) else (picked,)
    first = picked[0] if picked else None
    last = picked[1] if len(picked) > 1 else first

try:
    period = ex.period_for(kind, as_of, day=day, first=first, last=last)
except ex.PeriodError as exc:
    st.info(f"Choose another period: {exc}.")
    st.stop()

data = shell.fetch_or_stop(plans.executive(as_of, chosen, period))
figures = ex.headline(data["cases"], data["sla"], data["escalations"], data["incidents"], data["appeals"])
enforcement = ex.enforcement_by_action(data["cases"])
notices = ex.notices_by_category(data["cases"])
rising = ex.top_rising_categories(data["cases"])
spikes = queries.derived(data["category_series"], ex.top_spikes, period)
severe = ex.severe_incidents(data["incidents"], ex.CURRENT)
severe_before = ex.severe_incidents(data["incidents"], ex.PREVIOUS).height

scope = ", ".join(f"{name} {' / '.join(values)}" for name, values in (
    ("region", chosen.regions), ("vertical", chosen.verticals), ("priority", chosen.priorities),
    ("vendor", chosen.vendors)) if values)
caption_column.caption(
    f"**{period.label}** against {period.previous_label} (UTC). "
    + (f"Filtered to {scope}. " if scope else "All sidebar filters but the date range apply.")
    + ("" if ex.case_totals(data["cases"])[ex.PREVIOUS]["created"] is not None
       else " The warehouse holds no cases in the period before, so there are no changes to show.")
)

with export_column:
    html_page = export.to_html(period, figures, enforcement, notices, severe, severe_before, rising, as_of, scope, spikes)
    csv_bytes = export.to_csv(ex.figures_table(period, figures, enforcement, notices, severe, rising, spikes))
    stem = f"executive-summary-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    with st.container(horizontal=True, gap="small", horizontal_alignment="right"):
        st.download_button("One page", html_page, file_name=f"{stem}.html", mime="text/html", icon=":material/download:",
                           key="executive_export_html", help="The summary as one self-contained page (HTML, prints on one page).",
                           on_click="ignore")
        st.download_button("CSV", csv_bytes, file_name=f"{stem}.csv", mime="text/csv", icon=":material/download:",
                           key="executive_export_csv", help="Every figure of the summary, this period and the one before.",
                           on_click="ignore")

tiles.tiles(figures, user.role, f"{period.previous_label}")

enforcement_column, incidents_column, notices_column = st.columns([1.0, 1.2, 1.65], gap="medium")
with enforcement_column:
    tiles.heading("Enforcement by action", "trends", user.role,
                  help="Actioned cases resolved in the period, per enforcement action.")
    tiles.enforcement(enforcement)
with incidents_column:
    tiles.heading("SEV0 and SEV1 incidents", "incidents", user.role,
                  help="Incidents of severity SEV0 or SEV1 that started in the period.")
    tiles.severe_incidents(severe, severe_before)
    tiles.heading("Top spikes", "trends", user.role,
                  help="The spike detector of Trends & spikes over each category's arrivals (four weeks of history): "
                       "the spikes that touch the period, most severe first. Without any, the categories whose volume "
                       "rose most against the period before, ranked by (c − p) ÷ √(p + 1).")
    tiles.top_spikes(spikes, rising)
with notices_column:
    tiles.heading("Notices by category (EU DSA)", "trends", user.role,
                  help="What a DSA transparency report counts: notices received (user reports and trusted flaggers), "
                       "orders from authorities, notices actioned and the median time to action.")
    tiles.notices(notices)
