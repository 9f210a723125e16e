"""Settings are read once per environment (watchfloor.config.load_settings is asked on every run)."""

from __future__ import annotations

import ast
from pathlib import Path

from watchfloor import config


def test_every_variable_the_settings_read_is_watched():
    source = Path(config.__file__).read_text(encoding="utf-8")
    read = {node.value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value.startswith("WATCHFLOOR_") and node.value.isupper()}
    assert read == set(config.VARIABLES)


def test_a_changed_variable_is_read_again(monkeypatch, tmp_path):
    monkeypatch.setenv("WATCHFLOOR_CACHE_TTL_SECONDS", "60")
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", str(tmp_path / "a.duckdb"))
    first = config.load_settings()
    assert config.load_settings() is first  # the same environment: not read again
    monkeypatch.setenv("WATCHFLOOR_CACHE_TTL_SECONDS", "5")
    assert config.load_settings().cache_ttl_seconds == 5
    monkeypatch.delenv("WATCHFLOOR_CACHE_TTL_SECONDS")
    assert config.load_settings().cache_ttl_seconds == 60  # the default
    assert config.load_settings(str(tmp_path / "b.duckdb")).warehouse == str(tmp_path / "b.duckdb")
    assert config.load_settings().warehouse == str(tmp_path / "a.duckdb")


def test_a_bad_value_is_refused_every_time(monkeypatch):
    monkeypatch.setenv("WATCHFLOOR_FRESHNESS_AMBER_MINUTES", "30")
    monkeypatch.setenv("WATCHFLOOR_FRESHNESS_RED_MINUTES", "10")
    for _ in range(2):  # an error is not remembered as settings
        try:
            config.load_settings()
        except config.ConfigError as exc:
            assert "RED_MINUTES" in str(exc)
        else:
            raise AssertionError("red below amber was accepted")
