"""The SPARQL 1.1 Protocol over HTTP: how queries are sent, the dataset, the errors."""

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from .helpers import (
    BIG_GRAPH,
    BIG_SIZE,
    CITIES,
    CITIES_GRAPH,
    CITY,
    COUNTRIES_GRAPH,
    SG,
    Server,
    select,
)

JSON = ox.QueryResultsFormat.JSON
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CITIES_QUERY = f"""PREFIX sg: <{SG}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?city ?label WHERE {{ ?city a sg:City ; skos:prefLabel ?label FILTER(LANG(?label) = "en") }}
ORDER BY ?label"""
ENGLISH_NAMES = sorted(names[0] for names in CITIES.values())


def _labels(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["label"] for row in select(response.content, JSON)]


def test_get_query_answers_solutions(server: Server, client: httpx.Client) -> None:
    response = client.get(server.sparql, params={"query": CITIES_QUERY})
    assert _labels(response) == ENGLISH_NAMES


def test_post_form_query_answers_solutions(server: Server, client: httpx.Client) -> None:
    response = client.post(server.sparql, data={"query": CITIES_QUERY})
    assert _labels(response) == ENGLISH_NAMES


@pytest.mark.parametrize(
    "content_type",
    [
        "application/sparql-query",
        "application/sparql-query; charset=utf-8",
        "application/sparql-query;charset=UTF-8",
    ],
)
def test_post_direct_query_answers_solutions(
    server: Server, client: httpx.Client, content_type: str
) -> None:
    response = client.post(
        server.sparql, content=CITIES_QUERY.encode(), headers={"Content-Type": content_type}
    )
    assert _labels(response) == ENGLISH_NAMES


def test_endpoint_with_trailing_slash_answers_too(server: Server, client: httpx.Client) -> None:
    response = client.get(server.sparql + "/", params={"query": CITIES_QUERY})
    assert _labels(response) == ENGLISH_NAMES


def test_client_parameters_the_protocol_does_not_define_are_ignored(
    server: Server, client: httpx.Client
) -> None:
    extra = {"format": "json", "output": "json", "results": "json", "timeout": "5000"}
    by_get = client.get(server.sparql, params={"query": CITIES_QUERY, **extra})
    by_form = client.post(server.sparql, data={"query": CITIES_QUERY, **extra})
    assert _labels(by_get) == _labels(by_form) == ENGLISH_NAMES


def test_default_graph_is_the_union_of_the_named_graphs(
    server: Server, client: httpx.Client
) -> None:
    query = f"""SELECT ?city ?country WHERE {{
        ?city <{SG}country> ?country . ?country a <{SG}Country> }}"""
    rows = select(client.get(server.sparql, params={"query": query}).content, JSON)
    # The city's country is in one graph, the country's type in another.
    assert len(rows) == len(CITIES)


def test_graph_variable_reaches_each_named_graph(server: Server, client: httpx.Client) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    rows = select(client.get(server.sparql, params={"query": query}).content, JSON)
    counts = {row["g"]: int(row["n"]) for row in rows}
    assert counts == {CITIES_GRAPH: 21, COUNTRIES_GRAPH: 4, BIG_GRAPH: BIG_SIZE}


def test_default_graph_uri_chooses_the_default_graph(server: Server, client: httpx.Client) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = client.get(
        server.sparql, params={"query": query, "default-graph-uri": COUNTRIES_GRAPH}
    )
    assert select(response.content, JSON) == [{"n": "4"}]


def test_named_graph_uri_limits_the_named_graphs(server: Server, client: httpx.Client) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.post(
        server.sparql,
        data={"query": query, "named-graph-uri": [CITIES_GRAPH, COUNTRIES_GRAPH]},
    )
    assert {row["g"] for row in select(response.content, JSON)} == {CITIES_GRAPH, COUNTRIES_GRAPH}


def test_query_with_from_uses_its_own_dataset(server: Server, client: httpx.Client) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{COUNTRIES_GRAPH}> WHERE {{ ?s ?p ?o }}"
    response = client.get(server.sparql, params={"query": query})
    assert select(response.content, JSON) == [{"n": "4"}]


def test_relative_iris_resolve_against_the_endpoint(server: Server, client: httpx.Client) -> None:
    response = client.get(server.sparql, params={"query": "SELECT (<x> AS ?iri) WHERE {}"})
    assert select(response.content, JSON) == [{"iri": server.base + "/x"}]


def test_syntax_error_is_400_with_line_and_column(server: Server, client: httpx.Client) -> None:
    query = "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }"
    response = client.get(server.sparql, params={"query": query})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "line 3, column " in response.text


