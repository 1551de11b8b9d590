"""Read the W3C SPARQL 1.1 test manifests into plain, immutable test descriptions.

The manifests are parsed with rdflib. Every file they name is given its canonical W3C IRI
(the manifests' own namespace), so that relative IRIs in queries, data and expected results
resolve the same way as in the published suite; `local_path` maps such an IRI back to the
copy in `rdf-tests/`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

SUITE_DIR = Path(__file__).parent / "rdf-tests" / "sparql" / "sparql11"
SUITE_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"

# The entry points: the three SPARQL 1.1 conformance manifests we run, the two protocol
# manifests, and the manifests of the folders we exclude (entailment, SERVICE) so that the
# exclusions are counted rather than silently absent.
ENTRY_MANIFESTS = (
    "manifest-sparql11-query.ttl",
    "manifest-sparql11-update.ttl",
    "manifest-sparql11-results.ttl",
    "protocol/manifest.ttl",
    "graph-store-protocol/manifest.ttl",
    "entailment/manifest.ttl",
    "service/manifest.ttl",
)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")

QUERY_SYNTAX = "query-syntax"
UPDATE_SYNTAX = "update-syntax"
QUERY_EVALUATION = "query-evaluation"
UPDATE_EVALUATION = "update-evaluation"
PROTOCOL = "protocol"
GRAPH_STORE_PROTOCOL = "graph-store-protocol"
CATEGORIES = (
    QUERY_SYNTAX,
    UPDATE_SYNTAX,
    QUERY_EVALUATION,
    UPDATE_EVALUATION,
    PROTOCOL,
    GRAPH_STORE_PROTOCOL,
)

# hts: status names used by the protocol manifests, as codes or classes ("2xx").
_STATUS_NAMES = {
    "OK": "200",
    "Created": "201",
    "NoContent": "204",
    "NotFound": "404",
}


@dataclass(frozen=True)
class Dataset:
    """An RDF dataset given as files: `default` merge into the default graph, `named` pairs
    (graph IRI, file IRI)."""

    default: tuple[str, ...] = ()
    named: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Exchange:
    """One HTTP request of a protocol test and what its response must show."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    body_encoding: str
    statuses: frozenset[str]  # exact codes ("201") or classes ("2xx")
    expected_format: str | None = None  # "boolean", "tabular" or "RDF"
    expected_boolean: bool | None = None
    expected_content_type: str | None = None
    expected_body: str | None = None
    location_variable: str | None = None  # e.g. "$LOCATION$", filled from the Location header


@dataclass(frozen=True)
class W3CTest:
    """One test of the suite, with everything a runner needs and no rdflib nodes."""

    iri: str
    id: str
    kind: str
    category: str | None
    name: str
    approval: str = ""  # dawgt:approval local name ("Approved", "Proposed", ...), "" if none
    excluded: str | None = None  # why the test cannot be run on our targets at all
    operation: str | None = None  # IRI of the .rq or .ru file
    dataset: Dataset = Dataset()
    result: str | None = None  # IRI of the expected results of a query
    expected_dataset: Dataset | None = None  # state of the store after an update
    exchanges: tuple[Exchange, ...] = ()


def local_path(iri: str) -> Path:
    """Return the file of the copied suite that has the canonical IRI `iri`.

    Raises ValueError for an IRI outside the suite.
    """
    if not iri.startswith(SUITE_BASE):
        raise ValueError(f"not a file of the suite: {iri}")
    return SUITE_DIR / iri.removeprefix(SUITE_BASE)


def stable_id(iri: str) -> str:
    """Return the stable id of a test: its folder and local name, e.g. `aggregates/agg01`.

    Local names alone collide (`test_1` is in syntax-query and syntax-update-1), so the
    folder segment of the test IRI is kept.
    """
    namespace, _, local = iri.rpartition("#")
    folder = namespace.rstrip("/").rsplit("/", 2)[-2]
    return f"{folder}/{local}"


