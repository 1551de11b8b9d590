"""The VoID description of the dataset: size, shape, subsets, linkset, dumps, endpoint, licence.

The description has two parts. :func:`description` says what the data is, from
the store (statistics, one subset per named graph, the Wikidata linkset);
:func:`dump_links` says where its dumps are. A release writes both into
``void.ttl``; the server joins the live description with the dump links of the
latest release (see :func:`scograph.publish.releases.dump_links_of`).
"""

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from scograph.namespaces import BASE, ID, ONTOLOGY, ONTOLOGY_IRI, WIKIDATA_ENTITY
from scograph.publish.dumps import DumpFile
from scograph.publish.rdf import TripleList, integer, serialise, text
from scograph.publish.releases import dump_links_of_latest
from scograph.publish.statistics import Linkset, Statistics, compute
from scograph.publish.urls import DEFAULT_PUBLIC_BASE_URL, PublicUrls
from scograph.publish.views import GraphInfo, graph_infos
from scograph.publish.vocab import (
    DATASET,
    DATASET_LICENCE,
    DCTERMS,
    FOAF,
    FORMATS,
    PREFIXES,
    PROV,
    RDF_TYPE,
    VOID,
    curie,
)

# The data describes Wikidata under this IRI as the target of its linksets.
WIKIDATA_TARGET = "http://www.wikidata.org/"

TITLE = "scograph"
DESCRIPTION = (
    "The open knowledge graph of people-to-people diplomacy in the Shanghai Cooperation "
    "Organization: twinned cities, forums, organisations, initiatives and the sources "
    "that state them."
)
RIGHTS = (
    "Each named graph (void:subset) states its own licence. The Wikipedia-derived "
    "twinnings are CC BY-SA 4.0 and are distributed apart from the CC BY 4.0 data."
)

# The dump syntaxes, as the W3C's format IRIs (void:feature).
_FEATURES = {
    ox.RdfFormat.N_QUADS: FORMATS + "N-Quads",
    ox.RdfFormat.TRIG: FORMATS + "TriG",
    ox.RdfFormat.N_TRIPLES: FORMATS + "N-Triples",
    ox.RdfFormat.TURTLE: FORMATS + "Turtle",
    ox.RdfFormat.JSON_LD: FORMATS + "JSON-LD",
}


def description(stats: Statistics, graphs: list[GraphInfo], urls: PublicUrls) -> list[ox.Triple]:
    """Return the VoID triples that describe the data (without its dumps)."""
    out = TripleList()
    out.add(DATASET, RDF_TYPE, VOID + "Dataset")
    out.add(DATASET, DCTERMS + "title", text(TITLE))
    out.add(DATASET, DCTERMS + "description", text(DESCRIPTION))
    out.add(DATASET, DCTERMS + "license", DATASET_LICENCE)
    out.add(DATASET, DCTERMS + "rights", text(RIGHTS))
    out.add(DATASET, FOAF + "homepage", BASE)
    out.add(DATASET, VOID + "uriSpace", ox.Literal(ID))
    out.add(DATASET, VOID + "sparqlEndpoint", urls.sparql)
    for vocabulary in _vocabularies(stats):
        out.add(DATASET, VOID + "vocabulary", vocabulary)
    out.add(DATASET, VOID + "triples", integer(stats.triples))
    out.add(DATASET, VOID + "entities", integer(stats.entities))
    out.add(DATASET, VOID + "distinctSubjects", integer(stats.distinct_subjects))
    out.add(DATASET, VOID + "distinctObjects", integer(stats.distinct_objects))
    out.add(DATASET, VOID + "properties", integer(stats.properties))
    out.add(DATASET, VOID + "classes", integer(stats.classes))
    for cls, entities in stats.class_partitions:
        part = _partition_iri("class", cls)
        out.add(DATASET, VOID + "classPartition", part)
        out.add(part, RDF_TYPE, VOID + "Dataset")
        out.add(part, VOID + "class", cls)
        out.add(part, VOID + "entities", integer(entities))
    for prop in stats.property_partitions:
        part = _partition_iri("property", prop.property)
        out.add(DATASET, VOID + "propertyPartition", part)
        out.add(part, RDF_TYPE, VOID + "Dataset")
        out.add(part, VOID + "property", prop.property)
        out.add(part, VOID + "triples", integer(prop.triples))
        out.add(part, VOID + "distinctSubjects", integer(prop.distinct_subjects))
        out.add(part, VOID + "distinctObjects", integer(prop.distinct_objects))
    linksets = {linkset.graph: linkset for linkset in stats.linksets}
    _graph_subsets(out, graphs, dict(stats.graph_triples), set(linksets))
    for linkset in stats.linksets:
        _linkset(out, linkset)
    if linksets:
        _wikidata(out)
    return out


