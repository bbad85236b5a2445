"""Runs the installed `backuptui exporter` as a process for the tests: three simulated appliances
(healthy, latest-failed, unreachable) in a config file, the exporter on an ephemeral loopback port,
its stderr read line by line, stopped by its pid."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

BACKUPTUI = str(Path(sys.executable).parent / "backuptui")


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released): connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def write_config(
    path: Path,
    appliances: dict[str, str],
    groups: dict[str, list[str]] | None = None,
    *,
    idle: int | None = None,
) -> Path:
    """A config file with one profile per appliance: {name: url}; passwords from the environment;
    `groups`: {name: its groups}; `idle`: poll every this many seconds."""
    lines = [f"refresh = {{ idle = {idle}, running = {idle} }}", ""] if idle else []
    for name, url in appliances.items():
        lines += [
            f"[profiles.{name}]",
            f'url = "{url}"',
            'username = "administrator@vsphere.local"',
            'password_source = "env"',
        ]
        if groups and name in groups:
            lines.append("groups = [" + ", ".join(f'"{group}"' for group in groups[name]) + "]")
        lines.append("")
    path.write_text("\n".join(lines))
    path.chmod(0o600)
    return path


@dataclass
class ExporterProcess:
    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)
    url: str = ""

    def wait_for_line(self, predicate: Callable[[str], bool], timeout: float = 20.0, start: int = 0) -> str:
        """The first stderr line from the `start`-th on that fits, waiting for it."""
        deadline = time.monotonic() + timeout
        for line in self.seen[start:]:
            if predicate(line):
                return line
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if predicate(line):
                return line
        raise AssertionError(f"no such line on the exporter's stderr; it said: {self.seen}")

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kwargs)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
            raise AssertionError("the exporter did not stop on SIGTERM") from None
        time.sleep(0)  # let the reader thread drain what is left
        return code

    def drain(self) -> list[str]:
        while True:
            try:
                self.seen.append(self.lines.get(timeout=0.5))
            except queue.Empty:
                return self.seen


def start_exporter(
    config: Path, args: Sequence[str] = ("--all",), env: dict[str, str] | None = None
) -> ExporterProcess:
    environ = {**os.environ, "BACKUPTUI_CONFIG": str(config), "BACKUPTUI_PASSWORD": "VMware1!", **(env or {})}
    process = subprocess.Popen(
        [BACKUPTUI, "exporter", "--listen", "127.0.0.1:0", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
    )
    exporter = ExporterProcess(process)

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            exporter.lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    serving = exporter.wait_for_line(lambda line: "serving metrics on " in line)
    exporter.url = serving.split("serving metrics on ", 1)[1].split()[0].removesuffix("/metrics")
    return exporter