def runnable_tests(include_proposed: bool = False) -> list[W3CTest]:
    """The tests we run: of a category we run, not excluded, approved or without approval
    status (the newer tests carry none); with `include_proposed`, dawgt:Proposed ones too."""
    approvals = {"", "Approved", "Proposed"} if include_proposed else {"", "Approved"}
    return [
        t
        for t in load_suite()
        if t.category is not None and t.excluded is None and t.approval in approvals
    ]


def not_run_counts(include_proposed: bool = False) -> Counter[str]:
    """How many tests are not run, by reason."""
    run = {t.iri for t in runnable_tests(include_proposed)}
    reasons: Counter[str] = Counter()
    for t in load_suite():
        if t.iri in run:
            continue
        if t.excluded:
            reasons[t.excluded] += 1
        elif t.category is None:
            reasons[f"kind not run: {t.kind}"] += 1
        else:
            reasons[f"not approved (dawgt:{t.approval})"] += 1
    return reasons


@cache
def load_suite() -> tuple[W3CTest, ...]:
    """Return every test reachable from ENTRY_MANIFESTS, in manifest order."""
    tests: list[W3CTest] = []
    for relative in ENTRY_MANIFESTS:
        tests.extend(_load_manifest(SUITE_BASE + relative))
    return tuple(tests)


def _load_manifest(manifest_iri: str) -> list[W3CTest]:
    """Parse one manifest and those it includes, depth first."""
    graph = Graph()
    graph.parse(local_path(manifest_iri), format="turtle", publicID=manifest_iri)
    tests: list[W3CTest] = []
    for manifest in graph.subjects(RDF.type, MF.Manifest):
        for included in _list(graph, graph.value(manifest, MF.include)):
            tests.extend(_load_manifest(str(included)))
        tests.extend(
            _describe(graph, entry) for entry in _list(graph, graph.value(manifest, MF.entries))
        )
    return tests


def _list(graph: Graph, head: Node | None) -> list[Node]:
    """Return the members of an RDF list, or nothing when there is no list."""
    return [] if head is None else list(Collection(graph, head))


def _describe(graph: Graph, test: Node) -> W3CTest:
    """Turn one manifest entry into a W3CTest."""
    kind = str(graph.value(test, RDF.type)).rpartition("#")[2]
    action = graph.value(test, MF.action)
    result = graph.value(test, MF.result)
    operation = _operation(graph, action)
    common = {
        "iri": str(test),
        "id": stable_id(str(test)),
        "kind": kind,
        "category": _category(kind, operation),
        "name": str(graph.value(test, MF.name) or ""),
        "approval": str(graph.value(test, DAWGT.approval) or "").rpartition("#")[2],
        "excluded": _exclusion(graph, test, action),
        "operation": operation,
    }
    if kind in ("ProtocolTest", "GraphStoreProtocolTest"):
        return W3CTest(
            **common,
            dataset=_update_dataset(graph, test),
            exchanges=tuple(_exchanges(graph, action)),
        )
    if kind == "UpdateEvaluationTest":
        return W3CTest(
            **common,
            dataset=_update_dataset(graph, action),
            expected_dataset=_update_dataset(graph, result),
        )
    if isinstance(action, BNode):
        dataset = Dataset(
            default=tuple(str(d) for d in graph.objects(action, QT.data)),
            named=tuple((str(g), str(g)) for g in graph.objects(action, QT.graphData)),
        )
        return W3CTest(**common, dataset=dataset, result=_iri_or_none(result))
    return W3CTest(**common)


def _operation(graph: Graph, action: Node | None) -> str | None:
    """Return the IRI of the query or update file of an action (syntax tests name it directly)."""
    if isinstance(action, URIRef):
        return str(action)
    if action is None:
        return None
    return _iri_or_none(graph.value(action, QT.query) or graph.value(action, UT.request))


def _iri_or_none(node: Node | None) -> str | None:
    return str(node) if isinstance(node, URIRef) else None


