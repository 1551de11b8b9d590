"""Fuzz the real server: schemathesis against its OpenAPI schema, and mutated SPARQL.

    python -m tests.hardening.fuzz --requests 10000 [--seed 1] [--clients 4]

Starts ``scograph serve`` over a copy of the bundled graph (writable, with a token;
queries stopped after 10 s; no SERVICE endpoint allowed, so nothing leaves this
machine), warms it up, and sends the requests:

- schemathesis cases, valid and invalid, for every operation ``/openapi.json``
  describes (the SPARQL Protocol, the Graph Store, pages, dumps);
- hypothesis-generated SPARQL: the example queries and the W3C syntax tests with
  tokens deleted, repeated, swapped or replaced (by keywords, operators, random
  Unicode), brackets nested thousands deep, queries spliced together; sent by GET,
  form, direct POST or as updates, with random protocol parameters, Accept headers,
  methods and content types, and now and then broken percent-encoding or bytes
  that are not UTF-8;
- Graph Store writes of mutated RDF documents from the W3C test data.

Every request has a deadline (the query time limit and 10 s more): one that runs
past it is a hang. It reports the status histogram, the 5xx answers, the hangs,
and the resident memory of the server's processes (the HTTP process and its query
and write workers) at the baseline, at the peak, and after a settle, and exits 1 when
there was a 5xx, a hang, a request without an answer, or memory that did not come
back within the margin. A query the endpoint stops at its time limit (a 503 that
says so, as documented) is counted and shown apart: the limit doing its job. Generation
is seeded: the same seed draws the same requests, and each failure is printed with
what was sent.
"""

import argparse
import random
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from tests.server.helpers import TOKEN, Server, start_server, stop_server

from .raw_http import Header, send

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "queries"
W3C = ROOT / "tests" / "w3c" / "rdf-tests" / "sparql" / "sparql11"
# A mutated query may be really expensive: ORDER BY over every triple joined with an
# OPTIONAL (215,000 rows) takes 31 s in the engine itself. Stopping it at the limit
# with a 503 that says so is the endpoint's contract; such answers are counted apart,
# and every other 5xx is a server error.
QUERY_TIMEOUT = 10.0
TIME_LIMIT = "ran over the time limit"
DEADLINE = QUERY_TIMEOUT + 10.0
# Memory after the run may exceed the baseline by this much: the engine's and the
# allocator's caches keep some of what the run touched.
RSS_MARGIN_FRACTION = 0.25
RSS_MARGIN_MIB = 32.0
SETTLE_SECONDS = 5.0
# A reader killed at a time limit is replaced (see ``ReaderPool``); memory is compared
# once the pool is back to its resting size.
POOL_SETTLE_SECONDS = 45.0
# The most a reader may hold once the pool is at rest again (an idle one holds about
# 30 MiB, one that has answered queries 60–80 MiB).
READER_RSS_MIB = 200.0
SCHEMATHESIS_SHARE = 0.2
GRAPH_STORE_SHARE = 0.1
RDF_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/trig",
    "application/n-quads",
)
SPARQL_TYPES = ("application/sparql-query", "application/sparql-update")


# ---------------------------------------------------------------------------
# What is sent


@dataclass(frozen=True)
class Probe:
    """One request, exactly as it goes on the wire."""

    source: str
    method: str
    target: str | bytes
    headers: tuple[Header, ...] = ()
    body: bytes = b""

    def describe(self) -> str:
        """What was sent, short enough to print and complete enough to send again."""
        body = self.body if len(self.body) <= 600 else self.body[:600] + b"..."
        target = self.target if len(self.target) <= 600 else self.target[:600]
        return f"[{self.source}] {self.method} {target!r} headers={self.headers!r} body={body!r}"


@dataclass
class Outcome:
    """What came back for one probe."""

    probe: Probe
    status: int | None
    seconds: float
    problem: str = ""

    @property
    def label(self) -> str:
        if self.problem:
            return self.problem
        return str(self.status)


# ---------------------------------------------------------------------------
# Mutated SPARQL


def _read_all(paths: Sequence[Path], limit: int = 20_000) -> list[str]:
    texts = []
    for path in sorted(paths):
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.strip() and len(text) <= limit:
            texts.append(text)
    return texts


