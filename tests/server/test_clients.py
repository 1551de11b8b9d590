"""Real SPARQL clients against the real server: SPARQLWrapper and rdflib's SPARQLStore."""

import csv
import io

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper

from .helpers import CITIES, CITY, SG, Server

QUERY = f"""PREFIX sg: <{SG}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?city ?label WHERE {{ ?city a sg:City ; skos:prefLabel ?label FILTER(LANG(?label) = "ru") }}
ORDER BY ?city"""
EXPECTED = sorted((CITY + key, names[2]) for key, names in CITIES.items())


def _wrapper(server: Server, method: str, fmt: str) -> SPARQLWrapper:
    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery(QUERY)
    wrapper.setMethod(method)
    wrapper.setReturnFormat(fmt)
    return wrapper


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_json(server: Server, method: str) -> None:
    results = _wrapper(server, method, JSON).queryAndConvert()
    rows = [(b["city"]["value"], b["label"]["value"]) for b in results["results"]["bindings"]]
    assert rows == EXPECTED


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_xml(server: Server, method: str) -> None:
    document = _wrapper(server, method, XML).queryAndConvert()
    rows = []
    for result in document.getElementsByTagName("result"):
        values = {}
        for binding in result.getElementsByTagName("binding"):
            values[binding.getAttribute("name")] = binding.firstChild.firstChild.data
        rows.append((values["city"], values["label"]))
    assert rows == EXPECTED


@pytest.mark.parametrize("fmt", [CSV, TSV])
@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_csv_and_tsv(server: Server, method: str, fmt: str) -> None:
    body = _wrapper(server, method, fmt).queryAndConvert()
    if fmt == TSV:
        lines = body.decode("utf-8").splitlines()
        assert lines[0] == "?city\t?label"
        rows = []
        for line in lines[1:]:
            city, label = line.split("\t")
            rows.append((city.strip("<>"), label.rpartition("@")[0].strip('"')))
    else:
        table = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        assert table[0] == ["city", "label"]
        rows = table[1:]
    assert [tuple(row) for row in rows] == EXPECTED


def test_sparqlwrapper_construct_turtle(server: Server) -> None:
    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery(f"CONSTRUCT WHERE {{ ?a <{SG}sisterOf> ?b }}")
    wrapper.setReturnFormat(TURTLE)
    graph = Graph().parse(data=wrapper.queryAndConvert(), format="turtle")
    assert set(graph) == {
        (URIRef(CITY + "qingdao"), URIRef(SG + "sisterOf"), URIRef(CITY + "bishkek"))
    }


def test_sparqlwrapper_update_with_bearer_token(writable_server: Server) -> None:
    wrapper = SPARQLWrapper(writable_server.sparql)
    wrapper.setMethod(POST)
    wrapper.addCustomHttpHeader("Authorization", f"Bearer {writable_server.token}")
    wrapper.setQuery(
        "INSERT DATA { GRAPH <http://example.org/wrapper> "
        "{ <http://example.org/s> <http://example.org/p> 'via SPARQLWrapper' } }"
    )
    wrapper.query()
    check = SPARQLWrapper(writable_server.sparql)
    check.setQuery("SELECT ?o WHERE { GRAPH <http://example.org/wrapper> { ?s ?p ?o } }")
    check.setReturnFormat(JSON)
    bindings = check.queryAndConvert()["results"]["bindings"]
    assert [b["o"]["value"] for b in bindings] == ["via SPARQLWrapper"]


def test_rdflib_sparqlstore_select(server: Server) -> None:
    graph = Graph(store=SPARQLStore(server.sparql))
    rows = sorted((str(row.city), str(row.label)) for row in graph.query(QUERY))
    assert rows == EXPECTED


def test_rdflib_sparqlstore_triples(server: Server) -> None:
    graph = Graph(store=SPARQLStore(server.sparql))
    labels = set(
        graph.objects(URIRef(CITY + "osh"), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))
    )
    assert Literal("Ош", lang="ru") in labels
    assert len(labels) == 3


def test_rdflib_sparqlstore_ask_and_construct(server: Server) -> None:
    as_json = Graph(store=SPARQLStore(server.sparql, returnFormat="json"))
    assert as_json.query(f"ASK {{ <{CITY}qingdao> ?p ?o }}").askAnswer is True
    # The default (XML) store accepts RDF/XML too, which a CONSTRUCT needs.
    graph = Graph(store=SPARQLStore(server.sparql))
    constructed = graph.query(f"CONSTRUCT WHERE {{ <{CITY}qingdao> <{SG}sisterOf> ?o }}").graph
    assert set(constructed.objects()) == {URIRef(CITY + "bishkek")}