def dump_links(dumps: Iterable[DumpFile], version: str, urls: PublicUrls) -> list[ox.Triple]:
    """Return ``void:dataDump`` (and ``void:feature``) triples for the files of a release.

    The dataset links every dump; a graph under its own licence also links the
    file that holds it alone.
    """
    out = TripleList()
    for dump in dumps:
        url = urls.dump(version, dump.name)
        out.add(DATASET, VOID + "dataDump", url)
        out.add(DATASET, VOID + "feature", _FEATURES[dump.format.rdf_format])
        if not dump.view.is_main:
            for graph in dump.view.graph_iris:
                out.add(graph, VOID + "dataDump", url)
    return out


def _graph_subsets(
    out: TripleList, graphs: list[GraphInfo], sizes: dict[str, int], linksets: set[str]
) -> None:
    """One ``void:subset`` per named graph, the graph IRI itself, with its licence and source.

    A linkset graph's ``void:triples`` counts its links (see :func:`_linkset`), as
    VoID defines it for a linkset, so it is not given the graph's size here.
    """
    for graph in graphs:
        out.add(DATASET, VOID + "subset", graph.iri)
        out.add(graph.iri, RDF_TYPE, VOID + "Dataset")
        if graph.iri not in linksets:
            out.add(graph.iri, VOID + "triples", integer(sizes.get(graph.iri, 0)))
        if graph.licence:
            out.add(graph.iri, DCTERMS + "license", graph.licence)
        if graph.title:
            out.add(graph.iri, DCTERMS + "title", text(graph.title, None))
        if graph.source:
            out.add(graph.iri, PROV + "wasDerivedFrom", graph.source)


def _linkset(out: TripleList, linkset: Linkset) -> None:
    """A graph of links to Wikidata as a ``void:Linkset``, with its number of links."""
    out.add(linkset.graph, RDF_TYPE, VOID + "Linkset")
    out.add(linkset.graph, VOID + "linkPredicate", linkset.predicate)
    out.add(linkset.graph, VOID + "subjectsTarget", DATASET)
    out.add(linkset.graph, VOID + "objectsTarget", WIKIDATA_TARGET)
    out.add(linkset.graph, VOID + "triples", integer(linkset.links))


def _wikidata(out: TripleList) -> None:
    out.add(WIKIDATA_TARGET, RDF_TYPE, VOID + "Dataset")
    out.add(WIKIDATA_TARGET, DCTERMS + "title", text("Wikidata"))
    out.add(WIKIDATA_TARGET, FOAF + "homepage", "https://www.wikidata.org/")
    out.add(WIKIDATA_TARGET, VOID + "uriSpace", ox.Literal(WIKIDATA_ENTITY))
    out.add(WIKIDATA_TARGET, VOID + "sparqlEndpoint", "https://query.wikidata.org/sparql")


def _vocabularies(stats: Statistics) -> list[str]:
    """The vocabularies whose terms the data uses: scograph's ontology and the reused ones."""
    terms = [p.property for p in stats.property_partitions] + [c for c, _ in stats.class_partitions]
    namespaces = {
        ns
        for term in terms
        for ns in PREFIXES.values()
        if term.startswith(ns) and not ns.startswith(BASE)
    }
    used = sorted(namespaces)
    if any(term.startswith(ONTOLOGY) for term in terms):
        used.insert(0, ONTOLOGY_IRI)
    return used


def _partition_iri(kind: str, term: str) -> str:
    """A readable, stable IRI for a partition, e.g. ``…/dataset#class-sg-City``."""
    name = curie(term)
    if name and re.fullmatch(r"[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+", name):
        return f"{DATASET}#{kind}-{name.replace(':', '-')}"
    return f"{DATASET}#{kind}-{hashlib.sha256(term.encode()).hexdigest()[:16]}"


def void_document(
    store: ox.Store,
    *,
    releases_dir: Path,
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL,
    fmt: ox.RdfFormat = ox.RdfFormat.TURTLE,
) -> bytes:
    """Return the VoID of the store as served at ``/.well-known/void``.

    The statistics are the live store's; the dumps are the latest release's.
    """
    urls = PublicUrls(public_base_url)
    triples = description(compute(store), graph_infos(store), urls)
    return serialise(triples + dump_links_of_latest(releases_dir, urls), fmt)
