"""watchfloor audit: check the audit log, and create the key that signs it."""

from __future__ import annotations

import sys
from pathlib import Path

from watchfloor import audit
from watchfloor.cli.options import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, add_warehouse_option
from watchfloor.config import audit_head_path, load_settings
from watchfloor.formatting import count_of

_LOG_HELP = ("audit log file (default: $WATCHFLOOR_AUDIT_LOG, else audit.jsonl beside the warehouse, "
             "data/audit.jsonl for the demo)")
_KEY_HELP = "audit key file (default: $WATCHFLOOR_AUDIT_KEY_FILE, else .streamlit/audit.key)"
_HEAD_HELP = ("the log's head file (default: $WATCHFLOOR_AUDIT_HEAD_FILE, else a file beside the secrets file "
              "named after the log)")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="check the audit log of case views, reveals and sign-ins",
        description="The audit log records every case view, every reveal of case content and every sign-in. "
                    "Entries are chained by HMACs under a key kept apart from the log, and the newest entry "
                    "is recorded in a head file apart from it too, so a changed, removed, reordered or "
                    "cut-off entry shows. docs/security.md explains what this does and does not protect.",
    )
    sub = parser.add_subparsers(dest="audit_command", metavar="ACTION", parser_class=type(parser))
    sub.required = True
    verify = sub.add_parser(
        "verify",
        help="check the audit log's chain, signatures and head",
        description="Check every entry of the audit log against its HMAC and the entry before it, and the end "
                    "of the log against its head. Reads the audit key (run it as a user who may read the key). "
                    "Prints the number of entries and the newest hash; names every problem found. Exit code 1 "
                    "if anything is wrong, 2 if the log or the key cannot be read.",
    )
    verify.add_argument("--log", metavar="PATH", help=_LOG_HELP)
    verify.add_argument("--key", metavar="PATH", help=_KEY_HELP)
    verify.add_argument("--head", metavar="PATH", help=_HEAD_HELP)
    add_warehouse_option(verify)
    verify.set_defaults(func=run_verify)
    init_key = sub.add_parser(
        "init-key",
        help="create the audit key (once)",
        description="Create the random key that signs the audit log's entries, read-only (mode 0400), unless "
                    "one exists: a new key would make every entry signed with the old one fail the check. "
                    "Create it as the user who should own it; the dashboard only needs to read it "
                    "(docs/security.md).",
    )
    init_key.add_argument("--key", metavar="PATH", help=_KEY_HELP)
    init_key.set_defaults(func=run_init_key)


def run_verify(args) -> int:
    settings = load_settings(args.warehouse)
    path = Path(args.log) if args.log else settings.audit_log
    key_file = Path(args.key) if args.key else settings.audit_key_file
    head_file = Path(args.head) if args.head else audit_head_path(path)
    log = audit.AuditLog(path, key_file=key_file, head_file=head_file)
    try:
        result = log.verify()
    except audit.AuditError as exc:
        print(f"watchfloor audit verify: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if result.intact and result.entries == 0:
        print(f"No audit log at {path} yet: nothing has been recorded." if not path.exists()
              else f"The audit log {path} is empty and its head agrees.")
        return EXIT_OK
    for note in result.notes:
        print(f"note: {note}")
    if result.intact:
        print(f"The audit log {path} is intact: {count_of(result.entries, 'entry', 'entries')}, "
              f"newest hash {result.head} (head file {head_file}).")
        return EXIT_OK
    print(f"The audit log {path} has been tampered with ({count_of(len(result.problems), 'problem')}):",
          file=sys.stderr)
    for problem in result.problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_FAILURE


def run_init_key(args) -> int:
    key_file = Path(args.key) if args.key else load_settings().audit_key_file
    try:
        created = audit.create_key(key_file)
    except OSError as exc:
        raise UsageError(f"cannot create the audit key {key_file}: {exc.strerror or exc}") from None
    if created:
        print(f"created the audit key {key_file} (mode 0400); keep a copy with your backups, apart from the log")
    else:
        print(f"the audit key {key_file} exists already; left as it is")
    return 0
