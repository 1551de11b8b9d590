"""A worker process's CPU time, and lowering its CPU priority and raising it back (Linux).

Linux keeps a niceness and a scheduling policy per thread, and a worker runs its
requests in a thread of its own, so lowering a process's priority means lowering
every thread's. A lowered thread gets both the lowest niceness and ``SCHED_IDLE``:
niceness alone still gives a busy thread a slice every few milliseconds, which
doubles the latency of answers that take a millisecond or two, while a ``SCHED_IDLE``
thread gives way at once to any other thread that wants the CPU.
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
        with contextlib.suppress(OSError, AttributeError):
            os.sched_setscheduler(thread, os.SCHED_IDLE, os.sched_param(0))


def restore_priority(pid: int) -> bool:
    """Give every thread of the process the normal priority back; False if not allowed.

    Raising a priority needs privileges (CAP_SYS_NICE) an unprivileged server lacks.
    """
    try:
        for thread in _threads(pid):
            with contextlib.suppress(AttributeError):
                os.sched_setscheduler(thread, os.SCHED_OTHER, os.sched_param(0))
            os.setpriority(os.PRIO_PROCESS, thread, 0)
    except OSError:
        return False
    return True


def _threads(pid: int) -> list[int]:
    try:
        return [int(name) for name in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return [pid]
