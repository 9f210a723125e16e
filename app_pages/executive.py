"""Executive summary: one screen on what escalated and whether commitments were met, a period
against the one before, with a one-page export."""

import streamlit as st

from components import executive_tiles as tiles
from components import plain, sensitivity, shell, sidebar_filters, times
from queries import plans
from watchfloor import executive as ex
from watchfloor import executive_export as export

user = shell.guard("executive")
as_of = shell.as_of()
chosen = sidebar_filters.current_filters(as_of.date())

tiles.compact_page()
title_column, kind_column, export_column = st.columns([1.25, 1.6, 0.75], vertical_alignment="center")
with title_column:
    st.title("Executive summary", anchor=False)
with kind_column:
    kind = tiles.period_kind()
caption_column, (day, first, last) = tiles.period_details(kind, as_of)

try:
    period = ex.period_for(kind, as_of, day=day, first=first, last=last)
except ex.PeriodError as exc:
    st.info(f"Choose another period: {plain.md(exc)}.")
    st.stop()

data = shell.fetch_or_stop(plans.executive(as_of, chosen, period))
figures = ex.headline(data["cases"], data["sla"], data["escalations"], data["incidents"], data["appeals"])
enforcement = ex.enforcement_by_action(data["cases"])
notices = ex.notices_by_category(data["cases"])
rising = ex.top_rising_categories(data["cases"])
record = plans.spike_record(data["watched"], as_of, sensitivity.current())  # the spikes every page shows alike
spikes = ex.top_spikes(record, period)
severe = ex.severe_incidents(data["incidents"], ex.CURRENT)
severe_before = ex.severe_incidents(data["incidents"], ex.PREVIOUS).height
comparable = ex.comparable(data["cases"])

scope = ex.scope_label(chosen)
caption_column.caption(
    f"**{period.label}** against {period.previous_label} (UTC). "
    + (f"Filtered to {plain.md(scope)}. " if scope else "All sidebar filters but the date range apply.")
    + ("" if comparable else " The warehouse holds no cases in the period before, so there are no changes to show.")
)

with export_column:
    tiles.export_buttons(
        f"executive-summary-{period.start:%Y%m%d}-{period.end:%Y%m%d}",
        lambda: export.to_html(period, figures, enforcement, notices, severe, severe_before, rising, as_of, scope, spikes),
        lambda: export.to_csv(ex.figures_table(period, figures, enforcement, notices, severe, rising, spikes)),
    )

tiles.tiles(figures, period, user.role, f"{period.previous_label}")

enforcement_column, incidents_column, notices_column = tiles.list_columns()
with enforcement_column:
    tiles.heading("Enforcement by action", "trends", user.role,
                  help="Actioned cases resolved in the period, per enforcement action.")
    tiles.enforcement(enforcement, comparable)
with incidents_column:
    tiles.heading("SEV0 and SEV1 incidents", "incidents", user.role,
                  help="Incidents of severity SEV0 or SEV1 that started in the period.")
    tiles.severe_incidents(severe, severe_before)
    tiles.heading("Top spikes", "trends", user.role,
                  help="The spike record of Trends & spikes (the same spikes, with the same figures, on every page "
                       "and whatever the period): the spikes that touch the period, most severe first. Without any, "
                       "the categories whose volume rose most against the period before, ranked by (c − p) ÷ √(p + 1).")
    tiles.top_spikes(spikes, rising, comparable, ex.spikes_note(record, period, times.hour_stamp))
with notices_column:
    tiles.heading("Notices by category (EU DSA)", "trends", user.role,
                  help="What a DSA transparency report counts: notices received (user reports and trusted flaggers), "
                       "orders from authorities, notices actioned and the median time to action.")
    tiles.notices(notices, comparable=comparable)
