"""What Watchfloor writes is for its owner only: the warehouse (the clear text the dashboard blurs),
the users file, the secrets file, the audit log and its head are created 0600, the audit key 0400,
whatever the umask the command started with."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from watchfloor import audit, auth
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.writer import seed
from watchfloor.warehouse import init_warehouse

APP_ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)  # what most systems start a process with: files 0644
    yield
    os.umask(old)


def test_a_new_warehouse_is_0600(tmp_path, loose_umask):
    init_warehouse(tmp_path / "w.duckdb")
    assert mode(tmp_path / "w.duckdb") == 0o600


def test_a_seeded_warehouse_is_0600(tmp_path, loose_umask):
    seed(tmp_path / "demo.duckdb", SimConfig(days=1, cases_per_day=50, seed=3, end=datetime(2026, 11, 18)),
         progress=False)
    assert mode(tmp_path / "demo.duckdb") == 0o600


def test_an_existing_warehouse_keeps_the_mode_its_operator_gave_it(tmp_path, loose_umask):
    path = tmp_path / "shared.duckdb"
    init_warehouse(path)
    os.chmod(path, 0o640)  # read by a group, documented in docs/security.md
    init_warehouse(path)
    assert mode(path) == 0o640


def test_users_secrets_audit_log_head_and_key(tmp_path, loose_umask):
    auth.add_user(tmp_path / "users.yaml", "jdoe", "admin", "correct horse battery")
    auth.ensure_cookie_key(tmp_path / "secrets.toml")
    key = tmp_path / "keys" / "audit.key"
    audit.create_key(key)
    log = audit.AuditLog(tmp_path / "audit.jsonl", key_file=key, head_file=tmp_path / "head.json")
    log.append(user="jdoe", role="admin", action=audit.LOGIN)
    assert {name: mode(tmp_path / name) for name in ("users.yaml", "secrets.toml", "audit.jsonl", "head.json")} == \
        dict.fromkeys(("users.yaml", "secrets.toml", "audit.jsonl", "head.json"), 0o600)
    assert mode(key) == 0o400 and mode(key.parent) == 0o700


def test_the_command_creates_private_files_from_a_loose_umask(tmp_path):
    code = "import os, sys; os.umask(0o022); from watchfloor.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHFLOOR_")}
    result = subprocess.run([sys.executable, "-c", code, "init", "--warehouse", str(tmp_path / "data" / "w.duckdb")],
                            cwd=APP_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert mode(tmp_path / "data" / "w.duckdb") == 0o600 and mode(tmp_path / "data") == 0o700
