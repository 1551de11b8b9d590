"""Runaway queries do not slow the others down: they lose their CPU priority.

A real server with two readers and an 8 s time limit. Two queries that would run for
hours (a cross product of the 3,000-value graph with itself four times) would share
the CPU evenly with the short queries beside them until they are killed; instead,
once each has used a quarter of a second of CPU while short queries come, its thread
drops to the lowest priority, so a steady stream of short queries keeps its speed.
The runaways are still stopped at the time limit, their processes are gone, and the
pool returns to its size. Long queries with no short ones to give way to keep their
priority.
"""

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from tests.server.helpers import (
    BIG_GRAPH,
    BIG_SIZE,
    CITIES_GRAPH,
    SG,
    Server,
    child_pids,
    fixture_store_server,
    lowered_threads,
    process_exists,
    stat_fields,
)

LIMIT = 8.0
MAX_LONG = 2
RUNAWAY = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG_GRAPH}> {{
    ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }} }}"""
# Long-running (about two seconds of CPU) but finite: 3,000 × 3,000 rows counted.
FINITE_LONG = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG_GRAPH}> {{
    ?a ?p ?b . ?c ?q ?d }} }}"""
# About three seconds of CPU: 3,000 × 3,000 rows compared.
SLOWER_LONG = f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG_GRAPH}> {{
    ?a ?p ?b . ?c ?q ?d }} FILTER(STR(?b) != STR(?d)) }}"""
SHORT = f"""SELECT ?city ?label WHERE {{ GRAPH <{CITIES_GRAPH}> {{
    ?city a <{SG}City> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }} }}"""


@pytest.fixture(scope="module")
def isolating_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    environment = {
        "SCOGRAPH_QUERY_TIMEOUT": f"{LIMIT:g}",
        "SCOGRAPH_READERS": "2",
        "SCOGRAPH_SPARE_READERS": "1",
        "SCOGRAPH_MAX_LONG_QUERIES": str(MAX_LONG),
    }
    with fixture_store_server(
        tmp_path_factory.mktemp("isolation"), "isolation", environment
    ) as running:
        yield running


@dataclass
class LoweredWatch:
    """Notes the workers' threads seen at the lowest CPU priority (and when), and the workers."""

    server: Server
    # (worker pid, thread id) -> when first seen lowered
    seen: dict[tuple[int, int], float] = field(default_factory=dict)
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
                for thread in lowered_threads(pid):
                    self.seen.setdefault((pid, thread), time.monotonic())

    @property
    def processes(self) -> set[int]:
        """The workers that ran a lowered thread."""
        return {pid for pid, _ in self.seen}


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
    # Killed readers go, and replacements start, within a second on a quiet machine;
    # once in a full run under load a fourth process was still there after 10 s.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(server.workers()) != size:
        time.sleep(0.1)
    return server.workers()


def _described(pids: set[int]) -> dict[int, str]:
    """Each process's state and start time (in clock ticks), for a failure's message."""
    found = {}
    for pid in pids:
        try:
            fields = stat_fields(f"/proc/{pid}/stat")
        except OSError:
            continue
        found[pid] = f"state {fields[0]}, started at tick {fields[19]}"
    return found


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

    # Each runaway's thread was lowered to the lowest priority, and its process is gone
    # (SIGKILL takes effect when the process next runs, which at the lowest priority may wait).
    assert len(watch.seen) == MAX_LONG
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(process_exists(p) for p in watch.processes):
        time.sleep(0.05)
    assert not any(process_exists(pid) for pid in watch.processes)

    # Both runaways were recognised long before the limit (how soon depends on the CPU
    # the machine gives them: a quarter of a second of it each).
    first, last = sorted(watch.seen.values())
    assert last - started < LIMIT / 2

    # The short queries kept their speed: the median within 3× of the median without
    # runaways (plus 20 ms of scheduling noise); none waited longer than it took to
    # recognise the first runaway, none until a runaway was killed; and once both
    # were recognised, every one took under a second.
    seconds = [s for _, s in meanwhile]
    assert statistics.median(seconds) < 3 * statistics.median(alone) + 0.02, (alone, seconds)
    assert max(seconds) < first - started + 1.0, seconds
    after = [s for sent, s in meanwhile if sent > last]
    assert len(after) >= 10
    assert max(after) < 1.0, after

    # The pool is back to its size, without the runaways' processes.
    now = _settle(server, len(pool))
    assert len(now) == len(pool)
    assert not now & watch.processes


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
    assert all(r.seconds < LIMIT + 1.0 for r in stopped), [r.seconds for r in stopped]
    now = _settle(server, len(pool))
    assert len(now) == len(pool), (_described(pool), _described(now))


def test_a_run_of_long_queries_alone_keeps_its_readers_and_priority(
    isolating_server: Server,
) -> None:
    # Every query of a run of scans turns long-running. With no short query to give
    # way to, lowering them would only slow them down (a lowered thread gives way to
    # everything on the machine), and starting a process for each would cost more than
    # the scans: they all run on the readers already there, at the normal priority.
    server = isolating_server
    _quiet(server)
    before = server.workers()
    with httpx.Client(timeout=LIMIT + 30) as client:
        for run in range(4):
            # A different text each time, so that no answer comes from the cache.
            query = f"# run {run}\n{FINITE_LONG}"
            with LoweredWatch(server) as watch:
                response = client.get(server.sparql, params={"query": query})
            assert response.status_code == 200, response.text
            count = response.json()["results"]["bindings"][0]["n"]["value"]
            assert int(count) == BIG_SIZE * BIG_SIZE
            assert not watch.seen
            assert watch.workers == before


def test_a_long_query_gives_way_as_soon_as_short_queries_come(
    isolating_server: Server,
) -> None:
    server = isolating_server
    _quiet(server)
    answers: list[httpx.Response] = []

    def run_long() -> None:
        with httpx.Client(timeout=LIMIT + 30) as own:
            answers.append(own.get(server.sparql, params={"query": SLOWER_LONG}))

    with LoweredWatch(server) as watch:
        long_query = threading.Thread(target=run_long)
        long_query.start()
        time.sleep(1.0)
        assert not watch.seen  # long-running by now, but alone
        with httpx.Client(timeout=30) as client:
            for run in range(3):
                # New texts: answered by a reader, not by the response cache.
                query = f"# short {run} {time.monotonic()}\n{SHORT}"
                assert client.get(server.sparql, params={"query": query}).status_code == 200
        lowered_at = time.monotonic()
        while time.monotonic() < lowered_at + 2 and not watch.seen:
            time.sleep(0.05)
        assert len(watch.seen) == 1
        long_query.join(LIMIT + 30)
    assert answers[0].status_code == 200, answers[0].text


def _quiet(server: Server) -> None:
    """Let a second pass without short queries, so that none counts as coming lately."""
    time.sleep(1.5)
