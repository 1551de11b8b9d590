"""A release: dumps that parse everywhere, hold what the store holds, and are reproducible."""

import gzip
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import rdflib

from scograph.build import build_store
from scograph.publish.release import ReleaseError, release
from scograph.publish.releases import latest_version, list_releases

from .conftest import Published, _dirs, publish
from .dumps_reading import (
    RDFLIB_FORMATS,
    content,
    dump_files,
    graph_quads,
    main_quads,
    main_union_triples,
    other_licence_graphs,
    parse,
    suffix_of,
)


def test_a_release_has_every_dump_and_its_metadata(published: Published) -> None:
    names = {p.name for p in published.folder.iterdir()}
    assert {
        "scograph.nq.gz",
        "scograph.trig",
        "scograph.nt.gz",
        "scograph.ttl",
        "scograph.jsonld",
        "void.ttl",
        "dcat.ttl",
        "SHA256SUMS",
    } <= names
    assert set(published.report.files) == names


def test_every_dump_parses_strictly_with_pyoxigraph_and_rdflib(published: Published) -> None:
    for path in dump_files(published.folder):
        quads = parse(path)
        assert quads, path.name
        dataset = rdflib.Dataset()
        dataset.parse(data=content(path), format=RDFLIB_FORMATS[suffix_of(path)])
        assert sum(1 for _ in dataset.quads()) == len(set(quads)), path.name


def test_dumps_hold_as_many_statements_as_the_store(published: Published) -> None:
    store = published.store()
    folder = published.folder
    assert len(parse(folder / "scograph.nq.gz")) == main_quads(store)
    assert len(parse(folder / "scograph.trig")) == main_quads(store)
    for name in ("scograph.nt.gz", "scograph.ttl", "scograph.jsonld"):
        assert len(parse(folder / name)) == main_union_triples(store), name


def test_sorted_dumps_are_sorted_and_without_repeats(published: Published) -> None:
    for name in ("scograph.nq.gz", "scograph.nt.gz"):
        lines = content(published.folder / name).splitlines()
        assert lines == sorted(set(lines)), name


def test_graphs_under_another_licence_are_in_files_of_their_own(published: Published) -> None:
    store = published.store()
    others = other_licence_graphs(store)
    main_graphs = {q.graph_name.value for q in parse(published.folder / "scograph.nq.gz")}
    assert not main_graphs & set(others)
    for graph in others:
        name = "scograph-" + graph.rsplit("/", 1)[-1] + ".nq.gz"
        quads = parse(published.folder / name)
        assert {q.graph_name.value for q in quads} == {graph}
        assert len(quads) == graph_quads(store, graph)
    if published.name == "fixture":
        by_sa = "https://creativecommons.org/licenses/by-sa/4.0/"
        assert others == {
            "https://w3id.org/scograph/graph/wikipedia-twinnings": by_sa,
            # What the build infers with the share-alike data keeps its licence.
            "https://w3id.org/scograph/graph/inferred-share-alike": by_sa,
        }


