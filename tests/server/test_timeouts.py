"""The time limit really stops a query (its process is killed) while others keep answering.

The limited server allows 2 s; a cross product of the 3,000-value graph with itself
four times would run for hours.
"""

import threading
import time

import httpx
import pyoxigraph as ox

from .helpers import BIG_GRAPH, Server, cpu_ticks, process_exists, select

LIMIT = 2.0
ENDLESS = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG_GRAPH}> {{
    ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }} }}"""


def _busiest(pids: set[int], before: dict[int, int]) -> int:
    usage = {pid: cpu_ticks(pid) - before.get(pid, 0) for pid in pids if process_exists(pid)}
    return max(usage, key=lambda pid: usage[pid])


def test_query_over_the_limit_is_stopped_and_its_process_killed(
    limited_server: Server, client: httpx.Client
) -> None:
    workers = limited_server.workers()
    before = {pid: cpu_ticks(pid) for pid in workers}
    outcome: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        with httpx.Client(timeout=30) as own:
            outcome["response"] = own.get(limited_server.sparql, params={"query": ENDLESS})
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.7)
    busy = _busiest(workers, before)

    # Meanwhile a simple query is answered in normal time by another worker.
    started = time.monotonic()
    quick = client.get(limited_server.sparql, params={"query": "SELECT (1 + 1 AS ?two) WHERE {}"})
    quick_seconds = time.monotonic() - started
    assert select(quick.content, ox.QueryResultsFormat.JSON) == [{"two": "2"}]
    assert quick_seconds < 0.5

    thread.join(30)
    response = outcome["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 503
    assert "time limit of 2 s" in response.text
    assert outcome["seconds"] < LIMIT + 1.0

    # The busy worker's process is gone (its CPU freed) and a fresh one replaced it.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and process_exists(busy):
        time.sleep(0.05)
    assert not process_exists(busy)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(limited_server.workers()) < len(workers):
        time.sleep(0.1)
    assert len(limited_server.workers()) == len(workers)
    assert busy not in limited_server.workers()


def test_update_over_the_limit_is_stopped_and_changes_nothing(
    limited_server: Server, client: httpx.Client
) -> None:
    target = "http://example.org/test/never-written"
    update = f"""INSERT {{ GRAPH <{target}> {{ ?a <http://example.org/p> ?h }} }}
        WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }} }}"""
    started = time.monotonic()
    response = client.post(
        limited_server.sparql,
        content=update,
        headers={"Content-Type": "application/sparql-update", **limited_server.auth()},
    )
    assert response.status_code == 503
    assert "nothing was changed" in response.text
    assert time.monotonic() - started < LIMIT + 1.0
    ask = client.get(
        limited_server.sparql, params={"query": f"ASK {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"}
    )
    assert ask.json()["boolean"] is False
    # The writer is back: a small write works.
    small = client.post(
        limited_server.sparql,
        content=f"INSERT DATA {{ GRAPH <{target}-small> {{ <{target}> <{target}> 1 }} }}",
        headers={"Content-Type": "application/sparql-update", **limited_server.auth()},
    )
    assert small.status_code == 204, small.text
