"""Parse RDF exactly into rdflib graphs, and serialise suite files for upload.

pyoxigraph does the parsing because it keeps literals as written: rdflib's own parsers
normalise lexical forms ("01"^^xsd:integer becomes "1"), which would hide a server that
changes them. The terms are then turned into rdflib terms so graphs can be compared with
rdflib's isomorphism.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .manifest import local_path

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# The graph formats a W3C expected-result file can be in, by file extension.
GRAPH_MEDIA_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}


def media_type(content_type: str | None) -> str:
    """Return the bare, lower-case media type of a Content-Type value ("" when absent)."""
    return (content_type or "").split(";")[0].strip().lower()


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """Convert a pyoxigraph term to the equal rdflib term, keeping the lexical form.

    Simple literals are given no datatype so that "a" and "a"^^xsd:string are one term,
    as in RDF 1.1.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False)


def parse_graph(data: bytes | str, content_type: str, base_iri: str | None = None) -> Graph:
    """Parse an RDF graph serialisation into an rdflib Graph.

    Raises ValueError for an unknown media type and SyntaxError for invalid data.
    """
    rdf_format = ox.RdfFormat.from_media_type(media_type(content_type))
    if rdf_format is None:
        raise ValueError(f"not an RDF graph media type: {content_type!r}")
    graph = Graph()
    for quad in ox.parse(data, rdf_format, base_iri=base_iri, rename_blank_nodes=True):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def read_graph(*file_iris: str) -> Graph:
    """Return the RDF merge of suite files (blank nodes kept apart), each with its own base."""
    graph = Graph()
    for iri in file_iris:
        path = local_path(iri)
        graph += parse_graph(path.read_bytes(), _file_media_type(iri), base_iri=iri)
    return graph


def file_as_ntriples(file_iri: str) -> bytes:
    """Return a suite file as N-Triples, its relative IRIs resolved against its own IRI.

    Uploading N-Triples means the server never has to guess the base of a data file.
    """
    rdf_format = ox.RdfFormat.from_media_type(_file_media_type(file_iri))
    quads = ox.parse(path=local_path(file_iri), format=rdf_format, base_iri=file_iri)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def _file_media_type(file_iri: str) -> str:
    """Return the graph media type of a suite file from its extension."""
    extension = file_iri.rpartition(".")[2]
    if extension not in GRAPH_MEDIA_TYPES:
        raise ValueError(f"not an RDF graph file: {file_iri}")
    return GRAPH_MEDIA_TYPES[extension]
