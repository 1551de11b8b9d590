"""Reading release files back in the tests, and counting on the store independently."""

import gzip
from pathlib import Path

import pyoxigraph as ox

DUMP_FORMATS = {
    ".nq.gz": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".nt.gz": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
RDFLIB_FORMATS = {
    ".nq.gz": "nquads",
    ".trig": "trig",
    ".nt.gz": "nt",
    ".ttl": "turtle",
    ".jsonld": "json-ld",
}
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"

# The graphs that are not under CC BY 4.0 or CC0, found with SPARQL (not with the code under test).
_OTHER_LICENCE = (
    "GRAPH ?g { ?g <http://purl.org/dc/terms/license> ?l "
    f"FILTER(?l NOT IN (<{CC_BY}>, <{CC0}>)) }}"
)


def suffix_of(path: Path) -> str:
    return next(s for s in DUMP_FORMATS if path.name.endswith(s))


def content(path: Path) -> bytes:
    """The file's bytes, unpacked when gzipped."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def parse(path: Path) -> list[ox.Quad]:
    """Parse a dump strictly with pyoxigraph."""
    return list(ox.parse(content(path), format=DUMP_FORMATS[suffix_of(path)]))


def dump_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith("scograph") and p.is_file())


def count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)


def main_quads(store: ox.Store) -> int:
    return count(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER NOT EXISTS {{ {_OTHER_LICENCE} }} }}",
    )


def main_union_triples(store: ox.Store) -> int:
    return count(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER NOT EXISTS {{ {_OTHER_LICENCE} }} }} }}",
    )


def union_triples(store: ox.Store) -> int:
    """Distinct triples over every graph: what the endpoint's union default graph holds."""
    return count(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { "
        "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }",
    )


def other_licence_graphs(store: ox.Store) -> dict[str, str]:
    """Graph IRI -> licence of each graph under another licence."""
    return {
        row["g"].value: row["l"].value
        for row in store.query(f"SELECT DISTINCT ?g ?l WHERE {{ {_OTHER_LICENCE} }}")
    }


def graph_quads(store: ox.Store, graph: str) -> int:
    return count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
