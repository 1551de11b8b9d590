"""Slow or idle clients cannot hold the server: deadlines for headers and bodies, a connection cap.

Each test speaks raw HTTP over sockets to a real ``scograph serve`` with short
limits (header deadline 2 s, body deadline 3 s), and bounds its own loops in time:
without the limits the same clients would keep their connections open until the
test gives up, and the assertions on the 408 and on the time it came in fail.
"""

import socket
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
from tests.server.helpers import TOKEN, Server, start_server, stop_server

HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 3.0
SEND_TIMEOUT = 10.0
MAX_CONNECTIONS = 400
# How late a deadline may be acted on, on a shared and busy machine.
MARGIN = 1.5
LARGE = "http://example.org/large/"
LARGE_TRIPLES = 20_000
# Long values, so that the answer is large (streamed) but quick to produce.
FILLER = "x" * 450
IDLE_CONNECTIONS = 300


def _large_store(path: Path) -> Path:
    """A store whose whole graph (about 10 MB as N-Triples) is streamed, not sent at once."""
    store = ox.Store(str(path))
    value = ox.NamedNode(LARGE + "value")
    graph = ox.NamedNode(LARGE + "graph")
    store.bulk_extend(
        ox.Quad(
            ox.NamedNode(f"{LARGE}item/{i}"), value, ox.Literal(f"value number {i} {FILLER}"), graph
        )
        for i in range(LARGE_TRIPLES)
    )
    store.flush()
    del store
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("slow-clients")
    running = start_server(
        ["--store", str(_large_store(folder / "store"))],
        {
            "SCOGRAPH_WRITE_TOKEN": TOKEN,
            "SCOGRAPH_READERS": "2",
            "SCOGRAPH_MAX_ROWS": "1000000",
            "SCOGRAPH_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
            "SCOGRAPH_BODY_TIMEOUT": str(BODY_TIMEOUT),
            "SCOGRAPH_SEND_TIMEOUT": str(SEND_TIMEOUT),
            "SCOGRAPH_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
        },
        folder,
        "slow-clients",
    )
    yield running
    stop_server(running)


def _connect(server: Server) -> socket.socket:
    host, port = server.base.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=10)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def _trickle(connection: socket.socket, start: bytes, rest: bytes, give_up: float) -> bytes:
    """Send ``start``, then ``rest`` a byte every 0.2 s, until the server answers or hangs up.

    Returns what the server sent (b"" if it never answered within ``give_up`` s).
    """
    connection.sendall(start)
    connection.settimeout(0.2)
    received = b""
    deadline = time.monotonic() + give_up
    for byte in rest:
        if time.monotonic() > deadline:
            break
        try:
            connection.sendall(bytes([byte]))
        except OSError:
            break
        try:
            data = connection.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            break
        if not data:
            break
        received += data
    return received + _read_to_close(connection, 2.0)


def _read_to_close(connection: socket.socket, give_up: float) -> bytes:
    """Read until the server closes the connection (or ``give_up`` seconds pass)."""
    connection.settimeout(0.2)
    received = b""
    deadline = time.monotonic() + give_up
    while time.monotonic() < deadline:
        try:
            data = connection.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            break
        if not data:
            break
        received += data
    return received


def _is_closed(connection: socket.socket) -> bool:
    """Whether the server has closed the connection (after any answer it sent)."""
    connection.settimeout(0.05)
    try:
        while data := connection.recv(65536):
            del data
        return True
    except TimeoutError:
        return False
    except OSError:
        return True


def _status(answer: bytes) -> int | None:
    if not answer.startswith(b"HTTP/1.1 "):
        return None
    return int(answer.split(b" ", 2)[1])


def test_a_client_trickling_its_headers_gets_408_at_the_deadline(server: Server) -> None:
    connection = _connect(server)
    started = time.monotonic()
    answer = _trickle(
        connection, b"GET /health HTTP/1.1\r\nHost: x\r\n", b"X-Slow: " + b"a" * 200, 20
    )
    elapsed = time.monotonic() - started
    connection.close()
    assert _status(answer) == 408, answer[:200]
    assert b"headers did not arrive within 2 s" in answer
    assert HEADER_TIMEOUT - 0.1 <= elapsed <= HEADER_TIMEOUT + MARGIN


