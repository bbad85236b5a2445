"""Facts the simulated appliance draws from: vCenter builds, failure texts, progress phases."""

from __future__ import annotations

from typing import Any

from backuptui.simulator.wire import message

SERVICE = "com.vmware.appliance.recovery.backup.job"
DESCRIPTION = message("com.vmware.appliance.recovery.backup.job", "Backup job")

#: (version_name, version, build_number), newest first: the appliance is upgraded over time
BUILDS: tuple[tuple[str, str, str], ...] = (
    ("8.0.3 U3d", "8.0.3.00400", "24853646"),
    ("8.0.3 U3b", "8.0.3.00200", "24262322"),
    ("8.0.3 GA", "8.0.3.00000", "24022515"),
    ("8.0.2 U2b", "8.0.2.00200", "23319993"),
    ("8.0.2 GA", "8.0.2.00100", "22617221"),
    ("8.0.1 U1c", "8.0.1.00200", "22088981"),
    ("8.0.1 GA", "8.0.1.00000", "21560480"),
    ("8.0.0 GA", "8.0.0.10000", "20519528"),
    ("7.0.3 U3l", "7.0.3.01400", "21477706"),
    ("7.0.3 U3g", "7.0.3.00700", "20150588"),
    ("7.0.3 U3c", "7.0.3.00300", "19234570"),
    ("7.0.3 GA", "7.0.3.00000", "18700403"),
    ("7.0.2 U2a", "7.0.2.00100", "17920168"),
)

#: 6.7 builds, older than every build above: an appliance that runs one answers on /rest only
BUILDS_67: tuple[tuple[str, str, str], ...] = (
    ("6.7.0 U3s", "6.7.0.54000", "19299595"),
    ("6.7.0 U3o", "6.7.0.51000", "18485166"),
    ("6.7.0 U3l", "6.7.0.48000", "17138064"),
)

#: every build an appliance may run now (`SimulatorConfig.build`), newest first
ALL_BUILDS = BUILDS + BUILDS_67


def build_named(name: str | None) -> tuple[str, str, str]:
    """The build of that version name (None: the newest)."""
    if name is None:
        return BUILDS[0]
    return next(build for build in ALL_BUILDS if build[0] == name)


def builds_from(name: str | None) -> tuple[tuple[str, str, str], ...]:
    """The build it runs now and the older ones it was upgraded from, newest first."""
    if name is None:
        return BUILDS
    names = [build[0] for build in ALL_BUILDS]
    return ALL_BUILDS[names.index(name) :]


#: the build `variety` upgrades the appliance to: `LOCAL_BACKUP` jobs exist from API 9.0 on
BUILD_9 = ("9.0.0 GA", "9.0.0.00000", "24755230")


def supports_local_backup(version: str) -> bool:
    """Whether a build of this version can record `LOCAL_BACKUP` jobs (added in API 9.0.0.0)."""
    return int(version.split(".", 1)[0]) >= 9


#: the text VAMI shows for (nearly) every failed backup
VAMI_FAILURE = message(
    "com.vmware.applmgmt.backup.job.failed",
    "BackupManager encountered an exception. Please check logs for details.",
)

#: (weight, message id, the cause as backup.log tells it) -- texts seen on real appliances
FAILURE_CAUSES: tuple[tuple[int, str, str], ...] = (
    (5, "com.vmware.applmgmt.backup.snapshot", "Full backup not allowed during VM snapshot"),
    (
        4,
        "com.vmware.applmgmt.backup.target.nospace",
        "tar: Cannot write: Broken pipe. No space left on device",
    ),
    (3, "com.vmware.applmgmt.backup.component", "Error during component vum backup"),
    (3, "com.vmware.applmgmt.backup.transfer", "curl: (79) Error in the SSH layer"),
    (2, "com.vmware.applmgmt.backup.transfer", "BrokenPipeError: [Errno 32] Broken pipe"),
    (2, "com.vmware.applmgmt.backup.db", "getDbHealthStatus returns status as DEGRADED"),
    (1, "com.vmware.applmgmt.backup.wal", "Failed to dispatch WAL directory structure."),
    (
        1,
        "com.vmware.applmgmt.backup.configfiles",
        "UnicodeEncodeError: 'ascii' codec can't encode character u'\\xe9' in position 57: "
        "ordinal not in range(128)",
    ),
)
CAUSE_WEIGHTS = [weight for weight, _, _ in FAILURE_CAUSES]

CANCELED = message("com.vmware.applmgmt.backup.job.canceled", "The backup job was canceled by the user.")

#: (progress percent where the phase begins, message id, text) of a running backup
PHASES: tuple[tuple[int, str, str], ...] = (
    (0, "com.vmware.applmgmt.backup.job.prepare", "Preparing backup"),
    (4, "com.vmware.applmgmt.backup.job.config", "Backing up config files"),
    (20, "com.vmware.applmgmt.backup.job.database", "Backing up database"),
    (55, "com.vmware.applmgmt.backup.job.seat", "Backing up stats, events and tasks"),
    (85, "com.vmware.applmgmt.backup.job.upload", "Uploading to backup location"),
)
DONE = message("com.vmware.applmgmt.backup.job.complete", "Backup job completed")
FAILED_PROGRESS = message("com.vmware.applmgmt.backup.job.failed.progress", "Backup job failed")

#: where backups go: (base URL, location user); the schedule uses the first
TARGETS: tuple[tuple[str, str], ...] = (
    ("sftp://192.0.2.10/backups/vcsa01", "backupuser"),
    ("nfs://192.0.2.20/exports/vcsa", ""),
    ("smb://fileserver.example.com/vcsa-backups", "EXAMPLE\\svc-vcbackup"),
)
LOCAL_TARGET = ("file:///storage/lifecycle/backup", "")


def phase_message(percent: int) -> dict[str, Any]:
    """The progress message of a running backup at `percent`."""
    current = PHASES[0]
    for phase in PHASES:
        if percent >= phase[0]:
            current = phase
    return message(current[1], current[2])


def failure(cause_index: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The messages and the `error` of a failed job for one of `FAILURE_CAUSES`."""
    _, cause_id, cause_text = FAILURE_CAUSES[cause_index]
    cause = message(cause_id, cause_text)
    messages = [VAMI_FAILURE, cause]
    return messages, {"error_type": "ERROR", "messages": [VAMI_FAILURE, cause]}
