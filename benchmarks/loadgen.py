"""Driving one server with ``wrk`` for one query, and reading what wrk measured."""

import json
import math
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from benchmarks.queries import Query
from benchmarks.servers import RunningServer

LUA_SCRIPT = Path(__file__).parent / "sparql.lua"
_MARKER = "WRK_JSON "


@dataclass(frozen=True)
class LoadSettings:
    """wrk's knobs: the same for every server and query of a run."""

    duration_s: int = 10
    connections: int = 8
    threads: int = 2
    method: str = "GET"
    # Long enough that a slow scan on the big dataset is measured, not dropped.
    timeout_s: int = 60


@dataclass(frozen=True)
class Sample:
    """What one wrk run measured."""

    requests: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]
    # Filled in by the caller, who can see the server's processes.
    server_cpu_ms_per_request: float | None = None

    @property
    def failed(self) -> int:
        """Requests that failed: refused, broken, timed out or answered with an error."""
        return sum(self.errors.values())


def run_length(settings: LoadSettings, single_request_s: float, longest_s: int = 60) -> int:
    """Return how many seconds to drive a query whose lone request took ``single_request_s``.

    wrk counts only the requests that complete within the run, so a scan taking
    seconds under 8 connections would finish none in 10 s, or be cut by up to a
    request's time. The run is lengthened (up to ``longest_s``) so that each
    connection completes a few requests even when the 8 share the 2 cores.

    >>> run_length(LoadSettings(duration_s=10, connections=8), 0.002)
    10
    >>> run_length(LoadSettings(duration_s=10, connections=8), 1.5)
    24
    """
    return max(
        settings.duration_s, min(longest_s, math.ceil(2 * settings.connections * single_request_s))
    )


def wrk_version() -> str:
    """Return wrk's version, e.g. ``debian/4.1.0-3+b2`` from ``wrk debian/4.1.0-3+b2 [epoll] …``."""
    found = subprocess.run([wrk_command(), "-v"], capture_output=True, text=True, check=False)
    first_line = (found.stdout or found.stderr).splitlines()[0]
    return first_line.split(" [")[0].removeprefix("wrk ").strip()


def wrk_command() -> str:
    """Return the wrk executable; raises :class:`FileNotFoundError` when it is missing."""
    found = shutil.which("wrk")
    if found is None:
        raise FileNotFoundError("wrk is missing: apt-get update && apt-get install -y wrk")
    return found


def drive(
    server: RunningServer,
    query: Query,
    query_file: Path,
    settings: LoadSettings,
    duration_s: int | None = None,
) -> Sample:
    """Run wrk against ``server`` with ``query`` (already written to ``query_file``)."""
    duration = duration_s or settings.duration_s
    env = {
        **os.environ,
        "SPARQL_QUERY_FILE": str(query_file),
        "SPARQL_ACCEPT": query.accept,
        "SPARQL_METHOD": settings.method,
        "SPARQL_PATH": server.path,
    }
    command = [
        wrk_command(),
        f"--threads={settings.threads}",
        f"--connections={settings.connections}",
        f"--duration={duration}s",
        f"--timeout={settings.timeout_s}s",
        f"--script={LUA_SCRIPT}",
        server.base_url,
    ]
    # Bounded: wrk stops by itself after the duration; the margin covers a last slow reply.
    done = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + settings.timeout_s + 30,
    )
    return parse_wrk_output(done.stdout)


def parse_wrk_output(stdout: str) -> Sample:
    """Read the line the Lua script's ``done`` printed; raises ValueError if there is none."""
    for line in stdout.splitlines():
        if line.startswith(_MARKER):
            raw = json.loads(line[len(_MARKER) :])
            break
    else:
        raise ValueError(f"no {_MARKER.strip()} line in wrk's output:\n{stdout}")
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    return Sample(
        requests=raw["requests"],
        seconds=round(seconds, 3),
        requests_per_s=raw["requests"] / seconds,
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        errors=raw["errors"],
    )
