"""The Case page's named queries (queries/case_*.sql) and logic (watchfloor/case_figures.py) against a
small warehouse built by hand below, whose every figure is worked out in the comments.

AS_OF is Wednesday 2026-11-18 12:00 UTC. Europe/Dublin is on UTC in November.

Policies: P1 first action 60 min, resolution 24 h, 24x7, pauses on pending; P2 first action 8 h,
resolution 72 h, 24x7, pauses; P3 business hours Mon-Fri 09-17 local, first action 8 h,
resolution 40 h, does not pause.

Cases (t = day hour:minute in November 2026):
  k1  P2 fraud AMER, account acct_a, org org_x, vendor Northwind BPO, reviewer r2, linked to
      incident i1, classifier scam_detector 0.91; resolved, violating, account suspended.
      created 17 10:00, routed 10:00, assigned 11:00, first_action + pending_info 12:00,
      info_received 14:00, decided + enforced + resolved 15:00.
      FA: 10:00 -> 12:00 = 2 h of 8 h: met, used 7200 / 28800 = 25 %.
      RES: 10:00 -> 15:00 = 5 h wall, paused 12:00-14:00 = 2 h, counted 3 h = 10800 s of 259200 s:
           met, used 10800 / 259200 = 4.1667 %.
      QA: qa1 17 18:00 violating -> violating (agrees, not golden); qa2 18 09:00 violating ->
          non_violating (disagrees, golden); qa3 18 13:00 is after AS_OF: not shown.
      Appeals: ap1 filed 17 20:00, overturned 18 10:00 (14 h = 50400 s); ap2 filed 18 11:00,
          resolved 18 13:00 (after AS_OF): pending as of AS_OF; ap3 filed 18 14:00: not yet filed.
  k2  P1 child EMEA, acct_b, org_x, no vendor; open, queued; created 18 10:30, routed 10:30.
      FA: 90 min of 60: breached at 11:30, overdue 30 min (seconds_left -1800), used 150 %.
      RES: 90 min of 24 h: used 5400 / 86400 = 6.25 %, on track, due 19 10:30 (81000 s left).
  k3  P2 fraud AMER, acct_a, org_x; resolved 16 10:00 (created 16 09:00).
  k4  P2 spam AMER, acct_c, org_y; created 18 13:00, after AS_OF: does not exist yet.
  k5  P2 fraud AMER, acct_a, org_x; created 19 08:00, after AS_OF: does not exist yet.
  k6  P3 legal EMEA, acct_d, org_y; open, queued; created Friday 13 16:00, routed.
      Working hours counted up to AS_OF: Fri 16-17 (1 h) + Mon 16 (8 h) + Tue 17 (8 h) + Wed 18 09-12
      (3 h) = 20 h = 72000 s.
      FA: 8 h reached on Monday 16 at 16:00 (1 h Friday + 7 h Monday): breached, used 72000 / 28800
          = 250 %; overdue from Mon 16 16:00 to Wed 18 12:00 = 1 d 20 h = 158400 s.
      RES: 20 h of 40 h: used 50 %, warning; the other 20 h: Wed 12-17 (5 h), Thu 19 (8 h), Fri 20
          09-16 (7 h): due Fri 20 16:00, 2 d 4 h = 187200 s after AS_OF.

Related cases of k1: same account acct_a: k3 (k5 is after AS_OF); same organisation org_x, other
accounts: k2. So 1 and 1.
"""

from __future__ import annotations

import polars as pl
import pytest

from queries import plans
from tests.warehouses.case import AS_OF, EVENTS, EXCERPT_K1, HOSTILE, t
from watchfloor import case_figures


def fetch_case(case_id: str) -> dict[str, pl.DataFrame]:
    return plans.fetch(plans.case(AS_OF, case_id))


def search(term: str) -> pl.DataFrame:
    return plans.fetch(plans.case_search(AS_OF, term))["matches"]


# --------------------------------------------------------------------------- queries


