"""What keeps the endpoint safe: nesting, SERVICE and LOAD, size limits, the row cap, CORS.

Most tests use the server with small limits: 5 rows, 4 KiB bodies, 3,000-character
queries, nesting 32, and an allow-list holding Wikidata and a local listener (which
must still never be called, since it is on a loopback address).
"""

import os
import signal
import time

import httpx
import pyoxigraph as ox
import pytest

from .helpers import (
    BIG_GRAPH,
    TOKEN,
    Listener,
    Server,
    cpu_ticks,
    csv_rows,
    peak_rss_kib,
    select,
    triples,
)

JSON = ox.QueryResultsFormat.JSON
BIG_SELECT = f"SELECT ?s ?v WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?s ?p ?v }} }} ORDER BY ?v"


def test_deep_parentheses_are_refused_before_parsing_and_the_server_lives(
    server: Server, client: httpx.Client
) -> None:
    depth = 6000
    query = "SELECT * WHERE { FILTER(" + "(" * depth + "true" + ")" * depth + ") }"
    response = client.post(
        server.sparql, content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 400
    assert f"{depth + 2} levels" in response.text
    assert client.get(server.sparql, params={"query": "ASK {}"}).json()["boolean"] is True


def test_deep_braces_are_refused(server: Server, client: httpx.Client) -> None:
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    response = client.post(server.sparql, data={"query": query})
    assert response.status_code == 400
    assert "levels" in response.text


def test_brackets_in_strings_do_not_count_as_nesting(
    limited_server: Server, client: httpx.Client
) -> None:
    query = 'SELECT ?x WHERE { BIND("' + "(((" * 100 + '" AS ?x) }'
    response = client.get(limited_server.sparql, params={"query": query})
    assert response.status_code == 200
    assert select(response.content, JSON) == [{"x": "(((" * 100}]


def test_nesting_just_over_the_limit_is_400(limited_server: Server, client: httpx.Client) -> None:
    query = "SELECT * WHERE { FILTER(" + "(" * 40 + "true" + ")" * 40 + ") }"
    response = client.get(limited_server.sparql, params={"query": query})
    assert response.status_code == 400


def test_service_to_a_local_listener_is_refused_without_a_connection(
    server: Server, listener: Listener, client: httpx.Client
) -> None:
    before = listener.connections
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    response = client.get(server.sparql, params={"query": query})
    assert response.status_code == 403
    assert "not allowed" in response.text
    time.sleep(0.3)
    assert listener.connections == before


@pytest.mark.parametrize(
    "service",
    [
        "SERVICE ?endpoint",
        "SERVICE SILENT <{url}>",
        "service <{url}>",
        "SERVICE local:sparql",
        "SERVICE <{url}#x>",
    ],
)
def test_every_way_of_naming_an_unlisted_service_is_refused(
    server: Server, listener: Listener, client: httpx.Client, service: str
) -> None:
    before = listener.connections
    prefix = f"PREFIX local: <http://127.0.0.1:{listener.port}/>\n"
    query = prefix + "SELECT * WHERE { " + service.format(url=listener.url) + " { ?s ?p ?o } }"
    response = client.get(server.sparql, params={"query": query})
    assert response.status_code == 403, response.text
    time.sleep(0.2)
    assert listener.connections == before


def test_service_after_an_escaped_iri_with_a_hash_is_refused(
    server: Server, listener: Listener, client: httpx.Client
) -> None:
    """``<…\\u0041#>`` is an IRI to the engine, not the start of a comment hiding the SERVICE.

    rdflib (which tells a syntax error from a refusal) rejects the escape, so the
    answer may be 400 rather than 403; either way nothing is contacted.
    """
    before = listener.connections
    query = f"SELECT * WHERE {{ <http://x/\\u0041#> ?p ?o . SERVICE <{listener.url}> {{ }} }}"
    response = client.get(server.sparql, params={"query": query})
    assert response.status_code in (400, 403), response.text
    time.sleep(0.3)
    assert listener.connections == before


def test_allowed_service_on_a_loopback_address_is_still_refused(
    limited_server: Server, listener: Listener, client: httpx.Client
) -> None:
    before = listener.connections
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    response = client.get(limited_server.sparql, params={"query": query})
    assert response.status_code == 403
    assert "non-public address" in response.text
    time.sleep(0.3)
    assert listener.connections == before


def test_allowed_wikidata_service_never_gives_a_server_error(
    server: Server, client: httpx.Client
) -> None:
    query = """SELECT ?label WHERE {
      SERVICE <https://query.wikidata.org/sparql> {
        <http://www.wikidata.org/entity/Q1> <http://www.w3.org/2000/01/rdf-schema#label> ?label
      } } LIMIT 1"""
    response = client.get(server.sparql, params={"query": query}, timeout=60)
    # 200 with network access; 502 naming the endpoint without (as in a sandbox).
    assert response.status_code in (200, 502), response.text
    if response.status_code == 502:
        assert "query.wikidata.org" in response.text


def test_service_inside_a_string_is_not_a_service(server: Server, client: httpx.Client) -> None:
    query = 'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/>" AS ?x) }'
    response = client.get(server.sparql, params={"query": query})
    assert response.status_code == 200
    assert select(response.content, JSON) == [{"x": "SERVICE <http://127.0.0.1:9/>"}]


def test_syntax_error_is_reported_before_a_refused_service(
    server: Server, listener: Listener, client: httpx.Client
) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p }} }}"
    response = client.get(server.sparql, params={"query": query})
    assert response.status_code == 400
    assert "line 1" in response.text


