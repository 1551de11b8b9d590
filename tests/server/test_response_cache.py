"""The response cache: repeated queries answered from memory, validators, invalidation, bounds.

Whether an answer came from the cache shows in its ``X-Cache`` header (``hit`` or
``miss``); the tests also check the claim where it matters, by the CPU time the
query worker processes spend (none for answers sent from memory).
"""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from scograph import resources

from .helpers import (
    BIG,
    BIG_GRAPH,
    BIG_SIZE,
    CITIES_GRAPH,
    COUNTRIES_GRAPH,
    PREF_LABEL,
    Server,
    cpu_ticks,
    csv_rows,
    select,
    start_server,
    stop_server,
)

JSON = "application/sparql-results+json"
LABELS = f"SELECT ?thing ?label WHERE {{ ?thing <{PREF_LABEL}> ?label }} ORDER BY ?thing ?label"
# Work enough for a reader to show it in its CPU time: a sort of 3,000 values.
SORTED_VALUES = (
    f"SELECT ?v WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?s <{BIG}value> ?v }} }} ORDER BY DESC(?v) LIMIT 3"
)


def ask(
    client: httpx.Client, server: Server, query: str, accept: str = JSON, **extra: object
) -> httpx.Response:
    headers = {"Accept": accept, **extra.pop("headers", {})}  # type: ignore[dict-item]
    params = {"query": query, **extra}
    response = client.get(server.sparql, params=params, headers=headers)  # type: ignore[arg-type]
    assert response.status_code in (200, 304), response.text
    return response


def readers_ticks(server: Server) -> int:
    return sum(cpu_ticks(pid) for pid in server.workers())


@pytest.fixture(scope="module")
def uncached_server(
    fixture_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The fixture store served with the response cache off."""
    running = start_server(
        ["--store", str(fixture_store)],
        {"SCOGRAPH_RESPONSE_CACHE_BYTES": "0"},
        tmp_path_factory.mktemp("uncached"),
        "uncached",
    )
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def small_cache_server(
    fixture_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A 64 KiB cache that keeps answers of up to 4 KiB."""
    running = start_server(
        ["--store", str(fixture_store)],
        {
            "SCOGRAPH_RESPONSE_CACHE_BYTES": str(64 * 1024),
            "SCOGRAPH_RESPONSE_CACHE_ENTRY_BYTES": "4096",
            "SCOGRAPH_MAX_ROWS": "1000000",
        },
        tmp_path_factory.mktemp("small-cache"),
        "small-cache",
    )
    yield running
    stop_server(running)


def test_the_same_query_again_is_answered_from_memory(server: Server, client: httpx.Client) -> None:
    first = ask(client, server, SORTED_VALUES + " # repeated")
    assert first.headers["x-cache"] == "miss"
    before = readers_ticks(server)
    again = [ask(client, server, SORTED_VALUES + " # repeated") for _ in range(60)]
    spent = readers_ticks(server) - before
    assert {r.headers["x-cache"] for r in again} == {"hit"}
    assert {r.content for r in again} == {first.content}
    assert {r.headers["etag"] for r in again} == {first.headers["etag"]}
    assert [row["v"] for row in select(first.content, ox.QueryResultsFormat.JSON)] == [
        str(BIG_SIZE - 1),
        str(BIG_SIZE - 2),
        str(BIG_SIZE - 3),
    ]
    # 60 sorts of 3,000 values would cost the readers well over 20 ms of CPU.
    assert spent <= 1


def test_a_query_sent_another_way_finds_the_same_answer(
    server: Server, client: httpx.Client
) -> None:
    query = LABELS + " # another way"
    by_get = ask(client, server, query)
    by_form = client.post(
        server.sparql, data={"query": query}, headers={"Accept": JSON + ", text/csv;q=0.5"}
    )
    by_body = client.post(
        server.sparql,
        content=("\n  " + query + "\n").encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
    )
    assert by_get.headers["x-cache"] == "miss"
    assert by_form.headers["x-cache"] == by_body.headers["x-cache"] == "hit"
    assert by_form.content == by_body.content == by_get.content
    repeated = client.post(
        server.sparql, data={"query": query}, headers={"Accept": JSON + ", text/csv;q=0.5"}
    )
    assert repeated.headers["x-cache"] == "hit"
    assert repeated.content == by_get.content


def test_each_format_is_kept_apart(server: Server, client: httpx.Client) -> None:
    query = LABELS + " # formats"
    as_json = ask(client, server, query, JSON)
    as_csv = ask(client, server, query, "text/csv")
    as_plain_json = ask(client, server, query, "application/json")
    for _ in range(2):
        again_json = ask(client, server, query, JSON)
        again_csv = ask(client, server, query, "text/csv")
        again_plain = ask(client, server, query, "application/json")
        assert again_json.headers["content-type"] == JSON
        assert again_csv.headers["content-type"] == "text/csv; charset=utf-8"
        assert again_plain.headers["content-type"] == "application/json"
        assert again_json.content == as_json.content
        assert again_csv.content == as_csv.content
        assert again_plain.content == as_plain_json.content
        assert {again_json.headers["etag"], again_csv.headers["etag"]} == {
            as_json.headers["etag"],
            as_csv.headers["etag"],
        }
    assert as_json.headers["etag"] != as_csv.headers["etag"] != as_plain_json.headers["etag"]
    rows = select(as_json.content, ox.QueryResultsFormat.JSON)
    assert [r["label"] for r in csv_rows(as_csv.content)] == [r["label"] for r in rows]
    assert "Qingdao" in {r["label"] for r in rows}


def test_a_graph_answer_negotiates_among_graph_formats(
    server: Server, client: httpx.Client
) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{COUNTRIES_GRAPH}> {{ ?s ?p ?o }} }}"
    turtle = ask(client, server, query, "text/turtle")
    triples = ask(client, server, query, "application/n-triples")
    again = ask(client, server, query, "text/turtle, application/n-triples;q=0.5")
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"
    assert triples.headers["content-type"] == "application/n-triples"
    assert again.headers["x-cache"] == "hit"
    assert again.content == turtle.content
    assert len(list(ox.parse(triples.content, ox.RdfFormat.N_TRIPLES))) == 4


