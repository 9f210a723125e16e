"""The project's source files the source-reading tests look through."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("watchfloor", "queries", "components", "app_pages")
NOT_SERVED = ("watchfloor/simulator/",)


def serving_files() -> list[Path]:
    """Every module the dashboard's server runs (the simulator is not served)."""
    files = [ROOT / "Home.py"]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return [f for f in files if not any(f.relative_to(ROOT).as_posix().startswith(p) for p in NOT_SERVED)]