def test_syntax_error_wins_over_an_unacceptable_accept(
    server: Server, client: httpx.Client
) -> None:
    response = client.get(
        server.sparql, params={"query": "SELECT * {"}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 400
    assert "line 1, column" in response.text


def test_two_queries_in_one_request_are_refused(server: Server, client: httpx.Client) -> None:
    response = client.get(server.sparql, params={"query": ["ASK {}", "SELECT * {}"]})
    assert response.status_code == 400
    assert "one query" in response.text


def test_a_query_and_an_update_together_are_refused(server: Server, client: httpx.Client) -> None:
    response = client.post(server.sparql, data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert response.status_code == 400


def test_form_without_query_or_update_is_400(server: Server, client: httpx.Client) -> None:
    response = client.post(server.sparql, data={"format": "json"})
    assert response.status_code == 400


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_on_the_endpoint_are_405(
    server: Server, client: httpx.Client, method: str
) -> None:
    response = client.request(method, server.sparql, params={"query": "ASK {}"})
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("text/plain", 415),
        (None, 415),
        ("application/json", 415),
        ("application/sparql-query; charset=UTF-16", 415),
    ],
)
def test_unsupported_bodies_are_415(
    server: Server, client: httpx.Client, content_type: str | None, status: int
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    request = client.build_request("POST", server.sparql, content=b"ASK {}", headers=headers)
    if content_type is None:
        request.headers.pop("Content-Type", None)
    response = client.send(request)
    assert response.status_code == status, response.text


def test_query_that_is_not_utf8_is_400(server: Server, client: httpx.Client) -> None:
    response = client.post(
        server.sparql,
        content="ASK { ?s ?p 'é' }".encode("latin-1"),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400


def test_health_says_the_query_workers_are_up(server: Server, client: httpx.Client) -> None:
    response = client.get(server.base + "/health")
    assert response.status_code == 200
    assert response.json()["query_workers"] >= 2


def test_large_answer_is_streamed_complete(server: Server, client: httpx.Client) -> None:
    query = f"SELECT ?s ?v WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?s ?p ?v }} }}"
    response = client.get(server.sparql, params={"query": query})
    assert response.status_code == 200
    assert "x-sparql-truncated" not in response.headers
    values = sorted(int(row["v"]) for row in select(response.content, JSON))
    assert values == list(range(BIG_SIZE))


def _description(server: Server, client: httpx.Client, accept: str, fmt: str) -> Graph:
    response = client.get(server.sparql, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    return Graph().parse(data=response.content, format=fmt)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")],
)
def test_bare_get_describes_the_service(
    server: Server, client: httpx.Client, accept: str, fmt: str
) -> None:
    graph = _description(server, client, accept, fmt)
    service = URIRef(server.sparql)
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (
        service,
        SD.resultFormat,
        URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON"),
    ) in graph
    names = {str(name) for name in graph.objects(None, SD.name)}
    assert names == {CITIES_GRAPH, COUNTRIES_GRAPH, BIG_GRAPH}


def test_read_only_description_offers_no_update(server: Server, client: httpx.Client) -> None:
    graph = _description(server, client, "text/turtle", "turtle")
    assert (URIRef(server.sparql), SD.supportedLanguage, SD.SPARQL11Update) not in graph
    comments = " ".join(str(c) for c in graph.objects(URIRef(server.sparql), None))
    assert "Read-only" in comments


def test_writable_description_offers_update_and_no_union(
    writable_server: Server, client: httpx.Client
) -> None:
    graph = _description(writable_server, client, "text/turtle", "turtle")
    service = URIRef(writable_server.sparql)
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) not in graph


def test_browsers_are_sent_to_the_query_editor(server: Server, client: httpx.Client) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(server.sparql, headers={"Accept": browser})
    assert response.status_code == 303
    assert "Accept" in response.headers["vary"]
    editor_url = httpx.URL(server.sparql).join(response.headers["location"])
    editor = client.get(editor_url, headers={"Accept": browser})
    assert editor.status_code == 200
    assert editor.headers["content-type"].startswith("text/html")
    assert "yasgui" in editor.text.lower()


def test_description_for_no_accept_is_turtle(server: Server, client: httpx.Client) -> None:
    response = client.get(server.sparql)
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    assert (URIRef(server.sparql), RDF.type, SD.Service) in graph


def test_sister_city_is_found_by_iri(server: Server, client: httpx.Client) -> None:
    query = f"ASK {{ <{CITY}qingdao> <{SG}sisterOf> <{CITY}bishkek> }}"
    response = client.get(server.sparql, params={"query": query})
    assert response.json() == {"head": {}, "boolean": True}
