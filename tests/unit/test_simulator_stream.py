"""The seeder that streams (simulator/stream.py): the period a day at a time.

- The queueing core run in windows, stages added as their cases arrive and released once
  finished, gives exactly the trace of one run over the whole period.
- A streamed warehouse holds every event once, numbered in time order, with the cases that
  straddle a window boundary complete; its state agrees with its events.
- What changes against the whole period in memory, on the same options and seed: each window
  draws its cases from its own streams, so the rows differ; the plan (spikes, incidents,
  launches) is the same, and volumes, outcomes and waits agree within the stated bounds.
- A seed that fails part-way leaves the warehouse as it was; one that succeeds keeps the tables
  that are not simulated.

test_simulator.py runs its checks of the data (order, timestamps, status, references,
reconciliation, waits) on a streamed warehouse too.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np
import polars as pl
import pytest

from watchfloor.simulator import bursts, demand, engine, incidents, routing, workforce, writer
from watchfloor.simulator import stream as streaming
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.routing import ESCALATE
from watchfloor.simulator.run import simulate

END = datetime(2026, 3, 20, 12, 0)
CFG = SimConfig(days=10, cases_per_day=1500, seed=11, end=END)


def _inputs(cfg: SimConfig):
    """What simulate() hands the queueing core (the same steps, in the same order)."""
    rngs = cfg.rngs()
    grid = demand.time_grid(cfg)
    team_list = routing.teams()
    qt = routing.queue_table(team_list)
    lam = demand.intensity(cfg, grid, demand.plan_launches(cfg, rngs["launches"]))
    spikes = incidents.plan_spikes(cfg, lam, rngs["spikes"])
    rate = demand.noise(cfg, lam, rngs["noise"])
    plan = bursts.plan_bursts(cfg, rngs["bursts"])
    arrivals = demand.draw_arrivals(cfg, lam, spikes, rngs["arrivals"], rate, plan, rngs["bursts"])
    cases = demand.draw_attributes(cfg, arrivals, spikes, rngs, plan)
    sc = routing.build_scripts(cfg, cases, qt, rngs["routing"], rngs["rerouting"])
    work = routing.planned_work(cases, sc)
    need = workforce.requirements(cfg, lam, work, team_list)
    wf = workforce.build(cfg, grid, need, team_list, spikes, lam, work, rngs["workforce"])
    return cases, sc, wf, len(team_list), routing.team_handle_time(sc, len(team_list))


def test_queueing_in_windows_gives_the_trace_of_one_run():
    cases, sc, wf, n_teams, aht = _inputs(CFG)
    horizon = CFG.horizon_s
    shifts = (wf.speed, wf.shift_rev, wf.shift_team, wf.shift_start, wf.shift_end, wf.shift_login, aht)
    whole = engine.run(horizon, cases.routed_t, sc, cases.priority, n_teams, *shifts)

    q = engine.Queueing(horizon, n_teams, *shifts)
    n_stages = len(sc.team)
    got = {name: np.full(n_stages, np.nan) for name in ("enq", "asg", "cmp")}
    got["reviewer"] = np.full(n_stages, -2, dtype=np.int64)
    held = np.zeros(0, dtype=np.int64)        # original stage id of each stage the core holds
    keys = engine.stage_keys(sc, cases.priority)
    last_of = np.full(n_stages, -1, dtype=np.int64)
    last_of[np.repeat(np.arange(len(sc.human)), sc.count)] = 0
    last_stage = np.repeat(sc.first + sc.count - 1, sc.count)   # per stage: its case's last stage
    straddling = 0
    days = CFG.days
    for day in range(days):
        t0, t1 = day * 86400.0, (day + 1) * 86400.0
        new_cases = np.flatnonzero((cases.t[sc.human] >= t0) & ((cases.t[sc.human] < t1) | (day == days - 1)))
        ids = np.concatenate([np.arange(sc.first[i], sc.first[i] + sc.count[i]) for i in new_cases])
        base = q.held
        pos = np.full(n_stages, -1, dtype=np.int64)
        pos[ids] = base + np.arange(len(ids))
        nxt = np.where(sc.next[ids] >= 0, pos[np.maximum(sc.next[ids], 0)], -1)
        q.add(cases.routed_t[sc.human[new_cases]], pos[sc.first[new_cases]], sc.team[ids], nxt, sc.delay[ids],
              sc.base_s[ids], sc.action[ids] == ESCALATE, keys[ids])
        held = np.concatenate([held, ids])
        final = day == days - 1
        q.run_until(None if final else t1)
        cmp_ = np.asarray(q.cmp)
        # a case is finished when its last stage has completed; release its stages
        last_pos = np.searchsorted(held, last_stage[held])
        done = np.ones(len(held), dtype=bool) if final else (np.isfinite(cmp_[last_pos]) & (cmp_[last_pos] < t1))
        if not final:
            created_before = cases.t[sc.case_of[held]] < t1
            straddling += int((created_before & ~done & np.isfinite(np.asarray(q.asg))).sum())
        tr = q.release(done)
        got["enq"][held[done]] = tr.enq
        got["asg"][held[done]] = tr.asg
        got["cmp"][held[done]] = tr.cmp
        got["reviewer"][held[done]] = tr.reviewer
        held = held[~done]
    assert q.held == 0 and straddling > 100  # plenty of cases were mid-way at a boundary
    for name in ("enq", "asg", "cmp"):
        np.testing.assert_array_equal(got[name], getattr(whole, name), err_msg=name)
    np.testing.assert_array_equal(got["reviewer"], whole.reviewer)
    np.testing.assert_array_equal(np.asarray(q.s_act), whole.shift_end)


@pytest.fixture(scope="module")
def streamed(tmp_path_factory):
    path = tmp_path_factory.mktemp("stream") / "w.duckdb"
    writer.seed(path, CFG, progress=False, window_days=1)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def one(con, sql: str):
    return con.sql(sql).fetchall()[0][0]


def test_events_are_numbered_once_in_time_order(streamed):
    n, lo, hi, distinct = streamed.sql(
        "SELECT count(*), min(event_id), max(event_id), count(DISTINCT event_id) FROM case_events").fetchall()[0]
    assert (lo, hi, distinct) == (1, n, n)
    out_of_order = one(streamed, """
        SELECT count(*) FROM (SELECT occurred_at < lag(occurred_at) OVER (ORDER BY event_id) AS back
                              FROM case_events) WHERE back""")
    assert out_of_order == 0
    assert one(streamed, """SELECT count(*) FROM (SELECT case_id, event_type, occurred_at, actor_id, count(*) AS n
                            FROM case_events GROUP BY ALL HAVING n > 1)""") == 0


def test_cases_straddling_midnight_have_all_their_events_once(streamed):
    """Cases created in the last hour before a window's end (midnight UTC) and decided after it."""
    rows = streamed.sql("""
        WITH straddle AS (
            SELECT case_id FROM cases
            WHERE hour(created_at) = 23 AND resolved_at IS NOT NULL
              AND date_trunc('day', resolved_at) > date_trunc('day', created_at)
              AND reviewer_id IS NOT NULL)
        SELECT e.case_id,
               count(*) FILTER (WHERE event_type = 'created') AS created,
               count(*) FILTER (WHERE event_type = 'assigned') AS assigned,
               count(*) FILTER (WHERE event_type IN ('decided', 'routed', 'escalated', 'pending_info')
                                AND actor_id LIKE 'R-%') AS reviews_done,
               count(*) FILTER (WHERE event_type = 'first_action') AS first_action,
               count(*) FILTER (WHERE event_type = 'resolved') AS resolved,
               count(*) FILTER (WHERE event_type = 'decided') AS decided,
               arg_max(event_type, event_id) AS last_type
        FROM case_events e JOIN straddle USING (case_id) GROUP BY e.case_id""").pl()
    assert rows.height > 20
    assert (rows["created"] == 1).all() and (rows["first_action"] == 1).all()
    # every review assigned was completed (the case is resolved), each decision resolves once
    assert (rows["assigned"] == rows["reviews_done"]).all()
    assert (rows["resolved"] == rows["decided"]).all() and (rows["resolved"] >= 1).all()
    assert (rows["last_type"] == "resolved").all()


