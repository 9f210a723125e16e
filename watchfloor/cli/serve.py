"""watchfloor serve: start the dashboard headless, without usage statistics."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from watchfloor.config import load_settings

APP_ROOT = Path(__file__).resolve().parent.parent.parent
ENTRY_POINT = APP_ROOT / "Home.py"


def register(subparsers) -> None:
    from watchfloor.cli import add_warehouse_option

    parser = subparsers.add_parser(
        "serve",
        help="start the dashboard",
        description="Start the Watchfloor dashboard (headless, no usage statistics) and print its address.",
    )
    parser.add_argument("--port", type=int, default=8501, help="port to listen on (default: 8501)")
    parser.add_argument("--address", default="localhost", help="address to bind (default: localhost)")
    add_warehouse_option(parser)
    parser.set_defaults(func=run)


def streamlit_command(port: int, address: str) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(ENTRY_POINT),
        "--server.port", str(port),
        "--server.address", address,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]


def run(args) -> int:
    from watchfloor.cli import UsageError

    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    if not ENTRY_POINT.is_file():
        raise UsageError(f"cannot find the dashboard entry point at {ENTRY_POINT}")
    # The app runs from its own folder; relative paths are meant from where serve was called.
    settings = load_settings(args.warehouse)
    env = dict(os.environ)
    env["WATCHFLOOR_WAREHOUSE"] = settings.warehouse if settings.warehouse_is_url else str(Path(settings.warehouse).resolve())
    env["WATCHFLOOR_USERS_FILE"] = str(settings.users_file.resolve())
    env["WATCHFLOOR_SECRETS_FILE"] = str(settings.secrets_file.resolve())
    env["WATCHFLOOR_AUDIT_LOG"] = str(settings.audit_log.resolve())
    print(f"Watchfloor is starting at http://{args.address}:{args.port}  (Ctrl+C stops it)", flush=True)
    try:
        return subprocess.call(streamlit_command(args.port, args.address), env=env, cwd=APP_ROOT)
    except KeyboardInterrupt:
        return 0