def test_a_connection_that_sends_nothing_is_closed_at_the_deadline(server: Server) -> None:
    connection = _connect(server)
    started = time.monotonic()
    answer = _read_to_close(connection, 20)
    elapsed = time.monotonic() - started
    connection.close()
    assert _status(answer) == 408
    assert HEADER_TIMEOUT - 0.1 <= elapsed <= HEADER_TIMEOUT + MARGIN


def test_a_kept_alive_connection_cannot_trickle_its_next_request(server: Server) -> None:
    connection = _connect(server)
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    first = b""
    while b'"status":"ok"' not in first:
        first += connection.recv(65536)
    started = time.monotonic()
    # Each byte comes well within the keep-alive timeout, which it resets.
    answer = _trickle(connection, b"G", b"ET /health HTTP/1.1\r\nX-Slow: " + b"a" * 200, 20)
    elapsed = time.monotonic() - started
    connection.close()
    assert _status(answer) == 408
    assert elapsed <= HEADER_TIMEOUT + MARGIN


def test_a_client_trickling_its_body_gets_408_and_nothing_is_written(server: Server) -> None:
    graph = "http://example.org/slow-body"
    body = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n" * 20
    connection = _connect(server)
    started = time.monotonic()
    answer = _trickle(
        connection,
        (
            f"PUT /graph-store?graph={graph} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/n-triples\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode(),
        body,
        20,
    )
    elapsed = time.monotonic() - started
    connection.close()
    assert _status(answer) == 408, answer[:200]
    assert b"body did not arrive within 3 s" in answer
    assert b"connection: close" in answer.lower()
    assert BODY_TIMEOUT - 0.1 <= elapsed <= BODY_TIMEOUT + MARGIN
    missing = httpx.get(server.base + "/graph-store", params={"graph": graph}, timeout=10)
    assert missing.status_code == 404


def test_a_query_body_sent_slowly_gets_408(server: Server) -> None:
    query = b"ASK { ?s ?p ?o }" + b" " * 100
    connection = _connect(server)
    started = time.monotonic()
    answer = _trickle(
        connection,
        (
            "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            f"Content-Length: {len(query)}\r\n\r\n"
        ).encode(),
        query,
        20,
    )
    elapsed = time.monotonic() - started
    connection.close()
    assert _status(answer) == 408
    assert elapsed <= BODY_TIMEOUT + MARGIN


def test_a_client_sending_its_body_at_a_normal_pace_is_served(server: Server) -> None:
    """The body deadline is for the whole body, not for the gaps: this one takes 1.5 s."""
    query = b"ASK { ?s ?p ?o }"
    connection = _connect(server)
    connection.sendall(
        (
            "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            f"Accept: application/sparql-results+json\r\nContent-Length: {len(query)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
    )
    for byte in query:
        connection.sendall(bytes([byte]))
        time.sleep(1.5 / len(query))
    answer = _read_to_close(connection, 10)
    connection.close()
    assert _status(answer) == 200
    assert b'"boolean":true' in answer.replace(b" ", b"")


def test_an_oversized_head_gets_431(server: Server) -> None:
    connection = _connect(server)
    connection.sendall(b"GET /health HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n")
    answer = _read_to_close(connection, 10)
    connection.close()
    assert _status(answer) == 431


def _timed_requests(server: Server, count: int) -> list[float]:
    """Seconds each of ``count`` queries took, each on a new connection."""
    times = []
    for _ in range(count):
        started = time.monotonic()
        response = httpx.get(
            server.base + "/sparql",
            params={"query": "ASK { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
        )
        times.append(time.monotonic() - started)
        assert response.status_code == 200
    return times


def test_hundreds_of_idle_connections_do_not_slow_others_and_are_dropped(server: Server) -> None:
    baseline = statistics.median(_timed_requests(server, 10))
    idle = []
    try:
        for i in range(IDLE_CONNECTIONS):
            connection = _connect(server)
            if i % 2:  # half send a partial head, half send nothing
                connection.sendall(b"GET /health HTTP/1.1\r\nX-Slow: a")
            idle.append(connection)
        opened = time.monotonic()
        loaded = _timed_requests(server, 10)
        assert time.monotonic() - opened < HEADER_TIMEOUT, "measured after the idle ones left"
        assert statistics.median(loaded) < max(0.25, 5 * baseline), (baseline, loaded)
        assert max(loaded) < 1.0
        time.sleep(HEADER_TIMEOUT + MARGIN)
        still_open = sum(not _is_closed(connection) for connection in idle)
        assert still_open == 0
    finally:
        for connection in idle:
            connection.close()


def test_past_the_connection_cap_requests_get_503_until_idle_ones_are_dropped(
    server: Server,
) -> None:
    idle = []
    try:
        for _ in range(MAX_CONNECTIONS):
            idle.append(_connect(server))
        started = time.monotonic()
        refused = httpx.get(server.base + "/health", timeout=10)
        assert refused.status_code == 503
        assert time.monotonic() - started < 1.0
        time.sleep(HEADER_TIMEOUT + MARGIN)
        assert httpx.get(server.base + "/health", timeout=10).status_code == 200
    finally:
        for connection in idle:
            connection.close()


def _ask_for_large_answer(server: Server) -> socket.socket:
    """Ask for the whole graph (about 10 MB) with a small receive buffer, reading nothing."""
    host, port = server.base.removeprefix("http://").split(":")
    connection = socket.socket()
    # Before connecting, so that the window the server may fill stays small.
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    connection.connect((host, int(port)))
    target = "/sparql?" + urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    head = f"GET {target} HTTP/1.1\r\nHost: x\r\nAccept: application/n-triples\r\n\r\n"
    connection.sendall(head.encode())
    return connection


def test_slow_readers_of_large_answers_do_not_block_other_clients(server: Server) -> None:
    """As many clients as there are query workers ask for a large answer and read nothing.

    Sent at the pace of its client, each answer would hold its worker until the
    query time limit (30 s), and the queries below would wait for it.
    """
    started = time.monotonic()
    readers = [_ask_for_large_answer(server) for _ in range(2)]
    try:
        for connection in readers:
            connection.settimeout(30)
            assert connection.recv(1024).startswith(b"HTTP/1.1 200")
        # Once the workers have produced the two answers, queries are quick again,
        # while the two clients still have read almost nothing.
        loaded = _timed_requests(server, 1)
        while loaded[-1] > 0.5 and time.monotonic() - started < SEND_TIMEOUT / 2:
            loaded = _timed_requests(server, 1)
        loaded = _timed_requests(server, 10)
        assert time.monotonic() - started < SEND_TIMEOUT, "measured after they were dropped"
        assert max(loaded) < 1.0, loaded
    finally:
        for connection in readers:
            connection.close()


def test_a_client_that_stops_reading_a_large_answer_is_dropped(server: Server) -> None:
    connection = _ask_for_large_answer(server)
    try:
        connection.settimeout(30)
        assert connection.recv(1024).startswith(b"HTTP/1.1 200")
        time.sleep(SEND_TIMEOUT + MARGIN)
        # Drain what the buffers held: the server must have hung up, the answer unfinished.
        answer = _read_to_close(connection, 10)
        assert _is_closed(connection)
        assert not answer.endswith(b"0\r\n\r\n"), "the answer must not look complete"
    finally:
        connection.close()


def test_a_large_answer_read_at_a_normal_pace_is_complete(server: Server) -> None:
    response = httpx.get(
        server.base + "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    total = int(response.json()["results"]["bindings"][0]["n"]["value"])
    with httpx.stream(
        "GET",
        server.base + "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    ) as answer:
        lines = sum(chunk.count(b"\n") for chunk in answer.iter_bytes())
    assert total == LARGE_TRIPLES
    assert lines == LARGE_TRIPLES
