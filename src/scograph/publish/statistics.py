"""Statistics of the dataset for VoID, computed with SPARQL on the store.

They describe the union view of every named graph (what the endpoint serves): a
triple stated in two graphs counts once. Computed in the store's engine, they take
milliseconds where building an rdflib graph and walking it takes seconds.
"""

from dataclasses import dataclass

import pyoxigraph as ox

from scograph.namespaces import ID, WIKIDATA_ENTITY, graph_iri
from scograph.publish.vocab import OWL, RDF_TYPE, VOID

WIKIDATA_LINKS_GRAPH = graph_iri("wikidata-links")

_DISTINCT_TRIPLES = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass(frozen=True)
class PropertyPartition:
    property: str
    triples: int
    distinct_subjects: int
    distinct_objects: int


@dataclass(frozen=True)
class Linkset:
    """A named graph of links to Wikidata: the graph, its link property, and how many links."""

    graph: str
    predicate: str
    links: int


@dataclass(frozen=True)
class Statistics:
    """What VoID says about the size and shape of the dataset."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    classes: int
    class_partitions: tuple[tuple[str, int], ...]
    property_partitions: tuple[PropertyPartition, ...]
    graph_triples: tuple[tuple[str, int], ...]
    linksets: tuple[Linkset, ...]


def compute(store: ox.Store) -> Statistics:
    """Count triples, entities, classes, properties, graphs and Wikidata links of the store."""
    totals = _one(
        store,
        "SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s_) (COUNT(DISTINCT ?o) AS ?o_) "
        f"(COUNT(DISTINCT ?p) AS ?p_) WHERE {{ {_DISTINCT_TRIPLES} }}",
    )
    entities = _one(
        store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) }}',
    )
    class_partitions = tuple(
        (row["c"].value, _int(row["n"]))
        for row in store.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } FILTER(isIRI(?c)) } "
            "GROUP BY ?c ORDER BY STR(?c)"
        )
    )
    property_partitions = tuple(
        PropertyPartition(row["p"].value, _int(row["n"]), _int(row["ds"]), _int(row["do"]))
        for row in store.query(
            "SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?ds) (COUNT(DISTINCT ?o) AS ?do) "
            f"WHERE {{ {{ {_DISTINCT_TRIPLES} }} }} GROUP BY ?p ORDER BY STR(?p)"
        )
    )
    graph_triples = tuple(
        (row["g"].value, _int(row["n"]))
        for row in store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
            "GROUP BY ?g ORDER BY STR(?g)"
        )
    )
    return Statistics(
        triples=totals[0],
        entities=entities[0],
        distinct_subjects=totals[1],
        distinct_objects=totals[2],
        properties=totals[3],
        classes=len(class_partitions),
        class_partitions=class_partitions,
        property_partitions=property_partitions,
        graph_triples=graph_triples,
        linksets=linksets(store),
    )


def linksets(store: ox.Store) -> tuple[Linkset, ...]:
    """The graphs of links to Wikidata: those that say they are a ``void:Linkset``, and
    ``graph/wikidata-links`` in any case, each with its link property (``owl:sameAs``
    unless it names another) and its number of links to Wikidata items."""
    declared = {
        q.subject.value
        for q in store.quads_for_pattern(
            None, ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID + "Linkset"), None
        )
        if q.subject == q.graph_name
    }
    named = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    found = []
    for graph in sorted((declared | {WIKIDATA_LINKS_GRAPH}) & named):
        node = ox.NamedNode(graph)
        predicates = [
            q.object.value
            for q in store.quads_for_pattern(node, ox.NamedNode(VOID + "linkPredicate"), None, node)
        ]
        predicate = min(predicates) if predicates else OWL + "sameAs"
        links = sum(
            1
            for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, node)
            if q.object.value.startswith(WIKIDATA_ENTITY)
        )
        found.append(Linkset(graph, predicate, links))
    return tuple(found)


def _one(store: ox.Store, query: str) -> list[int]:
    """The integers of the single solution of an aggregate query, in variable order."""
    solutions = store.query(query)
    variables = solutions.variables
    row = next(iter(solutions))
    return [_int(row[v]) for v in variables]


def _int(term: ox.Literal | None) -> int:
    return int(term.value) if term is not None else 0
