"""The users store (watchfloor.auth) and the role/page table (watchfloor.roles)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.source_files import ROOT
from watchfloor import auth, roles

PASSWORD = "correct horse battery"
DEFAULT_ROUNDS = auth.BCRYPT_ROUNDS


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def users_file(tmp_path) -> Path:
    return tmp_path / "data" / "users.yaml"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------- users store


def test_missing_file_is_empty(users_file):
    assert auth.load_users(users_file) == {"credentials": {"usernames": {}}}
    assert auth.list_users(users_file) == []


def test_round_trip_add_list_set_password_remove(users_file):
    info = auth.add_user(users_file, "jdoe", "ops_lead", PASSWORD, "Jane Doe")
    assert info == auth.UserInfo("jdoe", "Jane Doe", ("ops_lead",), None)
    auth.add_user(users_file, "bob", "analyst", "another long password")
    assert auth.list_users(users_file) == [
        auth.UserInfo("bob", "bob", ("analyst",), None),
        auth.UserInfo("jdoe", "Jane Doe", ("ops_lead",), None),
    ]
    assert mode(users_file) == 0o600

    data = auth.load_users(users_file)
    entry = data["credentials"]["usernames"]["jdoe"]
    assert set(entry) == {"name", "password", "roles", "session_nonce"}
    assert entry["roles"] == ["ops_lead"]
    assert auth.verify_password(PASSWORD, entry["password"])
    assert not auth.verify_password("wrong password!", entry["password"])

    auth.set_password(users_file, "jdoe", "a brand new passphrase")
    new_hash = auth.load_users(users_file)["credentials"]["usernames"]["jdoe"]["password"]
    assert auth.verify_password("a brand new passphrase", new_hash)
    assert not auth.verify_password(PASSWORD, new_hash)

    auth.remove_user(users_file, "jdoe")
    assert [u.name for u in auth.list_users(users_file)] == ["bob"]


def test_file_never_contains_plain_password(users_file):
    auth.add_user(users_file, "jdoe", "admin", PASSWORD)
    auth.set_password(users_file, "jdoe", "second secret phrase")
    text = users_file.read_text()
    assert PASSWORD not in text and "second secret phrase" not in text
    assert "$2b$04$" in text


def test_list_users_never_shows_hashes(users_file):
    auth.add_user(users_file, "jdoe", "admin", PASSWORD)
    assert "$2b$" not in repr(auth.list_users(users_file))


def test_hash_is_bcrypt_at_configured_cost(monkeypatch):
    h = auth.hash_password(PASSWORD)
    assert auth.BCRYPT_HASH_RE.match(h) and h.startswith("$2b$04$")
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 5)
    assert auth.hash_password(PASSWORD).startswith("$2b$05$")
    assert auth.verify_password(PASSWORD, h)
    assert not auth.verify_password(PASSWORD, "not a hash")
    assert not auth.verify_password("x" * 100, h)  # bcrypt 5 raises beyond 72 bytes; we say False


def test_default_cost_is_12():
    assert DEFAULT_ROUNDS == 12  # captured before the fixture lowers it for speed


@pytest.mark.parametrize(
    "name,role,password,error,match",
    [
        ("Jdoe", "admin", PASSWORD, auth.UserError, "invalid user name"),
        ("j", "admin", PASSWORD, auth.UserError, "invalid user name"),
        ("-jdoe", "admin", PASSWORD, auth.UserError, "invalid user name"),
        ("a" * 33, "admin", PASSWORD, auth.UserError, "invalid user name"),
        ("jdoe", "root", PASSWORD, auth.UserError, "unknown role 'root'"),
        ("jdoe", "admin", "short pass", auth.WeakPasswordError, "at least 12 characters"),
        ("jdoe", "admin", " " * 12, auth.WeakPasswordError, "whitespace"),
        ("jdoe", "admin", "é" * 40, auth.WeakPasswordError, "72 bytes"),
    ],
)
def test_add_user_validation(users_file, name, role, password, error, match):
    with pytest.raises(error, match=match):
        auth.add_user(users_file, name, role, password)
    assert not users_file.exists()


def test_valid_usernames(users_file):
    for name in ("ab", "j.doe", "j_doe-2", "0ps", "a" * 32):
        auth.add_user(users_file, name, "analyst", PASSWORD)
    assert len(auth.list_users(users_file)) == 5


def test_duplicate_user_refused(users_file):
    auth.add_user(users_file, "jdoe", "admin", PASSWORD)
    before = users_file.read_bytes()
    with pytest.raises(auth.DuplicateUserError, match="already exists"):
        auth.add_user(users_file, "jdoe", "analyst", PASSWORD)
    assert users_file.read_bytes() == before


def test_unknown_user_refused(users_file):
    auth.add_user(users_file, "jdoe", "admin", PASSWORD)
    with pytest.raises(auth.UnknownUserError, match="no user 'ghost'"):
        auth.remove_user(users_file, "ghost")
    with pytest.raises(auth.UnknownUserError, match="no user 'ghost'"):
        auth.set_password(users_file, "ghost", PASSWORD)


def write_users(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_plain_text_password_refused_with_fix(users_file):
    write_users(
        users_file,
        "credentials:\n  usernames:\n    jdoe:\n      name: Jane\n      password: hunter2hunter2\n      roles: [admin]\n",
    )
    with pytest.raises(auth.PlainTextPasswordError) as err:
        auth.load_users(users_file)
    message = str(err.value)
    assert isinstance(err.value, auth.UsersFileError)
    assert str(users_file) in message and "'jdoe'" in message
    assert "run `watchfloor users set-password jdoe`" in message
    assert "hunter2" not in message
    assert "\n" not in message


def test_set_password_repairs_plain_text_password(users_file):
    write_users(
        users_file,
        "credentials:\n  usernames:\n    jdoe:\n      name: Jane\n      password: hunter2hunter2\n      roles: [admin]\n",
    )
    auth.set_password(users_file, "jdoe", PASSWORD)
    assert [u.name for u in auth.list_users(users_file)] == ["jdoe"]
    assert "hunter2" not in users_file.read_text()


def test_near_miss_hash_is_plain_text(users_file):
    good = auth.hash_password(PASSWORD)
    write_users(users_file, yaml.safe_dump(
        {"credentials": {"usernames": {"jdoe": {"password": good[:-1], "roles": ["admin"]}}}}
    ))
    with pytest.raises(auth.PlainTextPasswordError):
        auth.load_users(users_file)


@pytest.mark.parametrize(
    "text,match",
    [
        ("credentials: [unclosed\n", "not valid YAML at line"),
        ("- just\n- a list\n", "expected a mapping"),
        ("other: 1\n", "missing the 'credentials:' mapping"),
        ("credentials:\n  usernames: [a, b]\n", "must be a mapping"),
        ("credentials:\n  usernames:\n    jdoe: 3\n", "user 'jdoe' must be a mapping"),
        ("credentials:\n  usernames:\n    jdoe:\n      roles: [admin]\n", "user 'jdoe' has no password"),
        ("credentials:\n  usernames:\n    jdoe:\n      password: HASH\n", "needs 'roles:'"),
        ("credentials:\n  usernames:\n    jdoe:\n      password: HASH\n      roles: admin\n", "needs 'roles:'"),
        ("credentials:\n  usernames:\n    jdoe:\n      password: HASH\n      roles: [root]\n", "unknown role 'root'"),
        ("credentials:\n  usernames:\n    JDoe:\n      password: HASH\n      roles: [admin]\n", "invalid user name"),
    ],
)
def test_malformed_file_refused(users_file, text, match):
    write_users(users_file, text.replace("HASH", auth.hash_password(PASSWORD)))
    with pytest.raises(auth.UsersFileError, match=match) as err:
        auth.load_users(users_file)
    assert not isinstance(err.value, auth.PlainTextPasswordError)
    assert str(users_file) in str(err.value)
    assert "\n" not in str(err.value)


def test_empty_file_and_empty_usernames_are_empty(users_file):
    write_users(users_file, "")
    assert auth.list_users(users_file) == []
    write_users(users_file, "credentials:\n  usernames:\n")
    assert auth.list_users(users_file) == []
    auth.add_user(users_file, "jdoe", "admin", PASSWORD)
    assert [u.name for u in auth.list_users(users_file)] == ["jdoe"]


def test_other_keys_are_kept_and_the_old_authenticators_leftovers_dropped(users_file):
    auth.add_user(users_file, "jdoe", "admin", PASSWORD, email="j@example.com")
    data = auth.load_users(users_file)
    data["credentials"]["usernames"]["jdoe"].update(logged_in=False, failed_login_attempts=2)
    data["cookie"] = {"name": "x"}
    auth.save_users(users_file, data)
    auth.set_password(users_file, "jdoe", "a brand new passphrase")
    data = auth.load_users(users_file)
    entry = data["credentials"]["usernames"]["jdoe"]
    assert entry["email"] == "j@example.com"
    assert "failed_login_attempts" not in entry and "logged_in" not in entry
    assert data["cookie"] == {"name": "x"}


def test_atomic_save_keeps_old_file_when_write_fails(users_file, monkeypatch):
    auth.add_user(users_file, "jdoe", "admin", PASSWORD)
    before = users_file.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(auth.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        auth.add_user(users_file, "bob", "analyst", PASSWORD)
    assert users_file.read_bytes() == before
    assert sorted(p.name for p in users_file.parent.iterdir()) == ["users.yaml"]  # no temp file left


def test_atomic_save_keeps_old_file_when_serialising_fails(users_file, monkeypatch):
    auth.add_user(users_file, "jdoe", "admin", PASSWORD)
    before = users_file.read_bytes()
    real_fdopen = os.fdopen

    class Broken:
        def __init__(self, fd, *a, **k):
            self.fh = real_fdopen(fd, *a, **k)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, text):
            self.fh.write(text[: len(text) // 2])
            raise OSError("no space left on device")

    monkeypatch.setattr(auth.os, "fdopen", Broken)
    with pytest.raises(OSError):
        auth.add_user(users_file, "bob", "analyst", PASSWORD)
    assert users_file.read_bytes() == before
    assert sorted(p.name for p in users_file.parent.iterdir()) == ["users.yaml"]


def test_save_creates_parent_dir_with_mode_0600(tmp_path):
    target = tmp_path / "a" / "b" / "users.yaml"
    auth.save_users(target, {"credentials": {"usernames": {}}})
    assert mode(target) == 0o600
    assert auth.load_users(target) == {"credentials": {"usernames": {}}}


def test_sessions_end_with_a_new_password_a_revoke_or_a_removal(users_file):
    auth.add_user(users_file, "jdoe", "analyst", PASSWORD)
    nonce = auth.session_nonce(auth.load_users(users_file)["credentials"]["usernames"]["jdoe"])
    assert len(nonce) >= 16
    auth.set_password(users_file, "jdoe", "a brand new passphrase")
    after_password = auth.session_nonce(auth.load_users(users_file)["credentials"]["usernames"]["jdoe"])
    assert after_password != nonce
    assert auth.revoke_sessions(users_file, "jdoe", unless_changed_from=nonce) is False  # a newer one stays
    assert auth.revoke_sessions(users_file, "jdoe", unless_changed_from=after_password) is True
    assert auth.session_nonce(auth.load_users(users_file)["credentials"]["usernames"]["jdoe"]) != after_password
    assert auth.revoke_sessions(users_file, "nobody") is False


def test_set_role(users_file):
    auth.add_user(users_file, "jdoe", "analyst", PASSWORD)
    auth.set_role(users_file, "jdoe", "executive")
    assert auth.get_user(users_file, "jdoe").roles == ("executive",)
    with pytest.raises(auth.UserError):
        auth.set_role(users_file, "jdoe", "root")
    with pytest.raises(auth.UnknownUserError):
        auth.set_role(users_file, "nobody", "admin")


def test_current_users_reads_the_file_again_only_when_it_changed(users_file, monkeypatch):
    auth.add_user(users_file, "jdoe", "analyst", PASSWORD)
    first = auth.current_users(users_file)
    reads, read = [], auth._read
    monkeypatch.setattr(auth, "_read", lambda *args, **kw: reads.append(args) or read(*args, **kw))
    assert auth.current_users(users_file) is first and reads == []
    auth.set_role(users_file, "jdoe", "admin")
    assert auth.current_users(users_file)["credentials"]["usernames"]["jdoe"]["roles"] == ["admin"]
    assert len(reads) == 2  # one by set_role, one by current_users
    users_file.unlink()
    assert auth.current_users(users_file) == {"credentials": {"usernames": {}}}


def test_check_login(users_file):
    auth.add_user(users_file, "jdoe", "analyst", PASSWORD)
    users = auth.load_users(users_file)
    assert auth.check_login(users, "jdoe", PASSWORD)["roles"] == ["analyst"]
    assert auth.check_login(users, "jdoe", PASSWORD + "x") is None
    assert auth.check_login(users, "nobody", PASSWORD) is None


# --------------------------------------------------------------------------- demo users


def test_demo_users_created_once(users_file):
    created = auth.ensure_demo_users(users_file)
    assert list(created) == [f"demo_{r}" for r in roles.ROLES]
    assert all(len(p) >= 12 for p in created.values())
    assert len(set(created.values())) == 5
    data = auth.load_users(users_file)["credentials"]["usernames"]
    for name, password in created.items():
        assert auth.verify_password(password, data[name]["password"])
        assert data[name]["roles"] == [name.removeprefix("demo_")]
        assert password not in users_file.read_text()
    assert auth.ensure_demo_users(users_file) == {}


def test_demo_users_fill_only_missing(users_file):
    auth.add_user(users_file, "demo_admin", "admin", PASSWORD)
    created = auth.ensure_demo_users(users_file)
    assert "demo_admin" not in created and len(created) == 4
    stored = auth.load_users(users_file)["credentials"]["usernames"]["demo_admin"]["password"]
    assert auth.verify_password(PASSWORD, stored)


# --------------------------------------------------------------------------- cookie key


def test_ensure_cookie_key_generates_once(tmp_path):
    secrets_file = tmp_path / ".streamlit" / "secrets.toml"
    key = auth.ensure_cookie_key(secrets_file)
    assert len(key) >= 48
    assert mode(secrets_file) == 0o600
    assert tomllib.loads(secrets_file.read_text())["watchfloor"]["cookie_key"] == key
    assert auth.ensure_cookie_key(secrets_file) == key
    assert sorted(p.name for p in secrets_file.parent.iterdir()) == ["secrets.toml"]


def test_ensure_cookie_key_keeps_other_content(tmp_path):
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('# my secrets\napi_token = "abc"\n\n[watchfloor]\nother = 1 # note\n\n[db]\nurl = "x"\n')
    secrets_file.chmod(0o644)
    key = auth.ensure_cookie_key(secrets_file)
    text = secrets_file.read_text()
    parsed = tomllib.loads(text)
    assert parsed == {"api_token": "abc", "watchfloor": {"other": 1, "cookie_key": key}, "db": {"url": "x"}}
    assert "# my secrets" in text and "# note" in text
    assert mode(secrets_file) == 0o600
    assert auth.ensure_cookie_key(secrets_file) == key


def test_ensure_cookie_key_appends_auth_table(tmp_path):
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('[db]\nurl = "x"')  # no trailing newline
    key = auth.ensure_cookie_key(secrets_file)
    assert tomllib.loads(secrets_file.read_text()) == {"db": {"url": "x"}, "watchfloor": {"cookie_key": key}}


def test_ensure_cookie_key_keeps_existing_key(tmp_path):
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('[watchfloor]\ncookie_key = "mine"\n')
    assert auth.ensure_cookie_key(secrets_file) == "mine"
    assert secrets_file.read_text() == '[watchfloor]\ncookie_key = "mine"\n'


@pytest.mark.parametrize(
    "text,match",
    [
        ("not = = toml\n", "not valid TOML"),
        ('watchfloor = "x"\n', "must be a table"),
        ("[watchfloor]\ncookie_key = 3\n", "non-empty string"),
        ("watchfloor.other = 1\n", "cannot add cookie_key"),
    ],
)
def test_ensure_cookie_key_refuses_bad_secrets(tmp_path, text, match):
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(text)
    with pytest.raises(auth.SecretsFileError, match=match):
        auth.ensure_cookie_key(secrets_file)
    assert secrets_file.read_text() == text


# --------------------------------------------------------------------------- roles table


def test_roles_and_labels():
    assert roles.ROLES == ("admin", "ops_lead", "executive", "analyst", "vendor_manager")
    assert set(roles.ROLE_LABELS) == set(roles.ROLES)
    assert roles.label("ops_lead") == "Operations lead" and roles.label("x") == "x"
    assert set(roles.ACCESS) == set(roles.ROLES)
    for keys in roles.ACCESS.values():
        assert keys <= set(roles.PAGE_KEYS)


def test_pages_table():
    assert roles.PAGE_KEYS == (
        "home", "queue_health", "sla", "capacity", "alerts", "trends", "automation", "vendors", "quality",
        "incidents", "executive", "case", "audit",
    )
    home = roles.page("home")
    assert home == roles.PageSpec(
        "home", "Home", "Overview", ":material/home:", "app_pages/home.py", scope=True,
        no_date_range="Home shows the last 24 hours against a week earlier: the date range does not apply.")
    # The sidebar filters each page uses (docs/architecture.md): a page without the date range says why.
    assert {p.key for p in roles.PAGES if p.date_range} == {"sla", "trends", "automation", "vendors", "quality",
                                                            "incidents"}
    assert {p.key for p in roles.PAGES if p.scope} == {"home", "queue_health", "sla", "trends", "automation",
                                                       "vendors", "quality", "executive", "capacity"}
    assert {p.key for p in roles.PAGES if p.no_date_range} == {p.key for p in roles.PAGES if p.scope and not p.date_range}
    for p in roles.PAGES:
        assert p.icon.startswith(":material/") and p.icon.endswith(":")
        assert p.path == f"app_pages/{p.key}.py"
    assert roles.page("trends").title == "Trends & spikes"
    assert roles.page("executive").group == "Leadership"
    with pytest.raises(KeyError, match="unknown page"):
        roles.page("nope")


def test_every_declared_page_exists_and_every_page_file_is_declared():
    """The navigation registers every page of the table: a declared page without its file would break the
    app for everyone, so it fails here instead of being left out of the menu."""
    declared = {p.path for p in roles.PAGES}
    assert all((ROOT / path).is_file() for path in declared)
    assert {f"app_pages/{f.name}" for f in (ROOT / "app_pages").glob("*.py") if f.name != "__init__.py"} == declared


def test_every_role_sees_home_and_admin_sees_all():
    for role in roles.ROLES:
        assert roles.can_view(role, "home")
        assert roles.pages_for(role)[0].key == "home"
    assert [p.key for p in roles.pages_for("admin")] == list(roles.PAGE_KEYS)


@pytest.mark.parametrize(
    "role,keys",
    [
        ("ops_lead", ["home", "queue_health", "sla", "capacity", "alerts", "trends", "automation", "incidents", "case"]),
        ("executive", ["home", "sla", "alerts", "incidents", "executive"]),
        ("analyst", ["home", "alerts", "trends", "automation", "quality", "incidents", "case"]),
        ("vendor_manager", ["home", "sla", "capacity", "alerts", "vendors", "quality"]),
    ],
)
def test_pages_for_role_in_navigation_order(role, keys):
    assert [p.key for p in roles.pages_for(role)] == keys


def test_can_view_rules():
    assert not roles.can_view("executive", "queue_health")
    assert not roles.can_view("analyst", "admin")
    assert not roles.can_view("ops_lead", "audit")
    assert roles.can_view("admin", "audit")
    assert not roles.can_view("admin", "nope")


def test_unknown_role_sees_nothing():
    for role in ("root", "", None, [], ["root"]):
        assert roles.pages_for(role) == []
        assert not roles.can_view(role, "home")
        assert not roles.can_reveal(role)


def test_roles_list_from_session_state_is_union():
    keys = {p.key for p in roles.pages_for(["executive", "vendor_manager"])}
    assert keys == {"home", "executive", "incidents", "sla", "capacity", "vendors", "quality", "alerts"}
    assert roles.can_view(["root", "executive"], "executive")
    assert roles.can_reveal(["executive", "analyst"])


def test_can_reveal_rules():
    assert {r for r in roles.ROLES if roles.can_reveal(r)} == {"admin", "analyst", "ops_lead"}
    assert not roles.can_reveal("executive") and not roles.can_reveal("vendor_manager")


def test_who_acts_on_alerts_and_edits_their_rules():
    assert {r for r in roles.ROLES if roles.can_view(r, "alerts")} == set(roles.ROLES)
    assert {r for r in roles.ROLES if roles.can_act_on_alerts(r)} == {"admin", "ops_lead", "analyst", "vendor_manager"}
    assert {r for r in roles.ROLES if roles.can_edit_alert_rules(r)} == {"admin", "ops_lead"}
    assert roles.can_edit_alert_rules(["executive", "ops_lead"]) and not roles.can_act_on_alerts(["executive", "root"])


def test_pages_by_group():
    groups = roles.pages_by_group("admin")
    assert list(groups) == [
        "Overview", "Operations", "Analysis", "Vendors & quality", "Leadership", "Investigation", "Administration",
    ]
    assert [p.key for p in groups["Leadership"]] == ["incidents", "executive"]
    assert list(roles.pages_by_group("executive")) == ["Overview", "Operations", "Leadership"]


def test_core_does_not_import_streamlit():
    code = (
        "import sys, watchfloor.auth, watchfloor.roles, watchfloor.cli.users; "
        "sys.exit('streamlit' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    assert subprocess.run([sys.executable, "-c", code], env=env, cwd=root).returncode == 0
