"""watchfloor alerts: the alert worker, a check of the rules and channels, and digests on demand."""

from __future__ import annotations

import argparse
import signal
import sys
from dataclasses import replace
from pathlib import Path

from watchfloor.cli.options import EXIT_FAILURE, EXIT_OK, UsageError, add_warehouse_option
from watchfloor.config import load_settings, now
from watchfloor.warehouse import check_ready

_RULES_HELP = ("alert rules file (default: $WATCHFLOOR_ALERT_RULES, else alert-rules.yaml beside the warehouse; "
               "the built-in rules while it does not exist)")


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1 <= value <= 86400:
        raise argparse.ArgumentTypeError(f"must be from 1 to 86400 seconds, got {text}")
    return value


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "alerts",
        help="evaluate the alert rules and send notices and digests",
        description="Alerts watch the figures the pages show (SLA breaches, queue backlogs, spikes, vendors, "
                    "incidents, freshness) and tell the team through apprise (Slack, Teams, email, PagerDuty, "
                    "Opsgenie, webhooks). docs/configuration.md describes the rules file and the channels.",
    )
    sub = parser.add_subparsers(dest="alerts_command", metavar="ACTION", parser_class=type(parser))
    sub.required = True

    run = sub.add_parser("run", help="evaluate every rule each interval (--once: once, for cron and tests)",
                         description="Evaluate every rule each interval, keep one open alert per rule and scope, "
                                     "send notices, reminders, resolved notices and the scheduled digests. "
                                     "Exit code 2 if the rules file cannot be used.")
    run.add_argument("--once", action="store_true", help="evaluate once, send what is due, and exit")
    run.add_argument("--rules", metavar="PATH", help=_RULES_HELP)
    run.add_argument("--interval", type=_interval, metavar="SECONDS",
                     help="seconds between evaluations (default: $WATCHFLOOR_ALERT_INTERVAL_SECONDS or 60)")
    add_warehouse_option(run)
    run.set_defaults(func=run_worker)

    check = sub.add_parser("check", help="validate the rules file and show the channels it uses",
                           description="Validate the rules file (exit code 2 with one line naming the problem) "
                                       "and list its rules, digests and channels (URLs masked).")
    check.add_argument("--rules", metavar="PATH", help=_RULES_HELP)
    add_warehouse_option(check)
    check.set_defaults(func=run_check)

    digest = sub.add_parser("digest", help="send a digest now (daily operations or weekly executive)",
                            description="Build the daily operations digest (Home's figures and the open alerts) or "
                                        "the weekly executive summary (the last complete week, its HTML export "
                                        "attached) and send it now to its channels, or print it.")
    digest.add_argument("name", choices=("daily", "weekly"))
    digest.add_argument("--rules", metavar="PATH", help=_RULES_HELP)
    digest.add_argument("--channel", action="append", metavar="NAME",
                        help="send to this channel (repeat for more; default: the digest's channels in the rules)")
    digest.add_argument("--print", action="store_true", dest="print_only", help="print it instead of sending it")
    add_warehouse_option(digest)
    digest.set_defaults(func=run_digest)


def _setup(args):
    # The alerting modules (queries, Polars) load only when an alerts command runs.
    from watchfloor.alerting.rules import RulesError, load
    from watchfloor.alerting.settings import load_alert_settings

    settings = load_settings(args.warehouse)
    alert_settings = load_alert_settings(settings=settings)
    rules_path = Path(args.rules) if args.rules else alert_settings.rules_file
    if args.rules and not rules_path.exists():
        raise UsageError(f"no rules file at {rules_path}")
    try:
        ruleset = load(rules_path)
    except RulesError as exc:
        raise UsageError(str(exc)) from None
    return settings, alert_settings, rules_path, ruleset


def _channel_lines(ruleset, channels) -> list[str]:
    lines = [f"  {name}: {channels.describe(name)}" for name in sorted(ruleset.channels())]
    lines += [f"  problem: {p}" for p in channels.problems]
    return lines


