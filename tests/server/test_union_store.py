"""The read-only endpoint's default graph: the union of the graphs, each triple once.

It is stored in a copy of the store built once per content of the store into the
cache (``scograph.server.union_store``); the endpoint and ``scograph query`` read
it, and a copy no server uses goes when another is built.
"""

import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from scograph.server.union_store import store_content_key, union_store

from .helpers import Server, scograph_command, start_server, stop_server, triples

EX = "http://example.org/"
STATED_TWICE = ox.Triple(ox.NamedNode(EX + "osh"), ox.NamedNode(EX + "label"), ox.Literal("Osh"))
STATED_ONCE = ox.Triple(ox.NamedNode(EX + "osh"), ox.NamedNode(EX + "in"), ox.NamedNode(EX + "kg"))
IN_DEFAULT = ox.Triple(ox.NamedNode(EX + "kg"), ox.NamedNode(EX + "label"), ox.Literal("KG"))
GRAPHS = (ox.NamedNode(EX + "seed"), ox.NamedNode(EX + "wikidata"))
LABELS = f"SELECT ?label WHERE {{ <{EX}osh> <{EX}label> ?label }}"


def _build(path: Path) -> Path:
    store = ox.Store(str(path))
    store.extend(ox.Quad(*STATED_TWICE, graph) for graph in GRAPHS)
    store.add(ox.Quad(*STATED_ONCE, GRAPHS[0]))
    store.add(ox.Quad(*IN_DEFAULT, ox.DefaultGraph()))
    store.flush()
    del store
    return path


@pytest.fixture
def repeated(tmp_path: Path) -> Path:
    """A store stating one triple in two graphs, another in one, and one in the default graph."""
    return _build(tmp_path / "store")


def _default_graph(store: Path) -> list[ox.Triple]:
    opened = ox.Store.read_only(str(store))
    return [q.triple for q in opened.quads_for_pattern(None, None, None, ox.DefaultGraph())]


def test_the_copy_holds_each_triple_of_the_graphs_once(repeated: Path, tmp_path: Path) -> None:
    with union_store(repeated, tmp_path / "cache") as copy:
        assert copy is not None
        assert sorted(_default_graph(copy), key=str) == sorted(
            [STATED_TWICE, STATED_ONCE, IN_DEFAULT], key=str
        )
        # The named graphs are the store's.
        opened = ox.Store.read_only(str(copy))
        named = [q for q in opened.quads_for_pattern(None, None, None) if q.graph_name in GRAPHS]
        assert len(named) == 3
    # The store itself is as it was.
    assert len(ox.Store.read_only(str(repeated))) == 4


def test_what_only_the_write_ahead_log_holds_is_in_the_copy(tmp_path: Path) -> None:
    # As a writable server killed after acknowledging a write leaves its store.
    store = tmp_path / "store"
    write_and_die = (
        "import os, sys, pyoxigraph as ox\n"
        "store = ox.Store(sys.argv[1])\n"
        f"store.add(ox.Quad(ox.NamedNode('{EX}a'), ox.NamedNode('{EX}p'), ox.Literal('1'),"
        f" ox.NamedNode('{EX}g')))\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", write_and_die, str(store)], check=True)
    with union_store(store, tmp_path / "cache") as copy:
        assert copy is not None
        opened = ox.Store.read_only(str(copy))
        graphs = [q.graph_name for q in opened.quads_for_pattern(None, None, None)]
        assert sorted(map(str, graphs)) == sorted(["DEFAULT", f"<{EX}g>"])


def test_the_copy_is_built_once_per_content_and_an_unused_one_goes(
    repeated: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    with union_store(repeated, cache) as first:
        assert first is not None
        built = (first / "CURRENT").stat().st_ino
    with union_store(repeated, cache) as again:
        assert again == first
        assert (first / "CURRENT").stat().st_ino == built

    # An exact copy of the store has the same content: the same copy serves it.
    twin = tmp_path / "twin"
    shutil.copytree(repeated, twin)
    assert store_content_key(twin) == store_content_key(repeated)

    other = _build(tmp_path / "other")
    with union_store(other, cache) as in_use:
        assert in_use is not None and in_use != first
        # The first copy, unused, went when this one was built.
        assert not first.exists()
        changed = ox.Store(str(repeated))
        changed.add(ox.Quad(ox.NamedNode(EX + "new"), ox.NamedNode(EX + "p"), ox.Literal("1")))
        changed.flush()
        del changed
        with union_store(repeated, cache) as newer:
            assert newer is not None and newer != first
            assert len(_default_graph(newer)) == 4
            # A copy in use stays.
            assert in_use.exists()


def test_a_cache_that_cannot_be_written_gives_the_union_view_and_says_why(
    repeated: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING), union_store(repeated, blocked) as copy:
        assert copy is None
    assert f"Queries use the union view of {repeated}" in caplog.text
    assert str(blocked) in caplog.text


def test_what_a_killed_server_left_half_built_is_removed(repeated: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ended = subprocess.Popen(["true"])
    ended.wait()
    left = cache / f".{'0' * 24}-building-{ended.pid}"
    (left / "store").mkdir(parents=True)
    with union_store(repeated, cache):
        assert not left.exists()


@pytest.fixture
def served(repeated: Path, tmp_path: Path) -> Iterator[Server]:
    running = start_server(["--store", str(repeated)], {}, tmp_path, "union")
    yield running
    stop_server(running)


def _labels(url: str) -> list[str]:
    answer = httpx.get(url, params={"query": LABELS}, timeout=30)
    assert answer.status_code == 200, answer.text
    return [row["label"]["value"] for row in answer.json()["results"]["bindings"]]


def test_the_endpoint_gives_a_triple_stated_in_two_graphs_once(served: Server) -> None:
    assert _labels(served.sparql) == ["Osh"]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    answer = httpx.get(served.sparql, params={"query": count}, timeout=30).json()
    assert answer["results"]["bindings"][0]["n"]["value"] == "3"
    # Each source's graph still states it.
    by_graph = f"SELECT ?g WHERE {{ GRAPH ?g {{ <{EX}osh> <{EX}label> ?label }} }}"
    answer = httpx.get(served.sparql, params={"query": by_graph}, timeout=30).json()
    assert sorted(row["g"]["value"] for row in answer["results"]["bindings"]) == sorted(
        graph.value for graph in GRAPHS
    )
    # The Graph Store Protocol's default graph is the same union.
    default = httpx.get(
        served.graph_store, params={"default": ""}, headers={"Accept": "text/turtle"}
    )
    assert len(triples(default.content, ox.RdfFormat.TURTLE)) == 3


def test_scograph_query_gives_it_once_too(repeated: Path) -> None:
    done = subprocess.run(
        [*scograph_command(), "query", "-", "--store", str(repeated), "--format", "csv"],
        input=LABELS.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().split() == ["label", "Osh"]


def test_with_the_stored_union_off_the_endpoint_uses_oxigraphs_union_view(
    repeated: Path, tmp_path: Path
) -> None:
    running = start_server(
        ["--store", str(repeated)], {"SCOGRAPH_STORED_UNION": "false"}, tmp_path, "view"
    )
    try:
        assert _labels(running.sparql) == ["Osh", "Osh"]
    finally:
        stop_server(running)
