"""`backuptui doctor`: check the connection to one appliance step by step and say what to fix.

The config file and the password source are checked here, since they follow the options; the
network and appliance steps are core's (`backuptui.core.diagnosis`). One login attempt at most,
and the password is never printed: only where it came from.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import stat
import sys
import textwrap
from typing import Any, TextIO

from backuptui.commands.target import TargetError, add_target_arguments, resolve_target
from backuptui.commands.terminal import paint, wants_colour, width
from backuptui.core.diagnosis import Outcome, Step, all_needed_work, diagnose
from backuptui.core.diagnosis.step import failed, ok, skipped, warning
from backuptui.core.settings.target import ConnectionTarget

EXIT_OK = 0
EXIT_FAILED = 1  # a step backuptui needs failed
EXIT_USAGE = 2

_MARKS = {
    Outcome.OK: ("✔", "green"),
    Outcome.FAILED: ("✖", "red"),
    Outcome.WARNING: ("⚠", "yellow"),
    Outcome.SKIPPED: ("·", "dim"),
}
_NETWORK_STEPS = ("name resolution", "TCP connect", "TLS", "API flavours")
_LATER_STEPS = ("login", "privilege", "schedule", "clock", "logout")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check the connection to an appliance step by step",
        description="Check each step of connecting to an appliance: the config file, the password "
        "source, name resolution, TCP, TLS, the API flavours, the login (one attempt only), the "
        "privilege to read backup jobs, the schedule, the appliance's clock and the logout. Each "
        "problem comes with what to do. The password is never printed.",
        epilog="Exit status: 0 everything backuptui needs works (warnings may remain), 1 a needed "
        "step failed, 2 usage error. Examples: backuptui doctor -p lab; backuptui doctor --url "
        "vcsa01.example.com --user administrator@vsphere.local --json",
    )
    add_target_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the steps as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out if out is not None else sys.stdout
    steps = diagnose_options(args)
    good = all_needed_work(steps)
    if args.json:
        json.dump({"ok": good, "steps": [step.as_json() for step in steps]}, out, indent=2)
        out.write("\n")
    else:
        out.write(render(steps, good, wants_colour(out), width()))
    return EXIT_OK if good else EXIT_FAILED


def diagnose_options(args: argparse.Namespace) -> list[Step]:
    """Every step, the local ones first; a failed password step still lets the network be checked."""
    steps = [_config_step(args)]
    target: ConnectionTarget | None
    try:
        target = resolve_target(args)
    except TargetError as exc:
        steps.append(failed("password", *_problem_and_fix(str(exc))))
        target = _target_without_password(args)
    else:
        detail = _password_detail(target)
        if not getattr(args, "url", None) and target.credentials_from != "keyring":
            detail += f"; {_keyring_note()}"
        steps.append(ok("password", detail))
    if target is None:
        return steps + [skipped(name, "no appliance named") for name in (*_NETWORK_STEPS, *_LATER_STEPS)]
    return steps + asyncio.run(diagnose(target))


def _config_step(args: argparse.Namespace) -> Step:
    from backuptui.core.settings.config import ConfigError, config_path
    from backuptui.core.settings.profiles import ProfileStore

    name = "config file"
    path = config_path()
    by_url = bool(getattr(args, "url", None))
    if not path.exists():
        if by_url:
            return ok(name, f"none at {path} (not needed with --url)")
        return failed(
            name,
            f"no config file at {path}, so no saved profiles",
            "Add a profile: backuptui profile add NAME --url URL --user USER (or give --url and --user)",
        )
    try:
        config = ProfileStore(path).load()
        if not by_url:
            from backuptui.core.settings.resolution import TargetOptions

            chosen = TargetOptions.from_args(args).profile
            profile = config.profile(chosen) if chosen else config.default
    except ConfigError as exc:
        if by_url:
            return warning(name, str(exc), "Fix the file; --url does not need it")
        where = str(exc.path) + (f", line {exc.line}" if exc.line is not None else "")
        where += f", key '{exc.key}'" if exc.key else ""
        return failed(name, f"{where}: {exc.problem}", exc.hint or "Fix the file (backuptui config check)")
    mode = stat.S_IMODE(path.stat().st_mode)
    count = len(config.profiles)
    detail = f"{path} is valid ({count} profile{'s' if count != 1 else ''})"
    if not by_url and profile is None:
        return failed(
            name,
            f"{detail}, but none is the default and no -p NAME was given",
            "Give -p NAME, or set a default: backuptui profile default NAME",
        )
    if mode & 0o077:
        return warning(
            name,
            f"{detail}, but other users may read it (mode {mode:04o})",
            f"chmod 600 {path}",
        )
    return ok(name, f"{detail}, mode {mode:04o}")


def _problem_and_fix(message: str) -> tuple[str, str]:
    """A resolution error's sentence split into what is wrong and, after the last '. ', what to do."""
    problem, _, fix = message.rpartition(". ")
    if problem and fix[:1].isupper():
        return problem, fix
    return message, ""