def query_seeds() -> list[str]:
    """The example queries and the W3C syntax and evaluation queries and updates."""
    return _read_all([*EXAMPLES.glob("*.rq"), *W3C.rglob("*.rq"), *W3C.rglob("*.ru")])


def rdf_seeds() -> list[tuple[str, str]]:
    """W3C test data files as (media type, text)."""
    kinds = {".ttl": "text/turtle", ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}
    found = []
    for suffix, kind in kinds.items():
        found += [(kind, text) for text in _read_all(list(W3C.rglob(f"*{suffix}")), 8_000)]
    return found


_TOKEN = re.compile(
    r"\s+|#[^\n]*|<[^<>\s]*>|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|[?$]\w+|[\w:.-]+|.",
    re.DOTALL,
)
VOCABULARY = (
    *[
        "SELECT",
        "ASK",
        "CONSTRUCT",
        "DESCRIBE",
        "WHERE",
        "FILTER",
        "OPTIONAL",
        "UNION",
        "MINUS",
        "GRAPH",
        "BIND",
        "AS",
    ],
    *[
        "VALUES",
        "UNDEF",
        "DISTINCT",
        "REDUCED",
        "LIMIT",
        "OFFSET",
        "HAVING",
        "EXISTS",
        "NOT",
        "IN",
        "a",
        "FROM",
        "NAMED",
    ],
    *[
        "PREFIX",
        "BASE",
        "WITH",
        "USING",
        "INSERT",
        "DELETE",
        "DATA",
        "CLEAR",
        "DROP",
        "CREATE",
        "ADD",
        "MOVE",
        "COPY",
    ],
    *["ALL", "DEFAULT", "SILENT", "SERVICE", "LOAD", "INTO", "TO", "true", "false", "UNDEF"],
    "GROUP BY",
    "ORDER BY",
    "FROM NAMED",
    "INSERT DATA",
    "DELETE WHERE",
    *list("{}()[].;,/|^*+?!=<>-"),
    "&&",
    "||",
    "!=",
    "<=",
    ">=",
    "^^",
    "1",
    "-2.5e10",
    "99999999999999999999999",
    '"x"@en',
    '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"""\n"""',
    "'\\u0041'",
    "?x",
    "$y",
    "?s ?p ?o",
    "<http://example.org/>",
    "<>",
    "<urn:x>",
    "_:b",
    "[]",
    "()",
    "COUNT(*)",
    "SUM(?x)",
    "GROUP_CONCAT(?x; SEPARATOR=',')",
    'REGEX(?o, "(a+)+$")',
    "NOW()",
    "RAND()",
    "UUID()",
    "BNODE()",
    "IRI(?x)",
    "STRDT(?x, ?y)",
    "LANGMATCHES(?x, '*')",
    "SUBSTR(?x, -1, 99999999999)",
    "REPLACE(?x, '', 'y')",
    "# comment\n",
    "\\u0041",
    "\x00",
    "\ufeff",
    "\U0001d518",
    "青岛",
    "Бишкек",
    "<http://127.0.0.1:1/sparql>",
)


Tokens = tuple[str, ...]
_OPERATIONS = (
    "delete",
    "delete",
    "duplicate",
    "insert",
    "insert",
    "replace",
    "swap",
    "unicode",
    "truncate",
    "splice",
    "nest",
    "chain",
)
_BRACKETS = (("(", ")"), ("{", "}"), ("[", "]"), ("{ SELECT * WHERE {", "}}"), ("FILTER(", ")"))
_OPERATORS = ("/", "|", "+", "||", "&&", "*")
_MUTATION_SEEDS = st.integers(0, 2**32 - 1)
_ONE_IN_TWENTY = st.integers(0, 19)
_RANDOM_TEXT = st.text(max_size=300)


def tokenised(texts: Sequence[str]) -> list[Tokens]:
    """Each text cut into rough SPARQL tokens (once: mutations work on tokens)."""
    return [tuple(_TOKEN.findall(text)) for text in texts]


def _random_text(rng: random.Random) -> str:
    """1 to 12 code points from anywhere in Unicode (surrogates too: they make bad UTF-8)."""
    return "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randint(1, 12)))