def test_sha256sums_list_every_other_file_with_its_hash(published: Published) -> None:
    lines = (published.folder / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ")
        listed[name] = digest
    others = {p.name for p in published.folder.iterdir()} - {"SHA256SUMS"}
    assert set(listed) == others
    for name, digest in listed.items():
        assert hashlib.sha256((published.folder / name).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):
        subprocess.run(
            ["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=published.folder, check=True
        )


def test_gzip_headers_carry_no_time_and_no_file_name(published: Published) -> None:
    for path in published.folder.glob("*.gz"):
        header = path.read_bytes()[:10]
        flags, mtime = header[3], header[4:8]
        assert mtime == b"\0\0\0\0", path.name
        assert not flags & 0x08, f"{path.name} names a file"
        gzip.decompress(path.read_bytes())


def test_the_same_data_gives_the_same_bytes_for_every_file(
    fixture_published: Published, tmp_path: Path
) -> None:
    # A second build gives the blank nodes of the ontology other labels in the store.
    again = publish("fixture", tmp_path)
    first, second = fixture_published.folder, again.folder
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_latest_names_the_newest_release(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    build_store(store_dir, *_dirs("fixture"))
    out = tmp_path / "releases"
    release(store_dir, out, "1.0.0")
    release(store_dir, out, "1.1.0")
    assert (out / "latest").resolve() == (out / "1.1.0").resolve()
    assert (out / "latest" / "SHA256SUMS").read_bytes() == (
        out / "1.1.0" / "SHA256SUMS"
    ).read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["1.0.0", "1.1.0", "latest"]


def test_latest_is_a_copy_where_links_cannot_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no symbolic links here")

    monkeypatch.setattr(Path, "symlink_to", refuse)
    store_dir = tmp_path / "store"
    build_store(store_dir, *_dirs("fixture"))
    out = tmp_path / "releases"
    release(store_dir, out, "1.0.0")
    release(store_dir, out, "1.1.0")
    latest = out / "latest"
    assert latest.is_dir() and not latest.is_symlink()
    assert (latest / "dcat.ttl").read_bytes() == (out / "1.1.0" / "dcat.ttl").read_bytes()
    assert latest_version(out) == "1.1.0"
    assert [r.version for r in list_releases(out)] == ["1.1.0", "1.0.0"]


@pytest.mark.parametrize("version", ["latest", "../x", "a/b", ".hidden", "1.0 beta"])
def test_a_version_that_is_not_a_plain_name_is_refused(
    fixture_published: Published, version: str, tmp_path: Path
) -> None:
    out = tmp_path / "releases"
    with pytest.raises(ReleaseError):
        release(fixture_published.store_dir, out, version)
    assert not out.exists()


_RAPPER_SYNTAX = {".nq.gz": "nquads", ".trig": "trig", ".nt.gz": "ntriples", ".ttl": "turtle"}


@pytest.mark.skipif(not shutil.which("rapper"), reason="raptor2-utils (rapper) is not installed")
def test_raptor_parses_every_dump_to_the_same_count(published: Published) -> None:
    for path in dump_files(published.folder):
        suffix = suffix_of(path)
        if suffix not in _RAPPER_SYNTAX:
            continue
        with tempfile.NamedTemporaryFile(suffix=suffix.removesuffix(".gz")) as plain:
            plain.write(content(path))
            plain.flush()
            done = subprocess.run(
                [
                    "rapper",
                    "-q",
                    "-i",
                    _RAPPER_SYNTAX[suffix],
                    "-o",
                    "nquads",
                    plain.name,
                    "http://example.org/",
                ],
                capture_output=True,
                check=True,
            )
        assert not done.stderr, done.stderr
        assert len(done.stdout.splitlines()) == len(parse(path)), path.name


_SERDI_SYNTAX = {".nq.gz": "nquads", ".trig": "trig", ".nt.gz": "ntriples", ".ttl": "turtle"}


@pytest.mark.skipif(not shutil.which("serdi"), reason="serdi is not installed")
def test_serd_parses_every_dump_to_the_same_count(published: Published) -> None:
    for path in dump_files(published.folder):
        suffix = suffix_of(path)
        if suffix not in _SERDI_SYNTAX:
            continue
        output = "nquads" if suffix in (".nq.gz", ".trig") else "ntriples"
        done = subprocess.run(
            ["serdi", "-i", _SERDI_SYNTAX[suffix], "-o", output, "-"],
            input=content(path),
            capture_output=True,
            check=True,
        )
        assert len(done.stdout.splitlines()) == len(parse(path)), path.name


def test_the_ontology_page_is_part_of_the_release(published: Published) -> None:
    page = (published.folder / "ontology.html").read_text()
    store = published.store()
    classes = [
        r["c"].value
        for r in store.query(
            "SELECT ?c WHERE { GRAPH <https://w3id.org/scograph/graph/ontology> "
            "{ ?c a <http://www.w3.org/2002/07/owl#Class> FILTER(isIRI(?c)) } }"
        )
    ]
    assert classes
    for cls in classes:
        assert f'id="{cls.rsplit("#", 1)[-1]}"' in page, cls
