"""Measuring tools shared by the streaming, start-up, build, dump and scale benchmarks.

- :class:`RssSampler` samples the resident memory of a server's process group;
- :func:`download` fetches a URL with curl into ``/dev/null`` and times it;
- :func:`timed_run` runs a command and returns its wall time and peak memory;
- :func:`process_cpu` reads each process's CPU time from ``/proc``.
"""

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def group_pids(process_group: int) -> list[int]:
    """Return the live processes of a process group (a server and its workers)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended while we looked
        if int(fields[2]) == process_group:
            pids.append(int(stat.parent.name))
    return pids


def rss_bytes(pids: Iterable[int]) -> int:
    """Return the summed resident memory of ``pids`` (those still alive)."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
        except (OSError, IndexError):
            continue
    return total


class RssSampler:
    """Samples a process group's resident memory every ``interval`` seconds in a thread.

    The group's members are looked up again every second, so a worker started or
    replaced during the run is counted.
    """

    def __init__(self, process_group: int, interval: float = 0.1) -> None:
        self.process_group = process_group
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        pids: list[int] = []
        looked_up = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            if now - looked_up >= 1.0:
                pids, looked_up = group_pids(self.process_group), now
            self.samples.append((now, rss_bytes(pids)))
            self._stop.wait(self.interval)

    def between(self, start: float, end: float) -> list[int]:
        """Return the samples taken between two ``time.monotonic()`` readings."""
        return [rss for when, rss in self.samples if start <= when <= end]


@dataclass(frozen=True)
class Download:
    """One download: HTTP status, bytes received and seconds from request to last byte."""

    status: int
    size: int
    seconds: float

    @property
    def bytes_per_second(self) -> float:
        return self.size / self.seconds if self.seconds else 0.0


def download(url: str, accept: str | None = None, data: dict[str, str] | None = None) -> Download:
    """GET ``url`` with curl into /dev/null (``data`` URL-encoded into the query string).

    curl is a C client that reads as fast as the server sends, so the figure is the
    server's, not the client's.
    """
    command = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}"]
    if accept:
        command += ["-H", f"Accept: {accept}"]
    if data:
        command.append("--get")
        for key, value in data.items():
            command += ["--data-urlencode", f"{key}={value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    status, size, seconds = done.stdout.split()
    return Download(int(status), int(size), float(seconds))


@dataclass(frozen=True)
class TimedRun:
    """A command's wall time, its peak resident memory, and its exit code."""

    seconds: float
    peak_rss_bytes: int
    returncode: int
    stderr: str


def timed_run(command: Sequence[str], env: dict[str, str] | None = None) -> TimedRun:
    """Run ``command``, returning its wall time and the peak RSS of the process (wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True
    )
    assert process.stderr is not None
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux.
    return TimedRun(seconds, usage.ru_maxrss * 1024, process.returncode, stderr)


def process_cpu(pids: Iterable[int]) -> dict[int, float]:
    """Return the CPU seconds (user + system) each live process of ``pids`` has used."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / _TICK
    return found


def median(values: Iterable[float]) -> float:
    """The median, or NaN for no values."""
    values = list(values)
    return statistics.median(values) if values else float("nan")


def mib(size: float) -> float:
    """Bytes to MiB, rounded for a table."""
    return round(size / 2**20, 1)