def test_case_detail_joins_queue_policy_vendor_and_incident(case_env):
    case = fetch_case("k1")["case"]
    assert case.height == 1
    row = case.row(0, named=True)
    assert (row["queue_name"], row["vendor_name"], row["policy_name"]) == ("Fraud AMER L1", "Northwind BPO", "P2 standard")
    assert (row["first_action_target_min"], row["resolution_target_min"], row["calendar"]) == (480, 4320, "24x7")
    assert (row["incident_title"], row["incident_severity"], row["incident_commander"]) == ("Scam wave", "SEV1", "cmdr_ann")
    assert row["has_excerpt"] is True
    # The clear text is not part of the case page's data until a reveal asks for it.
    assert "content_excerpt" not in case.columns
    assert EXCERPT_K1 not in str(fetch_case("k1"))


def test_a_case_created_after_as_of_or_unknown_is_not_found(case_env):
    assert fetch_case("k4")["case"].height == 0  # created 18 13:00, after AS_OF
    assert fetch_case("nope")["case"].height == 0


def test_excerpt_only_through_its_own_query(case_env):
    excerpt = plans.fetch(plans.case_excerpt("k1"))["excerpt"]
    assert excerpt["content_excerpt"].to_list() == [EXCERPT_K1]


def test_timeline_in_order_with_time_to_next_event(case_env):
    events = fetch_case("k1")["events"]
    assert events["event_type"].to_list() == [e[1] for e in EVENTS["k1"]]
    # 10:00 created, 10:00 routed, 11:00 assigned, 12:00 first action, 12:00 pending, 14:00 info,
    # 15:00 decided, enforced, resolved (the last has no next event)
    assert events["seconds_to_next"].to_list() == [0, 3600, 3600, 0, 7200, 3600, 0, 0, None]
    assert events["queue_name"].to_list()[1] == "Fraud AMER L1"


def test_qa_reviews_and_appeals_as_of(case_env):
    data = fetch_case("k1")
    reviews = data["qa_reviews"]
    assert reviews["qa_id"].to_list() == ["qa1", "qa2"]  # qa3 is after AS_OF
    assert reviews["agrees"].to_list() == [True, False]
    assert case_figures.qa_summary(reviews) == case_figures.QaSummary(reviews=2, agreed=1, golden=1)
    appeals = data["appeals"]
    assert appeals["appeal_id"].to_list() == ["ap1", "ap2"]  # ap3 filed after AS_OF
    assert appeals["outcome"].to_list() == ["overturned", "pending"]  # ap2 resolved after AS_OF
    assert appeals["seconds_to_resolve"].to_list() == [50400.0, None]  # 17 20:00 -> 18 10:00 = 14 h


def test_related_cases_of_the_account_and_organisation(case_env):
    related = fetch_case("k1")["related"]
    assert related["case_id"].to_list() == ["k3", "k2"]  # the account's first
    assert related["relation"].to_list() == ["account", "organisation"]
    assert case_figures.related_counts(related) == case_figures.RelatedCounts(same_account=1, same_organisation=1, shown=2)
    # k6 (org_y, account acct_d) has no other case: k4 of org_y is after AS_OF
    assert case_figures.related_counts(fetch_case("k6")["related"]) == case_figures.RelatedCounts(0, 0, 0)


def test_search_by_case_account_and_organisation_ignoring_case(case_env):
    by_id = case_figures.search_outcome(search("K1"))
    assert by_id.case_id == "k1" and by_id.total == 1
    by_account = case_figures.search_outcome(search("acct_A"))
    assert by_account.case_id is None
    assert by_account.matches["case_id"].to_list() == ["k1", "k3"]  # newest first; k5 is after AS_OF
    assert set(by_account.matches["matched_on"]) == {"account"}
    by_org = case_figures.search_outcome(search("org_x"))
    assert by_org.matches["case_id"].to_list() == ["k2", "k1", "k3"] and by_org.total == 3
    assert case_figures.search_outcome(search("org_y")).matches["case_id"].to_list() == ["k6"]  # k4 after AS_OF
    assert case_figures.search_display(by_org.matches)["Found by"].to_list() == ["Organisation"] * 3


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_search_input_is_not_found_and_never_an_error(case_env, hostile):
    term = case_figures.search_term(hostile)
    if term is None:
        return  # not searched at all: shown as "not found"
    assert search(term).height == 0
    assert fetch_case(term)["case"].height == 0
    # the warehouse is untouched
    assert search("k1").height == 1


