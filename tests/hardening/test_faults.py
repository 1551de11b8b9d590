"""Faults: the server or a build killed with SIGKILL mid-write, a full disk, a read-only disk.

The real ``scograph serve`` and ``scograph build`` run in their own process groups
and are killed whole (``kill -9`` of the group, workers included) at several
moments of a write; the store is then opened again and compared with what was
acknowledged. The full and the read-only disks are real file systems: a small
tmpfs, and a read-only bind mount (the tests run as root, like CI).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox
from tests.server.helpers import TOKEN, free_port, scograph_command

from scograph.build import build_store
from scograph.server.stores import create_empty_store

EX = "http://example.org/faults/"
BIG_TRIPLES = 20_000
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_START_TIMEOUT = 90.0


class Serve:
    """``scograph serve`` in a process group of its own, so its workers die with it."""

    def __init__(self, store: Path, log: Path, token: str | None = TOKEN) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("SCOGRAPH_")}
        environment["SCOGRAPH_READERS"] = "1"
        if token:
            environment["SCOGRAPH_WRITE_TOKEN"] = token
        self.log = log
        arguments = ["serve", "--port", str(self.port), "--no-access-log", "--store", str(store)]
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [*scograph_command(), *arguments],
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> "Serve":
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.log.read_text()}")
            try:
                if httpx.get(self.base + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the server did not come up:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the whole process group (the server and its workers)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        _wait_group_gone(self.process.pid)


def _wait_group_gone(group: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process group {group} survived SIGKILL")


@contextmanager
def serving(store: Path, log: Path, token: str | None = TOKEN) -> Iterator[Serve]:
    server = Serve(store, log, token)
    try:
        yield server.wait_ready()
    finally:
        server.kill()


def _ntriples(graph: str, count: int) -> bytes:
    return "".join(
        f'<{EX}{graph}/s{i}> <{EX}p> "value {i} of {graph}" .\n' for i in range(count)
    ).encode()


def _put(server: Serve, graph: str, body: bytes) -> httpx.Response:
    return httpx.put(
        server.base + "/graph-store",
        params={"graph": EX + graph},
        content=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"},
        timeout=120,
    )


def _counts(server: Serve) -> dict[str, int]:
    """Triples per named graph, as a SPARQL client sees them."""
    response = httpx.get(
        server.base + "/sparql",
        params={"query": COUNTS},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return {row["g"]["value"].removeprefix(EX): int(row["n"]["value"]) for row in rows}


def _send_put_raw(server: Serve, graph: str, body: bytes) -> socket.socket:
    """Send a whole PUT without waiting for its answer."""
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    connection.sendall(
        (
            f"PUT /graph-store?graph={EX}{graph} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/n-triples\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
    )
    return connection


def _answered(connection: socket.socket) -> bool:
    """Whether a success status arrived before the server died."""
    connection.settimeout(1)
    try:
        head = connection.recv(100)
    except OSError:
        return False
    finally:
        connection.close()
    return bool(re.match(rb"HTTP/1\.1 20[14] ", head))


def test_kill_9_in_the_middle_of_graph_store_writes(tmp_path: Path) -> None:
    """Every acknowledged write survives; each interrupted one is whole or absent."""
    store = create_empty_store(tmp_path / "store")
    log = tmp_path / "server.log"
    big = _ntriples("big", BIG_TRIPLES)
    acknowledged: dict[str, int] = {}
    interrupted: dict[str, float] = {}
    with serving(store, log) as server:
        started = time.monotonic()
        assert _put(server, "calibration", big).status_code == 201
        write_time = time.monotonic() - started
        acknowledged["calibration"] = BIG_TRIPLES
    # Kill at moments spread over one big write: before, while and after it commits.
    delays = [write_time * f for f in (0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1.05, 1.3)]
    for trial, delay in enumerate(delays):
        server = Serve(store, log).wait_ready()
        try:
            counts = _counts(server)
            _check(counts, acknowledged, interrupted)
            for j in range(3):
                graph = f"small-{trial}-{j}"
                assert _put(server, graph, _ntriples(graph, 10 + j)).status_code == 201
                acknowledged[graph] = 10 + j
            graph = f"big-{trial}"
            connection = _send_put_raw(server, graph, _ntriples(graph, BIG_TRIPLES))
            time.sleep(delay)
        finally:
            server.kill()
        if _answered(connection):
            acknowledged[graph] = BIG_TRIPLES
        else:
            interrupted[graph] = delay
    with serving(store, log) as server:
        counts = _check(_counts(server), acknowledged, interrupted)
        left_by_killed = [
            p.name
            for p in store.parent.iterdir()
            if p.name.startswith(".scograph-") and f"-{server.process.pid}-" not in p.name
        ]
    outcomes = {g: counts.get(g, 0) == BIG_TRIPLES for g in interrupted}
    print(
        f"\nwrite of {BIG_TRIPLES} triples took {write_time:.2f} s; "
        f"{len(delays)} kills, {len(interrupted)} before the answer: "
        f"{sum(outcomes.values())} of those whole, {len(outcomes) - sum(outcomes.values())} absent"
    )
    assert interrupted, "no kill fell before the answer: the test did not test a crash mid-write"
    assert left_by_killed == [], "a restarted server removes the snapshots killed ones left"


def _check(
    counts: dict[str, int], acknowledged: dict[str, int], interrupted: dict[str, float]
) -> dict[str, int]:
    for graph, expected in acknowledged.items():
        assert counts.get(graph) == expected, f"acknowledged write to {graph} lost: {counts}"
    for graph in interrupted:
        assert counts.get(graph, 0) in (0, BIG_TRIPLES), f"{graph} is partial: {counts}"
    unexpected = set(counts) - set(acknowledged) - set(interrupted)
    assert not unexpected, unexpected
    return counts


def _store_quads(path: Path) -> tuple[int, bool]:
    """The number of quads of the store at ``path``, and whether it has the marker graph."""
    store = ox.Store.read_only(str(path))
    try:
        return len(store), store.contains_named_graph(ox.NamedNode(EX + "marker"))
    finally:
        del store


def test_kill_9_in_the_middle_of_a_build_leaves_a_whole_store(tmp_path: Path) -> None:
    """``scograph build`` (a bulk load, not transactional) killed at any moment.

    The store folder holds the previous store or the new one, complete, never a
    part of either; a build run again succeeds and leaves nothing behind.
    """
    reference = build_store(tmp_path / "reference")
    complete = reference.asserted + reference.inferred
    target = tmp_path / "store"
    command = [*scograph_command(), "build", "--store", str(target)]
    outcomes = []
    # Killed at these moments after the bulk load has begun (its staging folder appears).
    for delay in (0.0, 0.15, 0.3, 0.5, 0.65, 0.8, 1.0, 3.0):
        # The previous store, told apart from a new build by its marker graph.
        _make_marker_store(target)
        build = subprocess.Popen(
            command,
            cwd=tmp_path,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            loading = _wait_for_staging(tmp_path, build)
            time.sleep(delay)
        finally:
            if build.poll() is None:
                os.killpg(build.pid, signal.SIGKILL)
            build.wait()
        quads, marker = _store_quads(target)
        assert (quads, marker) in ((5000, True), (complete, False)), (delay, quads, marker)
        outcomes.append(("mid-load " if loading else "") + ("previous" if marker else "new"))
    print(f"\nafter each kill the store was: {outcomes}")
    assert any(outcome.startswith("mid-load") for outcome in outcomes)
    finished = subprocess.run(command, capture_output=True, cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert _store_quads(target) == (complete, False)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".store-")] == []
    with serving(target, tmp_path / "server.log", token=None) as server:
        answer = httpx.get(
            server.base + "/sparql",
            params={"query": "ASK { ?s a <https://w3id.org/scograph/ontology#City> }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert answer.json()["boolean"] is True


def _wait_for_staging(folder: Path, build: subprocess.Popen[bytes]) -> bool:
    """Wait until the build has begun its bulk load; False if it ended first."""
    deadline = time.monotonic() + 60
    while build.poll() is None and time.monotonic() < deadline:
        if any(folder.glob(f".store-building-{build.pid}-*")):
            return True
        time.sleep(0.002)
    return False


def _make_marker_store(target: Path) -> None:
    """Put a store of 5,000 quads in a marker graph at ``target``."""
    shutil.rmtree(target, ignore_errors=True)
    store = ox.Store(str(target))
    marker = ox.NamedNode(EX + "marker")
    store.bulk_extend(
        ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)), marker)
        for i in range(5000)
    )
    store.flush()
    del store


@contextmanager
def mounted(target: Path, *options: str) -> Iterator[Path]:
    """``mount OPTIONS TARGET`` for the block, unmounted even if the block fails."""
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", *options, str(target)], check=True, capture_output=True)
    try:
        yield target
    finally:
        subprocess.run(["umount", "--lazy", str(target)], check=False, capture_output=True)


def _serve_once(store: Path, token: str | None) -> subprocess.CompletedProcess[bytes]:
    """Run ``scograph serve`` expecting it to refuse to start."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SCOGRAPH_")}
    if token:
        environment["SCOGRAPH_WRITE_TOKEN"] = token
    return subprocess.run(
        [*scograph_command(), "serve", "--port", str(free_port()), "--store", str(store)],
        env=environment,
        capture_output=True,
        timeout=120,
        check=False,
    )


