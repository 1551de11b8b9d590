"""Fixtures of the endpoint tests: real ``scograph serve`` processes on 127.0.0.1.

Servers are session-scoped, so the suite starts each kind once: a read-only one
over the fixture store, an ``--empty`` writable one, and one with small limits.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .helpers import TOKEN, Listener, Server, build_fixture_store, start_server, stop_server


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture store, built once (servers that write get their own copy)."""
    return build_fixture_store(tmp_path_factory.mktemp("stores") / "fixture")


@pytest.fixture(scope="session")
def listener() -> Iterator[Listener]:
    """A local 'SPARQL endpoint' that must never be contacted."""
    running = Listener()
    yield running
    running.close()


@pytest.fixture(scope="session")
def server(fixture_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The read-only endpoint over the fixture store, default graph = union, no token."""
    running = start_server(
        ["--store", str(fixture_store)],
        {"SCOGRAPH_MAX_ROWS": "1000000"},
        tmp_path_factory.mktemp("server"),
        "read-only",
    )
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def writable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``scograph serve --empty`` with a write token: the real default graph, writes allowed."""
    folder = tmp_path_factory.mktemp("writable")
    running = start_server(
        ["--empty", "--store", str(folder / "store")],
        {"SCOGRAPH_WRITE_TOKEN": TOKEN},
        folder,
        "writable",
    )
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def limited_server(
    fixture_store: Path, listener: Listener, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """Small limits: 2 s per query, 5 rows, 4 KiB bodies, nesting 32, one allowed local endpoint."""
    folder = tmp_path_factory.mktemp("limited")
    store = folder / "store"
    shutil.copytree(fixture_store, store)
    running = start_server(
        ["--store", str(store)],
        {
            "SCOGRAPH_WRITE_TOKEN": TOKEN,
            "SCOGRAPH_QUERY_TIMEOUT": "2",
            "SCOGRAPH_MAX_ROWS": "5",
            "SCOGRAPH_READERS": "2",
            "SCOGRAPH_MAX_BODY_BYTES": "4096",
            "SCOGRAPH_MAX_QUERY_LENGTH": "3000",
            "SCOGRAPH_MAX_NESTING": "32",
            "SCOGRAPH_SERVICE_ALLOWLIST": (
                f'["https://query.wikidata.org/sparql", "{listener.url}"]'
            ),
            "SCOGRAPH_CORS_ORIGINS": '["https://example.org"]',
        },
        folder,
        "limited",
    )
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def client() -> Iterator[httpx.Client]:
    """One kept-alive HTTP client for the session."""
    with httpx.Client(timeout=30.0) as session:
        yield session
