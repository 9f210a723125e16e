"""watchfloor audit: check that nobody changed or removed an entry of the audit log."""

from __future__ import annotations

import sys
from pathlib import Path

from watchfloor.audit import AuditError, AuditLog
from watchfloor.config import load_settings
from watchfloor.labels import count_of

_LOG_HELP = ("audit log file (default: $WATCHFLOOR_AUDIT_LOG, else audit.jsonl beside the warehouse, "
             "data/audit.jsonl for the demo)")


def register(subparsers) -> None:
    from watchfloor.cli import add_warehouse_option

    parser = subparsers.add_parser(
        "audit",
        help="check the audit log of case views and reveals",
        description="The audit log records every case view and every reveal of case content. "
                    "Entries are chained by hashes, so a changed, removed or reordered entry shows.",
    )
    sub = parser.add_subparsers(dest="audit_command", metavar="ACTION", parser_class=type(parser))
    sub.required = True
    verify = sub.add_parser(
        "verify",
        help="check the hash chain of the audit log",
        description="Check every entry of the audit log against its hash and the entry before it. "
                    "Prints the number of entries and the newest hash (keep it elsewhere: a later check "
                    "that finds it again shows that no entry was cut off the end). Exit code 1 if the "
                    "chain is broken.",
    )
    verify.add_argument("--log", metavar="PATH", help=_LOG_HELP)
    add_warehouse_option(verify)
    verify.set_defaults(func=run_verify)


def run_verify(args) -> int:
    from watchfloor.cli import EXIT_FAILURE, EXIT_OK

    path = Path(args.log) if args.log else load_settings(args.warehouse).audit_log
    if not path.exists():
        print(f"No audit log at {path} yet: nothing has been viewed.")
        return EXIT_OK
    try:
        result = AuditLog(path).verify()
    except AuditError as exc:
        print(f"watchfloor audit verify: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    if result.intact:
        print(f"The audit log {path} is intact: {count_of(result.entries, 'entry', 'entries')}, newest hash {result.head}.")
        return EXIT_OK
    print(f"The audit log {path} has been tampered with ({len(result.problems)} problem(s)):", file=sys.stderr)
    for problem in result.problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_FAILURE
