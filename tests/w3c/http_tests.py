"""Run the protocol and Graph Store Protocol tests: each is a list of HTTP requests, written
in the manifest as ht:Request resources, whose responses must show given statuses, formats,
booleans, headers and bodies."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx

from .client import SuiteClient
from .equality import graph_difference, graphs_match
from .manifest import Exchange, W3CTest
from .rdf_io import media_type, parse_graph
from .results import Table, parse_results

# What each expected format of the protocol tests admits (the Protocol's own lists).
_FORMATS = {
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
    "tabular": {
        "application/sparql-results+xml",
        "application/sparql-results+json",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {
        "application/rdf+xml",
        "text/turtle",
        "application/n-triples",
        "text/html",
        "application/xhtml+xml",
    },
}
_WRITE_METHODS = {"POST", "PUT", "DELETE", "PATCH"}


def run_exchanges(test: W3CTest, client: SuiteClient) -> None:
    """Load the test's graphs, then send its requests in order, checking each response."""
    for name, file_iri in test.dataset.named:
        client.load(file_iri, name)
    variables: dict[str, str] = {}
    for step, exchange in enumerate(test.exchanges, start=1):
        response = _send(client, test, exchange, variables)
        where = f"request {step} ({exchange.method} {exchange.path[:80]})"
        _check(exchange, response, where)
        if exchange.location_variable:
            location = response.headers.get("location")
            assert location, f"{where}: no Location header"
            variables[exchange.location_variable] = location


def _send(
    client: SuiteClient, test: W3CTest, exchange: Exchange, variables: dict[str, str]
) -> httpx.Response:
    """Send one request to the target's endpoint that the manifest's path stands for."""
    path, body = exchange.path, exchange.body
    for name, value in variables.items():
        path = path.replace(name, value)
        body = body.replace(name, value) if body is not None else None
    headers = dict(exchange.headers)
    url, is_write = _url(client, test, exchange, path)
    if is_write:
        headers.update(client.write_headers())
    if exchange.method == "HEAD":
        # A server that wrongly sends a body with HEAD would corrupt the kept-alive
        # connection for the next test; a fresh connection keeps tests independent.
        headers["connection"] = "close"
    content = None if body is None else body.encode(exchange.body_encoding)
    request = client.http.build_request(exchange.method, url, content=content, headers=headers)
    if "accept" not in headers:
        # httpx adds `Accept: */*`; the tests are about requests with no Accept at all.
        del request.headers["accept"]
    return client.http.send(request)


def _url(client: SuiteClient, test: W3CTest, exchange: Exchange, path: str) -> tuple[str, bool]:
    """Map a manifest path (`/sparql/...` or `/gsp...`) to a target URL; tell if it writes.

    The query string is kept byte for byte: some tests are about its percent-encoding.
    """
    target = client.target
    prefix, _, query_string = path.partition("?")
    suffix = f"?{query_string}" if query_string else ""
    if prefix.startswith("/gsp"):
        return target.graph_store_url + suffix, exchange.method in _WRITE_METHODS
    if _is_update(test, exchange, query_string):
        return target.update_url + suffix, True
    return target.query_url + suffix, False


def _is_update(test: W3CTest, exchange: Exchange, query_string: str) -> bool:
    """Tell whether a `/sparql/` request is an update (for servers with two endpoints).

    The request says so by its media type or parameters; a malformed one that says neither
    belongs to the operation its test is about, which the test's name gives.
    """
    content_type = media_type(dict(exchange.headers).get("content-type"))
    if content_type == "application/sparql-update":
        return True
    if content_type == "application/sparql-query":
        return False
    parameters = set(parse_qs(query_string)) | set(parse_qs(exchange.body or ""))
    if parameters & {"update", "using-graph-uri", "using-named-graph-uri"}:
        return True
    if "query" in parameters:
        return False
    return "update" in test.id


def _check(exchange: Exchange, response: httpx.Response, where: str) -> None:
    """Assert everything the manifest expects of one response."""
    status = str(response.status_code)
    allowed = {s for s in exchange.statuses if s == status or s == f"{status[0]}xx"}
    assert allowed, (
        f"{where}: expected HTTP {' or '.join(sorted(exchange.statuses))}, "
        f"got {status}: {response.text[:200]}"
    )
    content_type = media_type(response.headers.get("content-type"))
    if exchange.expected_format:
        assert content_type in _FORMATS[exchange.expected_format], (
            f"{where}: expected a {exchange.expected_format} format, got {content_type!r}"
        )
    if exchange.expected_boolean is not None:
        result = parse_results(response.content, content_type)
        assert result is exchange.expected_boolean, (
            f"{where}: expected {exchange.expected_boolean}, got "
            f"{'a solution sequence' if isinstance(result, Table) else result}"
        )
    if exchange.expected_content_type:
        expected_type = media_type(exchange.expected_content_type)
        assert content_type == expected_type, (
            f"{where}: expected {expected_type}, got {content_type!r}"
        )
    if exchange.expected_body is not None:
        expected = parse_graph(
            exchange.expected_body, exchange.expected_content_type or "text/turtle"
        )
        actual = parse_graph(response.content, content_type)
        assert graphs_match(expected, actual), graph_difference(
            f"{where}: the graph", expected, actual
        )
