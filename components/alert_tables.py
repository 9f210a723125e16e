"""The Alerts page's tables: open alerts with acknowledge and snooze, the week's history, and
how the deliveries went. Text from data (titles, queue names, user names) is shown only in
table cells and plain-text blocks, never as markdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl
import streamlit as st

from components import tables, times
from watchfloor import roles
from watchfloor.alerting import figures
from watchfloor.alerting.store import AlertStore, StoreError
from watchfloor.formatting import format_count, format_duration

_FLASH = "alerts_flash"
ALERT_PARAM = "alert"


@dataclass(frozen=True)
class Board:
    alerts: pl.DataFrame
    deliveries: pl.DataFrame


def fetch_board(store: AlertStore, now: datetime) -> Board:
    """Every open alert and those of the last weeks, and the recent deliveries; the page stops
    with a clear message if the store cannot be read."""
    try:
        return Board(alerts=store.alerts_frame(now - timedelta(days=figures.HISTORY_DAYS)),
                     deliveries=store.deliveries_frame(now - timedelta(days=1)))
    except StoreError as exc:
        st.error("The alert store cannot be read:")
        st.code(str(exc), language=None)
        st.stop()


def worker_banner(store: AlertStore, now: datetime, interval_seconds: float) -> None:
    seen = store.meta("worker_seen_at")
    running, words = figures.worker_state(datetime.fromisoformat(seen) if seen else None, now, interval_seconds,
                                           times.at)
    if running:
        st.caption(words)
    else:
        st.warning(words, icon=":material/notifications_off:")


def flash() -> None:
    """The outcome of the last action (kept over the rerun that shows its effect)."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        kind, text = message
        (st.success if kind == "ok" else st.warning)(text)


def summary_tiles(summary: figures.Summary) -> None:
    # Two rows of two: the labels stay whole on a narrow screen.
    open_tile, unack_tile = st.columns(2)
    ack_tile, resolve_tile = st.columns(2)
    open_tile.metric("Open alerts", format_count(summary.open), border=True,
                     help="Alerts whose condition holds now (one per rule and scope).")
    unack_tile.metric("Not acknowledged", format_count(summary.unacknowledged), border=True,
                      help="Open alerts nobody has acknowledged yet: reminders go out for these.")
    ack_tile.metric("Median time to acknowledge", format_duration(summary.median_to_acknowledge_s), border=True,
                    help=f"Opened to acknowledged, over the alerts opened in the last {figures.HISTORY_DAYS} days "
                         "that were acknowledged.")
    resolve_tile.metric("Median time to resolve", format_duration(summary.median_to_resolve_s), border=True,
                        help=f"Opened to resolved (the condition cleared), over the alerts opened in the last "
                             f"{figures.HISTORY_DAYS} days that resolved.")


def _link(page: str, query: str) -> str:
    return f"{page}?{query}" if query else page


def open_alerts(table: pl.DataFrame) -> None:
    if table.height == 0:
        st.info("No alert is open: every rule's condition is clear.", icon=":material/check_circle:")
        return
    shown = times.local(table, "since").select(
        pl.col("severity").str.to_titlecase().alias("Severity"), pl.col("title").alias("Alert"),
        pl.col("where_text").alias("Where"), pl.col("measure").alias("How bad"), pl.col("since").alias("Since"),
        pl.col("status").alias("Status"), pl.col("notices").alias("Notices"),
        pl.Series("See it", [_link(p, q) for p, q in zip(table["page"], table["link_query"])], dtype=pl.String),
        pl.col("rule_id").alias("Rule"), pl.col("id").alias("No."),
    )
    tables.table(
        shown, hide_index=True, key="alerts_open_table",
        column_config={
            "Alert": st.column_config.TextColumn(width="large"),
            "How bad": st.column_config.TextColumn(width="large"),
            "Since": st.column_config.DatetimeColumn(times.titled("Since"), format="MM-DD HH:mm",
                                                     help="When the condition began where the data says (a spike's "
                                                          "onset, an incident's detection), else when the alert opened."),
            "Notices": st.column_config.NumberColumn(format="%d", help="Notices sent for it: the first and reminders."),
            "See it": st.column_config.LinkColumn(display_text="Open the page",
                                                  help="The page with the filters that show it."),
            "No.": st.column_config.NumberColumn(format="%d"),
        },
        height=min(38 + 35 * shown.height, 460),
    )


def _choice_label(row: dict) -> str:
    return f"No. {row['id']} · {row['severity'].title()} · {row['title']}"


def wanted_alert() -> int | None:
    """The alert a link asked for (?alert=N), if the value is a number."""
    raw = st.query_params.get(ALERT_PARAM)
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else None