def test_refused_load_in_an_update_with_a_syntax_error_is_400(
    limited_server: Server, client: httpx.Client
) -> None:
    response = client.post(
        limited_server.sparql,
        content="LOAD <http://127.0.0.1:9/x> INTO GRAPH",
        headers={"Content-Type": "application/sparql-update", **limited_server.auth()},
    )
    assert response.status_code == 400


def test_oversized_body_is_413(limited_server: Server, client: httpx.Client) -> None:
    query = "ASK {} #" + "x" * 5000
    response = client.post(
        limited_server.sparql, content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_overlong_query_is_413(limited_server: Server, client: httpx.Client) -> None:
    response = client.get(limited_server.sparql, params={"query": "ASK {} #" + "x" * 3100})
    assert response.status_code == 413
    assert "3000" in response.text


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("text/csv", None),
    ],
)
def test_row_cap_cuts_and_says_so(
    limited_server: Server, client: httpx.Client, accept: str, fmt: ox.QueryResultsFormat | None
) -> None:
    response = client.get(
        limited_server.sparql, params={"query": BIG_SELECT}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["x-sparql-truncated"] == "true"
    assert response.headers["x-sparql-max-rows"] == "5"
    assert "only the first 5 rows" in response.headers["warning"]
    rows = csv_rows(response.content) if fmt is None else select(response.content, fmt)
    assert [int(row["v"]) for row in rows] == [0, 1, 2, 3, 4]


def test_row_cap_cuts_graphs_too(limited_server: Server, client: httpx.Client) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?v }} WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?s ?p ?v }} }}"
    response = client.get(
        limited_server.sparql, params={"query": query}, headers={"Accept": "application/n-triples"}
    )
    assert response.headers["x-sparql-truncated"] == "true"
    assert len(triples(response.content, ox.RdfFormat.N_TRIPLES)) == 5


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("text/csv", None),
    ],
)
@pytest.mark.parametrize(("rows", "cut"), [(2, False), (5, False), (7, True)])
def test_values_that_look_like_many_rows_are_counted_right(
    limited_server: Server,
    client: httpx.Client,
    accept: str,
    fmt: ox.QueryResultsFormat | None,
    rows: int,
    cut: bool,
) -> None:
    # Braces and line breaks inside the values: more of them than the cap of 5 rows.
    value = "}}}}\n}}\n"
    literals = " ".join(f'"{i}{value}"'.replace("\n", "\\n") for i in range(rows))
    query = f"SELECT ?v WHERE {{ VALUES ?v {{ {literals} }} }}"
    response = client.get(
        limited_server.sparql, params={"query": query}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert ("x-sparql-truncated" in response.headers) is cut
    got = csv_rows(response.content) if fmt is None else select(response.content, fmt)
    assert [row["v"] for row in got] == [f"{i}{value}" for i in range(min(rows, 5))]


def _rows(response: httpx.Response) -> list[dict[str, str]]:
    """The rows of a SELECT answer in CSV or JSON, whichever the response says it is."""
    if response.headers["content-type"].startswith("text/csv"):
        return csv_rows(response.content)
    return select(response.content, JSON)


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_a_count_is_one_row_whatever_it_counts(
    limited_server: Server, client: httpx.Client, accept: str
) -> None:
    query = "SELECT (COUNT(?v) AS ?n) WHERE { VALUES ?v { 1 2 3 4 5 6 7 } }"
    response = client.get(
        limited_server.sparql, params={"query": query}, headers={"Accept": accept}
    )
    assert "x-sparql-truncated" not in response.headers
    got = _rows(response)
    assert [row["n"] for row in got] == ["7"]


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_a_count_in_a_subquery_joined_past_the_cap_is_cut(
    limited_server: Server, client: httpx.Client, accept: str
) -> None:
    query = (
        "SELECT ?v ?n WHERE { VALUES ?v { 1 2 3 4 5 6 7 } "
        "{ SELECT (COUNT(*) AS ?n) WHERE { VALUES ?w { 1 2 } } } }"
    )
    response = client.get(
        limited_server.sparql, params={"query": query}, headers={"Accept": accept}
    )
    assert response.headers["x-sparql-truncated"] == "true"
    got = _rows(response)
    assert len(got) == 5
    assert {row["n"] for row in got} == {"2"}
    assert len({row["v"] for row in got}) == 5


@pytest.mark.parametrize("limit", [3, 5])
def test_answers_within_the_cap_are_not_marked(
    limited_server: Server, client: httpx.Client, limit: int
) -> None:
    response = client.get(limited_server.sparql, params={"query": f"{BIG_SELECT} LIMIT {limit}"})
    assert "x-sparql-truncated" not in response.headers
    assert len(select(response.content, JSON)) == limit


def test_cors_allows_reads_from_any_origin_by_default(server: Server, client: httpx.Client) -> None:
    response = client.get(
        server.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://anywhere.example"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_cors_preflight_allows_a_posted_query(server: Server, client: httpx.Client) -> None:
    response = client.options(
        server.sparql,
        headers={
            "Origin": "https://anywhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert "POST" in response.headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    ("method", "headers"), [("PUT", "content-type"), ("POST", "authorization"), ("DELETE", "")]
)
def test_cors_preflight_refuses_writes(
    server: Server, client: httpx.Client, method: str, headers: str
) -> None:
    request_headers = {
        "Origin": "https://anywhere.example",
        "Access-Control-Request-Method": method,
    }
    if headers:
        request_headers["Access-Control-Request-Headers"] = headers
    response = client.options(server.graph_store, headers=request_headers)
    assert response.status_code == 400


def test_cors_with_configured_origins_echoes_only_those(
    limited_server: Server, client: httpx.Client
) -> None:
    allowed = client.get(
        limited_server.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://example.org"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://example.org"
    assert "Origin" in allowed.headers["vary"]
    other = client.get(
        limited_server.sparql,
        params={"query": "ASK {}"},
        headers={"Origin": "https://evil.example"},
    )
    assert "access-control-allow-origin" not in other.headers


def _busy_worker(server: Server, before: dict[int, int]) -> int:
    """The worker process that has used the most CPU since ``before``."""
    usage = {}
    for pid in server.workers():
        try:
            usage[pid] = cpu_ticks(pid) - before.get(pid, 0)
        except OSError:
            continue
    return max(usage, key=lambda pid: usage[pid])


def test_a_crashed_worker_is_replaced_and_the_client_told(
    server: Server, client: httpx.Client
) -> None:
    """A reader that dies mid-query (here by SIGSEGV, as the engine does on deep recursion)."""
    workers = server.workers()
    before = {pid: cpu_ticks(pid) for pid in workers}
    query = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG_GRAPH}> {{
        ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }} }}"""
    with httpx.Client(timeout=30) as other:
        pending = other.build_request("GET", server.sparql, params={"query": query})
        import threading

        answers: list[httpx.Response] = []
        thread = threading.Thread(target=lambda: answers.append(other.send(pending)))
        thread.start()
        time.sleep(1.0)
        victim = _busy_worker(server, before)
        os.kill(victim, signal.SIGSEGV)
        thread.join(30)
    assert answers[0].status_code == 422
    assert "crashed" in answers[0].text
    assert client.get(server.sparql, params={"query": "ASK {}"}).json()["boolean"] is True
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(server.workers()) < len(workers):
        time.sleep(0.1)
    assert victim not in server.workers()
    assert len(server.workers()) == len(workers)


def test_no_request_is_a_server_error(limited_server: Server, client: httpx.Client) -> None:
    odd = [
        ("GET", {"query": ""}, None),
        ("GET", {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT -1"}, None),
        ("GET", {"query": "ASK {}", "default-graph-uri": "not an iri"}, None),
        ("GET", {"query": "SELECT (1/0 AS ?x) WHERE {}"}, None),
        ("POST", None, b"\xff\xfe"),
        ("GET", {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"}, None),
    ]
    for method, params, body in odd:
        response = client.request(
            method,
            limited_server.sparql,
            params=params,
            content=body,
            headers={
                "Content-Type": "application/sparql-query",
                "Authorization": f"Bearer {TOKEN}",
            },
        )
        assert response.status_code < 500, (params, response.text)


def test_memory_does_not_grow_with_the_size_of_an_answer(
    server: Server, client: httpx.Client
) -> None:
    """600,000 rows (about 35 MB of TSV) pass through the app and a reader in bounded memory."""
    # Every worker up (an earlier test may have replaced one) and warm.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and client.get(server.base + "/health").json()[
        "query_workers"
    ] < len(server.workers()):
        time.sleep(0.1)
    processes = [server.process.pid, *server.workers()]
    for _ in range(2 * len(processes)):
        client.get(server.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1000"})
    before = {pid: peak_rss_kib(pid) for pid in processes}
    query = f"""SELECT ?a ?b WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?a ?p ?x }}
        GRAPH <{BIG_GRAPH}> {{ ?b ?q ?y }} }} LIMIT 600000"""
    size = lines = 0
    with client.stream(
        "GET",
        server.sparql,
        params={"query": query},
        headers={"Accept": "text/tab-separated-values"},
        timeout=60,
    ) as response:
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
    assert lines == 600_001
    assert size > 30_000_000
    for pid in processes:
        grown = peak_rss_kib(pid) - before[pid]
        assert grown < 16 * 1024, f"process {pid} grew by {grown} KiB"
