"""Queries share reader processes: what happens to the others when one is stopped.

A real server with one reader process (and one spare) and a 6 s time limit, so every
query runs beside the others in the same process. Stopping a runaway kills that
process; a query running beside it that had not answered yet runs again on the
spare and is answered in full, while an identical one is stopped with it. A client
that goes away in the middle of a large answer only stops that answer: its reader
lives on. A reader runs a limited number of different queries at once only while
short queries come; a run of scans alone, or of identical queries, starts together.
"""

import os
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from tests.server.helpers import (
    BIG_GRAPH,
    BIG_SIZE,
    Server,
    fixture_store_server,
    thread_stats,
)

LIMIT = 6.0
RUNAWAY = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG_GRAPH}> {{
    ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }} }}"""
# About three seconds of CPU: 3,000 × 3,000 rows compared.
FINITE_LONG = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG_GRAPH}> {{
    ?a ?p ?b . ?c ?q ?d }} FILTER(STR(?b) != STR(?d)) }}"""
SCANS = 3
# As long as FINITE_LONG, each a different query.
DIFFERENT_LONG = [
    FINITE_LONG.replace("FILTER(", f"FILTER(STR(?b) != 'not {n}' && ") for n in range(SCANS)
]
LARGE = f"""SELECT ?a ?b WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?a ?p ?x }}
    GRAPH <{BIG_GRAPH}> {{ ?b ?q ?y }} }} LIMIT 600000"""


@pytest.fixture(scope="module")
def one_reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    environment = {
        "SCOGRAPH_QUERY_TIMEOUT": f"{LIMIT:g}",
        "SCOGRAPH_READERS": "1",
        "SCOGRAPH_SPARE_READERS": "1",
        "SCOGRAPH_RESPONSE_CACHE_BYTES": "0",
    }
    folder = tmp_path_factory.mktemp("shared-readers")
    with fixture_store_server(folder, "shared-readers", environment) as running:
        yield running


def _settle(server: Server, size: int) -> set[int]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(server.workers()) != size:
        time.sleep(0.1)
    return server.workers()


def test_a_query_beside_a_stopped_runaway_is_answered_in_full(one_reader: Server) -> None:
    server = one_reader
    before = _settle(server, 2)
    stopped: list[httpx.Response] = []

    def run_away() -> None:
        with httpx.Client(timeout=LIMIT + 30) as own:
            stopped.append(own.get(server.sparql, params={"query": RUNAWAY}))

    runaway = threading.Thread(target=run_away)
    runaway.start()
    # The finite query starts 5 s into the runaway's 6 s, in the same process, and
    # needs longer than the 1 s left before the runaway's process is killed.
    time.sleep(LIMIT - 1.0)
    with httpx.Client(timeout=LIMIT + 30) as client:
        started = time.monotonic()
        response = client.get(server.sparql, params={"query": FINITE_LONG})
        took = time.monotonic() - started
    runaway.join(LIMIT + 30)

    assert stopped[0].status_code == 503
    assert f"time limit of {LIMIT:g} s" in stopped[0].text
    assert response.status_code == 200, response.text
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == BIG_SIZE * (BIG_SIZE - 1)
    assert took < LIMIT
    # The runaway's process is gone, and the pool is back to its size.
    after = _settle(server, 2)
    assert len(after) == 2
    assert len(before - after) == 1


def test_an_identical_query_beside_a_runaway_is_stopped_with_it(one_reader: Server) -> None:
    server = one_reader
    before = _settle(server, 2)
    answers: dict[str, tuple[httpx.Response, float]] = {}

    def run_away(name: str) -> None:
        with httpx.Client(timeout=LIMIT + 30) as own:
            sent = time.monotonic()
            response = own.get(server.sparql, params={"query": RUNAWAY})
            answers[name] = response, time.monotonic() - sent

    first = threading.Thread(target=run_away, args=("first",))
    first.start()
    # The same query 2 s later: when the first runs over, this one has 2 s of its
    # limit left, less than the same work already took; run again, it would only
    # cost a second reader.
    time.sleep(2.0)
    second = threading.Thread(target=run_away, args=("second",))
    second.start()
    first.join(LIMIT + 30)
    second.join(LIMIT + 30)

    for response, _ in answers.values():
        assert response.status_code == 503
        assert f"time limit of {LIMIT:g} s" in response.text
    assert "identical" in answers["second"][0].text
    assert answers["second"][1] < LIMIT - 1.0
    # One process was killed, not two.
    after = _settle(server, 2)
    assert len(after) == 2
    assert len(before - after) == 1