def _category(kind: str, operation: str | None) -> str | None:
    """Return the category a test is counted in, or None for kinds we do not run."""
    if kind in ("PositiveSyntaxTest11", "NegativeSyntaxTest11"):
        # delete-insert files its update syntax tests under the query kinds; the file says which.
        return UPDATE_SYNTAX if (operation or "").endswith(".ru") else QUERY_SYNTAX
    return {
        "PositiveUpdateSyntaxTest11": UPDATE_SYNTAX,
        "NegativeUpdateSyntaxTest11": UPDATE_SYNTAX,
        "QueryEvaluationTest": QUERY_EVALUATION,
        "CSVResultFormatTest": QUERY_EVALUATION,
        "UpdateEvaluationTest": UPDATE_EVALUATION,
        "ProtocolTest": PROTOCOL,
        "GraphStoreProtocolTest": GRAPH_STORE_PROTOCOL,
    }.get(kind)


def _exclusion(graph: Graph, test: Node, action: Node | None) -> str | None:
    """Return why a test cannot be run, or None when it can."""
    if action is not None and graph.value(action, SD.entailmentRegime) is not None:
        return "needs an entailment regime"
    if (test, MF.feature, SD.BasicFederatedQuery) in graph or (
        action is not None and graph.value(action, QT.serviceData) is not None
    ):
        return "needs a remote SERVICE"
    if (test, MF.requires, MF.DirectGraphIdentification) in graph:
        return "needs direct graph identification (graphs are named by ?graph= only)"
    return None


def _update_dataset(graph: Graph, node: Node | None) -> Dataset:
    """Read ut:data / ut:graphData (graph named by rdfs:label) of an update action or result."""
    if node is None:
        return Dataset()
    named = []
    for entry in graph.objects(node, UT.graphData):
        file_iri = str(graph.value(entry, UT.graph))
        named.append((str(graph.value(entry, RDFS.label) or file_iri), file_iri))
    return Dataset(
        default=tuple(str(d) for d in graph.objects(node, UT.data)),
        named=tuple(named),
    )


def _exchanges(graph: Graph, action: Node | None) -> list[Exchange]:
    """Read the ht:Request list of a protocol test, in order."""
    if action is None:
        return []
    return [_exchange(graph, request) for request in _list(graph, graph.value(action, HT.requests))]


def _exchange(graph: Graph, request: Node) -> Exchange:
    response = graph.value(request, HT.resp)
    body = graph.value(request, HT.body)
    expected_body = graph.value(response, HT.body)
    expected_headers = dict(_headers(graph, response))
    boolean = graph.value(response, MF.expectedBoolean)
    return Exchange(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=tuple(_headers(graph, request)),
        body=None if body is None else str(graph.value(body, CNT.chars)),
        body_encoding=str(graph.value(body, CNT.characterEncoding) or "UTF-8"),
        statuses=frozenset(_status(s) for s in graph.objects(response, MF.expectedStatus)),
        expected_format=_str_or_none(graph.value(response, MF.expectedFormat)),
        expected_boolean=None if boolean is None else bool(Literal(boolean).toPython()),
        expected_content_type=expected_headers.get("content-type"),
        expected_body=None if expected_body is None else str(graph.value(expected_body, CNT.chars)),
        location_variable=_str_or_none(graph.value(response, MF.expectedLocation)),
    )


def _headers(graph: Graph, node: Node | None) -> list[tuple[str, str]]:
    if node is None:
        return []
    return [
        (str(graph.value(h, HT.fieldName)).lower(), str(graph.value(h, HT.fieldValue)))
        for h in _list(graph, graph.value(node, HT.headers))
    ]


def _status(node: Node) -> str:
    """Map hts:StatusCode2xx to "2xx" and hts:Created to "201"."""
    name = str(node).removeprefix(str(HTS))
    if name.startswith("StatusCode"):
        return name.removeprefix("StatusCode")
    return _STATUS_NAMES[name]


def _str_or_none(node: Node | None) -> str | None:
    return None if node is None else str(node)
