"""Fixtures of the attack tests: a store of hostile data, its release, real servers, listeners.

The store is built from the publishing tests' small ontology, with terms and data
whose every label, quote and IRI tries to inject markup (``fixture/``). Beside the
releases folder lies a file of secrets no URL may ever serve. Two servers run over
copies of the store:

- ``attacked``: writable (a long random token), CORS for one origin, an access
  log, and a SERVICE allow-list of names that all lead to a listener on this
  machine, which must still never be called;
- ``open_cors``: read-only, with the default CORS (any origin).
"""

import http.server
import secrets
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from tests.server.helpers import (
    Listener,
    Server,
    start_server,
    stop_server,
)

from scograph.build import build_store
from scograph.publish.release import release
from scograph.settings import WIKIDATA_SPARQL

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixture"
BASE_ONTOLOGY = HERE.parent / "publish" / "fixture" / "ontology" / "scograph.ttl"
VERSION = "1.0.0"
SECRET = "secret-that-no-url-may-serve-" + "7f3a9c"
CORS_ORIGIN = "https://example.org"
_START_TIMEOUT = 90.0


def loopback_names(port: int) -> list[str]:
    """Endpoints that all reach 127.0.0.1:``port`` (or another local address), however written."""
    return [
        f"http://localhost:{port}/sparql",
        f"http://LOCALHOST.:{port}/sparql",
        f"http://127.0.0.1:{port}/sparql",
        f"http://user:password@127.0.0.1:{port}/sparql",
        f"http://2130706433:{port}/sparql",
        f"http://0x7f.1:{port}/sparql",
        f"http://0177.0.0.1:{port}/sparql",
        f"http://127.1:{port}/sparql",
        f"http://0:{port}/sparql",
        f"http://0.0.0.0:{port}/sparql",
        f"http://[::1]:{port}/sparql",
        f"http://[::ffff:127.0.0.1]:{port}/sparql",
        f"http://[::ffff:7f00:1]:{port}/sparql",
        # IPv4 inside IPv6 forms Python counts as global: 6to4, NAT64, IPv4-compatible.
        f"http://[2002:7f00:1::]:{port}/sparql",
        f"http://[64:ff9b::7f00:1]:{port}/sparql",
        f"http://[::127.0.0.1]:{port}/sparql",
        f"http://169.254.169.254:{port}/latest/meta-data",
        f"http://10.0.0.1:{port}/sparql",
        f"http://192.168.1.1:{port}/sparql",
        # U+217C SMALL ROMAN NUMERAL FIFTY: IDNA maps it to "l", so this is localhost.
        f"http://\u217cocalhost:{port}/sparql",
        f"https://{'a' * 64}.example/sparql",
        f"http://127.0.0.1.:{port}/sparql",
        f"ftp://127.0.0.1:{port}/sparql",
        "file:///etc/passwd",
    ]


@dataclass(frozen=True)
class Published:
    """The hostile store, its release, and where the secret lies."""

    store_dir: Path
    releases_dir: Path
    secret_file: Path


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("hostile")
    ontology = root / "ontology"
    ontology.mkdir()
    shutil.copy(BASE_ONTOLOGY, ontology)
    shutil.copy(FIXTURE / "ontology" / "attacks.ttl", ontology)
    store_dir, releases_dir = root / "store", root / "releases"
    build_store(store_dir, ontology, FIXTURE / "data")
    release(store_dir, releases_dir, VERSION, public_base_url="http://127.0.0.1:8000/")
    secret_file = root / "SECRET.txt"
    secret_file.write_text(SECRET + "\n")
    # Inside the releases folder too, but in no release.
    (releases_dir / "SECRET.txt").write_text(SECRET + "\n")
    (releases_dir / VERSION / "SECRET").symlink_to(secret_file)
    return Published(store_dir, releases_dir, secret_file)


@pytest.fixture(scope="session")
def listener() -> Iterator[Listener]:
    """A 'SPARQL endpoint' on 127.0.0.1 that must never be contacted."""
    running = Listener()
    yield running
    running.close()


@dataclass
class LoggedServer:
    """A ``scograph serve`` with its access log on, and everything it wrote."""

    server: Server
    token: str

    def log_text(self) -> str:
        return self.server.log_text()


@pytest.fixture(scope="session")
def attacked(
    published: Published, listener: Listener, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoggedServer]:
    folder = tmp_path_factory.mktemp("attacked")
    store = folder / "store"
    shutil.copytree(published.store_dir, store)
    token = secrets.token_urlsafe(32)
    allowlist = [WIKIDATA_SPARQL, *loopback_names(listener.port)]
    quoted = ", ".join(f'"{iri}"' for iri in allowlist)
    running = start_server(
        ["--store", str(store)],
        {
            "SCOGRAPH_WRITE_TOKEN": token,
            "SCOGRAPH_READERS": "2",
            "SCOGRAPH_QUERY_TIMEOUT": "10",
            "SCOGRAPH_RELEASES_DIR": str(published.releases_dir),
            "SCOGRAPH_SERVICE_ALLOWLIST": f"[{quoted}]",
            "SCOGRAPH_CORS_ORIGINS": f'["{CORS_ORIGIN}"]',
        },
        folder,
        "attacked",
        # With uvicorn's access log: the token must not appear in it.
        access_log=True,
    )
    yield LoggedServer(running, token)
    stop_server(running)


@pytest.fixture(scope="session")
def open_cors(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Read-only, CORS for any origin (the default)."""
    folder = tmp_path_factory.mktemp("open-cors")
    store = folder / "store"
    shutil.copytree(published.store_dir, store)
    running = start_server(["--store", str(store)], {"SCOGRAPH_READERS": "1"}, folder, "open")
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30.0) as session:
        yield session


class RedirectingEndpoint:
    """Two HTTP servers on 127.0.0.1: ``first`` answers every request with a 302 to ``second``."""

    def __init__(self) -> None:
        self.requests: dict[str, int] = {"first": 0, "second": 0}
        self.second = self._serve("second", None)
        self.first = self._serve("first", self.second)

    def _serve(self, name: str, target: "http.server.ThreadingHTTPServer | None"):
        requests = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                requests[name] += 1
                if target is not None:
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.1:{target.server_port}/sparql")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def url(self, which: str) -> str:
        server = self.first if which == "first" else self.second
        return f"http://127.0.0.1:{server.server_port}/sparql"

    def close(self) -> None:
        for server in (self.first, self.second):
            server.shutdown()
            server.server_close()


@pytest.fixture
def redirecting() -> Iterator[RedirectingEndpoint]:
    endpoint = RedirectingEndpoint()
    yield endpoint
    endpoint.close()


def raw_request(base: str, target: str, headers: str = "", method: str = "GET") -> bytes:
    """Send a request line exactly as given (no client normalises ``..`` or encodings)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            f"{method} {target} HTTP/1.1\r\nHost: {host}:{port}\r\n{headers}"
            "Connection: close\r\n\r\n".encode("latin-1")
        )
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)
