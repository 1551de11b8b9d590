"""Watching a server's process group from ``/proc``: memory, processes, lowered priorities.

A scograph server runs in a process group of its own (see :mod:`benchmarks.servers`):
the uvicorn process and its query workers. A :class:`GroupSampler` reads them every
half second in a thread, and tells afterwards how much memory they held, how many
processes there were, and which workers ran a thread at the lowest CPU priority
(the server lowers the threads of long-running queries while short ones come).
"""

import os
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
_MIB = 1024 * 1024
LOWEST_PRIORITY = 19


@dataclass(frozen=True)
class GroupProcess:
    """One live process of the group, as ``/proc/PID/stat`` shows it."""

    pid: int
    nice: int
    rss_bytes: int
    cpu_s: float
    # Threads at the lowest priority: thread id -> its CPU seconds.
    lowered_threads: dict[int, float] = field(default_factory=dict)

    @property
    def lowered(self) -> bool:
        return self.nice >= LOWEST_PRIORITY or bool(self.lowered_threads)


def group_processes(process_group: int) -> list[GroupProcess]:
    """Return the live (not zombie) processes of a process group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended while we looked
        fields = _fields(text)
        if int(fields[2]) != process_group or fields[0] in ("Z", "X"):
            continue
        rss = int(fields[21]) * _PAGE_BYTES
        pid = int(stat.parent.name)
        found.append(GroupProcess(pid, int(fields[16]), rss, _cpu(fields), _lowered_threads(pid)))
    return sorted(found, key=lambda process: process.pid)


def _fields(stat: str) -> list[str]:
    # After the command name: state, ppid, pgrp, … utime and stime are the 12th and
    # 13th, nice the 17th, rss (in pages) the 22nd.
    return stat[stat.rindex(")") + 2 :].split()


def _cpu(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND


def _lowered_threads(pid: int) -> dict[int, float]:
    lowered = {}
    for stat in Path(f"/proc/{pid}/task").glob("[0-9]*/stat"):
        try:
            fields = _fields(stat.read_text())
        except OSError:
            continue  # the thread ended while we looked
        if int(fields[16]) >= LOWEST_PRIORITY:
            lowered[int(stat.parent.name)] = _cpu(fields)
    return lowered


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie does not count)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2] not in ("Z", "X")


@dataclass
class GroupSample:
    """What the sampler saw over one or more stretches of time."""

    rss_mib: list[float] = field(default_factory=list)
    processes: list[int] = field(default_factory=list)
    # Workers seen running a thread at the lowest priority.
    lowered: set[int] = field(default_factory=set)
    # CPU time used while sampled (a process's last half second may be missed), by all
    # the processes and by the threads at the lowest priority since they were seen so.
    cpu_seconds: float = 0.0
    cpu_seconds_lowered: float = 0.0
    seconds: float = 0.0

    def summary(self) -> dict[str, object]:
        """Min, median and max of the memory and the process count, the CPU, the lowered pids."""
        return {
            "samples": len(self.rss_mib),
            "rss_mib": _spread(self.rss_mib),
            "processes": _spread(self.processes),
            "lowered_priority_pids": sorted(self.lowered),
            "seconds": round(self.seconds, 1),
            "cpu_seconds": round(self.cpu_seconds, 1),
            "cpu_seconds_lowered": round(self.cpu_seconds_lowered, 1),
            "cpu_cores": round(self.cpu_seconds / self.seconds, 2) if self.seconds else None,
        }


def _spread(values: list[float] | list[int]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "min": round(min(values), 1),
        "median": round(statistics.median(values), 1),
        "max": round(max(values), 1),
    }


class GroupSampler:
    """Samples a process group every ``interval_s`` in a thread while in its ``with`` block.

    What it sees is added to ``sample``, so one sample can gather several stretches.
    """

    def __init__(
        self, process_group: int, sample: GroupSample | None = None, interval_s: float = 0.5
    ) -> None:
        self.process_group = process_group
        self.interval_s = interval_s
        self.sample = sample or GroupSample()
        self._started = 0.0
        # CPU seconds of each process when first seen (0 for those started meanwhile)
        # and when last seen; of each lowered thread (pid, tid) when first and last seen so.
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._first_lowered: dict[tuple[int, int], float] = {}
        self._last_lowered: dict[tuple[int, int], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="group-sampler", daemon=True)

    def __enter__(self) -> "GroupSampler":
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample.seconds += time.monotonic() - self._started
        self.sample.cpu_seconds += sum(self._last[pid] - self._first[pid] for pid in self._last)
        self.sample.cpu_seconds_lowered += sum(
            self._last_lowered[thread] - cpu for thread, cpu in self._first_lowered.items()
        )

    def _run(self) -> None:
        first_look = True
        while True:
            self._take(first_look)
            first_look = False
            if self._stop.wait(self.interval_s):
                return

    def _take(self, first_look: bool) -> None:
        processes = group_processes(self.process_group)
        self.sample.rss_mib.append(sum(p.rss_bytes for p in processes) / _MIB)
        self.sample.processes.append(len(processes))
        for process in processes:
            self._first.setdefault(process.pid, process.cpu_s if first_look else 0.0)
            self._last[process.pid] = process.cpu_s
            if process.lowered:
                self.sample.lowered.add(process.pid)
            for thread, cpu in process.lowered_threads.items():
                self._first_lowered.setdefault((process.pid, thread), cpu)
                self._last_lowered[(process.pid, thread)] = cpu
