"""Where an export goes (core/output_file.py and `status -o`): a regular file is replaced only
when allowed and keeps its mode, a new one is 0600, a symlink's target is replaced (not the
link), a FIFO or a character device is written through, and `-o -` is standard output."""

from __future__ import annotations

import io
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from backuptui.cli import build_parser
from backuptui.commands import status
from backuptui.core.output_file import OutputExists, existing_file, write_output
from backuptui.simulator import Simulator


def test_a_new_file_is_0600(tmp_path: Path) -> None:
    written = write_output(tmp_path / "h.csv", "x\n")
    assert written == tmp_path / "h.csv"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_an_existing_file_is_refused_unless_allowed_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "h.csv"
    target.write_text("old\n")
    target.chmod(0o644)
    with pytest.raises(OutputExists):
        write_output(target, "new\n")
    assert target.read_text() == "old\n"
    write_output(target, "new\n", overwrite=True)
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv"]


def test_a_symlink_to_a_file_replaces_the_target_not_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert existing_file(link) == real
    assert write_output(link, "new\n", overwrite=True) == real
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new\n"


def test_a_fifo_and_a_link_to_it_are_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "to-pipe.csv"
    link.symlink_to(fifo)
    for path in (fifo, link):
        got: list[str] = []
        reader = threading.Thread(target=lambda got=got: got.append(fifo.read_text()))
        reader.start()
        assert existing_file(path) is None
        write_output(path, "through\n")  # no --force needed: nothing is replaced
        reader.join(timeout=10)
        assert got == ["through\n"]
        assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert link.is_symlink()


def test_a_character_device_is_written_through() -> None:
    before = os.stat("/dev/null")
    write_output("/dev/null", "nothing\n")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


@pytest.fixture
def sim(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> Simulator:
    monkeypatch.setenv("BACKUPTUI_PASSWORD", "VMware1!")
    return simulator_factory(jobs=5, seed=3)


def run_status(sim: Simulator, *extra: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(["status", "--url", sim.url, "--user", sim.user, *extra])
    out, err = io.StringIO(), io.StringIO()
    code = status.run(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_status_output_dash_is_standard_output(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_status(sim, "-o", "-", "--format", "csv")
    assert code == 0 and err == ""
    assert out.startswith("id,status,") and len(out.splitlines()) == 6
    assert list(tmp_path.iterdir()) == []


def test_status_refuses_to_replace_a_file_without_force(sim: Simulator, tmp_path: Path) -> None:
    target = tmp_path / "jobs.csv"
    target.write_text("mine\n")
    target.chmod(0o600)
    code, out, err = run_status(sim, "-o", str(target))
    assert code == 2 and out == ""
    assert err == f"backuptui status: {target} already exists; give --force to replace it\n"
    assert target.read_text() == "mine\n"
    assert sim.stats()["requests_total"] == 0  # refused before asking the appliance anything
    code, out, err = run_status(sim, "-o", str(target), "--force")
    assert code == 0 and out == f"{target}\n"
    assert target.read_text().startswith("id,status,")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_status_writes_a_new_file_0600(sim: Simulator, tmp_path: Path) -> None:
    code, out, _ = run_status(sim, "-o", str(tmp_path / "jobs.json"))
    assert code == 0 and out == f"{tmp_path / 'jobs.json'}\n"
    assert stat.S_IMODE((tmp_path / "jobs.json").stat().st_mode) == 0o600


def test_status_writes_through_a_fifo_and_replaces_a_links_target(sim: Simulator, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    code, out, err = run_status(sim, "-o", str(fifo), "--format", "csv")
    reader.join(timeout=10)
    assert code == 0 and err == "" and out == ""
    assert got and got[0].startswith("id,status,")
    assert stat.S_ISFIFO(fifo.stat().st_mode)

    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    code, out, _ = run_status(sim, "-o", str(link), "--force")
    assert code == 0 and out == f"{real}\n"
    assert link.is_symlink() and real.read_text().startswith("{")
    assert '"jobs"' in real.read_text()
