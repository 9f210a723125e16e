"""`watchfloor users` through watchfloor.cli.main([...])."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import watchfloor.cli as cli
from watchfloor import auth

PASSWORD = "correct horse battery"


class FakeStdin(io.StringIO):
    def __init__(self, text: str = "", tty: bool = False) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.fixture(autouse=True)
def setup(monkeypatch, tmp_path):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    # only the modules these tests need: other sub-commands may not exist yet
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("users",))
    monkeypatch.setenv("WATCHFLOOR_USERS_FILE", str(tmp_path / "users.yaml"))
    monkeypatch.setattr("sys.stdin", FakeStdin(""))


@pytest.fixture
def users_file(tmp_path) -> Path:
    return tmp_path / "users.yaml"


def run(capsys, monkeypatch, args, stdin=None, tty=False):
    if stdin is not None or tty:
        monkeypatch.setattr("sys.stdin", FakeStdin(stdin or "", tty=tty))
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def add(capsys, monkeypatch, name="jdoe", role="ops_lead", *extra):
    return run(capsys, monkeypatch, ["users", "add", name, "--role", role, "--password-stdin", *extra],
               stdin=PASSWORD + "\n")


def assert_one_line_error(code, out, err, fragment):
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("watchfloor users: error: ")
    assert fragment in err


def test_add_list_set_password_remove(capsys, monkeypatch, users_file):
    code, out, err = add(capsys, monkeypatch, "jdoe", "ops_lead", "--name", "Jane Doe")
    assert (code, err) == (0, "")
    assert "added user jdoe" in out
    stored = auth.load_users(users_file)["credentials"]["usernames"]["jdoe"]
    assert auth.verify_password(PASSWORD, stored["password"])
    assert stored["name"] == "Jane Doe" and stored["roles"] == ["ops_lead"]
    assert PASSWORD not in users_file.read_text()

    code, out, err = run(capsys, monkeypatch, ["users", "list"])
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "DISPLAY", "NAME", "ROLES"]
    assert lines[2].split() == ["jdoe", "Jane", "Doe", "ops_lead"]
    assert "$2b$" not in out

    code, out, err = run(capsys, monkeypatch, ["users", "set-password", "jdoe", "--password-stdin"],
                         stdin="a brand new passphrase\r\n")
    assert code == 0 and "password of jdoe updated" in out
    stored = auth.load_users(users_file)["credentials"]["usernames"]["jdoe"]
    assert auth.verify_password("a brand new passphrase", stored["password"])

    code, out, err = run(capsys, monkeypatch, ["users", "remove", "jdoe"])
    assert code == 0 and "removed user jdoe" in out
    assert auth.list_users(users_file) == []
    code, out, err = run(capsys, monkeypatch, ["users", "list"])
    assert code == 0 and "no users" in out


def test_users_file_option_before_or_after_action(capsys, monkeypatch, tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    run(capsys, monkeypatch, ["users", "--users-file", str(a), "add", "ann", "--role", "admin", "--password-stdin"],
        stdin=PASSWORD + "\n")
    run(capsys, monkeypatch, ["users", "add", "bob", "--role", "admin", "--password-stdin", "--users-file", str(b)],
        stdin=PASSWORD + "\n")
    assert [u.name for u in auth.list_users(a)] == ["ann"]
    assert [u.name for u in auth.list_users(b)] == ["bob"]
    assert not (tmp_path / "users.yaml").exists()


def test_prompts_twice_on_a_terminal(capsys, monkeypatch, users_file):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, out, err = run(capsys, monkeypatch, ["users", "add", "jdoe", "--role", "analyst"], tty=True)
    assert code == 0, err
    assert [u.name for u in auth.list_users(users_file)] == ["jdoe"]


def test_prompt_mismatch_refused(capsys, monkeypatch, users_file):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, out, err = run(capsys, monkeypatch, ["users", "add", "jdoe", "--role", "analyst"], tty=True)
    assert_one_line_error(code, out, err, "do not match")
    assert not users_file.exists()


def test_weak_password_refused_before_confirmation(capsys, monkeypatch, users_file):
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": prompts.append(prompt) or "short")
    code, out, err = run(capsys, monkeypatch, ["users", "add", "jdoe", "--role", "analyst"], tty=True)
    assert_one_line_error(code, out, err, "at least 12 characters")
    assert len(prompts) == 1


def test_no_tty_without_password_stdin(capsys, monkeypatch, users_file):
    code, out, err = run(capsys, monkeypatch, ["users", "add", "jdoe", "--role", "analyst"], stdin=PASSWORD + "\n")
    assert_one_line_error(code, out, err, "--password-stdin")
    code, out, err = run(capsys, monkeypatch, ["users", "set-password", "jdoe"])
    assert_one_line_error(code, out, err, "no user 'jdoe'")  # unknown user reported before the password
    assert not users_file.exists()


@pytest.mark.parametrize(
    "args,stdin,fragment",
    [
        (["users", "add", "jdoe", "--role", "root", "--password-stdin"], PASSWORD, "unknown role 'root'"),
        (["users", "add", "JDoe", "--role", "admin", "--password-stdin"], PASSWORD, "invalid user name"),
        (["users", "add", "jdoe", "--role", "admin", "--password-stdin"], "short\n", "at least 12 characters"),
        (["users", "add", "jdoe", "--role", "admin", "--password-stdin"], "", "no password on standard input"),
        (["users", "remove", "ghost"], None, "no user 'ghost'"),
        (["users", "set-password", "ghost", "--password-stdin"], PASSWORD, "no user 'ghost'"),
    ],
)
def test_errors_are_one_line_exit_2(capsys, monkeypatch, users_file, args, stdin, fragment):
    code, out, err = run(capsys, monkeypatch, args, stdin=stdin)
    assert_one_line_error(code, out, err, fragment)
    assert not users_file.exists()


def test_duplicate_user_refused(capsys, monkeypatch, users_file):
    add(capsys, monkeypatch, "jdoe", "admin")
    before = users_file.read_bytes()
    code, out, err = add(capsys, monkeypatch, "jdoe", "analyst")
    assert_one_line_error(code, out, err, "already exists")
    assert users_file.read_bytes() == before


def test_malformed_users_file(capsys, monkeypatch, users_file):
    users_file.write_text("credentials: [unclosed\n")
    for args in (["users", "list"], ["users", "demo"], ["users", "remove", "x"]):
        code, out, err = run(capsys, monkeypatch, args)
        assert_one_line_error(code, out, err, "not valid YAML")
        assert str(users_file) in err
    assert users_file.read_text() == "credentials: [unclosed\n"


def test_plain_text_password_message_and_repair(capsys, monkeypatch, users_file):
    users_file.write_text("credentials:\n  usernames:\n    jdoe:\n      password: hunter2hunter2\n      roles: [admin]\n")
    code, out, err = run(capsys, monkeypatch, ["users", "list"])
    assert_one_line_error(code, out, err, "run `watchfloor users set-password jdoe`")
    code, out, err = run(capsys, monkeypatch, ["users", "set-password", "jdoe", "--password-stdin"],
                         stdin=PASSWORD + "\n")
    assert code == 0, err
    code, out, err = run(capsys, monkeypatch, ["users", "list"])
    assert code == 0 and "jdoe" in out


def test_demo_prints_passwords_once(capsys, monkeypatch, users_file):
    code, out, err = run(capsys, monkeypatch, ["users", "demo"])
    assert code == 0 and err == ""
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("demo_")}
    assert set(rows) == {"demo_admin", "demo_ops_lead", "demo_executive", "demo_analyst", "demo_vendor_manager"}
    assert rows["demo_vendor_manager"][1] == "vendor_manager"
    assert "will not be shown again" in out
    stored = auth.load_users(users_file)["credentials"]["usernames"]
    for name, (_, role, password) in rows.items():
        assert auth.verify_password(password, stored[name]["password"])
        assert stored[name]["roles"] == [role]

    code, out, err = run(capsys, monkeypatch, ["users", "demo"])
    assert code == 0 and "demo users already exist" in out
    assert "PASSWORD" not in out


def test_help_for_each_action(capsys, monkeypatch):
    for action in ("add", "list", "remove", "set-password", "demo"):
        with pytest.raises(SystemExit) as exc:
            cli.main(["users", action, "--help"])
        assert exc.value.code == 0
        out = capsys.readouterr().out
        assert f"usage: watchfloor users {action}" in out and "--users-file" in out
        assert len(out.split("\n\n")) >= 3  # usage, description, options


def test_missing_action_and_missing_role_are_usage_errors(capsys, monkeypatch):
    for args in (["users"], ["users", "add", "jdoe"]):
        with pytest.raises(SystemExit) as exc:
            cli.main(args)
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