def test_dataset_parameters_choose_different_answers(server: Server, client: httpx.Client) -> None:
    query = f"SELECT ?thing WHERE {{ ?thing <{PREF_LABEL}> ?label }} # dataset"
    answers = {}
    for _ in range(2):
        for graph in (CITIES_GRAPH, COUNTRIES_GRAPH):
            response = ask(client, server, query, **{"default-graph-uri": graph})
            answers.setdefault(graph, set()).add(response.content)
    cities, countries = (
        {row["thing"] for row in select(answers[g].pop(), ox.QueryResultsFormat.JSON)}
        for g in (CITIES_GRAPH, COUNTRIES_GRAPH)
    )
    assert not answers[CITIES_GRAPH] and not answers[COUNTRIES_GRAPH]  # one answer each
    assert len(cities) == 4
    assert len(countries) == 2
    union = ask(client, server, query)
    # Three labels for each of the four cities, one for each of the two countries.
    assert len(select(union.content, ox.QueryResultsFormat.JSON)) == 14
    assert {row["thing"] for row in select(union.content, ox.QueryResultsFormat.JSON)} == (
        cities | countries
    )


def test_if_none_match_gets_304_without_a_body(server: Server, client: httpx.Client) -> None:
    query = SORTED_VALUES + " # revalidated"
    first = ask(client, server, query)
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"]
    assert "Accept" in first.headers["vary"]
    before = readers_ticks(server)
    for _ in range(30):
        revalidated = ask(client, server, query, headers={"If-None-Match": etag})
        assert revalidated.status_code == 304
        assert revalidated.content == b""
        assert revalidated.headers["etag"] == etag
    assert readers_ticks(server) - before <= 1
    posted = client.post(
        server.sparql,
        data={"query": query},
        headers={"Accept": JSON, "If-None-Match": f'"other", W/{etag}'},
    )
    assert posted.status_code == 304
    changed_format = ask(client, server, query, "text/csv", headers={"If-None-Match": etag})
    assert changed_format.status_code == 200
    assert changed_format.headers["etag"] != etag


