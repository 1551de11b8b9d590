"""The formats a published resource is offered in: media type, URL suffix, engine syntax.

A table, not a chain of ``if``: conneg, suffix URLs, ``Link`` headers and the
format links on pages all read it.
"""

from dataclasses import dataclass

import pyoxigraph as ox

from scograph.server.conneg import content_type


@dataclass(frozen=True)
class WebFormat:
    """One representation of a resource."""

    name: str
    media_type: str
    suffix: str
    rdf_format: ox.RdfFormat | None
    # Other media types clients ask for when they mean this format.
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text formats say they are UTF-8)."""
        return content_type(self.media_type)


HTML = WebFormat("HTML", "text/html", ".html", None, ("application/xhtml+xml",))
TURTLE = WebFormat("Turtle", "text/turtle", ".ttl", ox.RdfFormat.TURTLE, ("application/x-turtle",))
# rdflib asks for "text/plain" when told the format is N-Triples (its historical media type).
NTRIPLES = WebFormat(
    "N-Triples", "application/n-triples", ".nt", ox.RdfFormat.N_TRIPLES, ("text/plain",)
)
JSONLD = WebFormat(
    "JSON-LD", "application/ld+json", ".jsonld", ox.RdfFormat.JSON_LD, ("application/json",)
)
RDFXML = WebFormat("RDF/XML", "application/rdf+xml", ".rdf", ox.RdfFormat.RDF_XML)
TRIG = WebFormat("TriG", "application/trig", ".trig", ox.RdfFormat.TRIG)
NQUADS = WebFormat("N-Quads", "application/n-quads", ".nq", ox.RdfFormat.N_QUADS)

# What the page of a thing is offered in; the first is the answer to "*/*".
DOCUMENT_FORMATS = (HTML, TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS)
# Metadata documents (VoID, DCAT, the ontology) for machines; HTML where a page exists.
METADATA_FORMATS = (TURTLE, NTRIPLES, JSONLD, RDFXML)


def by_suffix(formats: tuple[WebFormat, ...], name: str) -> tuple[str, WebFormat | None]:
    """Split a known suffix off a name: ``("qingdao", TURTLE)`` for ``qingdao.ttl``.

    Returns the name unchanged and None when it ends in no suffix of ``formats``.
    """
    for fmt in formats:
        if name.endswith(fmt.suffix) and len(name) > len(fmt.suffix):
            return name[: -len(fmt.suffix)], fmt
    return name, None
