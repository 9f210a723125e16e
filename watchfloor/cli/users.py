"""watchfloor users: manage dashboard logins in the users file (bcrypt hashes only)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from watchfloor import auth, time_zone
from watchfloor.cli.options import UsageError
from watchfloor.config import load_settings
from watchfloor.roles import ROLES, role_label

_USERS_FILE_HELP = "users file (default: $WATCHFLOOR_USERS_FILE or data/users.yaml)"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "users",
        help="manage dashboard users and their roles",
        description=(
            "Manage who can log in to the dashboard. Users live in a git-ignored YAML file "
            "that holds bcrypt password hashes only; each user has one role "
            f"({', '.join(ROLES)}) that decides which pages they see."
        ),
    )
    _add_users_file_option(parser)
    sub = parser.add_subparsers(dest="users_command", metavar="ACTION", parser_class=type(parser))
    sub.required = True

    add = sub.add_parser(
        "add",
        help="add a user with a role",
        description=(
            "Add a user with a role. The password is asked twice on the terminal, or read "
            "from one line of standard input with --password-stdin; it needs at least "
            f"{auth.MIN_PASSWORD_LENGTH} characters."
        ),
    )
    add.add_argument("name", metavar="NAME", help="login name: 2-32 of a-z 0-9 _ . - (starting with a letter or digit)")
    add.add_argument("--role", required=True, metavar="ROLE", help=f"one of: {', '.join(ROLES)}")
    add.add_argument("--name", dest="display_name", metavar="DISPLAY", help="display name (default: the login name)")
    add.add_argument("--email", metavar="EMAIL", help="e-mail address (optional)")
    _add_password_stdin_option(add)
    _add_users_file_option(add)
    add.set_defaults(func=run_add)

    lst = sub.add_parser(
        "list",
        help="list users and their roles",
        description="List the users with display name and roles. Password hashes are never shown.",
    )
    _add_users_file_option(lst)
    lst.set_defaults(func=run_list)

    _one_user_action(sub, "remove", run_remove, help="remove a user",
                     description="Remove a user: they can no longer sign in, and a session they have open ends at "
                                 "their next click.")

    sp = _one_user_action(
        sub, "set-password", run_set_password, help="set a new password for a user",
        description=(
            "Set a new password for a user (also replaces a plain-text password found in the "
            "users file with a hash) and end every session the user has open. The password is asked "
            "twice on the terminal, or read from one line of standard input with --password-stdin."
        ),
    )
    _add_password_stdin_option(sp)

    role = _one_user_action(sub, "set-role", run_set_role, help="give a user another role",
                            description="Give a user one role instead of the ones they have; a session they have "
                                        "open follows at their next click.")
    role.add_argument("--role", required=True, metavar="ROLE", help=f"one of: {', '.join(ROLES)}")

    zone = _one_user_action(sub, "set-timezone", run_set_timezone,
                            help="choose the time zone a user's pages show times in",
                            description="Show a user's times in an IANA time zone (e.g. Europe/Berlin) instead of "
                                        "UTC; 'UTC' goes back to the default. Stored data and exports stay UTC. "
                                        "Applies at their next click.")
    zone.add_argument("zone", metavar="ZONE", help="an IANA time zone name, or UTC")

    _one_user_action(sub, "revoke", run_revoke, help="end every session of a user now",
                     description="End every session and session cookie of a user (a lost laptop, a copied "
                                 "cookie): they must sign in again.")

    demo = sub.add_parser(
        "demo",
        help="create one demo user per role",
        description=(
            "Create the demo users demo_admin, demo_ops_lead, demo_executive, demo_analyst and "
            "demo_vendor_manager where missing, with random passwords printed once. Existing "
            "users are left alone."
        ),
    )
    _add_users_file_option(demo)
    demo.set_defaults(func=run_demo)


def _one_user_action(sub, action: str, func, *, help: str, description: str) -> argparse.ArgumentParser:
    """A `users ACTION NAME` sub-command with the users-file option; returns its parser for any
    options of its own."""
    parser = sub.add_parser(action, help=help, description=description)
    parser.add_argument("name", metavar="NAME", help="login name")
    _add_users_file_option(parser)
    parser.set_defaults(func=func)
    return parser


def _add_users_file_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS on both levels: `users --users-file F add` and `users add --users-file F` both work
    parser.add_argument("--users-file", metavar="PATH", default=argparse.SUPPRESS, help=_USERS_FILE_HELP)


def _add_password_stdin_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from one line of standard input (for scripts)",
    )


def _users_file(args) -> Path:
    explicit = getattr(args, "users_file", None)
    return Path(explicit) if explicit else load_settings().users_file


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _guard(fn):
    """Turn auth errors into UsageError (one line on stderr, exit 2)."""

    def wrapper(args) -> int:
        try:
            return fn(args)
        except (auth.AuthError, time_zone.TimeZoneError) as exc:
            raise UsageError(_one_line(exc)) from exc

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _read_password(args) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise UsageError("no password on standard input (--password-stdin reads one line)")
        auth.check_password_strength(password)
        return password
    if not sys.stdin.isatty():
        raise UsageError("standard input is not a terminal; pipe the password in with --password-stdin")
    try:
        first = getpass.getpass("New password: ")
        auth.check_password_strength(first)
        second = getpass.getpass("Repeat password: ")
    except EOFError:
        raise UsageError("no password entered") from None
    if first != second:
        raise UsageError("the passwords do not match; nothing was changed")
    return first


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in (headers, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@_guard
def run_add(args) -> int:
    path = _users_file(args)
    auth.validate_username(args.name)
    auth.validate_role(args.role)
    if any(u.name == args.name for u in auth.list_users(path)):  # refuse before asking for a password
        raise UsageError(f"user {args.name!r} already exists in {path}")
    password = _read_password(args)
    info = auth.add_user(path, args.name, args.role, password, args.display_name, email=args.email)
    print(f"added user {info.name} ({role_label(args.role)}) to {path}")
    return 0


@_guard
def run_list(args) -> int:
    path = _users_file(args)
    users = auth.list_users(path)
    if not users:
        print(f"no users in {path}; add one with `watchfloor users add NAME --role ROLE` or `watchfloor users demo`")
        return 0
    rows = [(u.name, u.display_name, ", ".join(u.roles)) for u in users]
    print(_table(("NAME", "DISPLAY NAME", "ROLES"), rows))
    return 0


@_guard
def run_remove(args) -> int:
    path = _users_file(args)
    auth.remove_user(path, args.name)
    print(f"removed user {args.name} from {path}")
    return 0


@_guard
def run_set_password(args) -> int:
    path = _users_file(args)
    auth.get_user(path, args.name)  # unknown user: fail before asking for a password
    password = _read_password(args)
    auth.set_password(path, args.name, password)
    print(f"password of {args.name} updated in {path}")
    return 0


@_guard
def run_set_role(args) -> int:
    path = _users_file(args)
    auth.set_role(path, args.name, args.role)
    print(f"{args.name} is now {role_label(args.role)} in {path}")
    return 0


@_guard
def run_set_timezone(args) -> int:
    path = _users_file(args)
    chosen = auth.set_time_zone(path, args.name, args.zone)
    print(f"{args.name} sees times in {chosen} (stored data and exports stay UTC)")
    return 0


@_guard
def run_revoke(args) -> int:
    path = _users_file(args)
    auth.get_user(path, args.name)  # unknown user: say so
    auth.revoke_sessions(path, args.name)
    print(f"every session of {args.name} has ended")
    return 0


@_guard
def run_demo(args) -> int:
    path = _users_file(args)
    created = auth.ensure_demo_users(path)
    if not created:
        print(f"demo users already exist in {path}")
        return 0
    role_of = {auth.demo_username(r): r for r in ROLES}
    rows = [(name, role_of[name], password) for name, password in created.items()]
    print(_table(("NAME", "ROLE", "PASSWORD"), rows))
    print(f"\ncreated {len(created)} demo user(s) in {path}. Note the passwords now: they will not be shown again")
    print("(set a new one with `watchfloor users set-password NAME`).")
    return 0
