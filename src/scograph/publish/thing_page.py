"""The model of a thing's HTML page: what the template shows, already chosen and linked.

The template only lays it out; the choices (which label, which language, which
link, which source) are made here, where they can be tested.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from scograph.namespaces import (
    BASE,
    GRAPH,
    ID,
    INFERRED_GRAPH,
    ONTOLOGY,
    ONTOLOGY_IRI,
    WIKIDATA_ENTITY,
)
from scograph.publish.describe import Description, labels, pick_label
from scograph.publish.formats import DOCUMENT_FORMATS
from scograph.publish.views import GraphInfo
from scograph.publish.vocab import GEO, LICENCE_TITLES, OWL, RDF_TYPE, SG_QUOTE, curie

LANGUAGES = (("en", "English"), ("zh", "中文"), ("ru", "Русский"))
SUPPORTED_LANGUAGES = tuple(code for code, _ in LANGUAGES)

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class Link:
    """A thing shown by its label, linked to its page when it has one."""

    text: str
    lang: str | None
    href: str | None
    iri: str


@dataclass(frozen=True)
class Value:
    """An object of a statement: a link, or a literal with its language or datatype."""

    link: Link | None = None
    text: str = ""
    lang: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class SourceRef:
    anchor: str
    title: str


@dataclass
class SourceBlock:
    """A graph the statements come from: its title, licence, source page and quotes."""

    anchor: str
    title: str
    href: str | None
    licence: str | None
    licence_title: str | None
    quotes: list[Value] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    """A line of a statements table: (subject or) property, value, and where it comes from."""

    subject: Link | None
    predicate: Link
    value: Value | None
    sources: tuple[SourceRef, ...]


def href(iri: str, prefix: str = "") -> str | None:
    """Where a link to ``iri`` goes: our pages for our things, the IRI itself elsewhere."""
    if iri.startswith(ID):
        return f"{prefix}/doc/{iri.removeprefix(ID)}"
    if iri.startswith(ONTOLOGY):
        return f"{prefix}/ontology#{iri.removeprefix(ONTOLOGY)}"
    if iri == ONTOLOGY_IRI:
        return f"{prefix}/ontology"
    if iri.startswith(BASE):
        return None
    if iri.startswith(("http://", "https://")):
        return iri
    return None


class _Page:
    """Turns terms and graphs into links, values and source references for one page."""

    def __init__(
        self,
        names: dict[str, list[tuple[str, ox.Literal]]],
        graphs: list[GraphInfo],
        language: str,
        prefix: str,
    ) -> None:
        self.names = names
        self.graphs = {g.iri: g for g in graphs}
        self.language = language
        self.prefix = prefix
        self.blocks: dict[str, SourceBlock] = {}

    def link(self, node: ox.NamedNode | ox.BlankNode) -> Link:
        if isinstance(node, ox.BlankNode):
            return Link(f"_:{node.value}", None, None, node.value)
        label = pick_label(self.names.get(node.value, []), self.language)
        target = href(node.value, self.prefix)
        if label is not None:
            return Link(label.value, label.language, target, node.value)
        return Link(curie(node.value) or node.value, None, target, node.value)

    def value(self, term: Term) -> Value:
        if isinstance(term, ox.Literal):
            datatype = None if term.language else curie(term.datatype.value)
            return Value(text=term.value, lang=term.language, datatype=datatype)
        return Value(link=self.link(term))

    def block(self, graph_iri: str) -> SourceBlock:
        """The source block of a graph, made on first use (numbered in order of appearance)."""
        if graph_iri not in self.blocks:
            info = self.graphs.get(graph_iri, GraphInfo(graph_iri, None, None, None))
            self.blocks[graph_iri] = SourceBlock(
                anchor=f"source-{len(self.blocks) + 1}",
                title=_graph_title(info),
                href=href(info.source, self.prefix) if info.source else None,
                licence=info.licence,
                licence_title=LICENCE_TITLES.get(info.licence or "", info.licence),
            )
        return self.blocks[graph_iri]

    def source(self, graph_iri: str) -> SourceRef:
        block = self.block(graph_iri)
        return SourceRef(block.anchor, block.title)


def page_model(
    store: ox.Store,
    description: Description,
    graphs: list[GraphInfo],
    language: str,
    prefix: str,
    doc_path: str,
) -> dict[str, object]:
    """Return the template context of the page of ``description.iri``."""
    named = {
        term.value
        for q in description.quads()
        for term in (q.subject, q.predicate, q.object)
        if isinstance(term, ox.NamedNode)
    }
    page = _Page(labels(store, named | {description.iri}), graphs, language, prefix)
    statements = _statements(page, description)
    incoming = [
        Row(page.link(q.subject), page.link(q.predicate), None, (page.source(q.graph_name.value),))
        for q in description.incoming
    ]
    title = pick_label(page.names.get(description.iri, []), language)
    types = {
        page.link(q.object)
        for q in description.outgoing
        if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode)
    }
    return {
        "prefix": prefix,
        "lang": language,
        "languages": LANGUAGES,
        "iri": description.iri,
        "title": page.value(title)
        if title
        else Value(text=curie(description.iri) or description.iri),
        "types": sorted(types, key=lambda link: link.text),
        "wikidata": _wikidata_links(description),
        "statements": statements,
        "incoming": incoming,
        "incoming_total": description.incoming_total,
        "sources": list(page.blocks.values()),
        "formats": [(f.name, f"{doc_path}{f.suffix}", f.media_type) for f in DOCUMENT_FORMATS],
        "jsonld": json.loads(description.serialise(ox.RdfFormat.JSON_LD)),
        "coordinates": _coordinates(description),
    }


def _coordinates(description: Description) -> tuple[str, str] | None:
    """Return (latitude, longitude) of a place with WGS84 coordinates, for its small map."""
    found = {
        q.predicate.value: q.object.value
        for q in description.outgoing
        if q.predicate.value in (GEO + "lat", GEO + "long")
    }
    if GEO + "lat" in found and GEO + "long" in found:
        return found[GEO + "lat"], found[GEO + "long"]
    return None


def _statements(page: _Page, description: Description) -> list[Row]:
    """One row per (property, value), with every graph that states it; quotes go to their source."""
    graphs_of: dict[tuple[str, str], list[str]] = defaultdict(list)
    first: dict[tuple[str, str], ox.Quad] = {}
    for quad in description.outgoing:
        if quad.predicate.value == SG_QUOTE:
            page.block(quad.graph_name.value).quotes.append(page.value(quad.object))
            continue
        key = (quad.predicate.value, str(quad.object))
        graphs_of[key].append(quad.graph_name.value)
        first.setdefault(key, quad)
    rows = []
    for key in sorted(graphs_of, key=_row_order):
        quad = first[key]
        sources = tuple(page.source(g) for g in sorted(set(graphs_of[key])))
        rows.append(Row(None, page.link(quad.predicate), page.value(quad.object), sources))
    return rows


def _wikidata_links(description: Description) -> list[tuple[str, str]]:
    """(Q-id, Wikidata page) for each ``owl:sameAs`` link to a Wikidata item."""
    items = {
        q.object.value.removeprefix(WIKIDATA_ENTITY)
        for q in description.outgoing
        if q.predicate.value == OWL + "sameAs" and q.object.value.startswith(WIKIDATA_ENTITY)
    }
    return [(qid, f"https://www.wikidata.org/wiki/{qid}") for qid in sorted(items)]


def _graph_title(info: GraphInfo) -> str:
    if info.title:
        return info.title
    if info.iri == INFERRED_GRAPH:
        return "Inferred (OWL 2 RL reasoning)"
    return info.iri.removeprefix(GRAPH)


def _row_order(key: tuple[str, str]) -> tuple[int, str, str]:
    """Types first, then the other properties by IRI, values in order."""
    predicate, obj = key
    return (0 if predicate == RDF_TYPE else 1, predicate, obj)
