"""A user's display time zone: names checked with zoneinfo, the choice kept in the users file, and
times converted at display only (components/times.py), worked out by hand across both US daylight
saving changes of 2026 (clocks go forward on 8 March at 07:00 UTC, back on 1 November at 06:00 UTC)."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

import watchfloor.cli as cli
from components import times
from watchfloor import auth, spike_record, time_zone
from watchfloor.freshness import Freshness

NEW_YORK = "America/New_York"


def spike(onset: datetime, peak: datetime, until: datetime) -> pl.DataFrame:
    row: dict[str, object] = {name: None for name in spike_record.RECORD_SCHEMA}
    row.update(spike_id="spam@x", category="spam", label="Spam · API", onset=onset, detected_at=onset, peak=peak,
               end=until.replace(hour=until.hour - 1), until=until, hours=2, observed=300.0, expected=50.0,
               excess=250.0, multiplier=6.0, peak_observed=200.0, peak_expected=25.0, severity="critical",
               ongoing=False, kind="spike")
    return pl.DataFrame([row], schema=spike_record.RECORD_SCHEMA, orient="row")


def test_a_utc_onset_in_new_york_across_the_spring_change():
    # 06:00 UTC is 01:00 EST (UTC-5); from 07:00 UTC New York is on EDT (UTC-4): 07:00 UTC is 03:00
    # EDT (02:00 never happens there) and 08:00 UTC is 04:00 EDT. Two hours of spike read 01:00-04:00.
    frame = spike(datetime(2026, 3, 8, 6), datetime(2026, 3, 8, 7), datetime(2026, 3, 8, 8))
    shown = times.spike_texts(frame, NEW_YORK).row(0, named=True)
    assert shown["span_text"] == "03-08 01:00 – 03-08 04:00"
    assert shown["peak_text"] == "03-08 03:00 (200 vs 25)"
    assert shown["multiplier_text"] == "6.0×" and shown["excess_text"] == "250"  # the record's figures, unchanged
    assert times.at(datetime(2026, 3, 8, 6), zone_name=NEW_YORK) == "2026-03-08 01:00 EST"
    assert times.at(datetime(2026, 3, 8, 8), zone_name=NEW_YORK) == "2026-03-08 04:00 EDT"
    # In UTC nothing moves, and the frame given is not changed.
    assert times.spike_texts(frame, "UTC").row(0, named=True)["span_text"] == "03-08 06:00 – 03-08 08:00"
    assert frame["onset"].to_list() == [datetime(2026, 3, 8, 6)]


def test_the_autumn_change_names_which_one_oclock():
    # 05:00 UTC is 01:00 EDT, 06:00 UTC is 01:00 EST again: the zone's abbreviation tells them apart.
    assert times.at(datetime(2026, 11, 1, 5), "%H:%M", NEW_YORK) == "01:00 EDT"
    assert times.at(datetime(2026, 11, 1, 6), "%H:%M", NEW_YORK) == "01:00 EST"
    hours = pl.DataFrame({"hour": [datetime(2026, 11, 1, h) for h in (4, 5, 6, 7)], "cases": [1, 2, 3, 4]})
    local = times.in_zone(hours, ["hour"], NEW_YORK)
    assert local["hour"].to_list() == [datetime(2026, 11, 1, 0), datetime(2026, 11, 1, 1), datetime(2026, 11, 1, 1),
                                       datetime(2026, 11, 1, 2)]
    assert local["cases"].to_list() == [1, 2, 3, 4] and hours["hour"][0] == datetime(2026, 11, 1, 4)
    assert times.wall(datetime(2026, 11, 1, 7), NEW_YORK) == datetime(2026, 11, 1, 2)
    assert times.zone_abbreviation(datetime(2026, 7, 1), "Europe/Berlin") == "CEST"
    assert times.zone_abbreviation(datetime(2026, 1, 1), "Europe/Berlin") == "CET"


def test_freshness_reads_in_the_zone_and_utc_by_default():
    seen = Freshness(datetime(2026, 1, 15, 13, 0), 4.0, "green")
    assert seen.describe() == "2026-01-15 13:00 UTC (4 min ago)"
    assert seen.describe(times.at(seen.newest_event_at, zone_name="Europe/Berlin")) == "2026-01-15 14:00 CET (4 min ago)"


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "   ", "../../etc/passwd", "Europe/Berlin\x00",
                                  "x" * 300, None, 7, "/usr/share/zoneinfo/UTC"])
def test_an_unknown_name_is_one_clear_line(name):
    with pytest.raises(time_zone.TimeZoneError) as caught:
        time_zone.check(name)
    message = str(caught.value)
    assert message.startswith("unknown time zone ") and "\n" not in message and len(message) < 200
    assert "IANA name such as Europe/Berlin" in message
    assert time_zone.or_utc(name) == "UTC"


def test_valid_names():
    assert time_zone.check(" America/New_York ") == NEW_YORK
    assert time_zone.check("UTC") == "UTC"
    assert time_zone.names()[0] == "UTC" and NEW_YORK in time_zone.names()


@pytest.fixture
def users(tmp_path, monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    path = tmp_path / "users.yaml"
    auth.add_user(path, "ana", "analyst", "correct horse battery")
    return path


def test_the_choice_is_kept_for_the_user_across_sessions(users):
    nonce = auth.session_nonce(auth.load_users(users)["credentials"]["usernames"]["ana"])
    assert auth.time_zone_of(auth.load_users(users)["credentials"]["usernames"]["ana"]) == "UTC"  # the default
    assert auth.set_time_zone(users, "ana", " Europe/Berlin ") == "Europe/Berlin"
    entry = auth.current_users(users)["credentials"]["usernames"]["ana"]
    assert entry["timezone"] == "Europe/Berlin" and auth.time_zone_of(entry) == "Europe/Berlin"
    assert auth.session_nonce(entry) == nonce  # choosing a zone signs nobody out
    assert "timezone: Europe/Berlin" in users.read_text()
    assert auth.set_time_zone(users, "ana", "UTC") == "UTC"  # back to the default: nothing stored
    assert "timezone" not in auth.load_users(users)["credentials"]["usernames"]["ana"]


def test_a_bad_name_changes_nothing_stored(users):
    auth.set_time_zone(users, "ana", NEW_YORK)
    before = users.read_bytes()
    with pytest.raises(time_zone.TimeZoneError):
        auth.set_time_zone(users, "ana", "Mars/Olympus_Mons")
    assert users.read_bytes() == before
    with pytest.raises(auth.UnknownUserError):
        auth.set_time_zone(users, "nobody", NEW_YORK)
    assert users.read_bytes() == before


def test_a_hand_edited_zone_of_the_wrong_type_is_refused_with_one_line(users):
    data = auth.load_users(users)
    data["credentials"]["usernames"]["ana"]["timezone"] = [1, 2]
    auth.save_users(users, data)
    with pytest.raises(auth.UsersFileError) as caught:
        auth.load_users(users)
    assert "'timezone' must be text" in str(caught.value) and "\n" not in str(caught.value)


def test_the_command_line(users, capsys, monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("users",))
    monkeypatch.setenv("WATCHFLOOR_USERS_FILE", str(users))
    assert cli.main(["users", "set-timezone", "ana", NEW_YORK]) == 0
    assert "ana sees times in America/New_York" in capsys.readouterr().out
    before = users.read_bytes()
    assert cli.main(["users", "set-timezone", "ana", "Mars/Olympus_Mons"]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "unknown time zone 'Mars/Olympus_Mons'" in err and "Traceback" not in err
    assert users.read_bytes() == before
