"""How to reach an appliance: the rules every entry point shares, checked before any client exists.

Public face (for the monitor's launch, the headless commands, the profile picker, `doctor` and a fleet):

- `REFRESH_MIN`, `REFRESH_MAX`, `check_refresh_seconds(value)`: the one bound on poll intervals
  (0.2 to 86400 s) that `--refresh`, `profile add/edit --refresh` and the file's `refresh` all obey.
- `stale_after(idle)`: when the status line calls data stale (two idle intervals and a little).
- `tls_rule(no_verify=, ca_bundle=, default=)`: what the client's `verify=` gets. A CA bundle is read
  and parsed then, so building a client never raises; a missing or non-PEM file is a
  `ResolutionError` whose message is one line that says what to do.
- `check_profile_tls(profile)`: the same rule for a saved profile, for the picker and switching
  (both: `core.settings.tls_rule`, re-exported).
- `ResolutionError`: a target that cannot work; `str()` is the line to show.
- `TargetOptions`: the "which appliance" options as parsed (`TargetOptions.from_args(args)`)
  (both: `core.settings.target_options`, re-exported).
- `resolve(options, config, environ=, stdin_password=)`: the one resolver. A `Resolution` (the
  target, its poll intervals, and where its password comes from: a value, or "ask the user"), or
  None when nothing names an appliance (no `--url`, no `-p`, no default profile).
- `resolve_profile(profile, ...)`, `resolve_many(names, config, options, ...)`: the same for one
  saved profile, or for each of several (a fleet), one resolution or one error per name; the
  command line's overrides reach every member (`check_fleet_options(options)`: the ones a fleet
  refuses, and a bad value refused once).
- `refresh_for(profile, settings, override)`: poll intervals by precedence, always complete
  (with `stale_after`, `max_body_for`, `DEFAULT_REFRESH`: `core.settings.limits`, re-exported).
- `read_only_origin(options, settings, profile)`: where read-only was set (`--read-only`, the
  profile's `read_only = true`, the app settings'), carried as `Resolution.read_only`.
- `MAX_BODY_MIN_MIB`, `MAX_BODY_MAX_MIB`, `check_max_body_mib(value)`, `max_body_for(settings)`: the
  largest answer a client reads (the file's `max_body_mib`, 1 to 4096 MiB, default 64), in bytes.

No prompting, no Textual, no network; a password command may run (the profile says so).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from backuptui.core.appliance.secret import Secret
from backuptui.core.settings.config import ConfigError
from backuptui.core.settings.limits import DEFAULT_REFRESH, max_body_for, refresh_for, stale_after
from backuptui.core.settings.profile_model import (
    DEFAULT_MAX_BODY_MIB,
    MAX_BODY_MAX_MIB,
    MAX_BODY_MIN_MIB,
    REFRESH_MAX,
    REFRESH_MIN,
    AppSettings,
    Config,
    Profile,
    RefreshIntervals,
    check_max_body_mib,
    check_refresh_seconds,
)
from backuptui.core.settings.secrets import PasswordResolution, password_from_env, resolve_password
from backuptui.core.settings.target import ConnectionTarget, parse_flavor, profile_target
from backuptui.core.settings.target_options import ResolutionError, TargetOptions
from backuptui.core.settings.tls_rule import check_ca_bundle, check_profile_tls, tls_rule

__all__ = [
    "DEFAULT_MAX_BODY_MIB",
    "DEFAULT_REFRESH",
    "MAX_BODY_MAX_MIB",
    "MAX_BODY_MIN_MIB",
    "REFRESH_MAX",
    "REFRESH_MIN",
    "Resolution",
    "ResolutionError",
    "TargetOptions",
    "check_ca_bundle",
    "check_fleet_options",
    "check_max_body_mib",
    "check_profile_tls",
    "check_refresh_seconds",
    "max_body_for",
    "read_only_origin",
    "refresh_for",
    "resolve",
    "resolve_many",
    "resolve_profile",
    "stale_after",
    "tls_rule",
]


@dataclass(frozen=True)
class Resolution:
    """One appliance, resolved: the target (its password None means "ask the user"), its poll
    intervals, the profile it came from, and why no source gave a password (if none did)."""

    target: ConnectionTarget
    refresh: RefreshIntervals  # idle and running both set
    profile: Profile | None = None
    password_lookup: PasswordResolution | None = None  # a profile's sources, as they answered
    #: where read-only was set (the option, the profile, the app settings); None: actions allowed
    read_only: str | None = None

    @property
    def asks_password(self) -> bool:
        return self.target.password is None

    @property
    def password_problem(self) -> str | None:
        """Why the password must be typed (the sources' problems), or None."""
        if self.target.password is not None or self.password_lookup is None:
            return None
        return "; ".join(self.password_lookup.problems) or None

    @property
    def idle(self) -> float:
        assert self.refresh.idle is not None
        return self.refresh.idle

    @property
    def running(self) -> float:
        assert self.refresh.running is not None
        return self.refresh.running


def resolve(
    options: TargetOptions,
    config: Config | None,
    *,
    environ: Mapping[str, str] | None = None,
    stdin_password: Secret | None = None,
    command_timeout: float | None = None,
    lookup_password: bool = True,
) -> Resolution | None:
    """The appliance the options name, or None when nothing names one (no `--url`, no `-p`, no
    default profile). `config`: the loaded config file (None: none loaded, the defaults apply).
    `stdin_password`: a password the caller already read from `--password-stdin`. Never prompts;
    a `ResolutionError` says what is wrong. `lookup_password=False`: ask no password source (a
    network check after the lookup already failed)."""
    environ = os.environ if environ is None else environ
    if options.names_fleet:
        raise ResolutionError(
            "--all, -g and several -p name a fleet of appliances; this command watches one (give one -p NAME)"
        )
    if options.url is not None and options.profile:
        raise ResolutionError("give either --url or -p/--profile, not both")
    override = options.refresh_override()
    settings = config.settings if config is not None else AppSettings()
    if options.url is not None:
        environ = environ if lookup_password else {}
        return _url_resolution(options, settings, override, environ, stdin_password)
    profile = _named_profile(options.profile, config)
    if profile is None:
        return None
    return resolve_profile(
        profile,
        options,
        settings,
        environ=environ,
        password=stdin_password,
        command_timeout=command_timeout,
        override=override,
        lookup_password=lookup_password,
    )


def resolve_profile(
    profile: Profile,
    options: TargetOptions | None = None,
    settings: AppSettings | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    password: Secret | None = None,
    password_from: str = "stdin",  # noqa: S107 (where a given password came from, not one)
    command_timeout: float | None = None,
    override: RefreshIntervals | None = None,
    lookup_password: bool = True,
) -> Resolution:
    """A saved profile, resolved; `options` (`--user`, `--flavor`, `--no-verify`, `--ca-bundle`,
    `--refresh`) override it. `password`: one already known (from stdin, typed in the picker),
    else the profile's sources are asked now."""
    options = options if options is not None else TargetOptions()
    settings = settings if settings is not None else AppSettings()
    if override is None:
        override = options.refresh_override()
    verify = tls_rule(
        no_verify=options.no_verify,
        ca_bundle=options.ca_bundle,
        default=profile.verify,
        origin=f"profile '{profile.name}': ca_bundle",
    )
    lookup: PasswordResolution | None = None
    source: str | None = password_from
    if password is None and lookup_password:
        lookup = (
            resolve_password(profile, env=environ)
            if command_timeout is None
            else resolve_password(profile, env=environ, command_timeout=command_timeout)
        )
        password, source = lookup.secret, lookup.source
    target = profile_target(
        profile, password, source, user=options.user, flavor=options.flavor, verify=verify
    )
    target = replace(target, max_body=max_body_for(settings))
    refresh = refresh_for(profile, settings, override)
    return Resolution(target, refresh, profile, lookup, read_only_origin(options, settings, profile))


def read_only_origin(
    options: TargetOptions | None, settings: AppSettings, profile: Profile | None
) -> str | None:
    """Where read-only was set, in the words a refusal quotes; None when actions are allowed."""
    if options is not None and options.read_only:
        return "--read-only"
    if profile is not None and profile.read_only:
        return f"read_only = true in profile '{profile.name}'"
    if settings.read_only:
        return "read_only = true in the app settings (the top of the config file)"
    return None


def check_fleet_options(options: TargetOptions, *, password_stdin: bool = False) -> RefreshIntervals | None:
    """The command-line overrides a fleet takes, checked once for all its members: `--user` and
    `--password-stdin` name one appliance's login and are refused in one line; a bad `--refresh`,
    `--ca-bundle` or `--no-verify` with `--ca-bundle` is one `ResolutionError`, not one per member.
    The `--refresh` override, parsed."""
    given = [flag for flag, on in (("--user", options.user), ("--password-stdin", password_stdin)) if on]
    if given:
        verb = "applies" if len(given) == 1 else "apply"
        raise ResolutionError(
            f"{', '.join(given)} {verb} to one appliance; a fleet takes each appliance's user and "
            "password source from its profile (or BACKUPTUI_PASSWORD)"
        )
    override = options.refresh_override()
    tls_rule(no_verify=options.no_verify, ca_bundle=options.ca_bundle)
    return override


def resolve_many(
    names: Iterable[str],
    config: Config,
    options: TargetOptions | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    command_timeout: float | None = None,
) -> dict[str, Resolution | ResolutionError]:
    """Each named profile resolved on its own, in the order given: one that cannot work is its
    `ResolutionError` and leaves the others alone (a fleet watches what it can). `options`: the
    command line's overrides (`--no-verify`, `--ca-bundle`, `--flavor`, `--refresh`,
    `--read-only`), applied to every member by `resolve_profile`'s rules; checked first by
    `check_fleet_options`, whose `ResolutionError` (one line) is raised for the whole fleet."""
    options = options if options is not None else TargetOptions()
    override = check_fleet_options(options)
    resolved: dict[str, Resolution | ResolutionError] = {}
    for name in names:
        try:
            profile = _named_profile(name, config)
            assert profile is not None
            resolved[name] = resolve_profile(
                profile,
                options,
                config.settings,
                environ=environ,
                command_timeout=command_timeout,
                override=override,
            )
        except ResolutionError as exc:
            resolved[name] = exc
    return resolved


def _named_profile(name: str | None, config: Config | None) -> Profile | None:
    """`-p NAME`, else the default profile, else None; an unknown name is a `ResolutionError`."""
    if config is None:
        if name:
            raise ResolutionError(f"no profile '{name}' (there is no config file)")
        return None
    try:
        return config.profile(name) if name else config.default
    except ConfigError as exc:
        raise ResolutionError(str(exc)) from None


def _url_resolution(
    options: TargetOptions,
    settings: AppSettings,
    override: RefreshIntervals | None,
    environ: Mapping[str, str],
    stdin_password: Secret | None,
) -> Resolution:
    url, user = options.url or "", options.user
    if not url.strip():
        raise ResolutionError("--url is empty; give the appliance's host name or URL")
    if not user:
        raise ResolutionError(f"--url {url} needs --user (e.g. --user administrator@vsphere.local)")
    from backuptui.core.appliance.client import base_url_for

    try:
        base_url_for(url)
    except ValueError as exc:
        raise ResolutionError(f"--url {url}: {exc}") from None
    verify = tls_rule(no_verify=options.no_verify, ca_bundle=options.ca_bundle)
    password, source = stdin_password, "stdin"
    if password is None:
        found = password_from_env(None, environ)
        password, source = (found[0], "environment") if found is not None else (None, "prompt")
    target = ConnectionTarget(
        url=url,
        user=user,
        password=password,
        credentials_from=source,
        flavor=parse_flavor(options.flavor),
        verify=verify,
        max_body=max_body_for(settings),
    )
    return Resolution(
        target, refresh_for(None, settings, override), read_only=read_only_origin(options, settings, None)
    )
