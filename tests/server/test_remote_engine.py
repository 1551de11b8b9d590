"""Another SPARQL engine as the store: scograph over a real Oxigraph server on 127.0.0.1.

The engine is ``oxigraph serve`` holding the bundled graph; scograph is started with
``--store sparql+http://127.0.0.1:PORT/query`` and its answers are compared with
those of scograph over the same graph in its own store. Writes go to a second,
empty engine, and are checked on the engine itself.
"""

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from scograph import resources
from scograph.server.remote_engine import EngineUrls, RemoteReaders
from scograph.server.stores import bundled_store

from .helpers import (
    TOKEN,
    Listener,
    Server,
    free_port,
    scograph_command,
    select,
    start_server,
    stop_server,
    triples,
)

GRAPH = "https://w3id.org/scograph/graph/"
TWINNINGS_GRAPH = GRAPH + "wikipedia-twinnings"
JSON = ox.QueryResultsFormat.JSON
EXAMPLES = sorted(resources.queries_dir().glob("*.rq"))
ALL_QUADS = "SELECT * WHERE { ?s ?p ?o }"


class Engine:
    """A running ``oxigraph serve`` process."""

    def __init__(self, folder: Path, location: Path | None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"oxigraph-{self.port}.log"
        command = [_oxigraph(), "serve", "--bind", f"127.0.0.1:{self.port}"]
        if location is not None:
            command += ["--location", str(location)]
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.post(self.base + "/query", data={"query": "ASK {}"}).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"oxigraph did not come up:\n{self.log.read_text()}")

    @property
    def store(self) -> str:
        return "sparql+" + self.base + "/query"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