def act_on_alert(table: pl.DataFrame, store: AlertStore, user, now: datetime) -> None:
    """Choose one open alert: its facts and history, and (for roles that may) acknowledge or snooze it."""
    if table.height == 0:
        return
    rows = {row["id"]: row for row in table.iter_rows(named=True)}
    ids = list(rows)
    wanted = wanted_alert()
    choice = st.selectbox("Alert", options=ids, index=ids.index(wanted) if wanted in rows else 0,
                          format_func=lambda i: _choice_label(rows[i]), key=f"alerts_choice_{wanted}")
    row = rows[choice]
    if not roles.can_act_on_alerts(user.role):
        st.caption("Your role sees alerts; operations leads, analysts, vendor managers and administrators "
                   "acknowledge and snooze them.")
    else:
        acknowledge, length_column, snooze = st.columns(3, vertical_alignment="bottom")
        if acknowledge.button("Acknowledge", key="alerts_acknowledge", type="primary", icon=":material/done:",
                              disabled=row["status"].startswith("Acknowledged"), width="stretch",
                              help="You are on it: reminders stop; the resolved notice still goes out."):
            done = store.acknowledge(choice, user.username, now)
            st.session_state[_FLASH] = ("ok", f"Alert {choice} acknowledged by {user.username}.") if done else \
                ("warn", f"Alert {choice} is no longer open or was already acknowledged.")
            st.rerun()
        length = length_column.selectbox("Snooze for", options=list(figures.SNOOZE_CHOICES), index=1,
                                         key="alerts_snooze_for")
        if snooze.button("Snooze", key="alerts_snooze", icon=":material/snooze:", width="stretch",
                         help="Hold its reminders for a while; it stays open and on this page."):
            until = now + figures.SNOOZE_CHOICES[length or "1 hour"]
            done = store.snooze(choice, user.username, until, now)
            st.session_state[_FLASH] = ("ok", f"Alert {choice} snoozed by {user.username} until "
                                              f"{times.at(until, '%H:%M')}.") if done else \
                ("warn", f"Alert {choice} is no longer open.")
            st.rerun()
    tables.table(pl.DataFrame({"": ["What", "Where", "How bad", "Since", "Opened", "Status", "Rule"],
                               "Value": [row["title"], row["where_text"], row["measure"],
                                         times.at(row["since"]), times.at(row["opened_at"]),
                                         row["status"], row["rule_id"]]}),
                 hide_index=True, key="alerts_chosen_facts", column_config={"Value": st.column_config.TextColumn(width="large")})
    events = store.events_frame(choice)
    if events.height:
        when = times.titled("When")
        tables.table(times.local(events, "at").select(pl.col("at").alias(when), pl.col("kind").alias("What"),
                                   pl.col("actor").alias("Who"), pl.col("note").alias("Note")),
                     hide_index=True, key="alerts_chosen_events",
                     column_config={when: st.column_config.DatetimeColumn(format="MM-DD HH:mm:ss")})


def followed_closed_alert(store: AlertStore) -> None:
    """A link to an alert that is no longer open: say so, with when it was resolved."""
    wanted = wanted_alert()
    if wanted is None:
        return
    alert = store.alert(wanted)
    if alert is None:
        st.info(f"There is no alert No. {wanted}.")
    elif alert.resolved_at is not None:
        st.info(f"Alert No. {wanted} was resolved at {times.at(alert.resolved_at)}; it is in the history below.")


def history(table: pl.DataFrame) -> None:
    if table.height == 0:
        st.info(f"No alert opened in the last {figures.HISTORY_DAYS} days.")
        return
    tables.table(
        times.local(table, "opened_at", "resolved_at").select(
            pl.col("id").alias("No."), pl.col("severity").str.to_titlecase().alias("Severity"),
            pl.col("title").alias("Alert"), pl.col("rule_id").alias("Rule"), pl.col("opened_at").alias("Opened"),
            pl.col("acknowledged_by").alias("Acknowledged by"), pl.col("to_acknowledge").alias("To acknowledge"),
            pl.col("resolved_at").alias("Resolved"), pl.col("to_resolve").alias("To resolve"),
        ),
        hide_index=True, key="alerts_history_table",
        column_config={
            "No.": st.column_config.NumberColumn(format="%d"),
            "Alert": st.column_config.TextColumn(width="large"),
            "Opened": st.column_config.DatetimeColumn(times.titled("Opened"), format="MM-DD HH:mm"),
            "Resolved": st.column_config.DatetimeColumn(times.titled("Resolved"), format="MM-DD HH:mm"),
            "To acknowledge": st.column_config.TextColumn(help="Opened to acknowledged."),
            "To resolve": st.column_config.TextColumn(help="Opened to resolved: the condition cleared."),
        },
        height=min(38 + 35 * table.height, 420),
    )


def deliveries(health: pl.DataFrame, recent: pl.DataFrame) -> None:
    if recent.height == 0:
        st.caption("Nothing was sent in the last 24 hours.")
        return
    tables.table(
        times.local(health, "last_sent").select(pl.col("channel").alias("Channel"), pl.col("target_label").alias("URL"),
                      pl.col("sent").alias("Sent"), pl.col("retrying").alias("Waiting to retry"),
                      pl.col("failed").alias("Failed"), pl.col("last_sent").alias("Last sent"),
                      pl.col("last_error").alias("Last error")),
        hide_index=True, key="alerts_channel_table",
        column_config={"Last sent": st.column_config.DatetimeColumn(times.titled("Last sent"), format="MM-DD HH:mm:ss"),
                       "Last error": st.column_config.TextColumn(width="large"),
                       "URL": st.column_config.TextColumn(help="The service and a fingerprint; the URL itself is a secret.")},
    )
    with st.expander(f"Deliveries in the last 24 hours ({recent.height:,})"):
        tables.table(
            times.local(recent, "created_at", "next_attempt_at").select(pl.col("created_at").alias("Queued"), pl.col("notice").alias("Notice"),
                          pl.col("title").alias("Title"), pl.col("channel").alias("Channel"),
                          pl.col("status").alias("Status"), pl.col("attempts").alias("Tries"),
                          pl.col("next_attempt_at").alias("Next try"), pl.col("last_error").alias("Error")),
            hide_index=True, key="alerts_delivery_table",
            column_config={"Queued": st.column_config.DatetimeColumn(times.titled("Queued"), format="MM-DD HH:mm:ss"),
                           "Next try": st.column_config.DatetimeColumn(times.titled("Next try"), format="MM-DD HH:mm:ss")},
        )