def test_streamed_state_agrees_with_events(streamed):
    mismatched = one(streamed, """
        WITH last AS (SELECT case_id, arg_max(event_type, event_id) AS t, max(occurred_at) AS last_at
                      FROM case_events GROUP BY case_id)
        SELECT count(*) FROM cases JOIN last USING (case_id)
        WHERE (status = 'resolved') <> (t = 'resolved') OR updated_at <> last_at""")
    assert mismatched == 0
    assert one(streamed, "SELECT count(*) FROM cases WHERE case_id NOT IN (SELECT case_id FROM case_events)") == 0
    n = one(streamed, "SELECT count(*) FROM cases")
    assert one(streamed, "SELECT max(case_id) FROM cases") == f"C-{n:08d}"
    assert one(streamed, """SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (ORDER BY case_id) AS b
                            FROM cases) WHERE b""") == 0


def _summary(frames: dict[str, pl.DataFrame]) -> dict[str, float]:
    cases, ev = frames["cases"], frames["case_events"]
    resolved = cases.filter(pl.col("status") == "resolved")
    wait = (cases.filter(pl.col("first_action_at").is_not_null() & ~pl.col("automated"))
            .select(((pl.col("first_action_at") - pl.col("created_at")).dt.total_seconds()).median()).item())
    return {
        "cases": cases.height,
        "events_per_case": ev.height / cases.height,
        "resolved_share": resolved.height / cases.height,
        "violating_share": (resolved["decision"] == "violating").mean(),
        "automated_share": cases["automated"].mean(),
        "escalated_share": cases["escalated"].mean(),
        "median_first_action_s": wait,
        "qa_per_resolved": frames["qa_reviews"].height / resolved.height,
        "appeals_per_resolved": frames["appeals"].height / resolved.height,
    }


