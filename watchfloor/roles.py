"""Roles, pages and who may see what: the one place that decides access.

Every page of the dashboard is listed once in PAGES (in navigation order) and
ACCESS says which pages each role sees. Home.py builds its navigation from
pages_for(); each page checks can_view() again so a deep link cannot bypass
the menu. REVEAL_ROLES decides who may un-blur case content.

Functions take a single role name or a list of roles (the signed-in shell keeps
the user's roles in st.session_state["roles"] as a list, None when nobody is
signed in); a user with several roles gets the union. Unknown roles and None see
nothing. Each page's entry also says which sidebar filters it uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ROLES: tuple[str, ...] = ("admin", "ops_lead", "executive", "analyst", "vendor_manager")

ROLE_LABELS: dict[str, str] = {
    "admin": "Administrator",
    "ops_lead": "Operations lead",
    "executive": "Executive",
    "analyst": "Analyst",
    "vendor_manager": "Vendor manager",
}


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    group: str
    icon: str
    path: str
    # The sidebar filters the page uses (docs/configuration.md): the date range where it shows a
    # period of the user's choosing, region/vertical/priority/vendor (scope) where it applies them.
    # A page offers only the filters it uses; without the date range it says why (no_date_range).
    date_range: bool = False
    scope: bool = False
    no_date_range: str = ""


# Navigation order: groups appear in the order of their first page.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", "Home", "Overview", ":material/home:", "app_pages/home.py", scope=True,
             no_date_range="Home shows the last 24 hours against a week earlier: the date range does not apply."),
    PageSpec("queue_health", "Queue health", "Operations", ":material/monitor_heart:", "app_pages/queue_health.py",
             scope=True, no_date_range="Queue health shows now: the date range does not apply."),
    PageSpec("sla", "SLA", "Operations", ":material/timer:", "app_pages/sla.py", date_range=True, scope=True),
    PageSpec("capacity", "Capacity", "Operations", ":material/groups:", "app_pages/capacity.py", scope=True,
             no_date_range="Capacity plans from now on: the date range does not apply."),
    PageSpec("alerts", "Alerts", "Operations", ":material/notifications_active:", "app_pages/alerts.py"),
    PageSpec("trends", "Trends & spikes", "Analysis", ":material/trending_up:", "app_pages/trends.py", date_range=True,
             scope=True),
    PageSpec("automation", "Automation & routing", "Analysis", ":material/alt_route:", "app_pages/automation.py",
             date_range=True, scope=True),
    PageSpec("vendors", "Vendors", "Vendors & quality", ":material/storefront:", "app_pages/vendors.py", date_range=True,
             scope=True),
    PageSpec("quality", "Quality", "Vendors & quality", ":material/verified:", "app_pages/quality.py", date_range=True,
             scope=True),
    PageSpec("incidents", "Incidents", "Leadership", ":material/crisis_alert:", "app_pages/incidents.py",
             date_range=True),
    PageSpec("executive", "Executive summary", "Leadership", ":material/insights:", "app_pages/executive.py", scope=True,
             no_date_range="The Executive summary picks its own period on the page."),
    PageSpec("case", "Case", "Investigation", ":material/search:", "app_pages/case.py"),
    PageSpec("audit", "Audit", "Administration", ":material/history:", "app_pages/audit.py"),
)

PAGE_KEYS: tuple[str, ...] = tuple(p.key for p in PAGES)
_PAGES_BY_KEY: dict[str, PageSpec] = {p.key: p for p in PAGES}

# THE access table: which role sees which page.
ACCESS: dict[str, frozenset[str]] = {
    "admin": frozenset(PAGE_KEYS),
    "ops_lead": frozenset({"home", "queue_health", "sla", "capacity", "trends", "automation", "incidents", "case",
                           "alerts"}),
    "executive": frozenset({"home", "executive", "incidents", "sla", "alerts"}),
    "analyst": frozenset({"home", "trends", "automation", "case", "incidents", "quality", "alerts"}),
    "vendor_manager": frozenset({"home", "vendors", "quality", "sla", "capacity", "alerts"}),
}

# Who may reveal blurred case content (each reveal is audited).
REVEAL_ROLES: frozenset[str] = frozenset({"admin", "analyst", "ops_lead"})

# Alerts: who may acknowledge and snooze an alert, and who may change the rules (each change is audited).
ALERT_ACT_ROLES: frozenset[str] = frozenset({"admin", "ops_lead", "analyst", "vendor_manager"})
ALERT_EDIT_ROLES: frozenset[str] = frozenset({"admin", "ops_lead"})

RoleArg = str | Iterable[str] | None


def _roles(role: RoleArg) -> tuple[str, ...]:
    if role is None:
        return ()
    if isinstance(role, str):
        return (role,)
    return tuple(r for r in role if isinstance(r, str))


def label(role: str) -> str:
    """Human label of a role ('ops_lead' -> 'Operations lead'); unknown roles as given."""
    return ROLE_LABELS.get(role, role)


role_label = label


def pages_for(role: RoleArg) -> list[PageSpec]:
    """Pages the role (or any of the roles) may see, in navigation order."""
    allowed: set[str] = set()
    for r in _roles(role):
        allowed |= ACCESS.get(r, frozenset())
    return [p for p in PAGES if p.key in allowed]


def pages_by_group(role: RoleArg) -> dict[str, list[PageSpec]]:
    """pages_for() grouped by audience group, groups in navigation order (for st.navigation)."""
    groups: dict[str, list[PageSpec]] = {}
    for p in pages_for(role):
        groups.setdefault(p.group, []).append(p)
    return groups


def can_view(role: RoleArg, page_key: str) -> bool:
    return any(page_key in ACCESS.get(r, frozenset()) for r in _roles(role))


def can_reveal(role: RoleArg) -> bool:
    return any(r in REVEAL_ROLES for r in _roles(role))


def can_act_on_alerts(role: RoleArg) -> bool:
    return any(r in ALERT_ACT_ROLES for r in _roles(role))


def can_edit_alert_rules(role: RoleArg) -> bool:
    return any(r in ALERT_EDIT_ROLES for r in _roles(role))


def page(page_key: str) -> PageSpec:
    """The page with this key; KeyError naming the known keys otherwise."""
    try:
        return _PAGES_BY_KEY[page_key]
    except KeyError:
        raise KeyError(f"unknown page {page_key!r}; known pages: {', '.join(PAGE_KEYS)}") from None
