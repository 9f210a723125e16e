"""Alerts: rules that watch the same figures the pages show, and tell the team when one fires.

- `rules`     the rules file (YAML): what to watch, where, how bad, who to tell (validated)
- `kinds`     one adapter per rule kind, each calling the functions its page uses
- `store`     open alerts, their history and the delivery queue (SQLite beside the warehouse)
- `channels`  named channels and their apprise URLs (environment or the secrets file)
- `messages`  what a notice says, and the deep link to the page that shows it
- `delivery`  sends queued notices through apprise, retrying a failing channel with back-off
- `digests`   the daily operations digest and the weekly executive summary
- `worker`    one cycle: evaluate, update the alerts, queue and send notices

No Streamlit here; docs/configuration.md ("Alerts") and docs/metrics.md ("Alert rules") say what
each setting and each rule means.
"""
