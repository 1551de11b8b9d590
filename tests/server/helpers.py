"""Helpers of the endpoint tests: the fixture store, real servers, /proc probes, parsing.

Every server is started as a user would start it (the ``scograph`` command, a free
port, ``SCOGRAPH_*`` variables), waited for on ``/health``, and stopped at the end
of the session. The fixture store is small and known: cities and countries in two
named graphs, and a graph of 3,000 numbered values for large answers and for
cross products that would run for minutes.
"""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

TOKEN = "test-write-token"
SG = "https://w3id.org/scograph/ontology#"
CITY = "https://w3id.org/scograph/id/city/"
COUNTRY = "https://w3id.org/scograph/id/country/"
GRAPH = "https://w3id.org/scograph/graph/"
CITIES_GRAPH = GRAPH + "test-cities"
COUNTRIES_GRAPH = GRAPH + "test-countries"
BIG_GRAPH = GRAPH + "test-big"
BIG = "http://example.org/big/"
BIG_SIZE = 3000
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"

CITIES = {
    "qingdao": ("Qingdao", "青岛", "Циндао", "china"),
    "wuhan": ("Wuhan", "武汉", "Ухань", "china"),
    "bishkek": ("Bishkek", "比什凯克", "Бишкек", "kyrgyzstan"),
    "osh": ("Osh", "奥什", "Ош", "kyrgyzstan"),
}
COUNTRIES = {"china": "China", "kyrgyzstan": "Kyrgyzstan"}
_START_TIMEOUT = 90.0


def _quads() -> Iterator[ox.Quad]:
    cities, countries, big = (ox.NamedNode(g) for g in (CITIES_GRAPH, COUNTRIES_GRAPH, BIG_GRAPH))
    label = ox.NamedNode(PREF_LABEL)
    for key, (en, zh, ru, country) in CITIES.items():
        city = ox.NamedNode(CITY + key)
        yield ox.Quad(city, ox.NamedNode(RDF_TYPE), ox.NamedNode(SG + "City"), cities)
        yield ox.Quad(city, label, ox.Literal(en, language="en"), cities)
        yield ox.Quad(city, label, ox.Literal(zh, language="zh-hans"), cities)
        yield ox.Quad(city, label, ox.Literal(ru, language="ru"), cities)
        yield ox.Quad(city, ox.NamedNode(SG + "country"), ox.NamedNode(COUNTRY + country), cities)
    qingdao, bishkek = ox.NamedNode(CITY + "qingdao"), ox.NamedNode(CITY + "bishkek")
    yield ox.Quad(qingdao, ox.NamedNode(SG + "sisterOf"), bishkek, cities)
    for key, name in COUNTRIES.items():
        country = ox.NamedNode(COUNTRY + key)
        yield ox.Quad(country, ox.NamedNode(RDF_TYPE), ox.NamedNode(SG + "Country"), countries)
        yield ox.Quad(country, label, ox.Literal(name, language="en"), countries)
    value = ox.NamedNode(BIG + "value")
    for i in range(BIG_SIZE):
        yield ox.Quad(ox.NamedNode(f"{BIG}{i}"), value, ox.Literal(str(i), datatype=_INTEGER), big)


_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def build_fixture_store(path: Path) -> Path:
    """Write the fixture store to ``path`` and return it."""
    store = ox.Store(str(path))
    store.bulk_extend(_quads())
    store.flush()
    del store
    return path


def scograph_command() -> list[str]:
    """The ``scograph`` console script of the running environment."""
    beside = Path(sys.executable).parent / "scograph"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("scograph")
    if found:
        return [found]
    return [sys.executable, "-m", "scograph.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_pids(pid: int) -> set[int]:
    """Process ids whose parent is ``pid`` (the server's worker processes)."""
    children = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; the fields after its closing parenthesis do not.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            children.add(int(entry.name))
    return children


def process_exists(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def stat_fields(stat_file: str) -> list[str]:
    """The fields of a /proc stat file after the command name (which may hold spaces)."""
    stat = Path(stat_file).read_text()
    return stat[stat.rindex(")") + 2 :].split()


def cpu_ticks(pid: int) -> int:
    """CPU time (user + system, in clock ticks) the process has used."""
    fields = stat_fields(f"/proc/{pid}/stat")
    return int(fields[11]) + int(fields[12])


def thread_stats(pid: int) -> dict[int, list[str]]:
    """Each thread of ``pid``: the fields of its /proc stat after the command name."""
    try:
        names = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return {}
    stats = {}
    for name in names:
        try:
            stats[int(name)] = stat_fields(f"/proc/{pid}/task/{name}/stat")
        except OSError:
            continue  # the thread ended
    return stats


def lowered_threads(pid: int) -> list[int]:
    """The threads of ``pid`` at the lowest CPU priority (nice 19)."""
    return [thread for thread, fields in thread_stats(pid).items() if int(fields[16]) == 19]


def peak_rss_kib(pid: int) -> int:
    """The process's peak resident memory (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@dataclass
class Server:
    """A running ``scograph serve`` process."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path
    token: str | None = None
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def graph_store(self) -> str:
        return self.base + "/graph-store"

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def workers(self) -> set[int]:
        return child_pids(self.process.pid)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(
    arguments: list[str],
    environment: dict[str, str],
    folder: Path,
    name: str,
    access_log: bool = False,
) -> Server:
    """Start ``scograph serve`` and wait until ``/health`` answers 200."""
    port = free_port()
    log = folder / f"{name}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOGRAPH_")}
    env.update(environment)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                *scograph_command(),
                "serve",
                "--port",
                str(port),
                *([] if access_log else ["--no-access-log"]),
                *arguments,
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(
        f"http://127.0.0.1:{port}",
        process,
        log,
        environment.get("SCOGRAPH_WRITE_TOKEN"),
        environment,
    )
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} server exited:\n{server.log_text()}")
        try:
            if httpx.get(server.base + "/health", timeout=1.0).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"{name} server did not come up:\n{server.log_text()}")


@contextmanager
def fixture_store_server(folder: Path, name: str, environment: dict[str, str]) -> Iterator[Server]:
    """``scograph serve`` with ``environment`` on a new fixture store in ``folder``."""
    store = build_fixture_store(folder / "store")
    server = start_server(["--store", str(store)], environment, folder, name)
    try:
        yield server
    finally:
        stop_server(server)


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it receives."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.socket.close()


def select(body: bytes, fmt: ox.QueryResultsFormat) -> list[dict[str, str]]:
    """Parse SELECT results into rows of variable name -> term value (unbound left out)."""
    results = ox.parse_query_results(body, fmt)
    names = [variable.value for variable in results.variables]
    return [
        {name: solution[name].value for name in names if solution[name] is not None}
        for solution in results
    ]


def csv_rows(body: bytes) -> list[dict[str, str]]:
    """Parse SPARQL CSV results (pyoxigraph reads no CSV) into rows of name -> cell."""
    import csv
    import io

    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


def triples(body: bytes, fmt: ox.RdfFormat) -> set[tuple[str, str, str]]:
    """Parse a graph answer into (subject, predicate, object) value triples."""
    return {(q.subject.value, q.predicate.value, q.object.value) for q in ox.parse(body, fmt)}