def test_streamed_and_whole_period_agree_on_plan_and_within_bounds_on_the_rest():
    """The stated difference: per-window streams draw other cases, so rows differ; the plan is the same
    and the totals and shares agree within these bounds (measured gaps are a fraction of them)."""
    cfg = SimConfig(days=14, cases_per_day=2000, seed=3, end=END)
    whole = simulate(cfg)
    parts: dict[str, list[pl.DataFrame]] = {}
    for table, frame in streaming.stream(cfg, 1):
        parts.setdefault(table, []).append(frame)
    streamed = {t: pl.concat(f) for t, f in parts.items()}
    assert set(streamed) == set(whole)
    for table in ("sla_policies", "queues", "vendors", "sim_spikes", "incidents"):
        assert streamed[table].equals(whole[table]), table      # the plan: identical
    assert not streamed["cases"].equals(whole["cases"])          # the cases: drawn anew
    a, b = _summary(whole), _summary(streamed)
    assert abs(a["cases"] / b["cases"] - 1) < 0.03
    assert abs(a["events_per_case"] / b["events_per_case"] - 1) < 0.03
    for key in ("resolved_share", "violating_share", "automated_share", "escalated_share"):
        assert abs(a[key] - b[key]) < 0.02, key
    assert abs(a["median_first_action_s"] / b["median_first_action_s"] - 1) < 0.35
    for key in ("qa_per_resolved", "appeals_per_resolved"):
        assert abs(a[key] - b[key]) < 0.2 * a[key], key
    # reviewers and shifts follow from the planned work, added up over the same kind of cases
    assert abs(streamed["shifts"].height / whole["shifts"].height - 1) < 0.05