def _size(rng: random.Random, most: int) -> int:
    """Mostly small, around the limit of 128, now and then up to ``most``."""
    return rng.randint(1, most if rng.random() < 0.2 else 200)


def _mutate(rng: random.Random, tokens: Tokens, seeds: Sequence[Tokens]) -> Tokens:
    """One mutation: a token deleted, repeated, inserted, replaced, swapped; a cut, a
    splice of another seed, a span nested thousands deep, an operator chain."""
    operation = rng.choice(_OPERATIONS)
    if not tokens:
        return (rng.choice(VOCABULARY),)
    index = rng.randrange(len(tokens))
    before, here, after = tokens[:index], tokens[index], tokens[index + 1 :]
    if operation == "delete":
        return before + after
    if operation == "duplicate":
        return (*before, *[here] * rng.randint(2, 50), *after)
    if operation == "insert":
        return (*before, " ", rng.choice(VOCABULARY), " ", here, *after)
    if operation == "replace":
        return (*before, " ", rng.choice(VOCABULARY), " ", *after)
    if operation == "swap":
        other = rng.randrange(len(tokens))
        swapped = list(tokens)
        swapped[index], swapped[other] = swapped[other], swapped[index]
        return tuple(swapped)
    if operation == "unicode":
        return (*before, _random_text(rng), here, *after)
    if operation == "truncate":
        return before
    if operation == "splice":
        other = rng.choice(seeds)
        return before + other[rng.randint(0, len(other)) :]
    if operation == "chain":
        return (*before, rng.choice(_OPERATORS).join([here] * _size(rng, 2_000)), *after)
    opening, closing = rng.choice(_BRACKETS)
    depth = _size(rng, 3_000)
    return (*before, opening * depth, here, *after, closing * depth)


def mutated(tokens: Tokens, seeds: Sequence[Tokens], mutation_seed: int, most: int = 6) -> str:
    """``tokens`` after 0 to ``most`` mutations chosen by ``mutation_seed``."""
    rng = random.Random(mutation_seed)
    for _ in range(rng.randint(0, most)):
        tokens = _mutate(rng, tokens, seeds)
    return "".join(tokens)


def sparql_texts(seeds: Sequence[Tokens]) -> st.SearchStrategy[str]:
    """A query or update from the seeds, mutated, or (one in twenty) random text.

    Hypothesis picks the seed and the mutations' seed; the mutations are applied with
    a seeded generator, which is many times faster than drawing each choice.
    """
    pick = st.integers(0, len(seeds) - 1).map(seeds.__getitem__)

    @st.composite
    def text(draw: st.DrawFn) -> str:
        if draw(_ONE_IN_TWENTY) == 0:
            return draw(_RANDOM_TEXT)
        return mutated(draw(pick), seeds, draw(_MUTATION_SEEDS))

    return text()


_IRI_VALUES = st.sampled_from(
    [
        "http://example.org/g",
        "https://w3id.org/scograph/graph/twinnings",
        "urn:x",
        "",
        "not an iri",
        "http://a/>",
        "http://example.org/青岛",
        "relative",
        "http://[::1]/",
    ]
)
_ACCEPTS = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    *RDF_TYPES,
    "text/html",
    "*/*",
    "text/*;q=0.5, */*;q=0.1",
    "image/png",
    "*/*;q=abc",
    "application/sparql-results+json;q=0",
)


def _header_text(text: str) -> str:
    """A header value the wire can carry: Latin-1, no line breaks (which would end it)."""
    return text.encode("latin-1", errors="replace").decode("latin-1").translate({10: 32, 13: 32})


