"""``scograph load``: a store built from RDF files or a release's dumps, never half of one."""

import gzip
import os
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from tests.server.helpers import scograph_command

from scograph.load import LoadError, load_store
from scograph.publish.checksums import write_sums

EX = "https://example.org/"


def _nquads(count: int, graph: str = "g") -> str:
    return "".join(f'<{EX}s{i}> <{EX}p> "value {i}" <{EX}{graph}> .\n' for i in range(count))


def _load(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*scograph_command(), "load", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "400"},  # one line per message, whatever the terminal
    )


def _quads(store_dir: Path) -> set[tuple[str, str, str, str]]:
    store = ox.Store.read_only(str(store_dir))
    return {
        (q.subject.value, q.predicate.value, q.object.value, getattr(q.graph_name, "value", ""))
        for q in store
    }


def test_load_builds_a_store_from_nquads_and_turtle_and_reports_progress(tmp_path: Path) -> None:
    data = tmp_path / "data.nq"
    data.write_text(_nquads(2_000))
    extra = tmp_path / "extra.ttl"
    extra.write_text(f'@prefix ex: <{EX}> .\nex:a ex:p "turtle" .\n')
    store = tmp_path / "store"

    done = _load(str(data), str(extra), "--store", str(store))

    assert done.returncode == 0, done.stderr
    quads = _quads(store)
    assert len(quads) == 2_001
    assert (EX + "s1999", EX + "p", "value 1999", EX + "g") in quads
    assert (EX + "a", EX + "p", "turtle", "") in quads  # triples go to the default graph
    assert "Loading 2 file(s)" in done.stderr
    assert "Loaded 2,001 triples" in done.stderr
    assert "triples/s" in done.stderr
    # Nothing but the store is left beside it: the staging folder was renamed.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.nq", "extra.ttl", "store"]


def test_load_takes_a_release_folder_and_reads_its_gzipped_dumps(tmp_path: Path) -> None:
    release = tmp_path / "releases" / "1.0"
    release.mkdir(parents=True)
    with gzip.open(release / "scograph-1.0.nq.gz", "wt") as dump:
        dump.write(_nquads(10, "main"))
    with gzip.open(release / "scograph-1.0-share-alike.nq.gz", "wt") as dump:
        dump.write(_nquads(5, "other"))
    (release / "scograph-1.0.ttl").write_text("this is not read: the N-Quads dumps hold it all")
    (tmp_path / "releases" / "latest").symlink_to("1.0")
    store = tmp_path / "store"

    done = _load(str(tmp_path / "releases"), "--store", str(store))

    assert done.returncode == 0, done.stderr
    graphs = {quad[3] for quad in _quads(store)}
    assert graphs == {EX + "main", EX + "other"}
    assert len(_quads(store)) == 15


def test_a_release_dump_that_does_not_match_its_checksum_is_refused(tmp_path: Path) -> None:
    release = tmp_path / "release"
    release.mkdir()
    dump = release / "scograph.nq.gz"
    with gzip.open(dump, "wt") as out:
        out.write(_nquads(10))
    write_sums(release)
    dump.write_bytes(dump.read_bytes()[:-10])

    done = _load(str(release), "--store", str(tmp_path / "store"))

    assert done.returncode == 1
    assert "does not match its checksum" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]


def test_load_refuses_a_non_empty_store_folder_unless_replace(tmp_path: Path) -> None:
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    first.write_text(_nquads(3, "first"))
    second.write_text(_nquads(4, "second"))
    store = tmp_path / "store"
    assert _load(str(first), "--store", str(store)).returncode == 0

    refused = _load(str(second), "--store", str(store))
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "--replace" in refused.stderr
    assert {q[3] for q in _quads(store)} == {EX + "first"}

    replaced = _load(str(second), "--store", str(store), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert {q[3] for q in _quads(store)} == {EX + "second"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.nq", "second.nq", "store"]


def test_a_broken_file_leaves_no_store_and_no_staging_folder(tmp_path: Path) -> None:
    good, broken = tmp_path / "good.nq", tmp_path / "broken.nq"
    good.write_text(_nquads(100))
    broken.write_text(_nquads(100) + "<not closed\n")
    store = tmp_path / "store"

    done = _load(str(good), str(broken), "--store", str(store))

    assert done.returncode == 1
    assert "broken.nq" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.nq", "good.nq"]


def test_a_broken_file_leaves_the_store_it_would_replace_as_it_was(tmp_path: Path) -> None:
    good, broken = tmp_path / "good.nq", tmp_path / "broken.nq"
    good.write_text(_nquads(7))
    broken.write_text("<s> <p> .\n")
    store = tmp_path / "store"
    load_store([good], store)

    with pytest.raises(LoadError, match=r"broken\.nq"):
        load_store([broken], store, replace=True)

    assert len(_quads(store)) == 7


def test_load_refuses_unknown_formats_and_missing_files(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    unknown = _load(str(notes), "--store", str(tmp_path / "store"))
    assert unknown.returncode == 1
    assert "cannot tell its RDF format" in unknown.stderr
    missing = _load(str(tmp_path / "absent.nq"), "--store", str(tmp_path / "store"))
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("blank_nodes", [False, True])
def test_a_node_named_at_both_ends_of_a_file_stays_one_node(
    tmp_path: Path, blank_nodes: bool
) -> None:
    # A blank node's label holds across the whole file, as an IRI does.
    node = "_:n{}" if blank_nodes else f"<{EX}n{{}}>"
    lines = [f'{node.format(i)} <{EX}p> "first {i}" <{EX}g> .\n' for i in range(300)]
    lines += [f"<{EX}s{i}> <{EX}q> {node.format(i)} .\n" for i in range(300)]
    data = tmp_path / "data.nq"
    data.write_text("".join(lines))
    read: list[int] = []

    report = load_store([data], tmp_path / "store", progress=read.append)

    assert report.quads == 600
    assert sum(read) == data.stat().st_size
    store = ox.Store.read_only(str(tmp_path / "store"))
    linked = store.query(
        f"SELECT ?s ?v WHERE {{ ?s <{EX}q> ?n . GRAPH <{EX}g> {{ ?n <{EX}p> ?v }} }}"
    )
    pairs = {(row["s"].value, row["v"].value) for row in linked}
    assert pairs == {(f"{EX}s{i}", f"first {i}") for i in range(300)}


def test_a_broken_last_line_fails_the_whole_load(tmp_path: Path) -> None:
    data = tmp_path / "data.nq"
    data.write_text(_nquads(500) + "<broken\n")

    with pytest.raises(LoadError, match=r"data\.nq"):
        load_store([data], tmp_path / "store")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.nq"]