def _oxigraph() -> str:
    return str(Path(sys.executable).with_name("oxigraph"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("remote")


@pytest.fixture(scope="module")
def engine(folder: Path) -> Iterator[Engine]:
    """Oxigraph's server holding the bundled graph, loaded with ``oxigraph load``."""
    dump = folder / "bundled.nq"
    with dump.open("wb") as output:
        ox.Store.read_only(str(bundled_store())).dump(output, ox.RdfFormat.N_QUADS)
    location = folder / "engine"
    subprocess.run(
        [_oxigraph(), "load", "--location", str(location), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    running = Engine(folder, location)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def local(folder: Path) -> Iterator[Server]:
    """scograph over the bundled graph in its own store: the reference."""
    running = start_server([], {"SCOGRAPH_MAX_ROWS": "1000000"}, folder, "local")
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def remote(engine: Engine, folder: Path) -> Iterator[Server]:
    """scograph with the engine as its store, read-only."""
    running = start_server(
        ["--store", engine.store], {"SCOGRAPH_MAX_ROWS": "1000000"}, folder, "remote"
    )
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def limited(engine: Engine, folder: Path) -> Iterator[Server]:
    """Small limits over the engine: 2 s per query, 5 rows."""
    running = start_server(
        ["--store", engine.store],
        {"SCOGRAPH_QUERY_TIMEOUT": "2", "SCOGRAPH_MAX_ROWS": "5"},
        folder,
        "remote-limited",
    )
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def empty_engine(folder: Path) -> Iterator[Engine]:
    """An empty in-memory Oxigraph server for writes."""
    running = Engine(folder, None)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def writable(empty_engine: Engine, folder: Path) -> Iterator[Server]:
    """scograph with the empty engine as its store and a write token."""
    running = start_server(
        ["--store", empty_engine.store], {"SCOGRAPH_WRITE_TOKEN": TOKEN}, folder, "remote-writable"
    )
    yield running
    stop_server(running)


def _ask(
    server: Server, query: str, accept: str = "application/sparql-results+json"
) -> httpx.Response:
    return httpx.post(server.sparql, data={"query": query}, headers={"Accept": accept}, timeout=60)


def _rows(response: httpx.Response) -> list[tuple[tuple[str, str], ...]]:
    assert response.status_code == 200, response.text
    return sorted(tuple(sorted(row.items())) for row in select(response.content, JSON))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_queries_answer_as_over_the_local_store(
    path: Path, local: Server, remote: Server
) -> None:
    query = path.read_text(encoding="utf-8")
    expected, found = _ask(local, query), _ask(remote, query)
    assert found.headers["content-type"] == expected.headers["content-type"]
    if "boolean" in expected.text[:40]:
        assert found.json()["boolean"] == expected.json()["boolean"]
    else:
        assert _rows(found) == _rows(expected)
        assert _rows(found), f"{path.name} has no answer to compare"


def test_ask_and_construct_answer_as_over_the_local_store(local: Server, remote: Server) -> None:
    for query in (
        f"ASK {{ GRAPH <{TWINNINGS_GRAPH}> {{ ?s ?p ?o }} }}",
        "ASK { <https://w3id.org/scograph/id/city/nowhere> ?p ?o }",
    ):
        assert _ask(remote, query).json()["boolean"] == _ask(local, query).json()["boolean"]
    construct = (
        "CONSTRUCT { ?city ?p ?o } WHERE { "
        "VALUES ?city { <https://w3id.org/scograph/id/city/qingdao> } ?city ?p ?o }"
    )
    expected = _ask(local, construct, "application/n-triples")
    found = _ask(remote, construct, "application/n-triples")
    assert found.headers["content-type"] == "application/n-triples"
    assert triples(found.content, ox.RdfFormat.N_TRIPLES) == triples(
        expected.content, ox.RdfFormat.N_TRIPLES
    )
    assert len(triples(found.content, ox.RdfFormat.N_TRIPLES)) > 5


@pytest.mark.parametrize(
    ("accept", "content_type", "fmt"),
    [
        ("text/csv", "text/csv; charset=utf-8", None),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "TSV"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "XML"),
        ("application/json", "application/json", "JSON"),
    ],
)
def test_results_come_in_the_format_asked_for(
    remote: Server, local: Server, accept: str, content_type: str, fmt: str | None
) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    found = _ask(remote, query, accept)
    assert found.status_code == 200
    assert found.headers["content-type"] == content_type
    expected = _ask(local, query, accept)
    if fmt is None:
        assert found.text == expected.text
    else:
        results_format = getattr(ox.QueryResultsFormat, fmt)
        assert select(found.content, results_format) == select(expected.content, results_format)


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/rdf+xml"])
def test_graphs_come_in_the_format_asked_for(remote: Server, local: Server, accept: str) -> None:
    url = f"/graph-store?graph={TWINNINGS_GRAPH}"
    found = httpx.get(remote.base + url, headers={"Accept": accept}, timeout=60)
    expected = httpx.get(local.base + url, headers={"Accept": accept}, timeout=60)
    assert found.status_code == 200
    assert found.headers["content-type"] == expected.headers["content-type"]
    fmt = ox.RdfFormat.from_media_type(accept)
    assert triples(found.content, fmt) == triples(expected.content, fmt)
    assert len(triples(found.content, fmt)) > 1000


def test_a_graph_that_is_not_there_is_404(remote: Server) -> None:
    response = httpx.get(remote.graph_store, params={"graph": GRAPH + "nothing-here"})
    assert response.status_code == 404
    assert "no graph" in response.text


def test_syntax_errors_are_400_with_the_engines_message(remote: Server) -> None:
    response = _ask(remote, "SELECT * WHERE { ?s ?p }")
    assert response.status_code == 400
    assert response.text.startswith("Syntax error at line 1, column")


def test_row_cap_cuts_and_says_so(limited: Server) -> None:
    response = _ask(limited, ALL_QUADS)
    assert response.status_code == 200
    assert len(select(response.content, JSON)) == 5
    assert response.headers["x-sparql-truncated"] == "true"
    assert response.headers["x-sparql-max-rows"] == "5"
    small = _ask(limited, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    assert len(select(small.content, JSON)) == 3
    assert "x-sparql-truncated" not in small.headers


def test_large_answers_are_counted_streamed_and_cut(engine: Engine) -> None:
    """Answers past the in-memory size are counted, then streamed and converted on the way."""

    async def run(max_rows: int, accept: str) -> tuple[bool, bytes, bool]:
        readers = RemoteReaders(
            EngineUrls.of(engine.base + "/query"), 60.0, "union-default-graph", 4096
        )
        await readers.start()
        try:
            answer = await readers.answer(
                {
                    "op": "query",
                    "query": ALL_QUADS,
                    "accept": accept,
                    "max_rows": max_rows,
                    "union": True,
                }
            )
            body = b"".join([chunk async for chunk in answer.chunks()])
            return answer.truncated, body, answer.body is None
        finally:
            await readers.close()

    truncated, body, streamed = asyncio.run(run(1000, "application/sparql-results+json"))
    assert streamed and truncated
    assert len(select(body, JSON)) == 1000
    total = len(list(ox.Store.read_only(str(bundled_store())).quads_for_pattern(None, None, None)))
    truncated, body, streamed = asyncio.run(run(10_000_000, "application/sparql-results+xml"))
    assert streamed and not truncated
    rows = select(body, ox.QueryResultsFormat.XML)
    distinct = {(r["s"], r["p"], r["o"]) for r in rows}
    assert len(rows) >= len(distinct) > 0
    assert len(rows) == total


def test_refused_service_never_reaches_the_engine(limited: Server, engine: Engine) -> None:
    probe = Listener()
    query = f"SELECT * WHERE {{ SERVICE <{probe.url}> {{ ?s ?p ?o }} }}"
    try:
        response = _ask(limited, query)
        assert response.status_code == 403
        assert "not allowed" in response.text
        time.sleep(0.5)
        assert probe.connections == 0
        # Sent to the engine, the query makes it call the endpoint: it would have shown.
        httpx.post(engine.base + "/query", data={"query": query}, timeout=30)
        assert probe.connections > 0
    finally:
        probe.close()


def test_load_is_refused_before_the_engine(writable: Server) -> None:
    probe = Listener()
    try:
        response = httpx.post(
            writable.sparql,
            content=f"LOAD <{probe.url}>",
            headers={"Content-Type": "application/sparql-update", **writable.auth()},
        )
        assert response.status_code == 403
        time.sleep(0.5)
        assert probe.connections == 0
    finally:
        probe.close()


# Seconds of work for the engine (a join compared by string), longer than the limit of 2 s
# on any machine; the engine finishes it on its own after scograph has given up.
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { "
    f"{{ SELECT ?a WHERE {{ GRAPH <{TWINNINGS_GRAPH}> {{ ?a ?b ?c }} }} LIMIT 150 }} "
    f"GRAPH <{TWINNINGS_GRAPH}> {{ ?d ?e ?f }} FILTER(STR(?a) = STR(?f)) }}"
)


def test_time_limit_is_503_and_the_endpoint_goes_on(limited: Server) -> None:
    started = time.monotonic()
    response = _ask(limited, SLOW)
    assert response.status_code == 503
    assert "time limit of 2 s" in response.text
    assert time.monotonic() - started < 10
    answer = _ask(limited, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert answer.status_code == 200
    assert len(select(answer.content, JSON)) == 1


def test_an_engine_that_is_down_is_503_and_health_says_so(folder: Path) -> None:
    port = free_port()
    server = _start_without_waiting(["--store", f"sparql+http://127.0.0.1:{port}/query"], folder)
    try:
        health = httpx.get(server.base + "/health")
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable"
        response = _ask(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        assert response.status_code == 503
        assert f"The SPARQL engine at http://127.0.0.1:{port}/query cannot be reached" in (
            response.text
        )
        page = httpx.get(server.base + "/doc/city/qingdao", headers={"Accept": "text/turtle"})
        assert page.status_code == 503
        # The engine comes up: scograph serves without a restart.
        engine = Engine(folder, None, port)
        try:
            assert httpx.get(server.base + "/health").status_code == 200
            assert _ask(server, "ASK {}").json()["boolean"] is True
        finally:
            engine.stop()
    finally:
        stop_server(server)


def _start_without_waiting(arguments: list[str], folder: Path) -> Server:
    """Start scograph and wait until it answers at all (its engine may be down)."""
    port = free_port()
    log = folder / f"scograph-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*scograph_command(), "serve", "--port", str(port), "--no-access-log", *arguments],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(server.base + "/health", timeout=5)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"scograph did not come up:\n{log.read_text()}")


def test_writes_with_the_token_reach_the_engine(writable: Server, empty_engine: Engine) -> None:
    graph = "http://example.org/graph/remote-write"
    url = writable.graph_store + "?graph=" + graph
    body = '<thing> <http://example.org/p> "first" .'
    turtle = {"Content-Type": "text/turtle"}
    assert httpx.put(url, content=body, headers={**turtle, **writable.auth()}).status_code == 201
    assert (
        httpx.put(
            url, content=body.replace("first", "second"), headers={**turtle, **writable.auth()}
        )
    ).status_code == 204
    found = _ask(writable, f"SELECT ?s ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert select(found.content, JSON) == [{"s": "http://example.org/graph/thing", "o": "second"}]
    # On the engine itself, directly.
    direct = httpx.get(
        empty_engine.base + "/store",
        params={"graph": graph},
        headers={"Accept": "application/n-triples"},
    )
    assert triples(direct.content, ox.RdfFormat.N_TRIPLES) == {
        ("http://example.org/graph/thing", "http://example.org/p", "second")
    }
    update = (
        f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/x> <http://example.org/p> "3" }} }}'
    )
    response = httpx.post(
        writable.sparql,
        content=update,
        headers={"Content-Type": "application/sparql-update", **writable.auth()},
    )
    assert response.status_code == 204
    assert (
        len(select(_ask(writable, f"SELECT * {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").content, JSON))
        == 2
    )
    assert httpx.delete(url, headers=writable.auth()).status_code == 204
    assert httpx.get(url).status_code == 404
    assert httpx.delete(url, headers=writable.auth()).status_code == 404


def test_writes_without_the_token_are_refused_and_change_nothing(
    writable: Server, remote: Server, empty_engine: Engine
) -> None:
    graph = "http://example.org/graph/refused"
    url = writable.graph_store + "?graph=" + graph
    body = {
        "content": "<http://a> <http://b> <http://c> .",
        "headers": {"Content-Type": "text/turtle"},
    }
    assert httpx.put(url, **body).status_code == 401
    assert (
        httpx.put(
            url, **{**body, "headers": {**body["headers"], **writable.auth("wrong")}}
        ).status_code
        == 403
    )
    assert httpx.put(remote.graph_store + "?graph=" + graph, **body).status_code == 403
    update = httpx.post(
        writable.sparql,
        content=f"INSERT DATA {{ GRAPH <{graph}> {{ <http://a> <http://b> <http://c> }} }}",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert update.status_code == 401
    direct = httpx.post(
        empty_engine.base + "/query",
        data={"query": f"ASK {{ GRAPH <{graph}> {{ }} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert direct.json()["boolean"] is False


def test_bad_rdf_is_400_and_nothing_is_sent(writable: Server, empty_engine: Engine) -> None:
    graph = "http://example.org/graph/bad"
    response = httpx.put(
        writable.graph_store + "?graph=" + graph,
        content="<http://a> <http://b> .",
        headers={"Content-Type": "text/turtle", **writable.auth()},
    )
    assert response.status_code == 400
    direct = httpx.post(
        empty_engine.base + "/query",
        data={"query": f"ASK {{ GRAPH <{graph}> {{ }} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert direct.json()["boolean"] is False


def test_pages_read_the_engine(local: Server, remote: Server) -> None:
    html = httpx.get(remote.base + "/doc/city/qingdao", headers={"Accept": "text/html"}, timeout=60)
    assert html.status_code == 200
    assert "Qingdao" in html.text
    turtle = {"Accept": "text/turtle"}
    found = httpx.get(remote.base + "/doc/city/qingdao", headers=turtle, timeout=60)
    expected = httpx.get(local.base + "/doc/city/qingdao", headers=turtle, timeout=60)
    assert triples(found.content, ox.RdfFormat.TURTLE) == triples(
        expected.content, ox.RdfFormat.TURTLE
    )
    assert httpx.get(remote.base + "/id/city/qingdao").status_code == 303
    assert httpx.get(remote.base + "/doc/city/no-such-city").status_code == 404


@pytest.mark.parametrize(
    "path", ["/map/data.json", "/network/data.json", "/search?q=qingdao&format=json"]
)
def test_web_data_is_the_same_as_over_the_local_store(
    local: Server, remote: Server, path: str
) -> None:
    found = httpx.get(remote.base + path, headers={"Accept": "application/json"}, timeout=60)
    expected = httpx.get(local.base + path, headers={"Accept": "application/json"}, timeout=60)
    assert found.status_code == 200
    assert found.json() == expected.json()


def test_void_counts_the_engines_data(local: Server, remote: Server) -> None:
    query = "SELECT ?n WHERE { ?d <http://rdfs.org/ns/void#triples> ?n } ORDER BY DESC(?n) LIMIT 1"

    def largest(server: Server) -> str:
        body = httpx.get(
            server.base + "/.well-known/void", headers={"Accept": "application/n-triples"}
        )
        store = ox.Store()
        store.load(body.content, ox.RdfFormat.N_TRIPLES)
        return next(iter(store.query(query)))["n"].value

    assert largest(remote) == largest(local)


def test_health_and_service_description(remote: Server) -> None:
    health = httpx.get(remote.base + "/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    description = httpx.get(remote.sparql, headers={"Accept": "application/n-triples"})
    assert description.status_code == 200
    assert TWINNINGS_GRAPH in description.text