def test_search_term_rules():
    assert case_figures.search_term("  k1  ") == "k1"
    assert case_figures.search_term("") is None and case_figures.search_term(None) is None and case_figures.search_term("   ") is None
    assert case_figures.search_term("x" * case_figures.SEARCH_MAX_CHARS) == "x" * case_figures.SEARCH_MAX_CHARS
    assert case_figures.search_term("x" * (case_figures.SEARCH_MAX_CHARS + 1)) is None
    assert case_figures.search_term("k1\x00") is None and case_figures.search_term("a\u200bb") is None  # control / format characters
    assert case_figures.search_term("ǩ1 🚨") == "ǩ1 🚨"  # unicode is searched (and simply not found)


# --------------------------------------------------------------------------- clocks


def clocks_of(case_id: str) -> dict[str, dict]:
    data = fetch_case(case_id)
    frame = case_figures.case_clocks(data["case"].row(0, named=True), data["events"], AS_OF)
    return {row["clock"]: row for row in frame.iter_rows(named=True)}


def test_clocks_of_a_resolved_case_with_a_pause(case_env):
    clocks = clocks_of("k1")
    fa, res = clocks["first_action"], clocks["resolution"]
    assert (fa["elapsed_seconds"], fa["target_seconds"], fa["state"]) == (7200.0, 28800.0, "met")
    assert fa["used_share"] == pytest.approx(0.25) and fa["stopped_at"] == t(17, 12)
    assert (res["elapsed_seconds"], res["paused_seconds"], res["state"]) == (10800.0, 7200.0, "met")
    assert res["used_share"] == pytest.approx(10800 / 259200)
    assert fa["seconds_left"] is None and res["seconds_left"] is None  # stopped clocks have no time left
    shown = {c["label"]: c for c in case_figures.clock_display(case_figures.case_clocks(
        fetch_case("k1")["case"].row(0, named=True), fetch_case("k1")["events"], AS_OF))}
    assert shown["Resolution"]["used"] == "4.2%" and shown["Resolution"]["paused"] == "2 h"
    assert shown["First action"]["summary"] == "met: stopped at 2026-11-17 12:00 UTC"


def test_clocks_of_an_open_case_overdue_and_on_track(case_env):
    clocks = clocks_of("k2")
    fa, res = clocks["first_action"], clocks["resolution"]
    assert fa["state"] == "breached" and fa["breach_at"] == t(18, 11, 30)
    assert fa["used_share"] == pytest.approx(1.5) and fa["seconds_left"] == -1800.0
    assert res["state"] == "on_track" and res["used_share"] == pytest.approx(0.0625)
    assert res["due_at"] == t(19, 10, 30) and res["seconds_left"] == 81000.0
    assert case_figures.clock_summary(fa) == "overdue 30 min"
    assert case_figures.clock_summary(res) == "22 h 30 min left"


def test_clocks_on_a_business_hours_calendar(case_env):
    clocks = clocks_of("k6")
    fa, res = clocks["first_action"], clocks["resolution"]
    assert fa["elapsed_seconds"] == 72000.0 and fa["used_share"] == pytest.approx(2.5)
    assert fa["breach_at"] == t(16, 16) and fa["seconds_left"] == -158400.0
    assert res["state"] == "warning" and res["used_share"] == pytest.approx(0.5)
    assert res["due_at"] == t(20, 16) and res["seconds_left"] == 187200.0
    assert case_figures.clock_summary(fa) == "overdue 1 d 20 h"


