"""Alerts: what fires now and who has it, what fired this week, how the notices went, and the
rules that decide (operations leads and administrators edit them here)."""

import streamlit as st

from components import alert_rules, alert_tables, shell, times
from watchfloor.alerting import figures
from watchfloor.alerting.settings import load_alert_settings
from watchfloor.alerting.store import AlertStore
from watchfloor.config import ConfigError, load_settings, now

user = shell.guard("alerts")
settings = load_settings()
try:
    alert_settings = load_alert_settings(settings=settings)
except ConfigError as exc:
    st.error(f"Alerts are misconfigured: {exc}")
    st.stop()
store = AlertStore(alert_settings.store)
moment = now(settings)

st.title("Alerts", anchor=False)
alert_tables.worker_banner(store, moment, alert_settings.interval_seconds)
alert_tables.flash()
board = alert_tables.fetch_board(store, moment)
alert_tables.summary_tiles(figures.summary(board.alerts, moment))

st.subheader("Open alerts", anchor=False)
open_alerts = figures.open_table(board.alerts, moment, times.at)
alert_tables.open_alerts(open_alerts)
alert_tables.followed_closed_alert(store)
alert_tables.act_on_alert(open_alerts, store, user, moment)

st.subheader(f"The last {figures.HISTORY_DAYS} days", anchor=False)
alert_tables.history(figures.history_table(board.alerts, moment))

st.subheader("Notices sent", anchor=False)
alert_tables.deliveries(figures.channel_health(board.deliveries), board.deliveries)

st.subheader("Rules", anchor=False)
alert_rules.rules_section(alert_settings.rules_file, user, settings.audit_log)
