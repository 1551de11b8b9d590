"""Content negotiation: which format answers a request.

Exact (RFC 9110 §12.5.1): q-values, lists, ``type/*`` and ``*/*`` wildcards and
media-type parameters. A range's parameters must all hold for an offer: ``charset``
holds when it names UTF-8 (everything is sent as UTF-8); any other parameter
(``profile=…``) names a variant not offered, so the range does not match. The most
specific matching range decides an offer's quality; ``q=0`` refuses. Among equally
acceptable offers the client's order wins, then the table's, so ``*/*`` gets the
first offer. No or an empty Accept header accepts anything.

The SPARQL endpoint and the publishing routes (:mod:`scograph.publish.conneg`)
both negotiate with :func:`negotiate`. The offer tables are data; the worker
processes read them too, so this module needs nothing but the standard library.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Protocol, TypeVar


def content_type(media_type: str) -> str:
    """The Content-Type header value for ``media_type`` (text formats say they are UTF-8)."""
    if media_type.startswith("text/"):
        return f"{media_type}; charset=utf-8"
    return media_type


class Negotiable(Protocol):
    """What can be offered: a media type, and other names of the same representation."""

    @property
    def media_type(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...


N = TypeVar("N", bound=Negotiable)


@dataclass(frozen=True)
class Offer:
    """One representation an answer can be sent in."""

    media_type: str
    # The pyoxigraph format's attribute name (RdfFormat or QueryResultsFormat), or HTML.
    format: str
    # Other names of this representation, sent as media_type. The endpoint's tables
    # have none: their aliases are offers of their own, sent as the type asked for.
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text formats say they are UTF-8)."""
        return content_type(self.media_type)


# SELECT and ASK. Canonical types first; the aliases after them are what some
# clients ask for when they mean the same format (SPARQLWrapper, browsers).
RESULT_OFFERS: Final = (
    Offer("application/sparql-results+json", "JSON"),
    Offer("application/sparql-results+xml", "XML"),
    Offer("text/csv", "CSV"),
    Offer("text/tab-separated-values", "TSV"),
    Offer("application/json", "JSON"),
    Offer("application/xml", "XML"),
    Offer("text/xml", "XML"),
)

# CONSTRUCT, DESCRIBE and Graph Store GET: graph formats before dataset formats,
# so no wildcard answers a graph with N-Quads.
GRAPH_OFFERS: Final = (
    Offer("text/turtle", "TURTLE"),
    Offer("application/n-triples", "N_TRIPLES"),
    Offer("application/rdf+xml", "RDF_XML"),
    Offer("application/ld+json", "JSON_LD"),
    Offer("application/trig", "TRIG"),
    Offer("application/n-quads", "N_QUADS"),
    Offer("application/x-turtle", "TURTLE"),
    # rdflib asks for text/plain when it means N-Triples (its historical type).
    Offer("text/plain", "N_TRIPLES"),
    Offer("application/json", "JSON_LD"),
    Offer("application/xml", "RDF_XML"),
    Offer("text/x-nquads", "N_QUADS"),
)

# The service description; browsers asking for HTML get the query page.
DESCRIPTION_OFFERS: Final = (
    Offer("text/turtle", "TURTLE"),
    Offer("application/rdf+xml", "RDF_XML"),
    Offer("application/ld+json", "JSON_LD"),
    Offer("application/n-triples", "N_TRIPLES"),
    Offer("text/html", "HTML"),
    Offer("application/xhtml+xml", "HTML"),
)

_NAME = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_RANGE = re.compile(
    rf"\s*({_NAME})/({_NAME})((?:\s*;\s*{_NAME}\s*=\s*(?:{_NAME}|{_QUOTED}))*)\s*(?:,|$)"
)
_PARAMETER = re.compile(rf"\s*;\s*({_NAME})\s*=\s*({_NAME}|{_QUOTED})")
_QVALUE = re.compile(r"(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)")
_SKIP_TO_NEXT = re.compile(rf'(?:[^,"]|{_QUOTED})*(?:,|$)')
_UTF8 = frozenset({"utf-8", "utf8"})


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    parameters: tuple[tuple[str, str], ...]
    q: float
    position: int


def _parse(header: str) -> list[_Range]:
    """Parse an Accept header; malformed elements are skipped."""
    ranges: list[_Range] = []
    index = 0
    while index < len(header):
        match = _RANGE.match(header, index)
        if match is None:
            skipped = _SKIP_TO_NEXT.match(header, index)
            index = skipped.end() if skipped and skipped.end() > index else len(header)
            continue
        index = match.end()
        parameters: list[tuple[str, str]] = []
        q = 1.0
        valid = True
        for name, value in _PARAMETER.findall(match.group(3)):
            name = name.lower()
            if name == "q":
                # What follows q are accept extensions, not media-type parameters.
                valid = _QVALUE.fullmatch(value) is not None
                q = float(value) if valid else 0.0
                break
            parameters.append((name, value.strip('"').lower()))
        if not valid:
            continue
        ranges.append(
            _Range(
                match.group(1).lower(),
                match.group(2).lower(),
                tuple(parameters),
                q,
                len(ranges),
            )
        )
    return ranges


def _specificity(candidate: _Range, media_type: str, ignore_parameters: bool) -> int | None:
    """How specifically ``candidate`` names ``media_type`` (None: it does not)."""
    kind, _, subtype = media_type.partition("/")
    if candidate.type == "*":
        if candidate.subtype != "*":
            return None
        level = 0
    elif candidate.type != kind:
        return None
    elif candidate.subtype == "*":
        level = 1
    elif candidate.subtype == subtype:
        level = 2
    else:
        return None
    if ignore_parameters:
        return level * 2
    for name, value in candidate.parameters:
        if name != "charset" or value not in _UTF8:
            return None
    return level * 2 + (1 if candidate.parameters else 0)


@lru_cache(maxsize=512)
def negotiate(
    accept: str | None, offers: tuple[N, ...], *, ignore_parameters: bool = False
) -> N | None:
    """Return the offer the Accept header prefers, or None when it accepts none (406).

    An offer's aliases are other names of it: the most specific range naming it by
    any of them decides its quality (so ``text/html;q=0, */*`` refuses HTML even
    though it would accept ``application/xhtml+xml``). With ``ignore_parameters``,
    a range matches whatever its media-type parameters say (the publishing routes:
    a JSON-LD ``profile`` still gets their JSON-LD).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+json", RESULT_OFFERS).format
    'JSON'
    >>> negotiate(None, GRAPH_OFFERS).media_type
    'text/turtle'
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges = _parse(accept)
    best_key: tuple[float, int, int, int] | None = None
    chosen: N | None = None
    for order, offer in enumerate(offers):
        match: tuple[int, _Range] | None = None
        for media_type in (offer.media_type, *offer.aliases):
            for candidate in ranges:
                level = _specificity(candidate, media_type, ignore_parameters)
                if level is not None and (match is None or level > match[0]):
                    match = (level, candidate)
        if match is None or match[1].q <= 0:
            continue
        level, found = match
        key = (found.q, level, -found.position, -order)
        if best_key is None or key > best_key:
            best_key, chosen = key, offer
    return chosen


def offered_media_types(offers: tuple[Offer, ...]) -> str:
    """Return the media types of ``offers``, comma-separated, for a 406 message."""
    return ", ".join(dict.fromkeys(offer.media_type for offer in offers))
