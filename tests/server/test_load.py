"""``scograph load``: a store built from a release's dumps holds the released graph."""

import shutil
import subprocess
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from scograph.publish.release import release
from scograph.server.stores import bundled_store

from .helpers import scograph_command, start_server, stop_server

VERSION = "9.9.9"


def _without_blank_nodes(store: ox.Store) -> set[ox.Quad]:
    return {
        quad
        for quad in store.quads_for_pattern(None, None, None)
        if not isinstance(quad.subject, ox.BlankNode) and not isinstance(quad.object, ox.BlankNode)
    }


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("releases")
    release(bundled_store(), folder, VERSION)
    return folder


def _load(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*scograph_command(), "load", *arguments], capture_output=True, text=True, timeout=300
    )


def test_a_release_loads_into_the_graph_it_was_made_from(releases: Path, tmp_path: Path) -> None:
    target = tmp_path / "replica"
    done = _load(str(releases / VERSION), "--store", str(target))
    assert done.returncode == 0, done.stderr
    loaded = ox.Store.read_only(str(target))
    original = ox.Store.read_only(str(bundled_store()))
    assert len(loaded) == len(original)
    assert _without_blank_nodes(loaded) == _without_blank_nodes(original)
    assert set(loaded.named_graphs()) == set(original.named_graphs())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_an_altered_dump_is_refused_and_nothing_is_left(releases: Path, tmp_path: Path) -> None:
    copy = tmp_path / "release"
    shutil.copytree(releases / VERSION, copy)
    dump = copy / "scograph.nq.gz"
    dump.write_bytes(dump.read_bytes()[:-10])
    done = _load(str(copy), "--store", str(tmp_path / "replica"))
    assert done.returncode == 1
    assert "does not match its checksum" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]


def test_an_existing_folder_is_never_overwritten(releases: Path, tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "keep").write_text("mine")
    done = _load(str(releases / VERSION), "--store", str(tmp_path / "store"))
    assert done.returncode == 1
    assert "exists already" in done.stderr
    assert (tmp_path / "store" / "keep").read_text() == "mine"


def test_a_replica_serves_the_release_read_only(releases: Path, tmp_path: Path) -> None:
    target = tmp_path / "replica"
    assert _load(str(releases / VERSION), "--store", str(target)).returncode == 0
    server = start_server(
        ["--store", str(target), "--workers", "2"],
        {"SCOGRAPH_RELEASES_DIR": str(releases)},
        tmp_path,
        "replica",
    )
    try:
        count = httpx.post(
            server.sparql,
            data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        value = count.json()["results"]["bindings"][0]["n"]["value"]
        assert int(value) == len(ox.Store.read_only(str(bundled_store())))
        listing = httpx.get(server.base + "/dumps/latest/", headers={"Accept": "text/html"})
        assert listing.status_code == 200
        assert VERSION in listing.text
        write = httpx.post(
            server.sparql,
            content="INSERT DATA { <http://a> <http://b> <http://c> }",
            headers={"Content-Type": "application/sparql-update"},
        )
        assert write.status_code == 403
    finally:
        stop_server(server)
