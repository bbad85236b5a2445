"""`backuptui simulate`: run the built-in appliance simulator until Ctrl-C."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from typing import Any

from backuptui.simulator.config import DEFAULT_PASSWORD, DEFAULT_USER, SCENARIOS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="run a simulated vCenter appliance (backup API) on 127.0.0.1",
        description="Serve a simulated vCenter appliance (file-based backup API, /api and /rest) on "
        "127.0.0.1 until Ctrl-C. Faults switch at runtime: POST /_simulator/fault; counts: "
        "GET /_simulator/stats.",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: a free one, printed)")
    parser.add_argument("--jobs", type=_non_negative, default=300, help="jobs in the history (default 300)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the history (default 1)")
    parser.add_argument("--speed", type=_positive, default=1.0, help="live backups run X times faster")
    parser.add_argument(
        "--flavor", choices=("api", "rest", "both"), default="both", help="URL flavours served"
    )
    parser.add_argument("--user", default=DEFAULT_USER, help=f"login user (default {DEFAULT_USER})")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="login password (default VMware1!)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault: latency=SECONDS, 500=N, 503=N, drop=N, malformed=N, truncate=N "
        "(N=-1: until cleared), expire-sessions, match=PATH-PART; repeatable",
    )
    parser.add_argument("--scenario", choices=SCENARIOS, help="reproduce a health verdict")
    parser.add_argument("--running", action="store_true", help="a backup is already running at start")
    parser.add_argument(
        "--auto-backup", type=_positive, metavar="SECONDS", help="start a backup every SECONDS when none runs"
    )
    parser.add_argument(
        "--idle-timeout",
        type=_positive,
        default=1800.0,
        metavar="SECONDS",
        help="session idle timeout (1800)",
    )
    parser.add_argument("--variety", action="store_true", help="also PENDING, BLOCKED and LOCAL_BACKUP jobs")
    parser.add_argument(
        "--unreadable",
        type=_non_negative,
        default=0,
        metavar="N",
        help="N records of the history carry a wrong-typed field (size as text), to see how they show",
    )
    parser.add_argument(
        "--unprivileged-user",
        metavar="NAME",
        help="a second user (same password) who may log in but gets 403 on backup jobs",
    )
    parser.add_argument(
        "--readonly-user",
        metavar="NAME",
        help="a second user (same password) who reads backup jobs but gets 403 on starting or canceling",
    )
    parser.add_argument(
        "--vami",
        action="store_true",
        help="also listen like the management port 5480: Basic auth on every request, user root too",
    )
    parser.add_argument(
        "--vami-port", type=int, default=0, help="port of the --vami listener (default: a free one)"
    )
    parser.add_argument(
        "--replay",
        metavar="FILE",
        help="serve a recording made by 'backuptui record' (--speed sets its pace) instead of a history",
    )
    parser.add_argument(
        "--loop", action="store_true", help="with --replay: start again at the end (default: hold the end)"
    )
    parser.add_argument(
        "--clock-skew",
        type=_number,
        default=0.0,
        metavar="SECONDS",
        help="the appliance's clock runs this many seconds ahead (negative: behind)",
    )
    fleet = parser.add_argument_group("a fleet of appliances")
    fleet.add_argument(
        "--appliances",
        type=_at_least_one,
        metavar="N",
        help="serve N distinct appliances from this process, each on its own port (default mix: "
        "healthy, latest-failed, stale, schedule-missed, unreachable, password-refused, running)",
    )
    fleet.add_argument(
        "--mix",
        metavar="SCENARIO:N,...",
        help="the scenarios of the fleet, e.g. healthy:8,latest-failed:1,stale:1,unreachable:1,running:2 "
        "(scaled to --appliances when both are given); also schedule-missed, password-refused, "
        "not-configured, schedule-disabled",
    )
    fleet.add_argument(
        "--write-profiles",
        metavar="FILE",
        help="write a config with one profile per appliance (0600; no password in it), so "
        "'BACKUPTUI_CONFIG=FILE backuptui --all' watches the fleet",
    )
    fleet.add_argument("--force", action="store_true", help="with --write-profiles: replace FILE")
    parser.set_defaults(handler=run)


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def run(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        stop.set()

    # Handlers first: Ctrl-C while the history is being generated also ends cleanly.
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        from backuptui.commands.simulate_fleet import fleet_asked, serve_fleet

        return serve_fleet(args, stop) if fleet_asked(args) else _serve(args, stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve(args: argparse.Namespace, stop: threading.Event) -> int:
    from backuptui.simulator import FaultError, Simulator, SimulatorConfig

    try:
        config = SimulatorConfig(
            jobs=args.jobs,
            seed=args.seed,
            speed=args.speed,
            flavor=args.flavor,
            user=args.user,
            password=args.password,
            port=args.port,
            idle_timeout=args.idle_timeout,
            running_at_start=args.running,
            auto_backup_every=args.auto_backup,
            scenario=args.scenario,
            faults=tuple(args.fault),
            variety=args.variety,
            unprivileged_user=args.unprivileged_user,
            readonly_user=args.readonly_user,
            clock_skew=args.clock_skew,
            replay=args.replay,
            replay_loop=args.loop,
            vami=args.vami or bool(args.vami_port),
            vami_port=args.vami_port,
            unreadable=args.unreadable,
        )
        sim = Simulator(config)
    except (ValueError, FaultError) as exc:
        print(f"backuptui simulate: {exc}", file=sys.stderr)
        return 2
    try:
        sim.start()
    except OSError as exc:
        print(
            f"backuptui simulate: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    try:
        flavors = " and ".join(f"{sim.url}/{flavor}" for flavor in sim.flavors)
        print(f"Simulated vCenter appliance at {sim.url}  (API: {flavors})")
        print(f"  user:     {sim.user}")
        if config.unprivileged_user:
            print(f"  user without the backup privilege: {config.unprivileged_user} (same password)")
        if config.readonly_user:
            print(f"  read-only user (403 on backup now, cancel): {config.readonly_user} (same password)")
        shown = sim.password if config.password == DEFAULT_PASSWORD else "(the one given with --password)"
        print(f"  password: {shown}")
        scenario = config.scenario or "-"
        print(f"  jobs: {config.jobs}, seed: {config.seed}, speed: {config.speed:g}, scenario: {scenario}")
        if sim.replay is not None:
            end = "loops" if config.replay_loop else "holds its last answers"
            length = f"{sim.replay.duration:.0f} s at speed {config.speed:g}"
            print(f"  replaying {config.replay}: {length}, then {end}")
        if config.vami:
            print(f"  management port (Basic auth per request, also root): {sim.vami_url}")
        if config.clock_skew:
            print(f"  clock: {config.clock_skew:+g} s against the real time")
        print(f"  stats: GET {sim.url}/_simulator/stats   faults: POST {sim.url}/_simulator/fault")
        print(f"  try: backuptui --url {sim.url} --user {sim.user}")
        print("Press Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
    print("Simulator stopped.")
    return 0
