"""A user's display time zone on the pages (AppTest): the sidebar's choice is remembered in the
users file, a name that is not a time zone gets one line, the pages show times in the chosen zone
with the zone named, and what is exported stays UTC."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Selectbox

from tests.app.conftest import ENTRIES, app_for, errors, signed_in_user
from watchfloor import audit, auth
from watchfloor.config import load_settings


def chooser_script() -> None:
    from components import shell, times

    user = shell.current_user()
    if user is None:
        raise RuntimeError("chooser_app signs a user in before the run")
    times.chooser(user.username)
    st_caption = __import__("streamlit").caption
    st_caption(f"zone={times.zone()}")


def chooser_app(username: str = "ana") -> AppTest:
    at = AppTest.from_function(chooser_script, default_timeout=30)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["roles"] = ["analyst"]
    at.session_state["session_nonce"] = signed_in_user(username, "analyst")
    return at


class _Typed(Selectbox):
    """A selectbox into which the user typed a name of their own (accept_new_options): the browser
    sends the text itself, which AppTest's set_value (options only) cannot."""

    typed_text = ""

    @property
    def _widget_state(self) -> WidgetState:
        state = WidgetState()
        state.id = self.id
        state.string_value = self.typed_text
        return state


def typed(box: Selectbox, text: str):
    box.__class__ = _Typed
    box = cast(_Typed, box)  # its class was swapped on the line above, which the checker does not follow
    box.typed_text = text
    return box


def zone_line(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("zone="))


def stored_zone(username: str = "ana") -> str | None:
    return auth.load_users(load_settings().users_file)["credentials"]["usernames"][username].get("timezone")


def test_the_choice_is_remembered_for_the_user_and_a_bad_name_is_one_line():
    at = chooser_app().run()
    assert zone_line(at) == "zone=UTC" and stored_zone() is None  # the default
    at.selectbox[0].set_value("America/New_York").run()
    assert not at.exception and not errors(at)
    assert stored_zone() == "America/New_York" and zone_line(at) == "zone=America/New_York"
    # A new session of the same user (another browser, the next day) starts in the zone chosen.
    again = chooser_app().run()
    assert zone_line(again) == "zone=America/New_York"
    assert again.selectbox[0].value == "America/New_York"
    # A typed name that is not a time zone: one line, nothing stored changes, the page keeps going.
    before = load_settings().users_file.read_bytes()
    typed(again.selectbox[0], "Mars/Olympus_Mons").run()
    assert not again.exception
    assert errors(again) == [
        "Unknown time zone 'Mars/Olympus_Mons': use an IANA name such as Europe/Berlin or America/New_York."]
    assert load_settings().users_file.read_bytes() == before and zone_line(again) == "zone=America/New_York"


def test_a_stored_zone_this_machine_does_not_know_falls_back_to_utc_with_a_warning():
    signed_in_user("ana", "analyst")
    path = load_settings().users_file
    data = auth.load_users(path)
    data["credentials"]["usernames"]["ana"]["timezone"] = "Mars/Olympus_Mons"
    auth.save_users(path, data)
    at = chooser_app().run()
    assert not at.exception and zone_line(at) == "zone=UTC"
    assert len(at.warning) == 1 and "is unknown here: times are shown in UTC" in at.warning[0].value


def test_the_audit_table_shows_the_zone_and_its_export_stays_utc(filled, monkeypatch):
    signed_in_user("tester", "admin")
    auth.set_time_zone(load_settings().users_file, "tester", "America/New_York")
    exported = []
    real_to_csv = audit.to_csv
    monkeypatch.setattr(audit, "to_csv", lambda frame: exported.append(frame) or real_to_csv(frame))
    at = app_for("app_pages/audit.py", role="admin").run()
    assert not at.exception and not errors(at)
    table = at.dataframe[0].value
    # 18 November is EST (UTC-5): 09:00 UTC reads 04:00, 11:00 UTC on the 20th reads 06:00.
    assert list(table["at"]) == [datetime(2026, 11, 20, 6, 0), datetime(2026, 11, 19, 5, 0),
                                 datetime(2026, 11, 18, 4, 5), datetime(2026, 11, 18, 4, 0)]
    assert "When (America/New_York)" in str(at.dataframe[0].proto.columns)
    # The export is the same entries in UTC, as stored.
    assert exported and exported[-1]["at"].to_list() == sorted((e[-1] for e in ENTRIES), reverse=True)
    assert real_to_csv(exported[-1]).decode().splitlines()[1].startswith("4,2026-11-20T11:00:00Z,ana,")
