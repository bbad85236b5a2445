"""What changed between two monitor snapshots, found as a renderer finds it: by identity."""

from __future__ import annotations

from backuptui.core.watch.snapshot import Snapshot


def changed_ids(before: Snapshot, after: Snapshot) -> set[str]:
    """The jobs of `after` that are not the same objects as in `before` (what a renderer redraws)."""
    return {job.id for job in after.jobs if before.by_id.get(job.id) is not job}


def removed_ids(before: Snapshot, after: Snapshot) -> set[str]:
    return set(before.by_id) - set(after.by_id)