_TENTHS = st.integers(0, 9)
_QUARTERS = st.integers(0, 3)
_FIFTHS = st.integers(0, 4)
_ACCEPT_ONE = st.sampled_from(_ACCEPTS)
_ACCEPT_LISTS = st.lists(_ACCEPT_ONE, min_size=1, max_size=40)
_ANY_HEADER_TEXT = st.text(max_size=200).map(_header_text)
_PARAMETER_NAMES = st.sampled_from(
    [
        "default-graph-uri",
        "named-graph-uri",
        "using-graph-uri",
        "using-named-graph-uri",
        "format",
        "timeout",
        "query",
        "update",
        "",
    ]
)
_PARAMETER_VALUES = st.one_of(_IRI_VALUES, st.text(max_size=30))
_BROKEN_ESCAPES = st.sampled_from([b"%", b"%ZZ", b"%E4%B8", b"%C0%AF"])
_RAW_BYTES = st.binary(min_size=1, max_size=4)
_WAYS = st.sampled_from(["get", "get", "form", "form", "direct", "update", "update-form", "odd"])
_CHARSETS = st.sampled_from(["; charset=utf-8", "; charset=latin-1", ";charset="])
_ODD_METHODS = st.sampled_from(["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "POST", "GET"])
_ODD_TYPES = st.one_of(
    st.sampled_from(["", "text/plain", "application/json", "multipart/form-data"]),
    st.text(max_size=40).map(_header_text),
)
_DOCUMENT_TYPES = st.sampled_from([*RDF_TYPES, "text/plain", "multipart/form-data", ""])
_STORE_METHODS = st.sampled_from(["PUT", "POST", "POST", "GET", "HEAD", "DELETE"])
_GRAPHS = st.one_of(_IRI_VALUES, st.just("default"))


@st.composite
def accept_headers(draw: st.DrawFn) -> tuple[Header, ...]:
    """No Accept, a usual one, a list of up to 40 ranges, or random text."""
    choice = draw(_TENTHS)
    if choice < 3:
        return ()
    if choice < 7:
        return (("Accept", draw(_ACCEPT_ONE)),)
    if choice < 9:
        return (("Accept", ", ".join(draw(_ACCEPT_LISTS))),)
    return (("Accept", draw(_ANY_HEADER_TEXT)),)


@st.composite
def protocol_parameters(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Now and then up to three more parameters: the protocol's, others, repeats."""
    count = draw(_QUARTERS) if draw(_QUARTERS) == 0 else 0
    return [(draw(_PARAMETER_NAMES), draw(_PARAMETER_VALUES)) for _ in range(count)]


def _quote(text: str) -> str:
    # A lone surrogate becomes bytes that are not UTF-8, percent-encoded: worth sending.
    return quote(text.encode("utf-8", errors="surrogatepass"), safe="")


def _encode(pairs: Sequence[tuple[str, str]]) -> str:
    return "&".join(f"{_quote(name)}={_quote(value)}" for name, value in pairs)


def _corrupt(draw: st.DrawFn, data: bytes) -> bytes:
    """Now and then: a broken percent-escape or bytes that are not UTF-8."""
    choice = draw(_ONE_IN_TWENTY)
    if choice > 1:
        return data
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(_BROKEN_ESCAPES if choice == 0 else _RAW_BYTES) + data[at:]


def sparql_probes(seeds: Sequence[Tokens]) -> st.SearchStrategy[Probe]:
    """Mutated queries and updates, sent the protocol's ways (or wrong ways)."""
    return _sparql_probe(sparql_texts(seeds))


@st.composite
def _sparql_probe(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> Probe:
    text = draw(texts)
    extra = draw(protocol_parameters())
    headers = list(draw(accept_headers()))
    way = draw(_WAYS)
    if way.startswith("update") and draw(_QUARTERS) > 0:
        headers.append(("Authorization", f"Bearer {TOKEN}"))
    if way == "get":
        query = _corrupt(draw, _encode([("query", text), *extra]).encode())
        return Probe("sparql", "GET", b"/sparql?" + query, tuple(headers))
    if way in ("form", "update-form"):
        name = "query" if way == "form" else "update"
        body = _corrupt(draw, _encode([(name, text), *extra]).encode())
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        return Probe("sparql", "POST", "/sparql", tuple(headers), body)
    body = _corrupt(draw, text.encode("utf-8", errors="surrogatepass"))
    target = "/sparql?" + _encode(extra) if extra else "/sparql"
    if way in ("direct", "update"):
        kind = SPARQL_TYPES[0] if way == "direct" else SPARQL_TYPES[1]
        if draw(_TENTHS) == 0:
            kind += draw(_CHARSETS)
        headers.append(("Content-Type", kind))
        return Probe("sparql", "POST", target, tuple(headers), body)
    method = draw(_ODD_METHODS)
    kind = draw(_ODD_TYPES)
    if kind:
        headers.append(("Content-Type", kind))
    return Probe("sparql", method, target, tuple(headers), body)


def graph_store_probes(documents: Sequence[tuple[str, Tokens]]) -> st.SearchStrategy[Probe]:
    """Graph Store requests whose bodies are mutated W3C test documents."""
    return _graph_store_probe(st.integers(0, len(documents) - 1).map(documents.__getitem__))


@st.composite
def _graph_store_probe(draw: st.DrawFn, documents: st.SearchStrategy[tuple[str, Tokens]]) -> Probe:
    kind, tokens = draw(documents)
    text = mutated(tokens, [tokens], draw(_MUTATION_SEEDS), most=4)
    body = _corrupt(draw, text.encode("utf-8", errors="surrogatepass"))
    if draw(_FIFTHS) == 0:
        kind = draw(_DOCUMENT_TYPES)
    method = draw(_STORE_METHODS)
    graph = draw(_GRAPHS)
    target = "/graph-store?default" if graph == "default" else "/graph-store?graph=" + quote(graph)
    headers: list[Header] = [("Authorization", f"Bearer {TOKEN}")]
    if kind:
        headers.append(("Content-Type", kind))
    headers += draw(accept_headers())
    sends_body = method in ("PUT", "POST")
    return Probe("graph-store", method, target, tuple(headers), body if sends_body else b"")


# ---------------------------------------------------------------------------
# schemathesis


def _register_text_serializers() -> None:
    """The SPARQL and RDF bodies are text; schemathesis sends them as it sends text/plain."""
    schemathesis.serializer.alias([*SPARQL_TYPES, *RDF_TYPES], "text/plain")


def schema_probes(base: str) -> st.SearchStrategy[Probe]:
    """schemathesis cases, valid and invalid, for every operation of ``/openapi.json``."""
    _register_text_serializers()
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    cases = st.one_of(
        schema.as_strategy(generation_mode=GenerationMode.POSITIVE),
        schema.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    return cases.map(lambda case: _case_probe(case, base))


def _case_probe(case: Any, base: str) -> Probe:
    arguments = case.as_transport_kwargs(base_url=base)
    headers = dict(arguments.get("headers") or {})
    if case.method.upper() in ("PUT", "POST", "DELETE"):
        # Writes carry the token, so some get past it; the SPARQL probes try without.
        headers["Authorization"] = f"Bearer {TOKEN}"
    prepared = requests.Request(
        method=arguments["method"],
        url=arguments["url"],
        headers=headers,
        params=arguments.get("params"),
        data=arguments.get("data"),
        json=arguments.get("json"),
        files=arguments.get("files"),
        cookies=arguments.get("cookies"),
    ).prepare()
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    sent = tuple(
        (name, _header_text(str(value)))
        for name, value in prepared.headers.items()
        if name.lower() not in ("content-length", "connection", "host")
    )
    return Probe("schemathesis", prepared.method or "GET", prepared.path_url, sent, body)


# ---------------------------------------------------------------------------
# Drawing with hypothesis, outside a test


def draw_many(strategy: st.SearchStrategy[Any], count: int, seed: int) -> list[Any]:
    """``count`` values of ``strategy``, the same ones for the same seed."""
    drawn: list[Any] = []
    if count <= 0:
        return drawn

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @hypothesis.seed(seed)
    @hypothesis.given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn[:count]


CHUNK = 250


@dataclass(frozen=True)
class Chunk:
    """A batch of probes drawn from one source with its own seed."""

    source: str
    size: int
    seed: int


def plan(count: int, seed: int) -> list[Chunk]:
    """The batches of one run, the sources interleaved, each batch with its own seed."""
    shares = {
        "schemathesis": round(count * SCHEMATHESIS_SHARE),
        "graph-store": round(count * GRAPH_STORE_SHARE),
    }
    shares["sparql"] = count - sum(shares.values())
    queues = {
        source: [min(CHUNK, total - start) for start in range(0, total, CHUNK)]
        for source, total in shares.items()
    }
    chunks: list[Chunk] = []
    while any(queues.values()):
        for source, sizes in queues.items():
            if sizes:
                chunks.append(Chunk(source, sizes.pop(0), seed * 1_000 + len(chunks)))
    return chunks


class Generators:
    """The strategies of one run (the schema is read once from the running server)."""

    def __init__(self, base: str) -> None:
        documents = [(kind, tokenised([text])[0]) for kind, text in rdf_seeds()]
        self.strategies = {
            "schemathesis": schema_probes(base),
            "graph-store": graph_store_probes(documents),
            "sparql": sparql_probes(tokenised(query_seeds())),
        }

    def draw(self, chunk: Chunk) -> list[Probe]:
        """The chunk's probes; hypothesis may run short, then SPARQL probes fill in."""
        probes = draw_many(self.strategies[chunk.source], chunk.size, chunk.seed)
        extra_seed = chunk.seed + 500
        while len(probes) < chunk.size:
            probes += draw_many(self.strategies["sparql"], chunk.size - len(probes), extra_seed)
            extra_seed += 1
        return probes


# ---------------------------------------------------------------------------
# Memory


def _descendants(pid: int) -> set[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _lasting(processes: dict[str, float]) -> float:
    """Memory of the processes that last the server's life: the app and the writer."""
    return sum(mib for name, mib in processes.items() if not name.startswith("reader"))


def rss_by_process(pid: int) -> dict[str, float]:
    """Resident memory (MiB) of ``pid`` and every process under it, by role and pid."""
    found: dict[str, float] = {}
    for member in (pid, *_descendants(pid)):
        try:
            status = Path(f"/proc/{member}/status").read_text()
            command = Path(f"/proc/{member}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        role = "http"
        if b"scograph.server.worker" in command:
            role = command[command.index(b"scograph.server.worker") + 1].decode()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                found[f"{role} {member}"] = int(line.split()[1]) / 1024
    return found


def tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and every process under it, in MiB."""
    return sum(rss_by_process(pid).values())


class PeakWatcher:
    """Samples the server tree's memory every quarter second and keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mib(self.pid))
            self._stop.wait(0.25)

    @contextmanager
    def running(self) -> Iterator["PeakWatcher"]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()
            self.peak = max(self.peak, tree_rss_mib(self.pid))


# ---------------------------------------------------------------------------
# Running


WARM_UP = (
    "/",
    "/search?q=qing",
    "/search?q=qing&format=json",
    "/map",
    "/map/data.json",
    "/network",
    "/network/data.json",
    "/query",
    "/queries",
    "/doc/city/qingdao",
    "/doc/city/qingdao.ttl",
    "/id/city/qingdao",
    "/dumps/",
    "/dumps/latest/",
    "/ontology",
    "/ontology.ttl",
    "/.well-known/void",
    "/openapi.json",
    "/sparql",
    "/graph-store?default",
)


def warm_up(server: Server, rounds: int = 1) -> None:
    """Touch every page and run every example query, so the baseline has its caches."""
    examples = [path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*.rq"))]
    for _ in range(rounds):
        for target in WARM_UP:
            send(server.base, "GET", target, timeout=60)
        for text in examples:
            send(
                server.base,
                "POST",
                "/sparql",
                (("Content-Type", "application/sparql-query"),),
                text.encode(),
                timeout=60,
            )


def fire(base: str, probe: Probe) -> Outcome:
    """Send one probe; a hang or a dropped connection is an outcome too."""
    started = time.monotonic()
    try:
        response = send(
            base, probe.method, probe.target, probe.headers, probe.body, timeout=DEADLINE
        )
    except TimeoutError:
        return Outcome(probe, None, time.monotonic() - started, "hang")
    except Exception as error:
        # A reset connection, or an answer http.client cannot read: no answer either way.
        return Outcome(probe, None, time.monotonic() - started, f"no answer ({error!r})"[:120])
    if response.seconds > DEADLINE:
        return Outcome(probe, response.status, response.seconds, "hang")
    if response.status == 503 and TIME_LIMIT in response.text:
        return Outcome(probe, response.status, response.seconds, "503 at the time limit")
    return Outcome(probe, response.status, response.seconds)


@dataclass
class Report:
    """The figures of one run."""

    requests: int
    seconds: float
    generated_in: float
    statuses: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    failures: list[Outcome] = field(default_factory=list)
    rss_baseline: float = 0.0
    rss_peak: float = 0.0
    rss_after: float = 0.0
    slowest: float = 0.0
    server_alive: bool = True
    warm_up_requests: int = 0
    slowest_probe: Outcome | None = None
    time_limited_probes: list[Outcome] = field(default_factory=list)
    processes_before: dict[str, float] = field(default_factory=dict)
    processes_after: dict[str, float] = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        return sum(n for label, n in self.statuses.items() if label[0] == "5") - self.time_limited

    @property
    def time_limited(self) -> int:
        return self.statuses.get("503 at the time limit", 0)

    @property
    def hangs(self) -> int:
        return self.statuses.get("hang", 0)

    @property
    def no_answer(self) -> int:
        return sum(n for label, n in self.statuses.items() if label.startswith("no answer"))

    @property
    def lasting_before(self) -> float:
        return _lasting(self.processes_before)

    @property
    def lasting_after(self) -> float:
        return _lasting(self.processes_after)

    @property
    def largest_reader(self) -> float:
        readers = [mib for name, mib in self.processes_after.items() if name.startswith("reader")]
        return max(readers, default=0.0)

    @property
    def memory_came_back(self) -> bool:
        # A leak would stay in the processes that last (the app, the writer). Readers
        # come and go (replaced after the time limit, spares for long queries), and a
        # new one that has answered queries holds more of the engine's caches than a
        # fresh one did at the baseline: each is held to a bound instead.
        lasting_limit = max(
            self.lasting_before * (1 + RSS_MARGIN_FRACTION), self.lasting_before + RSS_MARGIN_MIB
        )
        return self.lasting_after <= lasting_limit and self.largest_reader <= READER_RSS_MIB

    @property
    def passed(self) -> bool:
        failed = self.server_errors or self.hangs or self.no_answer or not self.server_alive
        return not failed and self.memory_came_back

    def _slowest_label(self) -> str:
        if self.slowest_probe is None:
            return "none"
        probe = self.slowest_probe.probe
        return f"{self.slowest_probe.label}: {probe.source} {probe.method} {probe.target[:60]!r}"

    def table(self) -> str:
        histogram = ", ".join(f"{label}: {n}" for label, n in sorted(self.statuses.items()))
        sources = ", ".join(f"{name} {n}" for name, n in sorted(self.sources.items()))
        rows = [
            (
                "requests sent",
                f"{self.requests} measured + {self.warm_up_requests} to warm up ({sources})",
            ),
            (
                "time",
                f"{self.seconds:.1f} s ({self.requests / self.seconds:.0f} requests/s), of which "
                f"{self.generated_in:.1f} s drawing them while earlier ones were sent",
            ),
            ("statuses", histogram),
            ("5xx (server errors)", str(self.server_errors)),
            (f"stopped at the {QUERY_TIMEOUT:g} s limit (503)", str(self.time_limited)),
            (f"hangs (over {DEADLINE:.0f} s)", str(self.hangs)),
            ("no answer", str(self.no_answer)),
            ("server still up", "yes" if self.server_alive else "NO"),
            ("slowest answer", f"{self.slowest:.2f} s ({self._slowest_label()})"),
            ("RSS baseline", f"{self.rss_baseline:.1f} MiB"),
            ("RSS peak", f"{self.rss_peak:.1f} MiB"),
            (
                "RSS after",
                f"{self.rss_after:.1f} MiB, the pool at rest again; app and writer "
                f"{self.lasting_before:.1f} → {self.lasting_after:.1f} MiB (allowed: + max("
                f"{RSS_MARGIN_FRACTION:.0%}, {RSS_MARGIN_MIB:.0f} MiB)), largest reader "
                f"{self.largest_reader:.1f} MiB (allowed {READER_RSS_MIB:.0f}) "
                f"{'ok' if self.memory_came_back else 'NOT BACK'}",
            ),
            (
                "RSS by process",
                ", ".join(
                    f"{name} {self.processes_before.get(name, 0):.0f}"
                    f"→{self.processes_after.get(name, 0):.0f}"
                    for name in sorted({*self.processes_before, *self.processes_after})
                ),
            ),
            ("result", "PASS" if self.passed else "FAIL"),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)


def run(
    count: int,
    seed: int = 1,
    clients: int = 4,
    folder: Path | None = None,
    log: Callable[[str], None] = print,
) -> Report:
    """Start a server, send ``count`` fuzzed requests, and return the figures."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="scograph-fuzz-") as scratch:
        server = start_server(
            [],
            {
                "SCOGRAPH_WRITE_TOKEN": TOKEN,
                "SCOGRAPH_READERS": "2",
                "SCOGRAPH_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
                "SCOGRAPH_SERVICE_ALLOWLIST": "[]",
            },
            folder or Path(scratch),
            "fuzz",
        )
        try:
            return _run_against(server, count, seed, clients, log)
        finally:
            stop_server(server)


def _send_all(
    server: Server, chunks: Sequence[Chunk], generators: Generators, clients: int, report: Report
) -> None:
    """Draw and send every chunk (each while the one before is sent); record the outcomes."""
    futures = []
    with ThreadPoolExecutor(clients) as pool:
        for chunk in chunks:
            drawing = time.monotonic()
            probes = generators.draw(chunk)
            report.generated_in += time.monotonic() - drawing
            futures += [pool.submit(fire, server.base, probe) for probe in probes]
        for future in futures:
            outcome = future.result()
            report.statuses[outcome.label.split(" (")[0]] += 1
            report.sources[outcome.probe.source] += 1
            if outcome.seconds > report.slowest:
                report.slowest, report.slowest_probe = outcome.seconds, outcome
            if outcome.label == "503 at the time limit":
                report.time_limited_probes.append(outcome)
            elif outcome.problem or (outcome.status or 0) >= 500:
                report.failures.append(outcome)


def _at_rest(server: Server, resting: int) -> dict[str, float]:
    """The memory of each process once the pool is back to its resting size (or at the bound)."""
    deadline = time.monotonic() + POOL_SETTLE_SECONDS
    processes = rss_by_process(server.process.pid)
    while len(processes) > resting and time.monotonic() < deadline:
        time.sleep(0.5)
        processes = rss_by_process(server.process.pid)
    return processes


def _run_against(
    server: Server, count: int, seed: int, clients: int, log: Callable[[str], None]
) -> Report:
    generators = Generators(server.base)
    resting = len(rss_by_process(server.process.pid))
    warm_up(server)
    # The baseline is taken after a round of fuzzing like the measured one (other
    # requests, same kinds), so caches that any workload fills once are in it and
    # what is compared is what the measured requests leave behind.
    report = Report(count, 0.0, 0.0)
    report.warm_up_requests = max(200, count // 10)
    _send_all(server, plan(report.warm_up_requests, seed + 1_000), generators, clients, report)
    time.sleep(SETTLE_SECONDS)
    report.processes_before = _at_rest(server, resting)
    baseline = report.rss_baseline = sum(report.processes_before.values())
    log(f"baseline {baseline:.1f} MiB; sending {count} requests (seed {seed})")
    report.generated_in = 0.0
    started = time.monotonic()
    with PeakWatcher(server.process.pid).running() as watcher:
        _send_all(server, plan(count, seed), generators, clients, report)
    report.seconds = time.monotonic() - started
    report.requests = sum(report.sources.values()) - report.warm_up_requests
    report.rss_peak = max(watcher.peak, baseline)
    time.sleep(SETTLE_SECONDS)
    report.processes_after = _at_rest(server, resting)
    report.rss_after = sum(report.processes_after.values())
    report.server_alive = server.process.poll() is None
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000, help="how many to send")
    parser.add_argument("--seed", type=int, default=1, help="the same seed sends the same requests")
    parser.add_argument("--clients", type=int, default=4, help="requests in flight at once")
    options = parser.parse_args(argv)
    report = run(options.requests, options.seed, options.clients)
    print(report.table())
    for outcome in report.failures[:20] + report.time_limited_probes[:5]:
        print(f"\n{outcome.label} after {outcome.seconds:.1f} s: {outcome.probe.describe()}")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
