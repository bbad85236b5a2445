"""Per-appliance limits by precedence, the same for one appliance or a fleet: poll intervals (the
command line, the profile, the app settings, the defaults), when data is stale, and the largest
answer a client reads. Re-exported by `core.settings.resolution`, the one resolver that uses them.
No I/O.
"""

from __future__ import annotations

from backuptui.core.settings.profile_model import (
    DEFAULT_MAX_BODY_MIB,
    AppSettings,
    Profile,
    RefreshIntervals,
    check_max_body_mib,
)

__all__ = ["DEFAULT_REFRESH", "max_body_for", "refresh_for", "stale_after"]

#: the poll intervals when neither the command line, the profile nor the app settings give one
#: (the monitor's own defaults; a test keeps the two equal)
DEFAULT_REFRESH = RefreshIntervals(idle=30.0, running=2.0)


def stale_after(idle: float) -> float:
    """Seconds without a successful poll before "live" becomes "stale": two idle intervals and a little."""
    return 2 * idle + 10


def max_body_for(settings: AppSettings | None) -> int:
    """The largest answer a client reads, in bytes: the file's `max_body_mib` (checked against
    the bounds again, for settings built in code), else the default."""
    mib = settings.max_body_mib if settings is not None else None
    return check_max_body_mib(DEFAULT_MAX_BODY_MIB if mib is None else mib) * 1024 * 1024


def refresh_for(
    profile: Profile | None, settings: AppSettings, override: RefreshIntervals | None = None
) -> RefreshIntervals:
    """Poll intervals by precedence: the command line, the profile, the app settings, the defaults.
    Both are always set; an idle interval given alone never polls running jobs more slowly."""
    intervals = override or RefreshIntervals()
    if profile is not None and profile.refresh is not None:
        intervals = intervals.over(profile.refresh)
    intervals = intervals.over(settings.refresh)
    if intervals.idle is not None and intervals.running is None:
        assert DEFAULT_REFRESH.running is not None
        return RefreshIntervals(intervals.idle, min(DEFAULT_REFRESH.running, intervals.idle))
    return intervals.over(DEFAULT_REFRESH)
