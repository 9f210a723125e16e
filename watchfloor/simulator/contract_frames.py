"""Turn the simulation's arrays into the warehouse contract tables (Polars frames)."""

from __future__ import annotations

import numpy as np
import polars as pl

from watchfloor.simulator import catalog as cat
from watchfloor.simulator.config import SimConfig, to_datetime
from watchfloor.simulator.demand import LANGS, SUB_NAMES, Cases, excerpt_texts
from watchfloor.simulator.outcomes import DETAILS, EVENT_TYPES, STATUSES, CaseState, EventLog, system_actors
from watchfloor.simulator.routing import QueueTable, Team
from watchfloor.simulator.workforce import Workforce

TS = pl.Datetime("us")


def lookup(names, codes: np.ndarray, dtype=pl.String) -> pl.Series:
    """names[codes] as a Polars series, null where the code is negative."""
    names_s = pl.Series(list(names), dtype=dtype)
    codes = np.asarray(codes, dtype=np.int64)
    idx = pl.Series(np.where(codes < 0, 0, codes).astype(np.int64))
    if (codes < 0).any():
        idx = pl.select(pl.when(pl.Series(codes) >= 0).then(idx).otherwise(None)).to_series()
    return names_s.gather(idx)


def ts(cfg: SimConfig, seconds: np.ndarray) -> pl.Series:
    return pl.Series(to_datetime(cfg.start, seconds), dtype=TS)


# Case and incident ids: the prefix and a zero-padded number (C-00000001, INC-0001); the live feed
# continues the same numbering.
CASE_PREFIX, CASE_DIGITS = "C-", 8
INCIDENT_PREFIX, INCIDENT_DIGITS = "INC-", 4


def id_series(prefix: str, n: int, width: int, first: int = 1) -> pl.Series:
    return pl.select(
        pl.format(prefix + "{}", pl.int_range(first, first + n, dtype=pl.Int64, eager=True).cast(pl.String)
                  .str.zfill(width))
    ).to_series()


def case_id_series(index: np.ndarray) -> pl.Series:
    """The case ids of case numbers (0-based positions in creation order)."""
    return pl.select(pl.format(CASE_PREFIX + "{}", (pl.Series(np.asarray(index, dtype=np.int64)) + 1)
                               .cast(pl.String).str.zfill(CASE_DIGITS))).to_series()


def sla_policies() -> pl.DataFrame:
    rows = [(p.sla_policy_id, p.priority, p.first_action_target_min, p.resolution_target_min, p.calendar,
             p.pause_on_pending, p.business_start_hour, p.business_end_hour, p.name) for p in cat.SLA_POLICIES]
    return pl.DataFrame(rows, orient="row", schema={
        "sla_policy_id": pl.String, "priority": pl.String, "first_action_target_min": pl.Int32,
        "resolution_target_min": pl.Int32, "calendar": pl.String, "pause_on_pending": pl.Boolean,
        "business_start_hour": pl.Int32, "business_end_hour": pl.Int32, "name": pl.String})


def queues(qt: QueueTable) -> pl.DataFrame:
    return pl.DataFrame({
        "queue_id": qt.queue_id, "name": qt.name, "vertical": qt.vertical, "region": qt.region, "tier": qt.tier,
        "sla_policy_id": qt.sla_policy_id, "timezone": qt.timezone,
        "language": pl.Series([None] * len(qt.queue_id), dtype=pl.String), "team": qt.team,
    })


def vendors(cfg: SimConfig | None = None) -> pl.DataFrame:
    # Contracts are bought in whole full-time reviewers (40 hours a week), scaled to the demand.
    per_day = cfg.cases_per_day if cfg is not None else 10_000
    contracted = [max(40.0, float(round(cat.CONTRACTED_HOURS_PER_10K_CASES[v.vendor_id] * per_day / 10_000 / 40) * 40))
                  for v in cat.VENDORS]
    return pl.DataFrame({
        "vendor_id": [v.vendor_id for v in cat.VENDORS], "name": [v.name for v in cat.VENDORS],
        "kind": [v.kind for v in cat.VENDORS], "cost_per_hour_usd": [v.cost_per_hour_usd for v in cat.VENDORS],
        "target_throughput_per_hour": [v.target_throughput_per_hour for v in cat.VENDORS],
        "target_accuracy": [v.target_accuracy for v in cat.VENDORS],
        "target_sla_adherence": [v.target_sla_adherence for v in cat.VENDORS],
        "target_aht_seconds": [v.target_aht_seconds for v in cat.VENDORS],
        "target_occupancy": [v.target_occupancy for v in cat.VENDORS],
        "target_overturn_rate": [v.target_overturn_rate for v in cat.VENDORS],
        "contracted_hours_per_week": contracted,
    })


def reviewers(cfg: SimConfig, wf: Workforce) -> pl.DataFrame:
    return pl.DataFrame({
        "reviewer_id": wf.reviewer_id,
        "vendor_id": lookup([v.vendor_id for v in cat.VENDORS], wf.vendor),
        "region": lookup(cat.REGIONS, wf.region),
        "languages": pl.Series(wf.languages, dtype=pl.List(pl.String)),
        "hired_at": ts(cfg, wf.hired_s),
        "active": pl.Series(wf.leaves_s > cfg.horizon_s),
        "site": wf.site,
    })