def test_stream_is_deterministic():
    cfg = SimConfig(days=3, cases_per_day=700, seed=9, end=END)
    a = [(t, f) for t, f in streaming.stream(cfg, 1)]
    b = [(t, f) for t, f in streaming.stream(cfg, 1)]
    assert [t for t, _ in a] == [t for t, _ in b]
    for (t, fa), (_, fb) in zip(a, b):
        assert fa.equals(fb), t


def test_failed_stream_leaves_the_warehouse_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    small = SimConfig(days=2, cases_per_day=500, seed=2, end=END)
    writer.seed(path, small, progress=False, window_days=0)
    with duckdb.connect(str(path), read_only=True) as con:
        before = {t: con.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("cases", "case_events")}
        kept = con.sql("SELECT * FROM cases ORDER BY case_id").pl()
    real = streaming.stream

    def failing(cfg, window_days, progress=None):
        for i, item in enumerate(real(cfg, window_days, progress)):
            if i == 3:
                raise RuntimeError("disk full")
            yield item

    monkeypatch.setattr(streaming, "stream", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        writer.seed(path, SimConfig(days=4, cases_per_day=900, seed=3, end=END), replace=True, progress=False,
                       window_days=1)
    assert not (tmp_path / "w.duckdb.seeding").exists()
    with duckdb.connect(str(path), read_only=True) as con:
        after = {t: con.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("cases", "case_events")}
        assert after == before
        assert con.sql("SELECT * FROM cases ORDER BY case_id").pl().equals(kept)


def test_streamed_replace_keeps_what_is_not_simulated(tmp_path):
    """Tables outside the contract (alerts, load runs), their indexes and other meta keys survive a
    streamed --replace, which builds a new file and renames it over the old one."""
    path = tmp_path / "w.duckdb"
    writer.seed(path, SimConfig(days=2, cases_per_day=400, seed=2, end=END), progress=False, window_days=0)
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE alerts_kept (id BIGINT PRIMARY KEY, note VARCHAR)")
        con.execute("CREATE INDEX alerts_kept_note ON alerts_kept (note)")
        con.execute("INSERT INTO alerts_kept VALUES (1, 'it''s kept'), (2, NULL)")
        con.execute("INSERT INTO watchfloor_meta VALUES ('operator_note', 'keep me')")
        old_cases = con.sql("SELECT count(*) FROM cases").fetchall()[0][0]
    counts = writer.seed(path, SimConfig(days=3, cases_per_day=600, seed=4, end=END), replace=True,
                            progress=False, window_days=1)
    assert not (tmp_path / "w.duckdb.seeding").exists() and not (tmp_path / "w.duckdb.wal").exists()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.sql("SELECT * FROM alerts_kept ORDER BY id").fetchall() == [(1, "it's kept"), (2, None)]
        assert con.sql("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'alerts_kept'").fetchall() \
            == [("alerts_kept_note",)]
        meta = dict(con.sql("SELECT key, value FROM watchfloor_meta").fetchall())
        assert meta["operator_note"] == "keep me" and meta["days"] == "3" and meta["seed"] == "4"
        new_cases = con.sql("SELECT count(*) FROM cases").fetchall()[0][0]
    assert new_cases == counts["cases"] != old_cases


def test_streamed_seed_refuses_a_warehouse_with_cases(tmp_path):
    from watchfloor.simulator.writer import WarehouseNotEmpty

    path = tmp_path / "w.duckdb"
    writer.seed(path, SimConfig(days=1, cases_per_day=300, seed=2, end=END), progress=False, window_days=0)
    before = path.stat().st_mtime_ns
    with pytest.raises(WarehouseNotEmpty):
        writer.seed(path, SimConfig(days=2, cases_per_day=300, seed=3, end=END), progress=False, window_days=1)
    assert path.stat().st_mtime_ns == before and not (tmp_path / "w.duckdb.seeding").exists()


def test_writer_chooses_windows_above_the_threshold():
    from watchfloor.simulator.writer import STREAM_ABOVE_CASES, streams

    assert not streams(SimConfig(days=30, cases_per_day=10_000, end=END))          # the demo: as before
    assert streams(SimConfig(days=90, cases_per_day=111_000, end=END))             # 10M: windows
    assert STREAM_ABOVE_CASES > 90 * 11_100                                        # 1M benchmarks: as before
    assert streams(SimConfig(days=2, cases_per_day=10, end=END), window_days=1)
    assert not streams(SimConfig(days=90, cases_per_day=111_000, end=END), window_days=0)


def _summary_rows(path) -> dict[str, pl.DataFrame]:
    from watchfloor import summaries

    with duckdb.connect(str(path), read_only=True) as con:
        out = {t: con.sql(f"SELECT * FROM {t}").pl()
               for t in (*summaries.TABLES, *summaries.HOURLY_TABLES, *summaries.SETTLED_TABLES)}
        out["state"] = con.sql("SELECT summary, version, high_water_mark FROM summary_state").pl()
    return {t: f.sort(f.columns) for t, f in out.items()}


@pytest.mark.parametrize("window_days", [0, 1])
def test_seed_appears_with_its_summaries(tmp_path, monkeypatch, window_days):
    """The writer builds the summaries once, after the last row and before the seed is visible
    (in the rows' transaction, or in the new file before the rename): they are there when the
    file appears, and they are what a full rebuild from the raw tables gives."""
    import shutil

    from watchfloor import summaries
    from watchfloor.simulator import writer

    path = tmp_path / "w.duckdb"
    seen_before_rename: list[int] = []
    real_swap = writer.swap_in

    def swap_in(new, target, replace):
        with duckdb.connect(str(new), read_only=True) as con:
            seen_before_rename.append(con.sql("SELECT count(*) FROM summary_sla_cases").fetchall()[0][0])
        real_swap(new, target, replace)

    monkeypatch.setattr(writer, "swap_in", swap_in)
    counts = writer.seed(path, SimConfig(days=3, cases_per_day=600, seed=4, end=END), progress=False,
                         window_days=window_days)
    assert seen_before_rename == ([counts["cases"]] if window_days else [])
    built = _summary_rows(path)
    assert built["state"]["version"].to_list() == [summaries.VERSION]
    assert built["summary_sla_cases"].height == counts["cases"] > 0
    assert built["summary_review_sessions"].height > 0 and built["summary_hourly_cases"].height > 0
    assert built["summary_settled_routes"].height > 0 and built["summary_settled_scores"].height > 0
    copy = tmp_path / "rebuilt.duckdb"
    shutil.copy(path, copy)
    summaries.refresh_file(copy, full=True)
    rebuilt = _summary_rows(copy)
    for table, frame in rebuilt.items():
        assert built[table].equals(frame), table


@pytest.mark.parametrize("window_days", [0, 1])
def test_seed_whose_summaries_fail_leaves_the_warehouse_as_it_was(tmp_path, monkeypatch, window_days):
    from watchfloor.simulator import writer

    path = tmp_path / "w.duckdb"
    writer.seed(path, SimConfig(days=2, cases_per_day=400, seed=2, end=END), progress=False, window_days=0)
    with duckdb.connect(str(path), read_only=True) as con:
        kept = con.sql("SELECT * FROM cases ORDER BY case_id").pl()

    def failing(con, case_ids=None):
        raise RuntimeError("summaries failed")

    monkeypatch.setattr(writer.summaries, "refresh", failing)
    with pytest.raises(RuntimeError, match="summaries failed"):
        writer.seed(path, SimConfig(days=3, cases_per_day=600, seed=4, end=END), replace=True, progress=False,
                    window_days=window_days)
    assert not (tmp_path / "w.duckdb.seeding").exists()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.sql("SELECT * FROM cases ORDER BY case_id").pl().equals(kept)
