"""The server under test as a small description (its endpoint URLs), and the HTTP
operations the runners need on it: reset, load, query, update, read back."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import httpx

from .rdf_io import file_as_ntriples, media_type
from .results import Table, parse_results


@dataclass(frozen=True)
class Target:
    """Where a SPARQL server takes each kind of request.

    `token` is sent as a Bearer token with every write (update, Graph Store write).
    """

    name: str
    query_url: str
    update_url: str
    graph_store_url: str
    token: str | None = None


class SuiteError(AssertionError):
    """A server answered a set-up or read-back request wrongly; the test fails with it."""


class SuiteClient:
    """One keep-alive HTTP client bound to a Target."""

    def __init__(self, target: Target, timeout: float = 60.0) -> None:
        self.target = target
        self.http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def write_headers(self, content_type: str | None = None) -> dict[str, str]:
        """Headers for a write: the Bearer token and, if given, the Content-Type."""
        headers = {"content-type": content_type} if content_type else {}
        if self.target.token:
            headers["authorization"] = f"Bearer {self.target.token}"
        return headers

    def graph_url(self, graph: str | None) -> str:
        """The Graph Store Protocol URL of a graph: `?default` or `?graph=<encoded IRI>`."""
        query = "default" if graph is None else "graph=" + quote(graph, safe="")
        return f"{self.target.graph_store_url}?{query}"

    def query(self, text: str, accept: str) -> httpx.Response:
        """POST a query directly (application/sparql-query), accepting `accept`."""
        return self.http.post(
            self.target.query_url,
            content=text.encode("utf-8"),
            headers={"content-type": "application/sparql-query", "accept": accept},
        )

    def update(self, text: str) -> httpx.Response:
        """POST an update directly (application/sparql-update) with the write token."""
        return self.http.post(
            self.target.update_url,
            content=text.encode("utf-8"),
            headers=self.write_headers("application/sparql-update"),
        )

    def reset(self) -> None:
        """Empty the store, so that every test starts from nothing."""
        _expect_success(self.update("DROP ALL"), "DROP ALL")

    def load(self, file_iri: str, graph: str | None) -> None:
        """Add a suite file to the default graph (graph None) or to a named graph, via the
        Graph Store Protocol (POST merges, so several files can share a graph)."""
        response = self.http.post(
            self.graph_url(graph),
            content=file_as_ntriples(file_iri),
            headers=self.write_headers("application/n-triples"),
        )
        _expect_success(response, f"loading {file_iri} into {graph or 'the default graph'}")

    def read_graph(self, graph: str | None) -> httpx.Response:
        """GET a graph as N-Triples via the Graph Store Protocol."""
        return self.http.get(
            self.graph_url(graph),
            headers={"accept": "application/n-triples"},
        )

    def graph_names(self) -> set[str]:
        """Return the names of the non-empty named graphs."""
        response = self.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            accept="application/sparql-results+json",
        )
        _expect_success(response, "listing the named graphs")
        table = parse_results(response.content, response.headers.get("content-type", ""))
        if not isinstance(table, Table):
            raise SuiteError("listing the named graphs did not give a solution sequence")
        return {str(row[0]) for row in table.rows}


def _expect_success(response: httpx.Response, what: str) -> None:
    if not response.is_success:
        raise SuiteError(
            f"{what}: HTTP {response.status_code} "
            f"({media_type(response.headers.get('content-type'))}): {response.text[:300]}"
        )
