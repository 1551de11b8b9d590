"""Fixtures of the publishing tests: built stores, releases, and a real HTTP server.

The fixture dataset (``fixture/``) is small and carries what the tests need: labels
in three languages, quotes, a Wikidata link, a graph under CC BY-SA, blank nodes in
the ontology, and a label that is a script. The bundled data joins in once
``data/`` holds TriG files.
"""

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import uvicorn
from fastapi import FastAPI

from scograph import resources
from scograph.build import build_store
from scograph.publish.release import ReleaseReport, release
from scograph.publish.routes import include_publishing

FIXTURE = Path(__file__).parent / "fixture"
VERSION = "1.0.0"


@dataclass(frozen=True)
class Published:
    """A store and a release made from it."""

    name: str
    store_dir: Path
    releases_dir: Path
    report: ReleaseReport

    @property
    def folder(self) -> Path:
        return self.releases_dir / VERSION

    def store(self) -> ox.Store:
        return ox.Store.read_only(str(self.store_dir))


def _datasets() -> list[str]:
    names = ["fixture"]
    if any(resources.data_dir().rglob("*.trig")):
        names.append("bundled")
    return names


def _dirs(name: str) -> tuple[Path, Path]:
    if name == "fixture":
        return FIXTURE / "ontology", FIXTURE / "data"
    return resources.ontology_dir(), resources.data_dir()


def publish(name: str, root: Path, base_url: str = "http://127.0.0.1:8000/") -> Published:
    """Build a store from a dataset and release it as VERSION."""
    store_dir, releases_dir = root / "store", root / "releases"
    build_store(store_dir, *_dirs(name))
    report = release(store_dir, releases_dir, VERSION, public_base_url=base_url)
    return Published(name, store_dir, releases_dir, report)


@pytest.fixture(scope="session", params=_datasets())
def published(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Published:
    """Every dataset, built and released once per test session."""
    return publish(request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="session")
def fixture_published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The fixture dataset, built and released (for tests about its particular things)."""
    return publish("fixture", tmp_path_factory.mktemp("fixture-web"))


@dataclass(frozen=True)
class LiveServer:
    base: str
    published: Published


@pytest.fixture(scope="session")
def server(fixture_published: Published) -> Iterator[LiveServer]:
    """The publishing routes in a FastAPI app, served by uvicorn on 127.0.0.1 (real HTTP)."""
    app = FastAPI()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    include_publishing(
        app,
        store_path=fixture_published.store_dir,
        releases_dir=fixture_published.releases_dir,
        public_base_url=f"http://127.0.0.1:{port}/",
    )
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", fixture_published)
    uv.should_exit = True
    thread.join(timeout=10)
    sock.close()
