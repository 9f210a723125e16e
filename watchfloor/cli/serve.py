"""watchfloor serve: start the dashboard headless, without usage statistics."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from watchfloor import audit
from watchfloor.cli.options import UsageError, add_warehouse_option
from watchfloor.config import load_settings

APP_ROOT = Path(__file__).resolve().parent.parent.parent
ENTRY_POINT = APP_ROOT / "Home.py"
SERVER = APP_ROOT / "asgi.py"  # Home.py served with Watchfloor's session route and closed endpoints


def register(subparsers) -> None:
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
        sys.executable, "-m", "streamlit", "run", str(SERVER),
        "--server.port", str(port),
        "--server.address", address,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]


def run(args) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    if not ENTRY_POINT.is_file() or not SERVER.is_file():
        raise UsageError(f"cannot find the dashboard entry point at {ENTRY_POINT}")
    # The app runs from its own folder; relative paths are meant from where serve was called.
    settings = load_settings(args.warehouse)
    env = dict(os.environ)
    env["WATCHFLOOR_WAREHOUSE"] = settings.warehouse if settings.warehouse_is_url else str(Path(settings.warehouse).resolve())
    env["WATCHFLOOR_USERS_FILE"] = str(settings.users_file.resolve())
    env["WATCHFLOOR_SECRETS_FILE"] = str(settings.secrets_file.resolve())
    env["WATCHFLOOR_AUDIT_LOG"] = str(settings.audit_log.resolve())
    env["WATCHFLOOR_AUDIT_KEY_FILE"] = str(settings.audit_key_file.resolve())
    env["WATCHFLOOR_AUDIT_HEAD_FILE"] = str(settings.audit_head_file.resolve())
    # The dashboard only reads the audit key: it is made here, before the dashboard starts, if the
    # operator has not made one with `watchfloor audit init-key`.
    try:
        if audit.create_key(settings.audit_key_file):
            print(f"Created the audit key {settings.audit_key_file} (mode 0400; see docs/security.md).", flush=True)
    except OSError as exc:
        raise UsageError(f"cannot create the audit key {settings.audit_key_file}: {exc.strerror or exc}") from None
    print(f"Watchfloor is starting at http://{args.address}:{args.port}  (Ctrl+C stops it)", flush=True)
    try:
        return subprocess.call(streamlit_command(args.port, args.address), env=env, cwd=APP_ROOT)
    except KeyboardInterrupt:
        return 0
