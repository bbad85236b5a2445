"""`backuptui exporter`: the selected appliances' backup health as Prometheus metrics.

Headless (no Textual): the fleet polls in the background, `backuptui.exporter` serves what it
knows. Bad options are one line on stderr and exit 2; an address that cannot be bound, exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from backuptui.commands.target import add_target_arguments
from backuptui.core.metrics.mapping import host_of
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.profiles import ProfileStore
from backuptui.core.settings.resolution import (
    Resolution,
    ResolutionError,
    TargetOptions,
    check_fleet_options,
    resolve,
    resolve_many,
)
from backuptui.core.settings.secrets import PasswordError, read_password_stdin
from backuptui.core.settings.selection import select_fleet
from backuptui.exporter.http import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    Listen,
    ListenError,
    MetricsServer,
    WsgiApp,
    parse_listen,
    tls_context,
)

if TYPE_CHECKING:
    from backuptui.core.store.writer import HistoryWriter

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "exporter",
        help="serve the appliances' backup health as Prometheus metrics",
        description="Poll the selected appliances in the background (the monitor and health verdict "
        "of the TUI) and serve their backups as Prometheus metrics on /metrics, with / (a page "
        "linking to them) and /-/healthy. A scrape never waits on an appliance. Logs one line per "
        "state change on stderr; SIGTERM logs out of every appliance and exits 0.",
        epilog=f"Examples: backuptui exporter --all; backuptui exporter -p vcsa01 -p vcsa02 --listen "
        f"127.0.0.1:{DEFAULT_PORT}; backuptui exporter -g prod --listen 0.0.0.0:{DEFAULT_PORT} "
        "--tls-cert tls.crt --tls-key tls.key. Alert rules, a Grafana dashboard and a systemd unit: "
        "contrib/ (docs/exporter.md).",
    )
    add_target_arguments(parser, fleet=True)
    serving = parser.add_argument_group("serving")
    serving.add_argument(
        "--listen",
        metavar="HOST:PORT",
        default=f"{DEFAULT_HOST}:{DEFAULT_PORT}",
        help=f"address to serve on (default {DEFAULT_HOST}:{DEFAULT_PORT}, loopback; a bare PORT stays on "
        "loopback; [::1]:PORT for IPv6; any other address only when given here)",
    )
    serving.add_argument("--tls-cert", metavar="FILE", help="serve HTTPS with this PEM certificate (chain)")
    serving.add_argument("--tls-key", metavar="FILE", help="the PEM private key of --tls-cert")
    serving.add_argument(
        "--tls-client-ca",
        metavar="FILE",
        help="with TLS: accept only scrapers whose client certificate this PEM CA signed",
    )
    serving.add_argument(
        "--no-history",
        action="store_true",
        help="keep no local backup history (or history = false in the config file); with it, a "
        "restart serves each appliance's last known state until its first poll answers",
    )
    parser.set_defaults(handler=run)


def select_appliances(args: argparse.Namespace) -> dict[str, Resolution | ResolutionError] | int:
    """The appliances the options name, each resolved (the fleet's one selection and resolver);
    an exit code when they name none or the config cannot be read."""
    options = TargetOptions.from_args(args)
    try:
        config = None if options.url else ProfileStore().load()
        names = select_fleet(options, config)
        if names is not None:  # refused before standard input is read: a fleet takes no password
            check_fleet_options(options, password_stdin=bool(getattr(args, "password_stdin", False)))
            return resolve_many(names, config, options) if config is not None else {}
        stdin_password = read_password_stdin(sys.stdin) if getattr(args, "password_stdin", False) else None
        single = resolve(options, config, stdin_password=stdin_password)
    except (ConfigError, PasswordError) as exc:
        print(f"backuptui exporter: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except ResolutionError as exc:
        return _usage(str(exc))
    if single is None:
        return _usage(
            "which appliances? Give --all, -p NAME (repeatable) or -g GROUP (see 'backuptui profile list')"
        )
    name = single.profile.name if single.profile is not None else host_of(single.target.url)
    return {name: single}


def _usage(message: str) -> int:
    print(f"backuptui exporter: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    try:
        listen = parse_listen(args.listen)
        tls = tls_context(args.tls_cert, args.tls_key, args.tls_client_ca)
    except ListenError as exc:
        return _usage(str(exc))
    try:
        selected = select_appliances(args)
        if isinstance(selected, int):
            return selected
        writer = _history_writer(args)
        return asyncio.run(_serve(selected, listen, tls, writer))
    except KeyboardInterrupt:  # before the service handles SIGINT itself: nothing to log out of yet
        return 130


def _history_writer(args: argparse.Namespace) -> HistoryWriter | None:
    """The local history's writer (None: `--no-history`, `history = false`, or it cannot be
    opened: then one line on stderr says why, and the exporter goes on without it)."""
    from backuptui.core.settings.profile_model import HistorySettings
    from backuptui.core.store.opening import open_history
    from backuptui.core.store.writer import HistoryWriter

    if getattr(args, "no_history", False):
        return None
    try:
        settings = ProfileStore().load().settings.history
    except ConfigError:
        settings = HistorySettings()  # --url without a readable config file: the defaults
    opened = open_history(settings)
    if opened.notice:
        print(f"backuptui exporter: {opened.notice}", file=sys.stderr)
    return HistoryWriter(opened.store) if opened.store is not None else None


async def _serve(
    selected: Mapping[str, Resolution | ResolutionError],
    listen: Listen,
    tls: ssl.SSLContext | None,
    writer: HistoryWriter | None = None,
) -> int:
    from backuptui.exporter.service import build_service, stderr_log

    log = stderr_log()

    def bind(app: WsgiApp) -> MetricsServer:
        return MetricsServer(app, listen, tls)

    try:
        service = build_service(selected, bind, log, history=writer)
    except OSError as exc:
        if writer is not None:
            writer.close()
        print(
            f"backuptui exporter: cannot listen on {listen.url(tls=tls is not None)}: "
            f"{exc.strerror or exc}. Pick another address with --listen HOST:PORT",
            file=sys.stderr,
        )
        return EXIT_FAILED
    notes: list[str] = []
    if not listen.is_loopback:
        notes.append(
            f"listening on {listen.host}, not only on loopback (as --listen asks)"
            + ("" if tls is not None else ": without TLS, whoever reaches the port reads the metrics")
        )
    return await service.run(notes)
