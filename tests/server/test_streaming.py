"""Large answers (beyond the 8 MiB kept in memory) streamed after one run of the query.

The server here caps answers at 250,000 rows; the queries pair the test graph's
3,000 subjects with each other, which gives answers of 11–23 MB.
"""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from .helpers import BIG, BIG_GRAPH, Server, select, start_server, stop_server, triples

CAP = 250_000
PAIRS = f"GRAPH <{BIG_GRAPH}> {{ ?a ?p ?x }} GRAPH <{BIG_GRAPH}> {{ ?b ?q ?y }}"
SELECT_PAIRS = f"SELECT ?a ?b WHERE {{ {PAIRS} }}"
CONSTRUCT_PAIRS = f"CONSTRUCT {{ ?a <{BIG}pair> ?b }} WHERE {{ {PAIRS} }}"


@pytest.fixture(scope="module")
def capped_server(
    fixture_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    running = start_server(
        ["--store", str(fixture_store)],
        {"SCOGRAPH_MAX_ROWS": str(CAP), "SCOGRAPH_QUERY_TIMEOUT": "60"},
        tmp_path_factory.mktemp("capped"),
        "capped",
    )
    yield running
    stop_server(running)


def _get(server: Server, query: str, accept: str) -> httpx.Response:
    response = httpx.get(
        server.sparql, params={"query": query}, headers={"Accept": accept}, timeout=60
    )
    assert response.status_code == 200, response.text
    return response


def _pairs_are_well_formed(pairs: list[tuple[str, str]]) -> None:
    assert len(set(pairs)) == len(pairs)
    assert all(a.startswith(BIG) and b.startswith(BIG) for a, b in pairs)


def test_a_large_answer_over_the_cap_is_cut_and_converted(capped_server: Server) -> None:
    response = _get(
        capped_server, f"{SELECT_PAIRS} LIMIT 400000", "application/sparql-results+json"
    )
    assert response.headers["x-sparql-truncated"] == "true"
    rows = select(response.content, ox.QueryResultsFormat.JSON)
    assert len(rows) == CAP
    _pairs_are_well_formed([(row["a"], row["b"]) for row in rows])


def test_a_large_graph_over_the_cap_is_cut(capped_server: Server) -> None:
    response = _get(capped_server, f"{CONSTRUCT_PAIRS} LIMIT 400000", "application/n-triples")
    assert response.headers["x-sparql-truncated"] == "true"
    assert len(triples(response.content, ox.RdfFormat.N_TRIPLES)) == CAP


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ],
)
def test_a_large_answer_within_the_cap_is_sent_complete(
    capped_server: Server, accept: str, fmt: ox.QueryResultsFormat
) -> None:
    response = _get(capped_server, f"{SELECT_PAIRS} LIMIT 200000", accept)
    assert "x-sparql-truncated" not in response.headers
    rows = select(response.content, fmt)
    assert len(rows) == 200_000
    _pairs_are_well_formed([(row["a"], row["b"]) for row in rows])


def test_a_large_graph_within_the_cap_is_sent_complete_as_turtle(capped_server: Server) -> None:
    response = _get(capped_server, f"{CONSTRUCT_PAIRS} LIMIT 200000", "text/turtle")
    assert "x-sparql-truncated" not in response.headers
    found = triples(response.content, ox.RdfFormat.TURTLE)
    assert len(found) == 200_000
    assert {p for _, p, _ in found} == {BIG + "pair"}


STREAM_LIMIT_S = 3.0
TRIPLES = f"{PAIRS} GRAPH <{BIG_GRAPH}> {{ ?c ?r ?z }}"


@pytest.fixture(scope="module")
def quick_server(fixture_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A cap far above the answers here, and a short time limit."""
    running = start_server(
        ["--store", str(fixture_store)],
        {"SCOGRAPH_MAX_ROWS": "100000000", "SCOGRAPH_QUERY_TIMEOUT": f"{STREAM_LIMIT_S:g}"},
        tmp_path_factory.mktemp("quick"),
        "quick",
    )
    yield running
    stop_server(running)


def test_an_answer_its_own_limit_keeps_within_the_cap_streams_while_it_runs(
    quick_server: Server,
) -> None:
    # Billions of rows, LIMIT 90 million: far more than the time limit lets the engine make.
    query = f"SELECT ?a ?b ?c WHERE {{ {TRIPLES} }} LIMIT 90000000"
    received = 0
    started = time.monotonic()
    with (
        pytest.raises(httpx.RemoteProtocolError),
        httpx.stream(
            "GET",
            quick_server.sparql,
            params={"query": query},
            headers={"Accept": "text/tab-separated-values"},
            timeout=30,
        ) as response,
    ):
        # Counting it first would have meant a 503 at the time limit, with no row sent.
        assert response.status_code == 200
        assert "x-sparql-truncated" not in response.headers
        for chunk in response.iter_bytes():
            if not received:
                assert chunk.startswith(b"?a\t?b\t?c\n")
            received += len(chunk)
    # Stopped at the time limit, the answer is cut off visibly: the body never ends.
    assert received > 8 * 1024 * 1024
    assert STREAM_LIMIT_S - 0.5 < time.monotonic() - started < STREAM_LIMIT_S + 5