def test_a_client_leaving_mid_answer_does_not_cost_its_reader(one_reader: Server) -> None:
    server = one_reader
    before = _settle(server, 2)
    with httpx.Client(timeout=30) as client:
        with client.stream(
            "GET",
            server.sparql,
            params={"query": LARGE},
            headers={"Accept": "text/tab-separated-values"},
        ) as response:
            assert response.status_code == 200
            next(response.iter_bytes())
        # The connection is closed with most of the answer unread.
        time.sleep(1.0)
        again = client.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"})
    assert again.json()["boolean"] is True
    assert server.workers() == before


@pytest.fixture(scope="module")
def one_place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One reader that runs one query at a time while short ones come."""
    environment = {
        "SCOGRAPH_QUERY_TIMEOUT": "60",
        "SCOGRAPH_READERS": "1",
        "SCOGRAPH_READER_THREADS": "1",
        # (its queries at start would count as short ones coming)
        "SCOGRAPH_WARM_AT_START": "false",
        "SCOGRAPH_RESPONSE_CACHE_BYTES": "0",
    }
    with fixture_store_server(
        tmp_path_factory.mktemp("one-place"), "one-place", environment
    ) as running:
        yield running


def _thread_cpu(server: Server) -> dict[tuple[int, int], float]:
    """CPU seconds of every thread of the readers, by (process, thread)."""
    ticks = os.sysconf("SC_CLK_TCK")
    return {
        (pid, thread): (int(fields[11]) + int(fields[12])) / ticks
        for pid in server.workers()
        for thread, fields in thread_stats(pid).items()
    }


def _started_before_one_turns_long(
    server: Server, after_short_query: bool, queries: list[str]
) -> int:
    """Send scans at once; how many ran before any had used the CPU that makes it long."""
    before = _thread_cpu(server)
    answers: list[httpx.Response] = []

    def scan(query: str) -> None:
        with httpx.Client(timeout=120) as own:
            answers.append(own.get(server.sparql, params={"query": query}))

    with httpx.Client(timeout=30) as client:
        if after_short_query:
            assert client.get(server.sparql, params={"query": "ASK {}"}).status_code == 200
        scans = [threading.Thread(target=scan, args=(query,)) for query in queries]
        for thread in scans:
            thread.start()
        started = 0
        # A query is long-running once it has used 0.25 s of CPU; the threads' clocks
        # tick every 10 ms, and a reader's other threads use next to none.
        while any(thread.is_alive() for thread in scans):
            used = [cpu - before.get(thread, 0.0) for thread, cpu in _thread_cpu(server).items()]
            started = max(started, sum(1 for seconds in used if seconds >= 0.05))
            if max(used, default=0.0) >= 0.2:
                break
            time.sleep(0.005)
    for thread in scans:
        thread.join(130)
    assert [answer.status_code for answer in answers] == [200] * SCANS
    return started


def test_a_run_of_scans_alone_starts_together(one_place: Server) -> None:
    # Scans that start together share the blocks each one reads; started one place at
    # a time they would be staggered.
    assert _started_before_one_turns_long(one_place, False, DIFFERENT_LONG) == SCANS


def test_while_short_queries_come_a_reader_runs_its_places_only(one_place: Server) -> None:
    # More queries at once would share the CPU more finely and each would take longer.
    assert _started_before_one_turns_long(one_place, True, DIFFERENT_LONG) == 1


def test_identical_queries_share_a_place_while_short_queries_come(one_place: Server) -> None:
    # Run together, identical queries read the same blocks at the same time.
    assert _started_before_one_turns_long(one_place, True, [FINITE_LONG] * SCANS) == SCANS
