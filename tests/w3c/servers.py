"""Start a server to test, on 127.0.0.1 and a free port, with an empty throw-away store.

Two targets: `scograph` (ours, one `/sparql` endpoint, Graph Store at `/graph-store`,
writes need a Bearer token) and `oxigraph` (Oxigraph's own server, the reference figures).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from .client import Target

TARGETS = ("scograph", "oxigraph")
TARGET_VARIABLE = "SCOGRAPH_W3C_TARGET"
_START_TIMEOUT = 30.0


def target_name() -> str:
    """The target pytest runs against: $SCOGRAPH_W3C_TARGET, by default scograph."""
    return os.environ.get(TARGET_VARIABLE, "scograph")


@dataclass(frozen=True)
class _Launch:
    """How to start one target: its command line, extra environment, and URLs."""

    command: list[str]
    environment: dict[str, str]
    target: Target
    ready_url: str


@contextmanager
def running_target(name: str) -> Iterator[Target]:
    """Start the server called `name` and yield its Target; stop it afterwards.

    Raises ValueError for an unknown name and RuntimeError if the server does not come up.
    """
    if name not in TARGETS:
        raise ValueError(f"unknown target {name!r}; choose one of {', '.join(TARGETS)}")
    with tempfile.TemporaryDirectory(prefix=f"w3c-{name}-") as scratch:
        launch = _plan(name, _free_port(), Path(scratch) / "store")
        log_path = Path(scratch) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                launch.command,
                env={**os.environ, **launch.environment},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_ready(process, launch.ready_url, log_path)
            yield launch.target
        finally:
            _stop(process)


def _plan(name: str, port: int, store: Path) -> _Launch:
    """Say how to run `name` on 127.0.0.1:`port` with an empty store in `store`."""
    base = f"http://127.0.0.1:{port}"
    if name == "scograph":
        token = secrets.token_urlsafe(24)
        return _Launch(
            command=[
                *(_executable("scograph"), "serve", "--empty", "--host", "127.0.0.1"),
                *("--port", str(port), "--store", str(store)),
            ],
            environment={"SCOGRAPH_WRITE_TOKEN": token},
            target=Target(name, f"{base}/sparql", f"{base}/sparql", f"{base}/graph-store", token),
            ready_url=f"{base}/health",
        )
    return _Launch(
        command=[
            *(_executable("oxigraph"), "serve"),
            *("--location", str(store), "--bind", f"127.0.0.1:{port}"),
        ],
        environment={},
        target=Target(name, f"{base}/query", f"{base}/update", f"{base}/store"),
        # Oxigraph has no health route; a trivial query answers once it is up.
        ready_url=f"{base}/query?query=ASK%7B%7D",
    )


def _executable(name: str) -> str:
    """Find a console script, preferring the one beside the running Python (the venv's)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"cannot find the `{name}` command; is the environment installed?")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    """Poll `url` until it answers 200; fail early if the process exits."""
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{_tail(log_path)}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    _stop(process)
    waited = f"{_START_TIMEOUT:.0f} s"
    raise RuntimeError(f"the server did not answer {url} in {waited}:\n{_tail(log_path)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(log_path: Path, lines: int = 20) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
