"""The store's quads in a canonical form: blank nodes relabelled, every graph sorted.

A store gives blank nodes random labels at every build, so the same data would
give different bytes; RDFC-1.0 (the W3C RDF Dataset Canonicalization) relabels
them from the shape of the data alone. scograph's data has no blank nodes, but the
ontology has a few (``owl:unionOf`` lists).
"""

from collections import defaultdict
from typing import TypeVar

import pyoxigraph as ox

Statement = TypeVar("Statement", ox.Quad, ox.Triple)


def canonical_quads(store: ox.Store) -> dict[str, list[ox.Quad]]:
    """Return the quads of every named graph, keyed by graph IRI, blank nodes canonicalised.

    The default graph is left out: the build puts every triple in a named graph.
    """
    quads = [q for q in store.quads_for_pattern(None, None, None, None) if _named(q)]
    if any(_has_blank_node(q) for q in quads):
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        quads = list(dataset)
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        by_graph[quad.graph_name.value].append(quad)
    return dict(by_graph)


def canonical_triples(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Return the triples with their blank nodes relabelled by RDFC-1.0 (unchanged without any)."""
    if not any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    ):
        return triples
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in dataset]


def sorted_lines(statements: list[Statement], fmt: ox.RdfFormat) -> list[bytes]:
    """Serialise statements one per line (N-Triples or N-Quads), sorted bytewise, without repeats.

    Bytewise order is what ``LC_ALL=C sort -u`` gives, so a reader can check or
    merge the files with the usual tools.
    """
    if not statements:
        return []
    return sorted(set(ox.serialize(statements, format=fmt).splitlines(keepends=True)))


def in_line_order(statements: list[Statement], fmt: ox.RdfFormat) -> list[Statement]:
    """Return the distinct statements ordered like :func:`sorted_lines`, as RDF terms.

    Turtle, TriG and JSON-LD are written from this order, so they are as
    reproducible as the sorted line formats.
    """
    if not statements:
        return []
    lines = ox.serialize(statements, format=fmt).splitlines()
    # N-Triples and N-Quads write exactly one line per statement, in input order.
    by_line = dict(zip(lines, statements, strict=True))
    return [by_line[line] for line in sorted(by_line)]


def _named(quad: ox.Quad) -> bool:
    return isinstance(quad.graph_name, ox.NamedNode)


def _has_blank_node(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)