# --------------------------------------------------------------------------- display and views


def test_header_and_outcome_in_the_users_words(case_env):
    case = fetch_case("k1")["case"].row(0, named=True)
    header = case_figures.header_facts(case)
    assert header["Category"] == "Fraud & scams" and header["Queue"] == "Fraud AMER L1"
    assert header["Vendor"] == "Northwind BPO" and header["Reviewer"] == "r2" and header["Source"] == "Classifier"
    assert (header["Account"], header["Organisation"]) == ("acct_a", "org_x")
    outcome = case_figures.outcome_facts(case)
    assert outcome["Decision"] == "Violating" and outcome["Enforcement"] == "Account suspended"
    assert case_figures.signal_facts(case) == {"Classifier": "scam_detector", "Score": "0.91", "Found by": "Classifier"}
    assert case_figures.incident_facts(case)["Incident"] == "i1 · Scam wave"
    open_case = fetch_case("k2")["case"].row(0, named=True)
    assert case_figures.header_facts(open_case)["Vendor"] == "No vendor"
    assert case_figures.header_facts(open_case)["Reviewer"] == "Not assigned"
    assert case_figures.outcome_facts(open_case)["Decision"] == "Not decided yet"
    assert case_figures.incident_facts(open_case) is None


def test_timeline_display_and_lanes(case_env):
    events = fetch_case("k1")["events"]
    table = case_figures.timeline_display(events)
    assert table["Then"].to_list()[:3] == ["Waiting in queue", "Waiting in queue", "In review"]
    assert table["Until next"].to_list()[4] == "2 h"  # pending info 12:00 -> 14:00
    assert case_figures.timeline_points(events)["lane"].to_list() == [
        "Intake", "Intake", "Review", "Review", "Pending info", "Pending info", "Review", "Review", "Closed"]


def test_a_view_is_opening_a_case_not_a_rerun():
    # arriving on the page with a case: a view
    assert case_figures.is_new_view(None, True, "k1")
    # a rerun of the same case in the same visit: not a view
    assert not case_figures.is_new_view("k1", False, "k1")
    # another case opened on the page: a view
    assert case_figures.is_new_view("k1", False, "k3")
    # coming back to the same case after leaving the page: a view
    assert case_figures.is_new_view("k1", True, "k1")
    # no case shown: nothing to log
    assert not case_figures.is_new_view("k1", False, None)


def test_a_reveal_lasts_only_while_the_case_stays_open():
    assert case_figures.revealed_after("k1", False, "k1") == "k1"  # rerun: still revealed
    assert case_figures.revealed_after("k1", True, "k1") is None  # left and came back: blurred
    assert case_figures.revealed_after("k1", False, "k3") is None  # another case: blurred
    assert case_figures.revealed_after(None, False, "k1") is None


def test_policy_line_and_related_caption(case_env):
    k1 = fetch_case("k1")["case"].row(0, named=True)
    assert case_figures.policy_line(k1) == "Policy P2 standard: 24×7; pending info pauses the clocks."
    k6 = fetch_case("k6")["case"].row(0, named=True)
    assert case_figures.policy_line(k6) == ("Policy P3 business hours: Mon–Fri 09:00–17:00 local (Europe/Dublin); "
                                  "pending info does not pause the clocks.")
    counts = case_figures.related_counts(fetch_case("k1")["related"])
    assert case_figures.related_caption(counts, "acct_a", "org_x") == (
        "1 other case(s) of account acct_a, 1 of other accounts in organisation org_x.")
    assert case_figures.related_caption(counts, "acct_a", None) == "1 other case(s) of account acct_a."
    # 60 related, 50 listed
    assert case_figures.related_caption(case_figures.RelatedCounts(45, 15, 50), "a", "o") == (
        "45 other case(s) of account a, 15 of other accounts in organisation o. The newest 50 are listed.")
