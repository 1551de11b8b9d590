"""Run one W3C test against a server over HTTP: syntax, query and update evaluation.

Each runner returns when the test passes and raises AssertionError saying why when it fails.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from rdflib import Graph

from .client import SuiteClient, SuiteError
from .equality import graph_difference, graphs_match
from .http_tests import run_exchanges
from .manifest import (
    GRAPH_STORE_PROTOCOL,
    PROTOCOL,
    QUERY_EVALUATION,
    QUERY_SYNTAX,
    UPDATE_EVALUATION,
    UPDATE_SYNTAX,
    Dataset,
    W3CTest,
    local_path,
)
from .rdf_io import GRAPH_MEDIA_TYPES, media_type, parse_graph, read_graph
from .results import (
    RESULT_MEDIA_TYPES,
    QueryResult,
    compare_results,
    parse_results,
    result_set_from_graph,
)
from .sparql_text import has_top_level_order_by, with_base

# Any query form may be a syntax test: ask for results or a graph, whichever it gives.
_ANY_RESULT = "application/sparql-results+json, text/turtle;q=0.9"


def run_case(test: W3CTest, client: SuiteClient) -> None:
    """Run `test` on a freshly emptied store; raise AssertionError if it fails.

    Query syntax tests skip the reset: they do not depend on the data, and a read after a
    write can be slow (a server may have to open a new snapshot of its store).
    """
    if test.category != QUERY_SYNTAX:
        client.reset()
    RUNNERS[test.category](test, client)


def run_query_syntax(test: W3CTest, client: SuiteClient) -> None:
    """A valid query must not be refused as malformed (400); an invalid one must get 400.

    Other statuses pass a valid query: evaluating it may fail for reasons that are not
    syntax, such as an unknown extension function (5xx).
    """
    response = client.query(_operation_text(test), accept=_ANY_RESULT)
    if test.kind.startswith("Positive"):
        assert response.status_code != 400, _status_message("a valid query", response)
    else:
        assert response.status_code == 400, _status_message("an invalid query", response)


def run_update_syntax(test: W3CTest, client: SuiteClient) -> None:
    """A valid update must not be refused as malformed (400); an invalid one must get 400.

    Other statuses pass a valid update: running it may fail for reasons that are not syntax,
    such as LOAD of an unreachable document (5xx) or a server that does not LOAD (403).
    """
    response = client.update(_operation_text(test))
    if test.kind.startswith("Positive"):
        assert response.status_code != 400, _status_message("a valid update", response)
    else:
        assert response.status_code == 400, _status_message("an invalid update", response)


def run_query_evaluation(test: W3CTest, client: SuiteClient) -> None:
    """Load the test's dataset, run its query and compare the results with the expected ones."""
    assert test.result is not None, "the manifest names no result"
    _load(client, test.dataset)
    query = _operation_text(test)
    expected = _expected_result(test.result)
    accept = _accept_for(test.result, expected)
    response = client.query(query, accept=accept)
    assert response.is_success, _status_message("the query", response)
    content_type = media_type(response.headers.get("content-type"))
    assert content_type == accept, f"asked for {accept}, got {content_type!r}"
    if isinstance(expected, Graph):
        actual_graph = parse_graph(response.content, content_type)
        assert graphs_match(expected, actual_graph), graph_difference(
            "the result graph", expected, actual_graph
        )
        return
    actual = parse_results(response.content, content_type)
    difference = compare_results(expected, actual, ordered=has_top_level_order_by(query))
    assert difference is None, difference


def run_update_evaluation(test: W3CTest, client: SuiteClient) -> None:
    """Load the dataset, run the update, then read every graph back and compare."""
    assert test.expected_dataset is not None, "the manifest names no expected state"
    _load(client, test.dataset)
    response = client.update(_operation_text(test))
    assert response.is_success, _status_message("the update", response)
    expected = test.expected_dataset
    _assert_graph(client, None, read_graph(*expected.default))
    expected_named = {name: read_graph(*_files_of(expected, name)) for name, _ in expected.named}
    expected_names = {name for name, graph in expected_named.items() if len(graph)}
    actual_names = client.graph_names()
    assert actual_names == expected_names, (
        f"named graphs differ: missing {sorted(expected_names - actual_names)}, "
        f"unexpected {sorted(actual_names - expected_names)}"
    )
    for name in sorted(expected_names):
        _assert_graph(client, name, expected_named[name])


RUNNERS: dict[str, Callable[[W3CTest, SuiteClient], None]] = {
    QUERY_SYNTAX: run_query_syntax,
    UPDATE_SYNTAX: run_update_syntax,
    QUERY_EVALUATION: run_query_evaluation,
    UPDATE_EVALUATION: run_update_evaluation,
    PROTOCOL: run_exchanges,
    GRAPH_STORE_PROTOCOL: run_exchanges,
}


def _operation_text(test: W3CTest) -> str:
    """The query or update of a test, based on its own file IRI."""
    assert test.operation is not None, "the manifest names no query or update"
    return with_base(local_path(test.operation).read_text(encoding="utf-8"), test.operation)


def _load(client: SuiteClient, dataset: Dataset) -> None:
    for file_iri in dataset.default:
        client.load(file_iri, None)
    for name, file_iri in dataset.named:
        client.load(file_iri, name)


def _files_of(dataset: Dataset, name: str) -> list[str]:
    return [file_iri for graph, file_iri in dataset.named if graph == name]


def _expected_result(result_iri: str) -> QueryResult | Graph:
    """Read an expected-result file: results, a boolean, or a graph.

    RDF files may hold a DAWG rs:ResultSet, which is a solution sequence, not a graph.
    """
    extension = result_iri.rpartition(".")[2]
    data = local_path(result_iri).read_bytes()
    if extension in RESULT_MEDIA_TYPES:
        return parse_results(data, RESULT_MEDIA_TYPES[extension])
    graph = parse_graph(data, GRAPH_MEDIA_TYPES[extension], base_iri=result_iri)
    result_set = result_set_from_graph(graph)
    return graph if result_set is None else result_set


def _accept_for(result_iri: str, expected: QueryResult | Graph) -> str:
    """Ask for the format of the expected file (XML results for an rs:ResultSet)."""
    extension = result_iri.rpartition(".")[2]
    if extension in RESULT_MEDIA_TYPES:
        return RESULT_MEDIA_TYPES[extension]
    if isinstance(expected, Graph):
        return GRAPH_MEDIA_TYPES[extension]
    return RESULT_MEDIA_TYPES["srx"]


def _assert_graph(client: SuiteClient, name: str | None, expected: Graph) -> None:
    """Read a graph back via the Graph Store Protocol and compare it with `expected`."""
    label = name or "the default graph"
    response = client.read_graph(name)
    if response.status_code == 404 and not len(expected):
        return  # an absent graph is an empty graph
    if not response.is_success:
        raise SuiteError(_status_message(f"reading {label}", response))
    actual = parse_graph(response.content, response.headers.get("content-type", ""))
    assert graphs_match(expected, actual), graph_difference(label, expected, actual)


def _status_message(what: str, response: httpx.Response) -> str:
    return f"{what} got HTTP {response.status_code}: {response.text[:300]}"
