"""Runaway queries do not slow the others down: they lose their reader and their CPU priority.

A real server with two readers and an 8 s time limit. Two queries that would run for
hours (a cross product of the 3,000-value graph with itself four times) would hold
both readers until they are killed; instead, once each has used a quarter of a second
of CPU, its process drops to the lowest priority and a spare reader takes its place,
so a steady stream of short queries keeps its speed. The runaways are still stopped
at the time limit, their processes are gone, and the pool returns to its size.
"""

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from tests.server.helpers import (
    BIG_GRAPH,
    BIG_SIZE,
    CITIES_GRAPH,
    SG,
    Server,
    build_fixture_store,
    child_pids,
    process_exists,
    start_server,
    stop_server,
)

LIMIT = 8.0
MAX_LONG = 2
RUNAWAY = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG_GRAPH}> {{
    ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }} }}"""
# Long-running (about two seconds of CPU) but finite: 3,000 × 3,000 rows counted.
FINITE_LONG = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG_GRAPH}> {{
    ?a ?p ?b . ?c ?q ?d }} }}"""
SHORT = f"""SELECT ?city ?label WHERE {{ GRAPH <{CITIES_GRAPH}> {{
    ?city a <{SG}City> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }} }}"""


@pytest.fixture(scope="module")
def isolating_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("isolation")
    store = build_fixture_store(folder / "store")
    running = start_server(
        ["--store", str(store)],
        {
            "SCOGRAPH_QUERY_TIMEOUT": f"{LIMIT:g}",
            "SCOGRAPH_READERS": "2",
            "SCOGRAPH_SPARE_READERS": "1",
            "SCOGRAPH_MAX_LONG_QUERIES": str(MAX_LONG),
        },
        folder,
        "isolation",
    )
    yield running
    stop_server(running)


def _nice(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[16])


@dataclass
class LoweredWatch:
    """Notes the server's workers seen at the lowest CPU priority (and when), and all it saw."""

    server: Server
    seen: dict[int, float] = field(default_factory=dict)
    workers: set[int] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "LoweredWatch":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            for pid in self.server.workers():
                self.workers.add(pid)
                if _nice(pid) == 19:
                    self.seen.setdefault(pid, time.monotonic())


@dataclass
class Runaway:
    status: int = 0
    text: str = ""
    seconds: float = 0.0


def _send_runaways(server: Server, count: int) -> tuple[list[Runaway], list[threading.Thread]]:
    answers = [Runaway() for _ in range(count)]

    def send(answer: Runaway) -> None:
        started = time.monotonic()
        with httpx.Client(timeout=LIMIT + 30) as own:
            response = own.get(server.sparql, params={"query": RUNAWAY})
        answer.status, answer.text = response.status_code, response.text
        answer.seconds = time.monotonic() - started

    threads = [threading.Thread(target=send, args=(a,)) for a in answers]
    for thread in threads:
        thread.start()
    return answers, threads


def _short_queries(
    client: httpx.Client, server: Server, done: Callable[[], bool]
) -> list[tuple[float, float]]:
    """Send the short query again and again until ``done()``; return (sent at, seconds) of each."""
    timings = []
    while not done():
        sent = time.monotonic()
        response = client.get(server.sparql, params={"query": SHORT})
        assert response.status_code == 200, response.text
        assert len(response.json()["results"]["bindings"]) == 12
        timings.append((sent, time.monotonic() - sent))
    return timings


def _for(seconds: float) -> Callable[[], bool]:
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() > deadline


def _settle(server: Server, size: int) -> set[int]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(server.workers()) != size:
        time.sleep(0.1)
    return server.workers()


def test_short_queries_keep_their_speed_while_runaways_run(
    isolating_server: Server,
) -> None:
    server = isolating_server
    pool = child_pids(server.process.pid)
    with httpx.Client(timeout=30) as client:
        _short_queries(client, server, _for(1.0))  # warm-up
        alone = [s for _, s in _short_queries(client, server, _for(3.0))]
        with LoweredWatch(server) as watch:
            started = time.monotonic()
            runaways, threads = _send_runaways(server, MAX_LONG)
            meanwhile = _short_queries(
                client, server, lambda: not any(t.is_alive() for t in threads)
            )

    for runaway in runaways:
        assert runaway.status == 503, runaway.text
        assert f"time limit of {LIMIT:g} s" in runaway.text
        assert runaway.seconds < LIMIT + 1.0

    # Each runaway's process was lowered to the lowest priority, and is gone (SIGKILL
    # takes effect when the process next runs, which at the lowest priority may wait).
    assert len(watch.seen) == MAX_LONG
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(process_exists(pid) for pid in watch.seen):
        time.sleep(0.05)
    assert not any(process_exists(pid) for pid in watch.seen)

    # Both runaways were recognised long before the limit (how soon depends on the CPU
    # the machine gives them: a quarter of a second of it each).
    first, last = sorted(watch.seen.values())
    assert last - started < LIMIT / 2

    # The short queries kept their speed: the median within 3× of the median without
    # runaways (plus 20 ms of scheduling noise); none waited longer than it took to
    # recognise the first runaway (whose place a spare reader took), none until a
    # runaway was killed; and once both were recognised, every one took under a second.
    seconds = [s for _, s in meanwhile]
    assert statistics.median(seconds) < 3 * statistics.median(alone) + 0.02, (alone, seconds)
    assert max(seconds) < first - started + 1.0, seconds
    after = [s for sent, s in meanwhile if sent > last]
    assert len(after) >= 10
    assert max(after) < 1.0, after

    # The pool is back to its size, without the runaways' processes.
    now = _settle(server, len(pool))
    assert len(now) == len(pool)
    assert not now & set(watch.seen)


def test_a_long_query_over_the_cap_is_stopped_at_once(isolating_server: Server) -> None:
    server = isolating_server
    pool = child_pids(server.process.pid)
    runaways, threads = _send_runaways(server, MAX_LONG + 1)
    for thread in threads:
        thread.join(LIMIT + 30)

    assert all(r.status == 503 for r in runaways), [r.text for r in runaways]
    refused = [r for r in runaways if "long-running queries were already running" in r.text]
    stopped = [r for r in runaways if f"time limit of {LIMIT:g} s" in r.text]
    assert len(refused) == 1 and len(stopped) == MAX_LONG, [r.text for r in runaways]
    assert refused[0].seconds < LIMIT - 1.0
    assert all(r.seconds < LIMIT + 1.0 for r in stopped)
    assert len(_settle(server, len(pool))) == len(pool)


def test_a_run_of_long_queries_reuses_its_readers(isolating_server: Server) -> None:
    # Every query of a run of scans turns long-running; starting a process for each
    # (and retiring one) would cost more than the scans. The first brings in a spare,
    # the later ones run on the readers already there.
    server = isolating_server
    seen = server.workers()
    started_per_query = []
    with httpx.Client(timeout=LIMIT + 30) as client:
        for run in range(4):
            # A different text each time, so that no answer comes from the cache.
            query = f"# run {run}\n{FINITE_LONG}"
            with LoweredWatch(server) as watch:
                response = client.get(server.sparql, params={"query": query})
            assert response.status_code == 200, response.text
            count = response.json()["results"]["bindings"][0]["n"]["value"]
            assert int(count) == BIG_SIZE * BIG_SIZE
            assert watch.seen, "the query never turned long-running"
            now = server.workers()
            started_per_query.append(len((watch.workers | now) - seen))
            seen |= watch.workers | now
            # Its reader has its normal priority back.
            assert all(_nice(pid) == 0 for pid in now)
    assert sum(started_per_query[1:]) == 0, started_per_query
