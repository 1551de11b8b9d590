"""The publishing routes over real HTTP: resolvable IRIs, conneg, pages, VoID, dumps, ontology."""

import gzip
import hashlib
import http.client
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from .conftest import LiveServer
from .dumps_reading import main_union_triples, union_triples

QINGDAO = "https://w3id.org/scograph/id/city/qingdao"
EVIL = "https://w3id.org/scograph/id/organisation/evil"
SG = "https://w3id.org/scograph/ontology#"
RDF_SYNTAX = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


@pytest.fixture
def client(server: LiveServer) -> httpx.Client:
    with httpx.Client(base_url=server.base, timeout=60) as c:
        yield c


def _quads(response: httpx.Response) -> list[ox.Quad]:
    media_type = response.headers["content-type"].split(";")[0]
    return list(ox.parse(response.content, format=RDF_SYNTAX[media_type]))


def _raw_get(server: LiveServer, path: str) -> tuple[int, str | None]:
    """GET a path exactly as written (no client-side normalisation of ``..`` or escapes)."""
    url = urlsplit(server.base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("location")
    finally:
        connection.close()


# Dereferencing


def test_an_iri_answers_303_with_the_document_location(client: httpx.Client) -> None:
    response = client.get("/id/city/qingdao", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/city/qingdao"


def test_following_the_303_gives_the_things_statements(client: httpx.Client) -> None:
    response = client.get(
        "/id/city/qingdao", headers={"Accept": "text/turtle"}, follow_redirects=True
    )
    assert response.status_code == 200
    triples = {(q.subject.value, q.predicate.value, q.object.value) for q in _quads(response)}
    assert (QINGDAO, SG + "sisterOf", "https://w3id.org/scograph/id/city/bishkek") in triples


@pytest.mark.parametrize(
    "path", ["/id/city/atlantis", "/doc/city/atlantis", "/doc/city/atlantis.ttl"]
)
def test_an_unknown_thing_gets_a_404_page_not_an_empty_document(
    client: httpx.Client, path: str
) -> None:
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "atlantis" in page.text
    data = client.get(path, headers={"Accept": "text/turtle"})
    assert data.status_code == 404
    assert not data.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("media_type", sorted(RDF_SYNTAX))
def test_the_document_negotiates_by_accept(client: httpx.Client, media_type: str) -> None:
    response = client.get("/doc/city/qingdao", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    subjects = {q.subject.value for q in _quads(response)}
    assert QINGDAO in subjects


@pytest.mark.parametrize(
    ("suffix", "media_type"),
    [
        (".ttl", "text/turtle"),
        (".nt", "application/n-triples"),
        (".jsonld", "application/ld+json"),
        (".rdf", "application/rdf+xml"),
        (".trig", "application/trig"),
        (".nq", "application/n-quads"),
    ],
)
def test_a_suffix_chooses_the_format_whatever_the_accept_header(
    client: httpx.Client, suffix: str, media_type: str
) -> None:
    response = client.get(f"/doc/city/qingdao{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert QINGDAO in {q.subject.value for q in _quads(response)}


def test_html_suffix_and_browsers_get_the_page(client: httpx.Client) -> None:
    for path, accept in (
        ("/doc/city/qingdao.html", "text/turtle"),
        ("/doc/city/qingdao", "text/html,*/*;q=0.8"),
    ):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_negotiated_documents_vary_on_accept_and_link_every_format(client: httpx.Client) -> None:
    response = client.get("/doc/city/qingdao", headers={"Accept": "text/turtle"})
    assert "Accept" in response.headers["vary"]
    assert response.headers["content-location"] == "/doc/city/qingdao.ttl"
    links = {
        match.group(2): match.group(1)
        for match in re.finditer(
            r'<([^>]+)>; rel="alternate"; type="([^"]+)"', response.headers["link"]
        )
    }
    assert links == {
        "text/html": "/doc/city/qingdao.html",
        **{
            mt: f"/doc/city/qingdao{s}"
            for mt, s in [
                ("text/turtle", ".ttl"),
                ("application/n-triples", ".nt"),
                ("application/ld+json", ".jsonld"),
                ("application/rdf+xml", ".rdf"),
                ("application/trig", ".trig"),
                ("application/n-quads", ".nq"),
            ]
        },
    }
    for url in links.values():
        assert client.get(url).status_code == 200


def test_an_unacceptable_media_type_gets_406(client: httpx.Client) -> None:
    response = client.get("/doc/city/qingdao", headers={"Accept": "application/pdf"})
    assert response.status_code == 406
    assert "text/turtle" in response.text


def test_rdflib_reads_a_document_with_its_own_accept_headers(server: LiveServer) -> None:
    graph = rdflib.Graph()
    graph.parse(f"{server.base}/id/city/qingdao")
    assert (
        rdflib.URIRef(QINGDAO),
        rdflib.OWL.sameAs,
        rdflib.URIRef("http://www.wikidata.org/entity/Q170322"),
    ) in graph
    as_nt = rdflib.Graph()
    as_nt.parse(f"{server.base}/doc/city/qingdao", format="nt")
    assert len(as_nt) == len(graph)


def test_the_document_keeps_each_statement_with_its_source_graph(client: httpx.Client) -> None:
    quads = _quads(client.get("/doc/city/qingdao.nq"))
    sister = [
        q.graph_name.value
        for q in quads
        if q.subject.value == QINGDAO and q.predicate.value == SG + "sisterOf"
    ]
    assert sorted(sister) == [
        "https://w3id.org/scograph/graph/peoples-daily-2023-06-friendship-cities",
        "https://w3id.org/scograph/graph/tdi-2023-06-16-qingdao-forums",
        "https://w3id.org/scograph/graph/wikipedia-twinnings",
    ]


def test_the_document_holds_the_things_that_point_to_it(client: httpx.Client) -> None:
    quads = _quads(client.get("/doc/city/qingdao.nt"))
    incoming = {(q.subject.value, q.predicate.value) for q in quads if q.object.value == QINGDAO}
    assert (
        "https://w3id.org/scograph/id/forum/sco-local-cooperation-2023",
        SG + "heldIn",
    ) in incoming


def test_head_on_a_document_gives_headers_without_a_body(client: httpx.Client) -> None:
    response = client.head("/doc/city/qingdao.ttl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == b""


# The page


class _Scripts(HTMLParser):
    """Collects the text of <script> elements and every start tag."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.tags: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def test_a_malicious_label_is_escaped_in_the_page_and_its_json_ld(client: httpx.Client) -> None:
    page = client.get("/doc/organisation/evil", headers={"Accept": "text/html"}).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page
    parser = _Scripts()
    parser.feed(page)
    assert parser.tags.count("script") == 1
    assert "b" not in parser.tags
    data = json.loads(parser.scripts[0])
    labels = [
        value["@value"]
        for node in data
        if node["@id"] == EVIL
        for value in node.get("http://www.w3.org/2000/01/rdf-schema#label", [])
    ]
    assert labels == ["<script>alert(1)</script>"]


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, "", "青岛"),
        ({"Accept-Language": "ru"}, "", "Циндао"),
        ({"Accept-Language": "de, ru;q=0.5"}, "", "Циндао"),
        ({"Accept-Language": "de"}, "", "Qingdao"),
        ({}, "", "Qingdao"),
        ({"Accept-Language": "ru"}, "?lang=zh", "青岛"),
        ({"Accept-Language": "zh"}, "?lang=xx", "青岛"),
    ],
)
def test_the_page_title_is_in_the_visitors_language(
    client: httpx.Client, headers: dict[str, str], query: str, expected: str
) -> None:
    response = client.get(f"/doc/city/qingdao{query}", headers={"Accept": "text/html", **headers})
    title = re.search(r"<h1[^>]*>(.*?)</h1>", response.text).group(1)
    assert title == expected
    assert "Accept-Language" in response.headers["vary"]


def test_the_page_shows_sources_quotes_incoming_links_and_wikidata(client: httpx.Client) -> None:
    page = client.get("/doc/city/qingdao", headers={"Accept": "text/html"}).text
    assert "Facts from TDI, 16 June 2023" in page
    assert "Qingdao, a coastal city in Shandong" in page
    assert 'href="/doc/forum/sco-local-cooperation-2023"' in page
    assert 'href="https://www.wikidata.org/wiki/Q170322"' in page
    assert 'href="/doc/source/tdi-2023-06-16-qingdao-forums"' in page
    assert "CC BY-SA 4.0" in page
    assert client.get("/assets/scograph.css").headers["content-type"].startswith("text/css")


# VoID


def test_well_known_void_counts_the_store(client: httpx.Client, server: LiveServer) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    triples = _quads(response)
    dataset = "https://w3id.org/scograph/dataset"
    void = "http://rdfs.org/ns/void#"
    stated = {q.predicate.value: q.object.value for q in triples if q.subject.value == dataset}
    store = server.published.store()
    everything = union_triples(store)
    assert int(stated[void + "triples"]) == everything
    assert stated[void + "sparqlEndpoint"] == f"{server.base}/sparql"
    dumps = {q.object.value for q in triples if q.predicate.value == void + "dataDump"}
    assert f"{server.base}/dumps/1.0.0/scograph.nt.gz" in dumps
    assert main_union_triples(store) < everything


@pytest.mark.parametrize(
    "media_type", ["application/ld+json", "application/n-triples", "application/rdf+xml"]
)
def test_well_known_void_negotiates(client: httpx.Client, media_type: str) -> None:
    response = client.get("/.well-known/void", headers={"Accept": media_type})
    assert response.headers["content-type"].split(";")[0] == media_type
    assert _quads(response)


# Dumps


def test_the_dumps_page_lists_every_file_and_machines_get_dcat(
    client: httpx.Client, server: LiveServer
) -> None:
    page = client.get("/dumps/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    for path in server.published.folder.iterdir():
        assert f'href="/dumps/1.0.0/{path.name}"' in page.text
    dcat = client.get("/dumps/", headers={"Accept": "text/turtle"})
    assert dcat.headers["vary"] == "Accept"
    urls = {
        q.object.value
        for q in _quads(dcat)
        if q.predicate.value == "http://www.w3.org/ns/dcat#downloadURL"
    }
    assert f"{server.base}/dumps/1.0.0/scograph.nq.gz" in urls
    one = client.get("/dumps/1.0.0/", headers={"Accept": "text/html"})
    assert one.status_code == 200
    assert client.get("/dumps/latest/", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/dumps/9.9.9/").status_code == 404


def test_a_gzipped_dump_is_served_as_stored_with_validators(
    client: httpx.Client, server: LiveServer
) -> None:
    path = server.published.folder / "scograph.nt.gz"
    response = client.get("/dumps/1.0.0/scograph.nt.gz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in response.headers
    assert response.content == path.read_bytes()
    assert int(response.headers["content-length"]) == path.stat().st_size
    assert response.headers["etag"] == f'"{hashlib.sha256(path.read_bytes()).hexdigest()}"'
    assert response.headers["accept-ranges"] == "bytes"
    assert "last-modified" in response.headers
    gzip.decompress(response.content)


def test_conditional_requests_get_304(client: httpx.Client) -> None:
    first = client.get("/dumps/latest/scograph.ttl")
    assert first.headers["content-type"].startswith("text/turtle")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"x", W/{etag}'},
        {"If-Modified-Since": modified},
    ):
        again = client.get("/dumps/latest/scograph.ttl", headers=headers)
        assert again.status_code == 304, headers
        assert again.content == b""
        assert again.headers["etag"] == etag
    changed = client.get("/dumps/latest/scograph.ttl", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


def test_byte_ranges_get_206_and_unsatisfiable_ones_416(
    client: httpx.Client, server: LiveServer
) -> None:
    data = (server.published.folder / "scograph.nq.gz").read_bytes()
    part = client.get("/dumps/1.0.0/scograph.nq.gz", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
    tail = client.get("/dumps/1.0.0/scograph.nq.gz", headers={"Range": "bytes=-5"})
    assert tail.content == data[-5:]
    beyond = client.get(
        "/dumps/1.0.0/scograph.nq.gz", headers={"Range": f"bytes={len(data) + 10}-"}
    )
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(data)}"


def test_head_on_a_dump_gives_its_headers_without_a_body(
    client: httpx.Client, server: LiveServer
) -> None:
    response = client.head("/dumps/1.0.0/SHA256SUMS")
    assert response.status_code == 200
    assert response.content == b""
    assert (
        int(response.headers["content-length"])
        == (server.published.folder / "SHA256SUMS").stat().st_size
    )
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "path",
    [
        "/dumps/../conftest.py",
        "/dumps/../store/CURRENT",
        "/dumps/%2e%2e/store/CURRENT",
        "/dumps/1.0.0/..%2F..%2Fstore%2FCURRENT",
        "/dumps/1.0.0/%2e%2e%2f%2e%2e%2fstore%2fCURRENT",
        "/dumps/..%2Fstore/CURRENT",
        "/dumps/latest/..%5C..%5Cstore%5CCURRENT",
        "/dumps/%2e%2e%2fstore/",
        "/dumps/1.0.0/.",
        "/dumps/.%2e/",
        "/dumps//etc/passwd",
    ],
)
def test_path_traversal_is_refused(server: LiveServer, path: str) -> None:
    assert (server.published.store_dir / "CURRENT").exists()
    status, location = _raw_get(server, path)
    if status == 307:
        # The router's trailing-slash redirect; where it points must be refused too.
        assert location is not None
        status, location = _raw_get(server, urlsplit(location).path)
    assert status == 404


# The ontology


def test_the_ontology_gives_browsers_its_documentation(client: httpx.Client) -> None:
    response = client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "The scograph ontology (test fixture)" in response.text
    for term in ("City", "sisterOf", "SourceGraph", "organisedBy"):
        assert f'id="{term}"' in response.text, term
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/ontology", "text/turtle"),
        ("/ontology.ttl", "text/html"),
        ("/ontology", "application/ld+json"),
    ],
)
def test_the_ontology_gives_machines_rdf(client: httpx.Client, path: str, accept: str) -> None:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    triples = {(q.subject.value, q.object.value) for q in _quads(response)}
    assert (
        "https://w3id.org/scograph/ontology",
        "http://www.w3.org/2002/07/owl#Ontology",
    ) in triples
