"""Pool workers that end when the process that started them ends.

Workers come from a forkserver, so their parent is the forkserver, not the `dataops` process or
the app that wants the fits; and they wait on a task pipe whose write end they hold themselves.
So a SIGKILLed `dataops forecast` left the forkserver, its workers and the resource tracker
running (one set still alive after 38 min, about 0.5 GB). `watch(pid)` is the pool's worker
initializer: a daemon thread waits on a pidfd of the starting process (Linux 5.3+; it polls
`kill(pid, 0)` where there is none) and ends the worker when that process is gone. With the
workers gone the forkserver and the resource tracker see their pipes close and exit too. The
parent-death signal covers the forkserver itself dying.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import threading
import time

_PR_SET_PDEATHSIG = 1
POLL_SECONDS = 1.0


def watch(pid: int) -> None:
    """End this process soon after process `pid` ends (call once, in the child)."""
    _die_with_direct_parent()
    if not _alive(pid):
        os._exit(1)
    threading.Thread(target=_wait_then_exit, args=(pid,), daemon=True, name="lifeline").start()


def _die_with_direct_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _wait_then_exit(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        while _alive(pid):
            time.sleep(POLL_SECONDS)
    else:
        select.select([fd], [], [])  # readable once the process has ended
    os._exit(1)  # no cleanup to run: the parent that wanted the results is gone


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