def test_a_client_that_revalidates_gets_304(server: Server) -> None:
    """httpx sends the ETag it kept; the endpoint says the kept answer is still good."""
    query = LABELS + " # client"
    with httpx.Client() as session:
        first = session.get(server.sparql, params={"query": query}, headers={"Accept": JSON})
        second = session.get(
            server.sparql,
            params={"query": query},
            headers={"Accept": JSON, "If-None-Match": first.headers["etag"]},
        )
    assert (first.status_code, second.status_code) == (200, 304)


def test_truncated_answers_keep_their_notice(limited_server: Server, client: httpx.Client) -> None:
    query = f"SELECT ?s WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?s ?p ?o }} }} # truncated"
    first, second = (ask(client, limited_server, query) for _ in range(2))
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    for response in (first, second):
        assert response.headers["x-sparql-truncated"] == "true"
        assert response.headers["x-sparql-max-rows"] == "5"
        assert "Truncated" in response.headers["warning"]
        assert len(select(response.content, ox.QueryResultsFormat.JSON)) == 5
    assert second.content == first.content


def test_an_update_makes_the_next_query_see_the_new_data(
    writable_server: Server, client: httpx.Client
) -> None:
    graph = "https://example.org/graph/cache-test"
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"

    def count() -> tuple[int, httpx.Response]:
        response = ask(client, writable_server, query)
        [row] = select(response.content, ox.QueryResultsFormat.JSON)
        return int(row["n"]), response

    def update(text: str) -> None:
        response = client.post(
            writable_server.sparql,
            data={"update": text},
            headers=writable_server.auth(),
        )
        assert response.status_code == 204, response.text

    try:
        update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:p> 1 }} }}")
        (n1, first), (n1_again, hit) = count(), count()
        assert (n1, n1_again) == (1, 1)
        assert hit.headers["x-cache"] == "hit"
        update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:b> <urn:p> 2 }} }}")
        n2, after = count()
        assert n2 == 2
        assert after.headers["x-cache"] == "miss"
        assert after.headers["etag"] != first.headers["etag"]
        stale = ask(
            client, writable_server, query, headers={"If-None-Match": first.headers["etag"]}
        )
        assert stale.status_code == 200
    finally:
        update(f"DROP SILENT GRAPH <{graph}>")
    assert count()[0] == 0


def test_answers_that_change_by_themselves_are_never_kept(
    server: Server, client: httpx.Client
) -> None:
    query = "SELECT (RAND() AS ?r) (STRUUID() AS ?id) WHERE {}"
    answers = [ask(client, server, query) for _ in range(3)]
    assert {r.headers["x-cache"] for r in answers} == {"miss"}
    assert len({r.content for r in answers}) == 3


def test_with_the_cache_off_every_query_runs(uncached_server: Server, client: httpx.Client) -> None:
    query = SORTED_VALUES + " # uncached"
    first = ask(client, uncached_server, query)
    before = readers_ticks(uncached_server)
    again = [ask(client, uncached_server, query) for _ in range(60)]
    spent = readers_ticks(uncached_server) - before
    assert "x-cache" not in first.headers
    assert all("x-cache" not in r.headers for r in again)
    assert {r.content for r in again} == {first.content}
    assert spent >= 2
    # The validators do not need the cache: 304 once the answer is computed.
    revalidated = ask(
        client, uncached_server, query, headers={"If-None-Match": first.headers["etag"]}
    )
    assert revalidated.status_code == 304
    assert "response_cache" not in client.get(uncached_server.base + "/health").json()