def shifts(cfg: SimConfig, wf: Workforce, qt: QueueTable, team_list: list[Team]) -> pl.DataFrame:
    # A shift's queue_id is the team's highest-priority queue; its reviewers work all the team's queues.
    primary = np.array([min(i for i, ti in enumerate(qt.team_index) if ti == t.index) for t in team_list])
    queue_code = np.where(wf.shift_team >= 0, primary[np.maximum(wf.shift_team, 0)], -1)
    return pl.DataFrame({
        "reviewer_id": lookup(wf.reviewer_id, wf.shift_rev),
        "starts_at": ts(cfg, wf.shift_start),
        "ends_at": ts(cfg, wf.shift_end),
        "queue_id": lookup(qt.queue_id, queue_code),
    })


def cases_frame(cfg: SimConfig, cases: Cases, st: CaseState, qt: QueueTable, wf: Workforce,
                incident_of: list[str | None], case_ids: pl.Series) -> pl.DataFrame:
    spike_incident = np.array([-1 if x is None else i for i, x in enumerate(incident_of)] + [-1], dtype=np.int64)
    inc_code = spike_incident[np.where(cases.spike >= 0, cases.spike, len(incident_of))]
    excerpt_body = lookup(excerpt_texts(), cases.excerpt)
    prefix = lookup([cat.SURFACE_PREFIX[s] for s in cat.SURFACES], cases.surface)
    rev_vendor = np.where(st.reviewer >= 0, wf.vendor[np.maximum(st.reviewer, 0)], -1)
    return pl.DataFrame({
        "case_id": case_ids,
        "created_at": ts(cfg, cases.t),
        "source": lookup(cat.SOURCES, cases.source),
        "surface": lookup(cat.SURFACES, cases.surface),
        "category": lookup([c.key for c in cat.CATEGORIES], cases.category),
        "subcategory": lookup(SUB_NAMES, cases.subcategory),
        "priority": lookup(cat.PRIORITIES, cases.priority),
        "region": lookup(cat.REGIONS, cases.region),
        "language": lookup(LANGS, cases.language),
        "queue_id": lookup(qt.queue_id, st.queue),
        "status": lookup(STATUSES, st.status),
        "account_id": pl.select(pl.format("acct_{}", pl.Series(cases.account).cast(pl.String).str.zfill(8)))
        .to_series(),
        "org_id": pl.select(pl.when(pl.Series(cases.org) >= 0)
                            .then(pl.format("org_{}", pl.Series(cases.org).cast(pl.String).str.zfill(6)))
                            .otherwise(None)).to_series(),
        "vendor_id": lookup([v.vendor_id for v in cat.VENDORS], rev_vendor),
        "reviewer_id": lookup(wf.reviewer_id, st.reviewer),
        "first_action_at": ts(cfg, st.first_action_t),
        "resolved_at": ts(cfg, st.resolved_t),
        "decision": lookup(cat.DECISIONS, st.decision),
        "enforcement_action": lookup(cat.ACTIONS, st.action),
        "escalated": pl.Series(st.escalated),
        "incident_id": lookup([x or "" for x in incident_of], inc_code),
        "classifier_name": lookup([k.name for k in cat.CLASSIFIERS], cases.classifier),
        "classifier_score": pl.Series(cases.score),
        "content_excerpt": pl.select(pl.concat_str([prefix, excerpt_body])).to_series(),
        "updated_at": ts(cfg, st.updated_t),
        "automated": pl.Series(cases.automated),
    }).with_columns(pl.col("classifier_score").fill_nan(None))


def events_frame(cfg: SimConfig, ev: EventLog, case_ids: pl.Series | None, qt: QueueTable, wf: Workforce,
                 first_id: int = 1) -> pl.DataFrame:
    """case_ids None: ev.case are case numbers (case_id_series)."""
    actors = list(wf.reviewer_id) + system_actors()
    return pl.DataFrame({
        "event_id": pl.int_range(first_id, first_id + len(ev.case), dtype=pl.Int64, eager=True),
        "case_id": case_id_series(ev.case) if case_ids is None else case_ids.gather(pl.Series(ev.case)),
        "occurred_at": ts(cfg, ev.t),
        "event_type": lookup(EVENT_TYPES, ev.etype),
        "actor_id": lookup(actors, ev.actor),
        "queue_id": lookup(qt.queue_id, ev.queue),
        "detail": lookup(DETAILS, ev.detail),
    })


def qa_frame(cfg: SimConfig, qa: dict, case_ids: pl.Series | None, wf: Workforce) -> pl.DataFrame:
    n = len(qa["case"])
    return pl.DataFrame({
        "qa_id": id_series("QA-", n, 7),
        "case_id": (case_id_series(qa["case"]) if case_ids is None
                    else case_ids.gather(pl.Series(qa["case"], dtype=pl.Int64))),
        "reviewer_id": lookup(wf.reviewer_id, qa["reviewer"]),
        "qa_reviewer_id": lookup(wf.reviewer_id, qa["qa_reviewer"]),
        "reviewed_at": ts(cfg, qa["reviewed_t"]),
        "original_decision": lookup(cat.DECISIONS, qa["original"]),
        "qa_decision": lookup(cat.DECISIONS, qa["qa"]),
        "is_golden": pl.Series(qa["golden"], dtype=pl.Boolean),
    })


def appeals_frame(cfg: SimConfig, ap: dict, case_ids: pl.Series | None) -> pl.DataFrame:
    n = len(ap["case"])
    return pl.DataFrame({
        "appeal_id": id_series("AP-", n, 7),
        "case_id": (case_id_series(ap["case"]) if case_ids is None
                    else case_ids.gather(pl.Series(ap["case"], dtype=pl.Int64))),
        "filed_at": ts(cfg, ap["filed_t"]),
        "resolved_at": ts(cfg, ap["resolved_t"]),
        "outcome": lookup(("upheld", "overturned", "pending"), ap["outcome"]),
    })