def run_worker(args) -> int:
    from watchfloor.alerting.worker import Worker, WorkerBusy  # start-up cost, as in _setup

    settings, alert_settings, rules_path, ruleset = _setup(args)
    if args.interval:
        alert_settings = replace(alert_settings, interval_seconds=args.interval)
    if not settings.warehouse_is_url:
        check_ready(settings.warehouse)  # a missing or empty warehouse: one line, before anything starts

    def log(line: str) -> None:
        print(line, flush=True)

    worker = Worker(settings, alert_settings, rules_path, log=log)
    try:
        worker.acquire()
    except WorkerBusy as exc:
        print(f"watchfloor alerts run: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    stopping: list[bool] = []
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        worker.rules()
        log(f"alert worker on {settings.warehouse}: {len(ruleset.active())} rules from {ruleset.source}, "
            + ("once" if args.once else f"every {alert_settings.interval_seconds:g} s")
            + f"; state in {alert_settings.store}; links to {alert_settings.base_url}")
        for line in _channel_lines(ruleset, worker.channels()):
            log(line)
        worker.run(lambda: now(settings), once=args.once, stop=lambda: bool(stopping))
    except KeyboardInterrupt:
        log("alert worker stopped")
        return EXIT_OK
    finally:
        worker.release()
        signal.signal(signal.SIGTERM, previous)
    # --once (cron): exit code 1 when a rule could not be evaluated
    return EXIT_FAILURE if args.once and worker.last_report and worker.last_report.errors else EXIT_OK


def run_check(args) -> int:
    # start-up cost, as in _setup
    from watchfloor.alerting.channels import load_channels
    from watchfloor.alerting.rules import KINDS

    _, alert_settings, _, ruleset = _setup(args)
    print(f"{ruleset.source}: {len(ruleset.rules)} rules ({len(ruleset.active())} enabled), "
          f"{len(ruleset.digests)} digests")
    for rule in ruleset.rules:
        scope = ", ".join(f"{k} {' / '.join(v)}" for k, v in rule.scope.items()) or "everything"
        print(f"  {rule.id}: {KINDS[rule.kind].label.lower()} ({rule.severity}; {scope}; "
              f"channels {', '.join(rule.channels) or 'none'})" + ("" if rule.enabled else " [disabled]"))
    for digest in ruleset.digests.values():
        print(f"  digest {digest.name}: {digest.describe()} to {', '.join(digest.channels) or 'no channel'}")
    print("channels:")
    for line in _channel_lines(ruleset, load_channels(alert_settings.urls, alert_settings.secrets_file)):
        print(line)
    return 0


def run_digest(args) -> int:
    from watchfloor.alerting.worker import Worker, WorkerBusy  # start-up cost, as in _setup

    settings, alert_settings, rules_path, ruleset = _setup(args)
    worker = Worker(settings, alert_settings, rules_path, log=lambda line: print(line, flush=True))
    moment = now(settings)
    message = worker.build_digest(args.name, moment)
    if args.print_only:
        print(message.title)
        print()
        print(message.body)
        if message.attachment:
            print(f"\n(attachment: {message.attachment})")
        return EXIT_OK
    names = tuple(args.channel or ()) or (ruleset.digests[args.name].channels if args.name in ruleset.digests else ())
    if not names:
        raise UsageError(f"the rules name no channel for the {args.name} digest: give --channel NAME")
    worker.queue_digest(message, names, worker.channels(), moment)
    try:
        worker.acquire()
    except WorkerBusy:
        print(f"The {args.name} digest is queued; the running alert worker sends it within its interval.")
        return EXIT_OK
    try:
        report = worker.deliver(moment)
    finally:
        worker.release()
    print(f"The {args.name} digest: {len(report.sent)} sent, {len(report.retrying)} to retry, "
          f"{len(report.failed) + len(report.skipped)} failed.")
    return EXIT_OK if report.sent and not (report.failed or report.retrying or report.skipped) else EXIT_FAILURE