def test_the_cache_stays_within_its_bound(small_cache_server: Server, client: httpx.Client) -> None:
    server = small_cache_server
    # Answers of about 1.5 KiB each: 100 of them are more than twice the 64 KiB bound.
    queries = [
        f"SELECT ?s ?v WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?s <{BIG}value> ?v }} "
        f"FILTER(?v >= {i * 10} && ?v < {i * 10 + 10}) }} ORDER BY ?v"
        for i in range(100)
    ]
    first = [ask(client, server, q) for q in queries]
    assert all(1000 < len(r.content) < 4096 for r in first)
    stats = client.get(server.base + "/health").json()["response_cache"]
    assert stats["max_bytes"] == 64 * 1024
    assert 32 * 1024 < stats["bytes"] <= 64 * 1024
    assert 10 < stats["answers"] < 60
    # The oldest answers made room for the newest.
    assert ask(client, server, queries[0]).headers["x-cache"] == "miss"
    assert ask(client, server, queries[-1]).headers["x-cache"] == "hit"
    assert client.get(server.base + "/health").json()["response_cache"]["bytes"] <= 64 * 1024


def test_an_answer_over_the_entry_limit_keeps_only_its_etag(
    small_cache_server: Server, client: httpx.Client
) -> None:
    query = f"SELECT ?s ?v WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?s <{BIG}value> ?v }} }} LIMIT 200"
    first = ask(client, small_cache_server, query)
    assert len(first.content) > 4096
    second = ask(client, small_cache_server, query)
    assert second.headers["x-cache"] == "miss"
    revalidated = ask(
        client, small_cache_server, query, headers={"If-None-Match": first.headers["etag"]}
    )
    assert revalidated.status_code == 304
    assert revalidated.headers["x-cache"] == "hit"


def test_the_example_queries_are_ready_before_anyone_asks(
    fixture_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    started = time.monotonic()
    running = start_server(
        ["--store", str(fixture_store)], {}, tmp_path_factory.mktemp("warm"), "warm"
    )
    try:
        up = time.monotonic() - started
        examples = sorted(resources.queries_dir().glob("*.rq"))
        with httpx.Client(timeout=30) as session:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                stats = session.get(running.base + "/health").json()["response_cache"]
                if stats["answers"] >= len(examples) - 1:  # all but the one using SERVICE
                    break
                time.sleep(0.2)
            assert stats["hits"] == 0
            text = examples[1].read_text(encoding="utf-8")
            response = session.get(running.sparql, params={"query": text}, headers={"Accept": JSON})
        assert response.status_code == 200
        assert response.headers["x-cache"] == "hit"
        assert up < 30
    finally:
        stop_server(running)


def test_a_browser_gets_the_cors_headers_from_the_cache_too(
    limited_server: Server, client: httpx.Client
) -> None:
    """The limited server lets https://example.org read it; other origins get no permission."""
    query = LABELS + " # cors"
    allowed = {"Accept": JSON, "Origin": "https://example.org"}
    first, second = (
        client.get(limited_server.sparql, params={"query": query}, headers=allowed)
        for _ in range(2)
    )
    assert second.headers["x-cache"] == "hit"
    for response in (first, second):
        assert response.headers["access-control-allow-origin"] == "https://example.org"
        assert "etag" in response.headers["access-control-expose-headers"].lower()
    other = {"Accept": JSON, "Origin": "https://elsewhere.example"}
    refused = [
        client.get(limited_server.sparql, params={"query": query}, headers=other) for _ in range(2)
    ]
    assert refused[1].headers["x-cache"] == "hit"
    assert all("access-control-allow-origin" not in r.headers for r in refused)
    plain = client.get(limited_server.sparql, params={"query": query}, headers={"Accept": JSON})
    assert "access-control-allow-origin" not in plain.headers
    assert plain.content == first.content


def test_text_made_to_slow_the_cache_key_down_costs_nothing(
    server: Server, client: httpx.Client
) -> None:
    """Long runs of spaces and comment marks before a syntax error: a quick 400."""
    for text in (" " * 200_000 + "{", "#" * 200_000 + "\n{", "# c\n" * 50_000 + "SELECT"):
        started = time.monotonic()
        response = client.post(
            server.sparql,
            content=text.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": JSON},
        )
        assert response.status_code == 400
        assert time.monotonic() - started < 5
