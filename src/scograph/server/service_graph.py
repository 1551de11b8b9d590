"""The SPARQL Service Description of the endpoint, as an rdflib graph.

It says which formats answers come in, the features (the union default graph,
federation to the allowed endpoints), the default dataset with its named graphs,
and whether updates are possible.
"""

from urllib.parse import urljoin

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS

from scograph.publish.vocab import DATASET
from scograph.settings import Settings

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

FORMATS = Namespace("http://www.w3.org/ns/formats/")
_RESULT_FORMATS = tuple(
    FORMATS[name]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "N-Quads",
        "TriG",
        "JSON-LD",
        "RDF_XML",
    )
)
_INPUT_FORMATS = tuple(FORMATS[name] for name in ("Turtle", "N-Triples", "JSON-LD", "RDF_XML"))
RDFLIB_FORMATS = {
    "TURTLE": "turtle",
    "RDF_XML": "xml",
    "JSON_LD": "json-ld",
    "N_TRIPLES": "nt",
}


def describe(endpoint: str, settings: Settings, named_graphs: list[str], writable: bool) -> Graph:
    """Return the service description of the endpoint at ``endpoint``."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if writable:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
        graph.add((service, SD.feature, SD.EmptyGraphs))
        for fmt in _INPUT_FORMATS:
            graph.add((service, SD.inputFormat, fmt))
        mode = "Updates (SPARQL Update, Graph Store Protocol) need a bearer token."
    else:
        mode = "Read-only: this endpoint accepts no updates."
    graph.add((service, RDFS.comment, Literal(mode, lang="en")))
    for fmt in _RESULT_FORMATS:
        graph.add((service, SD.resultFormat, fmt))
    if settings.union_default_graph:
        graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if settings.service_allowlist:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
        allowed = ", ".join(f"<{iri}>" for iri in settings.service_allowlist)
        graph.add((service, RDFS.comment, Literal(f"SERVICE may call only {allowed}.", lang="en")))
    dataset = URIRef(endpoint + "#dataset")
    default_graph = URIRef(endpoint + "#default-graph")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    if settings.union_default_graph:
        graph.add(
            (
                default_graph,
                DCTERMS.description,
                Literal("The union of all the named graphs.", lang="en"),
            )
        )
        _link_dataset_description(graph, service, settings.public_base_url)
    for name in named_graphs:
        entry = BNode()
        graph.add((dataset, SD.namedGraph, entry))
        graph.add((entry, RDF.type, SD.NamedGraph))
        graph.add((entry, SD.name, URIRef(name)))
    return graph


def _link_dataset_description(graph: Graph, service: URIRef, public_base_url: str) -> None:
    """Say which dataset the endpoint serves, and where its VoID and DCAT descriptions are."""
    graph.bind("dcat", DCAT)
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCAT.servesDataset, URIRef(DATASET)))
    for path in (".well-known/void", "dumps/"):
        graph.add((service, RDFS.seeAlso, URIRef(urljoin(public_base_url, path))))
