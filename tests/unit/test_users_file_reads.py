"""The users file is read on every page run: a parsed copy is reused until the file changes."""

from __future__ import annotations

from watchfloor import auth


def test_the_users_file_is_parsed_once_and_read_again_when_it_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    path = tmp_path / "users.yaml"
    auth.add_user(path, "alice", "analyst", "correct horse battery")
    parses = []
    real = auth.yaml.load
    monkeypatch.setattr(auth.yaml, "load", lambda *a, **k: parses.append(1) or real(*a, **k))

    first = auth.load_users(path)
    assert list(first["credentials"]["usernames"]) == ["alice"] and len(parses) == 1
    first["credentials"]["usernames"].clear()  # a caller changing what it got changes nothing stored
    again = auth.load_users(path)
    assert list(again["credentials"]["usernames"]) == ["alice"] and len(parses) == 1

    auth.add_user(path, "bob", "ops_lead", "another long password")  # rewrites the file
    after = auth.load_users(path)
    assert sorted(after["credentials"]["usernames"]) == ["alice", "bob"]
    assert after["credentials"]["usernames"]["bob"]["roles"] == ["ops_lead"]
