"""`backuptui status --since-last`: "since you last looked", from the end of the last monitor
session with an appliance to now, for a morning cron mail; one appliance (`-p NAME`) or a fleet
(`--all`, `-g GROUP`, several `-p`), as text or as JSON (`--json`: schema `backuptui.since_last`,
docs/json-schema.md).

Each appliance's jobs are what it lists now plus the stored ones it no longer lists; a fleet asks
every appliance in one bounded round (its newest jobs), as `status --all` does. The history is
only read. Exit status: 0 every appliance answered, 1 one could not be asked (or the history
cannot be read).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from backuptui.commands.status_history import HistoryUnavailable, open_history, with_stored
from backuptui.core.appliance.models import DetailsResult
from backuptui.core.store.database import HistoryStore
from backuptui.core.store.digest import compute_digest
from backuptui.core.store.digest_document import SinceLast, since_last_document
from backuptui.core.store.values import Cached, Identity
from backuptui.core.watch.snapshot import ConnectionState, Snapshot

EXIT_OK = 0
EXIT_FAILED = 1

#: what the digest says of an appliance no monitor session has watched yet
NO_SESSION = (
    "no earlier monitor session in the local history to compare with (open 'backuptui' on this "
    "appliance once; the digest counts from when you quit it)"
)


def since_last(
    name: str, host: str | None, listed: DetailsResult, cached: Cached | None, now: datetime
) -> SinceLast:
    """One appliance's digest from what it lists now and what the history holds of it."""
    from backuptui.tui.digest_text import digest_lines

    if cached is None or cached.last_session_end is None:
        return SinceLast(name, host, lines=(NO_SESSION,), problem=NO_SESSION)
    jobs = with_stored(listed, cached).jobs
    digest = compute_digest(jobs, cached.last_session_end, now)
    return SinceLast(name, host, digest, tuple(digest_lines(digest)))


def render_text(entries: Sequence[SinceLast]) -> str:
    """Each appliance's lines: the first after its name, the others indented under it."""
    out: list[str] = []
    for entry in entries:
        lines = entry.lines or (entry.problem or "nothing to say",)
        out.extend(f"{entry.name}: {line}" if i == 0 else f"  {line}" for i, line in enumerate(lines))
    return "".join(f"{line}\n" for line in out)


def render_json(entries: Sequence[SinceLast], now: datetime) -> str:
    return json.dumps(since_last_document(entries, generated_at=now), indent=2, ensure_ascii=False) + "\n"


def write(entries: Sequence[SinceLast], as_json: bool, stdout: TextIO, now: datetime) -> int:
    stdout.write(render_json(entries, now) if as_json else render_text(entries))
    stdout.flush()
    return EXIT_OK if all(entry.answered for entry in entries) else EXIT_FAILED


def run_fleet_since_last(
    args: argparse.Namespace, names: tuple[str, ...], config: Any, *, as_json: bool, out: TextIO, err: TextIO
) -> int:
    """Every selected appliance's digest after one round of polls, in the order selected."""
    from backuptui.commands.fleet_round import gather_rows
    from backuptui.commands.fleet_status import DEFAULT_BOUND
    from backuptui.core.settings.resolution import TargetOptions

    try:
        store = open_history()
    except HistoryUnavailable as exc:
        err.write(f"backuptui status: {exc}\n")
        return EXIT_FAILED
    snapshots: dict[str, Snapshot] = {}
    try:
        bound = getattr(args, "timeout", None) or DEFAULT_BOUND
        rows = gather_rows(
            names,
            config,
            TargetOptions.from_args(args),
            bound=bound,
            err=err,
            on_snapshot=snapshots.__setitem__,
        )
        now = datetime.now(UTC)
        entries = []
        for row in rows:
            snapshot = snapshots.get(row.name)
            if snapshot is None or snapshot.connection is not ConnectionState.LIVE:
                why = f"could not be asked: {_unnamed(row.name, row.problem or row.reason)}"
                entries.append(
                    SinceLast(row.name, row.host or None, lines=(why,), problem=why, answered=False)
                )
                continue
            identity = Identity.of(row.name, snapshot.base_url)
            entries.append(
                since_last(
                    row.name,
                    identity.host,
                    DetailsResult(snapshot.jobs, snapshot.problems),
                    _load(store, identity),
                    now,
                )
            )
    finally:
        if store is not None:
            store.close()
    return write(entries, as_json, out, now)


def _load(store: HistoryStore | None, identity: Identity) -> Cached | None:
    return store.load(identity) if store is not None else None


def _unnamed(name: str, text: str) -> str:
    """`text` without the appliance's name in front (the line already starts with it)."""
    return text.removeprefix(f"{name}: ")
