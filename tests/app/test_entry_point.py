"""The entry point: login gate, users-file checks, the no-warehouse page."""

from __future__ import annotations

from tests.app.conftest import app_for, errors, shown


def test_login_form_is_shown_to_visitors(hand_env, users_env):
    at = app_for("Home.py").run()
    assert not at.exception
    labels = [t.label for t in at.text_input]
    assert labels == ["Username", "Password"]
    assert not at.metric  # no data before login


def test_wrong_password_does_not_say_which_part_was_wrong(hand_env, users_env):
    at = app_for("Home.py").run()
    at.text_input[0].input("admin_one")
    at.text_input[1].input("wrong password here")
    at.button[0].click().run()
    assert errors(at) == ["Username or password is incorrect."]
    at.text_input[0].input("nobody")
    at.text_input[1].input("correct horse battery")
    at.button[0].click().run()
    assert errors(at) == ["Username or password is incorrect."]


def test_right_password_logs_in(hand_env, users_env):
    at = app_for("Home.py").run()
    at.text_input[0].input("admin_one")
    at.text_input[1].input("correct horse battery")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    assert at.session_state["roles"] == ["admin"]


def test_plain_text_password_in_users_file_is_refused(hand_env, users_env):
    text = users_env.read_text()
    import re

    users_env.write_text(re.sub(r"password: .*", "password: hunter2hunter2", text))
    at = app_for("Home.py").run()
    assert not at.exception
    assert any("set-password" in e for e in errors(at)), errors(at)
    assert not at.text_input  # no login form


def test_no_users_yet(hand_env, tmp_path, monkeypatch):
    monkeypatch.setenv("WATCHFLOOR_USERS_FILE", str(tmp_path / "none.yaml"))
    monkeypatch.setenv("WATCHFLOOR_SECRETS_FILE", str(tmp_path / "secrets.toml"))
    at = app_for("Home.py").run()
    assert any("watchfloor users add" in e for e in errors(at))


def test_missing_warehouse_shows_how_to_seed(users_env, tmp_path, monkeypatch):
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", str(tmp_path / "nowhere.duckdb"))
    at = app_for("Home.py", role="admin", username="admin_one").run()
    assert not at.exception
    assert [h.value for h in at.header] == ["No warehouse yet"]
    assert any("make run" in c.value for c in at.code)


def test_empty_warehouse_shows_how_to_seed(users_env, tmp_path, monkeypatch):
    from watchfloor.warehouse import init_warehouse

    path = tmp_path / "empty.duckdb"
    init_warehouse(path)
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", str(path))
    at = app_for("Home.py", role="admin", username="admin_one").run()
    assert not at.exception
    assert [h.value for h in at.header] == ["The warehouse is empty"]


def test_logged_in_entry_point_draws_filters_and_freshness(hand_env, users_env):
    at = app_for("Home.py", role="admin", username="admin_one").run()
    assert not at.exception
    assert [m.label for m in at.sidebar.multiselect] == ["Region", "Vertical", "Priority", "Vendor"]
    assert any("Data" in w.value for w in at.warning)  # 50 min behind: amber


def test_unknown_filter_values_in_the_url_are_dropped_with_a_notice(hand_env, users_env):
    at = app_for("Home.py", role="admin", username="admin_one")
    at.query_params["region"] = ["EMEA", "MARS"]
    at.run()
    assert not at.exception
    assert at.session_state["filter_regions"] == ["EMEA"]
    assert any("region=MARS" in shown(w.value) for w in at.warning)


def test_summaries_lagging_the_events_are_said_in_one_line(users_env, tmp_path, monkeypatch):
    """A write without a summary refresh: the line under the freshness line says how far behind the
    SLA, trend and vendor-work figures are; with the summaries current (the hand warehouse) there is
    no such line."""
    from datetime import timedelta

    import duckdb

    import queries
    from tests import hand_warehouse
    from tests.conftest import pin_warehouse
    from tests.warehouses import home

    path = hand_warehouse.build(tmp_path / "lag.duckdb", home.ROWS)
    pin_warehouse(monkeypatch, path, home.AS_OF)
    at = app_for("Home.py", role="admin", username="admin_one").run()
    assert not at.exception
    assert not [c.value for c in at.caption if "vendor-work figures" in c.value]
    queries.close_all()  # the dashboard's reader holds the file
    queries.clear_cache()
    con = duckdb.connect(path)
    con.execute("INSERT INTO case_events (event_id, case_id, occurred_at, event_type) "
                "SELECT max(event_id) + 1, 'c3', ?, 'pending_info' FROM case_events",
                [home.AS_OF - timedelta(minutes=5)]).fetchall()
    con.close()
    at = app_for("Home.py", role="admin", username="admin_one").run()
    lines = [c.value for c in at.caption if "vendor-work figures" in c.value]
    # The hand warehouse's newest event is c4's creation at 11:10; the new one is at 11:55.
    assert lines == [":orange[●] SLA, trend and vendor-work figures include events up to 2026-11-18 11:10 UTC, 45 min behind the "
                     "newest event (run `watchfloor refresh` if this lasts)."]


def test_a_spawned_process_reading_the_entry_point_draws_nothing(hand_env, users_env):
    """The forecast's fitting process is spawned: it first runs the parent's main file again, as
    __mp_main__. When that is this entry point (Streamlit installs each page run as __main__, and a
    run can start while the process is spawned), it must only import, never log in or draw: the
    process has no session and would die, failing every forecast fitted in it."""
    import runpy
    from pathlib import Path

    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    namespace = runpy.run_path(str(Path(__file__).resolve().parents[2] / "Home.py"), run_name="__mp_main__")
    assert callable(namespace["main"]) and get_script_run_ctx() is None
