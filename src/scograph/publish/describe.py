"""The document of a thing: its statements from every graph, and the things that point to it.

Shape: every quad with the thing as subject (all graphs, the inferred one too),
plus at most ``incoming_limit`` quads with the thing as object, the total count of
which is kept so a page can say how many were left out. Syntaxes without graphs
(Turtle, N-Triples, JSON-LD, RDF/XML) get the distinct triples; TriG and N-Quads
keep the graph, which is the statement's source.
"""

import itertools
from dataclasses import dataclass

import pyoxigraph as ox

from scograph.publish.canonical import in_line_order
from scograph.publish.rdf import write_rdf
from scograph.publish.vocab import DCTERMS, FOAF, RDFS, SCHEMA, SKOS

INCOMING_LIMIT = 200

# The syntaxes that say which graph (source) a statement is in. JSON-LD could too,
# but its readers mostly expect one flat graph, so it gets the triples.
GRAPH_SYNTAXES = frozenset({ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS})

# The properties that name a thing, best first.
LABEL_PROPERTIES = (
    SKOS + "prefLabel",
    RDFS + "label",
    DCTERMS + "title",
    SCHEMA + "name",
    FOAF + "name",
)


@dataclass(frozen=True)
class Description:
    """What the store says about one IRI."""

    iri: str
    outgoing: list[ox.Quad]
    incoming: list[ox.Quad]
    incoming_total: int

    @property
    def exists(self) -> bool:
        """Whether the store mentions the IRI at all (as subject or object)."""
        return bool(self.outgoing) or self.incoming_total > 0

    def quads(self) -> list[ox.Quad]:
        return self.outgoing + self.incoming

    def triples(self) -> list[ox.Triple]:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in self.quads()]

    def serialise(self, fmt: ox.RdfFormat) -> bytes:
        """The document in one syntax, in a stable order."""
        if fmt in GRAPH_SYNTAXES:
            return write_rdf(in_line_order(self.quads(), ox.RdfFormat.N_QUADS), fmt)
        return write_rdf(in_line_order(self.triples(), ox.RdfFormat.N_TRIPLES), fmt)


def describe(store: ox.Store, iri: str, incoming_limit: int = INCOMING_LIMIT) -> Description:
    """Return the description of ``iri`` (check :attr:`Description.exists`)."""
    node = ox.NamedNode(iri)
    outgoing = in_line_order(
        [q for q in store.quads_for_pattern(node, None, None, None) if _named(q)],
        ox.RdfFormat.N_QUADS,
    )
    incoming_all = (q for q in store.quads_for_pattern(None, None, node, None) if _named(q))
    incoming = list(itertools.islice(incoming_all, incoming_limit))
    total = len(incoming) + sum(1 for _ in incoming_all)
    return Description(iri, outgoing, in_line_order(incoming, ox.RdfFormat.N_QUADS), total)


def labels(store: ox.Store, iris: set[str]) -> dict[str, list[tuple[str, ox.Literal]]]:
    """Return, for each IRI, its naming statements as (property, literal), from any graph.

    Direct index look-ups: for a page's hundred-odd neighbours they take a few
    milliseconds, where a SPARQL join with VALUES took over a hundred.
    """
    found: dict[str, list[tuple[str, ox.Literal]]] = {}
    for iri in iris:
        node = ox.NamedNode(iri)
        names = {
            (prop, q.object)
            for prop in LABEL_PROPERTIES
            for q in store.quads_for_pattern(node, ox.NamedNode(prop), None, None)
            if isinstance(q.object, ox.Literal) and isinstance(q.graph_name, ox.NamedNode)
        }
        found[iri] = sorted(names, key=lambda item: (item[0], str(item[1])))
    return found


def pick_label(
    names: list[tuple[str, ox.Literal]], language: str, fallback: str = "en"
) -> ox.Literal | None:
    """Choose the best name in ``language``, else in ``fallback``, else any.

    Better properties win within a language (``skos:prefLabel`` before ``rdfs:label``);
    language tags match on their primary subtag, case-insensitively (``zh`` takes ``zh-Hans``).
    """

    def rank(item: tuple[str, ox.Literal]) -> tuple[int, int, str, str]:
        prop, literal = item
        primary = (literal.language or "").split("-")[0].lower()
        lang_rank = (
            0 if primary == language else 1 if primary == fallback else 2 if not primary else 3
        )
        return (lang_rank, LABEL_PROPERTIES.index(prop), literal.language or "", literal.value)

    return min(names, key=rank)[1] if names else None


def _named(quad: ox.Quad) -> bool:
    return isinstance(quad.graph_name, ox.NamedNode)