def _one_line_error(done: subprocess.CompletedProcess[bytes]) -> str:
    output = (done.stdout + done.stderr).decode()
    assert done.returncode == 2, output
    assert "Traceback" not in output
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_full_disk_refuses_writes_with_507_and_keeps_the_store(tmp_path: Path) -> None:
    with mounted(tmp_path / "disk", "-t", "tmpfs", "-o", "size=40m", "tmpfs") as disk:
        store = create_empty_store(disk / "store")
        log = tmp_path / "server.log"
        acknowledged = {}
        with serving(store, log) as server:
            for i in range(5):
                assert _put(server, f"small-{i}", _ntriples(f"small-{i}", 50)).status_code == 201
                acknowledged[f"small-{i}"] = 50
            assert _counts(server) == acknowledged
            before_full = dict(acknowledged)
            for i in range(40):
                refused = _put(server, f"big-{i}", _ntriples(f"big-{i}", BIG_TRIPLES))
                if refused.status_code != 201:
                    break
                acknowledged[f"big-{i}"] = BIG_TRIPLES
            assert refused.status_code == 507, refused.text
            assert "disk is full" in refused.text
            assert "nothing was changed" in refused.text
            # Still full: a small write is refused the same way. Reads go on, from the
            # last snapshot the disk had room for (writes since may not show yet).
            again = _put(server, "after", _ntriples("after", 5))
            assert again.status_code == 507, again.text
            seen = _counts(server)
            assert before_full.items() <= seen.items() <= acknowledged.items()
        # Started again on the full disk: one clear line, no traceback.
        line = _one_line_error(_serve_once(store, TOKEN))
        assert str(store) in line
        assert "disk is full" in line
        # Read-only, it serves what was acknowledged.
        with serving(store, log, token=None) as server:
            assert _counts(server) == acknowledged
        # With room again, writes work and nothing was lost.
        subprocess.run(["mount", "-o", "remount,size=400m", str(disk)], check=True)
        with serving(store, log) as server:
            assert _counts(server) == acknowledged
            assert _put(server, "after", _ntriples("after", 5)).status_code == 201


def test_a_read_only_store_folder_is_a_clear_error_to_write_and_serves_read_only(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    _make_marker_store(source / "store")
    with mounted(tmp_path / "read-only", "--bind", "-o", "ro", str(source)) as folder:
        store = folder / "store"
        line = _one_line_error(_serve_once(store, TOKEN))
        assert f"Cannot write to {store}" in line
        assert "read-only file system" in line
        with serving(store, tmp_path / "server.log", token=None) as server:
            assert _counts(server) == {"marker": 5000}
            refused = _put(server, "new", _ntriples("new", 5))
            assert refused.status_code == 403
