"""The bundled graph as a user meets it: `scograph serve` with its release, over HTTP.

A user downloads the dumps, counts what the endpoint holds, follows an IRI and
finds the dataset's description from the endpoint: these must agree.
"""

import gzip
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from rdflib import DCAT, RDFS, VOID, Graph, URIRef
from tests.server.helpers import Server, start_server, stop_server

from scograph.build import build_store
from scograph.publish.release import release

SG = "https://w3id.org/scograph/ontology#"
QINGDAO = "https://w3id.org/scograph/id/city/qingdao"


@pytest.fixture(scope="module")
def bundled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("bundled")
    store = folder / "store"
    build_store(store)
    releases = folder / "releases"
    release(store, releases)
    running = start_server(
        ["--store", str(store)], {"SCOGRAPH_RELEASES_DIR": str(releases)}, folder, "bundled"
    )
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60.0) as session:
        yield session


def _dump_files(server: Server, client: httpx.Client) -> list[str]:
    listing = client.get(server.base + "/dumps/latest/", headers={"Accept": "text/turtle"})
    assert listing.status_code == 200
    catalogue = Graph().parse(data=listing.text, format="turtle")
    return sorted(str(url) for url in catalogue.objects(None, DCAT.downloadURL))


def _download(server: Server, client: httpx.Client, url: str) -> bytes:
    # Download links name the public base URL (127.0.0.1:8000 by default): follow
    # their path on the server under test.
    response = client.get(server.base + httpx.URL(url).path)
    assert response.status_code == 200, url
    return gzip.decompress(response.content) if url.endswith(".gz") else response.content


def _count(server: Server, client: httpx.Client, query: str) -> int:
    response = client.post(
        server.sparql,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_the_named_graph_dump_holds_what_the_endpoint_holds_in_those_graphs(
    bundled_server: Server, client: httpx.Client
) -> None:
    urls = _dump_files(bundled_server, client)
    main = next(url for url in urls if url.endswith("/scograph.nq.gz"))
    quads = list(ox.parse(_download(bundled_server, client, main), format=ox.RdfFormat.N_QUADS))
    graphs = sorted({q.graph_name.value for q in quads})
    values = " ".join(f"<{g}>" for g in graphs)
    endpoint_count = _count(
        bundled_server,
        client,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}",
    )
    assert len(quads) == endpoint_count


def test_the_union_dump_holds_the_distinct_triples_of_those_graphs(
    bundled_server: Server, client: httpx.Client
) -> None:
    urls = _dump_files(bundled_server, client)
    union = next(url for url in urls if url.endswith("/scograph.nt.gz"))
    triples = list(
        ox.parse(_download(bundled_server, client, union), format=ox.RdfFormat.N_TRIPLES)
    )
    main = next(url for url in urls if url.endswith("/scograph.nq.gz"))
    graphs = {
        q.graph_name.value
        for q in ox.parse(_download(bundled_server, client, main), format=ox.RdfFormat.N_QUADS)
    }
    values = " ".join(f"<{g}>" for g in sorted(graphs))
    endpoint_count = _count(
        bundled_server,
        client,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
        f"{{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} }}",
    )
    assert len(triples) == endpoint_count


def test_every_graph_of_the_endpoint_is_in_exactly_one_dump(
    bundled_server: Server, client: httpx.Client
) -> None:
    in_dumps: list[str] = []
    for url in _dump_files(bundled_server, client):
        if url.endswith(".nq.gz"):
            quads = ox.parse(_download(bundled_server, client, url), format=ox.RdfFormat.N_QUADS)
            in_dumps += sorted({q.graph_name.value for q in quads})
    response = client.post(
        bundled_server.sparql,
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    served = {b["g"]["value"] for b in response.json()["results"]["bindings"]}
    assert sorted(in_dumps) == sorted(served)


def test_a_city_iri_resolves_to_its_data(bundled_server: Server, client: httpx.Client) -> None:
    path = QINGDAO.removeprefix("https://w3id.org/scograph")
    redirect = client.get(bundled_server.base + path, headers={"Accept": "text/turtle"})
    assert redirect.status_code == 303
    document = client.get(
        httpx.URL(bundled_server.base).join(redirect.headers["location"]),
        headers={"Accept": "text/turtle"},
    )
    assert document.status_code == 200
    graph = Graph().parse(data=document.text, format="turtle")
    partners = set(graph.objects(URIRef(QINGDAO), URIRef(SG + "sisterOf")))
    assert URIRef("https://w3id.org/scograph/id/city/bishkek") in partners


def test_the_service_description_leads_to_the_dataset_description(
    bundled_server: Server, client: httpx.Client
) -> None:
    response = client.get(bundled_server.sparql, headers={"Accept": "text/turtle"})
    description = Graph().parse(data=response.text, format="turtle")
    service = URIRef(bundled_server.sparql)
    assert (service, DCAT.servesDataset, URIRef("https://w3id.org/scograph/dataset")) in description
    void_url = next(
        str(o) for o in description.objects(service, RDFS.seeAlso) if "well-known/void" in str(o)
    )
    # The public base URL defaults to 127.0.0.1:8000; follow the path on this server.
    void_path = httpx.URL(void_url).path
    void = client.get(bundled_server.base + void_path, headers={"Accept": "text/turtle"})
    assert void.status_code == 200
    dataset = Graph().parse(data=void.text, format="turtle")
    endpoints = set(
        dataset.objects(URIRef("https://w3id.org/scograph/dataset"), VOID.sparqlEndpoint)
    )
    assert endpoints
