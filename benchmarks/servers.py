"""Starting, checking and stopping the servers under test, each on its own loopback port.

Every server runs in a session (process group) of its own, so stopping it also stops
the workers it forked, and nothing else; a server is always stopped when its
``with`` block ends, however it ends.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.generate import Dataset, oxigraph_cli

HOST = "127.0.0.1"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
_READY_TIMEOUT_S = 120.0
_STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ServerSpec:
    """How to start one server: ``{port}`` in the command is replaced by its port."""

    name: str
    command: tuple[str, ...]
    path: str
    # Environment variables set for the server (on top of this process's own).
    environment: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RunningServer:
    """A started server, where its SPARQL endpoint is, and its process group."""

    name: str
    port: int
    path: str
    log: Path
    process_group: int

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def endpoint(self) -> str:
        return self.base_url + self.path


def oxigraph_spec(dataset: Dataset) -> ServerSpec:
    """Oxigraph's own server, read-only, querying the union of the graphs as scograph does."""
    command = (
        oxigraph_cli(),
        "serve-read-only",
        "--location",
        str(dataset.oxigraph_store),
        "--bind",
        f"{HOST}:{{port}}",
        "--union-default-graph",
    )
    return ServerSpec("oxigraph", command, "/query")


def baseline_spec(dataset: Dataset) -> ServerSpec:
    """The plain FastAPI handler of :mod:`benchmarks.baseline_app`."""
    command = (
        sys.executable,
        "-m",
        "benchmarks.baseline_app",
        "--store",
        str(dataset.pyoxigraph_store),
        "--port",
        "{port}",
    )
    return ServerSpec("baseline", command, "/sparql")


def bare_spec(dataset: Dataset, mode: str) -> ServerSpec:
    """A bound of :mod:`benchmarks.bare_asgi` (``inline`` or ``isolated``), named ``bare-MODE``."""
    command = (
        sys.executable,
        "-m",
        "benchmarks.bare_asgi",
        mode,
        "--store",
        str(dataset.pyoxigraph_store),
        "--port",
        "{port}",
    )
    return ServerSpec(f"bare-{mode}", command, "/sparql")


def scograph_spec(
    dataset: Dataset, workers: int | None, cached: bool = False, name: str = "scograph"
) -> ServerSpec:
    """scograph's server, on a copy of the pyoxigraph store made for this run.

    The copy is fresh each run because scograph may open its store read-write, which
    would leave the baseline's read-only view undefined if they shared one. The
    access log is off, as it is for the baseline: the designs are compared, not logging.
    Unless ``cached``, the response cache and the start-up warming are off, so every
    request is really answered by the engine, as by the other servers.
    """
    store = dataset.folder / f"{name}-store"
    shutil.rmtree(store, ignore_errors=True)
    shutil.copytree(dataset.pyoxigraph_store, store)
    command = (
        scograph_cli(),
        "serve",
        "--store",
        str(store),
        "--port",
        "{port}",
        "--no-access-log",
    )
    if workers is not None:
        command += ("--workers", str(workers))
    environment = () if cached else UNCACHED
    return ServerSpec(name, command, "/sparql", environment)


UNCACHED = (("SCOGRAPH_RESPONSE_CACHE_BYTES", "0"), ("SCOGRAPH_WARM_AT_START", "false"))


def scograph_cli() -> str:
    """Return the ``scograph`` command installed beside this Python, or the one on PATH."""
    beside = Path(sys.executable).with_name("scograph")
    return str(beside) if beside.exists() else shutil.which("scograph") or "scograph"


def scograph_can_serve() -> bool:
    """Tell whether the installed ``scograph serve`` takes a store and a port yet."""
    try:
        found = subprocess.run(
            [scograph_cli(), "serve", "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return found.returncode == 0 and "--store" in found.stdout and "--port" in found.stdout


@contextmanager
def running(spec: ServerSpec, log_dir: Path) -> Iterator[RunningServer]:
    """Start ``spec``, wait until it answers a query, yield it, and always stop it.

    Raises :class:`RuntimeError` (with the end of its log) if it exits or does not
    answer within two minutes.
    """
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{spec.name}.log"
    command = [part.replace("{port}", str(port)) for part in spec.command]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env={**os.environ, **dict(spec.environment)},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=PROJECT_ROOT,
            start_new_session=True,
        )
    # start_new_session made the server a group leader: its group id is its pid.
    server = RunningServer(spec.name, port, spec.path, log, process.pid)
    try:
        _wait_ready(server, process)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server and its process group: politely first, then by force."""
    if process.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, _STOP_TIMEOUT_S), (signal.SIGKILL, _STOP_TIMEOUT_S)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def cpu_seconds(process_group: int) -> float:
    """Return the CPU time (user + system) used so far by the live processes of a group.

    On a shared machine a server's throughput depends on what else runs; the CPU time
    it spends per request much less so, which makes it the steadier figure to compare.
    """
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        # After the command name: state, ppid, pgrp, … utime and stime are the 12th and 13th.
        if int(fields[2]) == process_group:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """Return a loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Answer:
    """One response to a query: its status, media type and how many results it holds."""

    status: int
    content_type: str
    results: int | None
    body: bytes
    seconds: float


def ask(server: RunningServer, sparql: str, accept: str, timeout: float = 120) -> Answer:
    """Send ``sparql`` with a GET and count the results (rows, triples or 1 for ASK)."""
    url = f"{server.endpoint}?{urllib.parse.urlencode({'query': sparql})}"
    request = urllib.request.Request(url, headers={"Accept": accept})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read()
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        content_type = error.headers.get("Content-Type", "")
        return Answer(error.code, content_type, None, error.read(), time.perf_counter() - started)
    results = count_results(body, content_type)
    return Answer(status, content_type, results, body, time.perf_counter() - started)


def count_results(body: bytes, content_type: str) -> int | None:
    """Return the number of solutions or triples in a response body, None if unreadable."""
    media_type = content_type.split(";")[0].strip()
    if media_type == "application/sparql-results+json":
        parsed = json.loads(body)
        return 1 if "boolean" in parsed else len(parsed["results"]["bindings"])
    if media_type == "application/n-triples":
        return sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
    return None


def _wait_ready(server: RunningServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {process.returncode}:\n{_tail(server)}")
        try:
            if ask(server, "ASK {}", "application/sparql-results+json", timeout=5).status == 200:
                return
        except (OSError, ValueError):
            pass  # not listening yet
        time.sleep(0.2)
    raise RuntimeError(
        f"{server.name} did not answer within {_READY_TIMEOUT_S:.0f} s:\n{_tail(server)}"
    )


def _tail(server: RunningServer, lines: int = 20) -> str:
    text = server.log.read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])
