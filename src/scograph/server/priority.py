"""A worker process's CPU time, and lowering its CPU priority and raising it back (Linux).

Linux keeps a niceness per thread, and a worker runs its requests in a thread of
its own, so lowering a process's priority means lowering every thread's.
"""

import contextlib
import os

LOWEST_PRIORITY = 19
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process has used, or None if it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return None
    # The command name may hold spaces; the fields after its closing parenthesis do not.
    fields = text[text.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND


def lower_priority(pid: int) -> None:
    """Give every thread of the process the lowest CPU priority."""
    for thread in _threads(pid):
        # A thread that has just ended, or a system without per-thread priorities.
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, thread, LOWEST_PRIORITY)


def restore_priority(pid: int) -> bool:
    """Give every thread of the process the normal priority back; False if not allowed.

    Raising a priority needs privileges (CAP_SYS_NICE) an unprivileged server lacks.
    """
    try:
        for thread in _threads(pid):
            os.setpriority(os.PRIO_PROCESS, thread, 0)
    except OSError:
        return False
    return True


def _threads(pid: int) -> list[int]:
    try:
        return [int(name) for name in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return [pid]