def _password_detail(target: ConnectionTarget) -> str:
    source = target.credentials_from
    if source == "keyring":
        from backuptui.core.settings.secrets import probe_keyring

        backend = probe_keyring().backend
        return f"from the OS keyring ({backend}); not shown"
    if source == "password_command":
        return "the profile's password_command ran and printed one; not shown"
    if source == "stdin":
        return "read from standard input; not shown"
    if source == "environment":
        return "from BACKUPTUI_PASSWORD; not shown"
    return f"from {source}; not shown"


def _keyring_note() -> str:
    """Whether the OS keyring would work here, for a profile that might keep its password there."""
    from backuptui.core.settings.secrets import probe_keyring

    status = probe_keyring()
    return f"the keyring ({status.backend}) works" if status.available else f"no keyring: {status.reason}"


def _target_without_password(args: argparse.Namespace) -> ConnectionTarget | None:
    """The appliance the options name when its password could not be found: the network steps
    can still be checked (None: the options name none, or its CA bundle is unusable, which the
    password step already says)."""
    from backuptui.core.settings.config import ConfigError
    from backuptui.core.settings.profiles import ProfileStore
    from backuptui.core.settings.resolution import ResolutionError, TargetOptions, resolve

    options = TargetOptions.from_args(args)
    try:
        config = None if options.url else ProfileStore().load()
        resolved = resolve(options, config, lookup_password=False)
    except (ConfigError, ResolutionError):
        return None
    return resolved.target if resolved is not None else None


def _chain_lines(step: Step, width: int) -> list[str]:
    """The TLS step's certificate chain, one certificate a line (wrapped under itself)."""
    chain = (step.data or {}).get("chain") or []
    if len(chain) < 2:
        return []  # the leaf alone: the detail says all of it
    lines = ["certificate chain, the appliance's first:"]
    for number, cert in enumerate(chain, start=1):
        by = "self-signed" if cert["self_signed"] else f"issued by {cert['issuer']}"
        text = f"{number}. {cert['subject']}: {by}; valid until {cert['not_after'][:10]}"
        lines += textwrap.wrap(
            text, width, initial_indent="  ", subsequent_indent="     ", break_on_hyphens=False
        )
    return lines


def render(steps: list[Step], good: bool, colour: bool, columns: int) -> str:
    """One block per step: the mark, the name, what was found, and on a problem what to do."""
    label = max(len(step.name) for step in steps)
    indent = " " * (label + 4)
    lines: list[str] = []
    for step in steps:
        mark, hue = _MARKS[step.outcome]
        head = f"{paint(mark, hue, colour)} {step.name.ljust(label)}  "
        body = textwrap.wrap(
            step.detail, columns - len(indent), break_on_hyphens=False, break_long_words=False
        ) or [""]
        lines.append(head + body[0])
        lines.extend(indent + more for more in body[1:])
        lines.extend(indent + line for line in _chain_lines(step, columns - len(indent)))
        if step.fix and step.outcome in (Outcome.FAILED, Outcome.WARNING):
            fix = textwrap.wrap(
                f"→ {step.fix}",
                columns - len(indent),
                subsequent_indent="  ",
                break_on_hyphens=False,
                break_long_words=False,
            )
            lines.extend(indent + paint(line, "bold", colour) for line in fix)
    problems = sum(step.outcome is Outcome.WARNING for step in steps)
    if good:
        verdict = "Everything backuptui needs works"
        verdict += f" ({problems} warning{'s' if problems != 1 else ''} above)." if problems else "."
    else:
        first = next(step for step in steps if step.failed)
        verdict = f"The {first.name} step failed: fix it first (see → above)."
    lines += ["", verdict]
    return "\n".join(lines) + "\n"
