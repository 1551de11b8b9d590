"""Fixtures of the web front's tests: the bundled graph, a real server, a real browser.

The server is uvicorn in a process of its own on 127.0.0.1 (a port the test binds,
handed over as a file descriptor), serving ``live_app.build_app``: the endpoint
with its query workers, the publishing routes and the web front. The browser is
Debian's Chromium, headless, driven by Playwright; every request it makes must
stay on the loopback interface (anything else is stopped and fails the test).
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from scograph.build import build_store

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
SPARQL_JSON = "application/sparql-results+json"


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled ontology and data, built into a store once per session."""
    path = tmp_path_factory.mktemp("web") / "store"
    build_store(path)
    return path


@dataclass
class LiveServer:
    """The running server: its base URL, and an HTTP client for checks beside the browser."""

    base: str
    client: httpx.Client = field(repr=False)

    def select(self, query: str) -> list[dict[str, dict[str, str]]]:
        """The bindings of a SELECT query sent to the server's own endpoint."""
        response = self.client.post(
            "/sparql", data={"query": query}, headers={"Accept": SPARQL_JSON}
        )
        response.raise_for_status()
        return response.json()["results"]["bindings"]


@pytest.fixture(scope="session")
def server(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn serving the whole app on a free port of 127.0.0.1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "SCOGRAPH_STORE": str(store_dir),
        "SCOGRAPH_READERS": "2",
        "SCOGRAPH_TEST_RELEASES": str(tmp_path_factory.mktemp("releases")),
        "SCOGRAPH_TEST_PUBLIC_BASE": base + "/",
    }
    environment.pop("SCOGRAPH_WRITE_TOKEN", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(HERE),
            "--factory",
            "live_app:build_app",
            "--fd",
            str(sock.fileno()),
            "--log-level",
            "warning",
        ],
        pass_fds=(sock.fileno(),),
        env=environment,
        cwd=ROOT,
    )
    client = httpx.Client(base_url=base, timeout=30)
    try:
        _wait_until_up(client, process)
        yield LiveServer(base, client)
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        sock.close()


def _wait_until_up(client: httpx.Client, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test server exited with status {process.returncode}")
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the test server did not start within 90 s")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's), started once per session."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A browser page, and the requests it tried to send off this machine."""

    page: object
    base: str
    left_loopback: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"web-{name}.png"), full_page=True)


@pytest.fixture
def visit(browser: object, server: LiveServer) -> Iterator[Visit]:
    """A fresh browser context; any request to a host off the loopback fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(20_000)
    found = Visit(context.new_page(), server.base)

    def guard(route: object) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if urlsplit(url).scheme in ("data", "blob") or host in LOOPBACK_HOSTS:
            route.continue_()
        else:
            found.left_loopback.append(url)
            route.abort()

    context.route("**/*", guard)
    found.page.on("pageerror", lambda error: found.errors.append(str(error)))
    try:
        yield found
    finally:
        context.close()
    assert found.left_loopback == [], "requests left 127.0.0.1"
    assert found.errors == [], "scripts failed on the page"


@pytest.fixture(scope="session", autouse=True)
def fresh_screenshots() -> None:
    """This run's screenshots only (the folder is git-ignored; others' files stay)."""
    for old in SCREENSHOTS.glob("web-*.png"):
        old.unlink()
