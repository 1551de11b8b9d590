"""Lowering the CPU priority of the thread running a long query (Linux).

Linux keeps a niceness and a scheduling policy per thread, and a reader runs each
query in a thread of its own, so a long query can give way without its neighbours
doing so. A lowered thread gets both the lowest niceness and ``SCHED_IDLE``:
niceness alone still gives a busy thread a slice every few milliseconds, which
doubles the latency of answers that take a millisecond or two, while a ``SCHED_IDLE``
thread gives way at once to any other thread that wants the CPU.

Raising a priority back needs a privilege (CAP_SYS_NICE) a server should not have,
so a lowered thread ends with its query and is never reused.
"""

import contextlib
import os
import time

LOWEST_PRIORITY = 19


def lower_thread_priority(native_id: int) -> None:
    """Give one thread (by its kernel id) the lowest CPU priority."""
    # A thread that has just ended, or a system without per-thread priorities.
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, native_id, LOWEST_PRIORITY)
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(native_id, os.SCHED_IDLE, os.sched_param(0))


def thread_cpu_seconds(ident: int) -> float | None:
    """CPU time a live thread of this process (by its Python ident) has used, if known."""
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(ident))
    except (OSError, AttributeError, OverflowError):
        return None
