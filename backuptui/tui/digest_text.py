"""The "since you last looked" digest in words: the same lines on the monitor's panel and in
`backuptui status --since-last`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backuptui.core.ages import age_span
from backuptui.core.counting import counted
from backuptui.tui.format import human_bytes, human_duration, local_time, one_line

if TYPE_CHECKING:
    from backuptui.core.store.digest import Digest


def digest_lines(digest: Digest) -> list[str]:
    """A headline, then one line per finding; plain text (appliance text made one safe line)."""
    ago = age_span(digest.until - digest.since)
    head = f"Since you last looked ({local_time(digest.since, seconds=False)}, {ago} ago): "
    if digest.is_empty:
        return [head + "no backup ended."]
    parts = [f"{counted(digest.succeeded, 'backup')} succeeded", f"{digest.failed} failed"]
    if digest.canceled:  # a cancel is no failure: said apart, only when there was one
        parts.append(f"{digest.canceled} canceled")
    lines = [head + ", ".join(parts) + "."]
    failure = digest.first_failure
    if failure is not None:
        cause = one_line(failure.problem or "no cause given")
        lines.append(f"First failure {local_time(failure.start_time, seconds=False)}: {cause}")
    if digest.longest_gap is not None and digest.longest_gap.total_seconds() >= 3600:
        start = local_time(digest.gap_start, seconds=False) if digest.gap_start else "the start"
        lines.append(f"Longest gap without a success: {age_span(digest.longest_gap)} (from {start})")
    for move in digest.moves[:3]:
        show = human_bytes if move.what == "size" else human_duration
        sign = "+" if move.change >= 0 else ""
        lines.append(
            f"The {local_time(move.job.start_time, seconds=False)} backup's {move.what}: {show(move.now)} "
            f"({sign}{move.change:.0%} from the usual {show(move.usual)})"
        )
    return lines
