"""Sessions that end when they should (AppTest): every run checks the signed-in user against the
users file again; signing out and a new password end every session; failed sign-ins are throttled
and recorded. tests/e2e/test_sessions.py tries the same in Chromium against a running server."""

from __future__ import annotations

from tests.app.conftest import app_for, errors, shown
from watchfloor import audit, auth, sessions
from watchfloor.config import load_settings

PASSWORD = "correct horse battery"


def actions() -> list[tuple[str, str]]:
    settings = load_settings()
    return [(e.user, e.action) for e in audit.AuditLog(settings.audit_log).entries()]


def sign_in(at, username: str, password: str):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def signed_in(at) -> bool:
    return bool(at.session_state["authentication_status"]) if "authentication_status" in at.session_state else False


def test_a_removed_user_is_signed_out_at_the_next_run(hand_env, users_env):
    auth.add_user(users_env, "admin_two", "admin", PASSWORD)
    at = app_for("Home.py", role="admin", username="admin_one").run()
    assert signed_in(at) and not at.exception
    auth.remove_user(users_env, "admin_one")
    at.run()
    assert not signed_in(at)
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert any("the account was removed" in shown(i.value) for i in at.info)
    assert actions()[-1] == ("admin_one", audit.SESSION_ENDED)


def test_a_removed_user_sees_no_page_even_where_the_entry_point_does_not_run(hand_env):
    at = app_for("app_pages/case.py", role="analyst", username="ana").run()
    assert at.title
    auth.remove_user(load_settings().users_file, "ana")
    at.run()
    assert not at.title and any("log in" in e for e in errors(at))


def test_a_changed_role_applies_at_the_next_run(hand_env):
    at = app_for("app_pages/audit.py", role="admin", username="ana").run()
    assert [t.value for t in at.title] == ["Audit"]
    auth.set_role(load_settings().users_file, "ana", "analyst")
    at.run()
    assert not at.title and any("(Analyst) does not give access" in e for e in errors(at))


def test_signing_out_ends_every_session_of_the_user(hand_env, users_env):
    at = app_for("Home.py", role="admin", username="admin_one").run()
    other_browser = app_for("Home.py", role="admin", username="admin_one").run()
    cookie = sessions.issue(auth.ensure_cookie_key(load_settings().secrets_file), "admin_one",
                            at.session_state["session_nonce"])
    at.sidebar.button(key="logout_button").click().run()
    assert not signed_in(at) and at.session_state["session_cookie_todo"][1] == "sign-out"
    other_browser.run()
    assert not signed_in(other_browser)
    # the cookie issued before is signed correctly but names a nonce the user no longer has
    token = sessions.read(auth.ensure_cookie_key(load_settings().secrets_file), cookie)
    entry = auth.load_users(users_env)["credentials"]["usernames"]["admin_one"]
    assert token is not None and token.nonce != auth.session_nonce(entry)
    assert ("admin_one", audit.LOGOUT) in actions() and actions()[-1] == ("admin_one", audit.SESSION_ENDED)


def test_a_new_password_ends_the_open_session(hand_env, users_env):
    at = app_for("Home.py", role="admin", username="admin_one").run()
    auth.set_password(users_env, "admin_one", "another long passphrase")
    at.run()
    assert not signed_in(at)


def test_signing_in_is_recorded_and_hands_over_a_cookie_ticket(hand_env, users_env):
    at = sign_in(app_for("Home.py").run(), "admin_one", PASSWORD)
    assert signed_in(at) and not at.exception
    assert at.session_state["roles"] == ["admin"]
    todo_id, body = at.session_state["session_cookie_todo"]
    verb, ticket = body.split()
    token = sessions.TICKETS.redeem(ticket)
    assert verb == "sign-in" and token is not None
    assert sessions.read(auth.ensure_cookie_key(load_settings().secrets_file), token).username == "admin_one"
    assert actions() == [("admin_one", audit.LOGIN)]


def test_five_wrong_passwords_lock_the_name_and_the_right_one_is_then_refused(hand_env, users_env):
    at = app_for("Home.py").run()
    for _ in range(4):
        sign_in(at, "admin_one", "wrong password here")
        assert errors(at) == ["Username or password is incorrect."]
    sign_in(at, "admin_one", "wrong password here")
    assert any(e.startswith("Too many failed sign-ins: signing in is locked for 15 minutes") for e in errors(at))
    sign_in(at, "admin_one", PASSWORD)
    assert not signed_in(at)
    assert any(e.startswith("Too many failed sign-ins") for e in errors(at))
    assert actions() == [("admin_one", audit.LOGIN_FAILED)] * 5 + [("admin_one", audit.LOCKED_OUT)]
    # a user name nobody has is locked the same way: the answer tells nothing about who exists
    for _ in range(5):
        sign_in(at, "nobody_here", "wrong password here")
    assert any(e.startswith("Too many failed sign-ins") for e in errors(at))


def test_twenty_failures_from_one_client_lock_every_name(hand_env, users_env):
    at = app_for("Home.py").run()
    for i in range(20):
        sign_in(at, f"guess{i}", "wrong password here")
    sign_in(at, "admin_one", PASSWORD)
    assert not signed_in(at)
    assert any(e.startswith("Too many failed sign-ins") for e in errors(at))
    assert actions()[-1] == ("guess19", audit.LOCKED_OUT)
