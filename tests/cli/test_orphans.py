"""A SIGKILLed `dataops demo` leaves no processes running and, after the next run, no files.

The real console script, the real forkserver pool and real Prophet fits: the build is killed
while its workers are fitting, which is when the forkserver, its workers and the resource
tracker used to outlive it (one set still running after 38 minutes).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workflows.demo import remove_stale_scratch

DATAOPS = Path(sys.executable).with_name("dataops")

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


def descendants(root: int) -> set[int]:
    """Every process below `root`, from /proc (parent ids)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running


def ours(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return str(Path(sys.executable).parent).encode() in command


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.slow
def test_killing_a_demo_build_while_it_fits_leaves_nothing_running_and_the_next_run_cleans_up(
    tmp_path,
):
    store = tmp_path / "store.duckdb"
    family: set[int] = set()
    build = subprocess.Popen(
        [DATAOPS, "demo", "--store", store, "--teams", "2", "--years", "1", "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # the pool is up once the build has at least the forkserver and two workers below it
        assert wait_for(lambda: len(descendants(build.pid)) >= 3, timeout=240), "no pool started"
        time.sleep(1.0)
        family = descendants(build.pid)
        os.kill(build.pid, signal.SIGKILL)
        build.wait(timeout=10)

        assert wait_for(lambda: not alive(family), timeout=20), f"left running: {alive(family)}"
        scratch = store.with_name(f"{store.name}.{build.pid}.tmp")
        assert scratch.exists()  # what the killed build leaves, until the next run
        assert remove_stale_scratch(store) == [scratch]
        assert not scratch.exists() and not store.exists()
    finally:
        if build.poll() is None:
            build.kill()
        for pid in alive(family | descendants(build.pid)):  # a failed run cleans up after itself
            if ours(pid):  # never a process that reused a pid
                os.kill(pid, signal.SIGKILL)


def test_a_live_builds_scratch_file_is_left_alone(tmp_path):
    store = tmp_path / "store.duckdb"
    mine = store.with_name(f"{store.name}.{os.getpid()}.tmp")
    mine.write_bytes(b"building")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    stale = store.with_name(f"{store.name}.{int(gone.stdout)}.tmp")
    stale.write_bytes(b"left by a killed build")

    assert remove_stale_scratch(store) == [stale]
    assert mine.exists() and not stale.exists()
