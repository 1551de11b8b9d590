"""The pages' reads of a remote SPARQL engine: the few ``pyoxigraph.Store`` methods they use.

The publishing routes and VoID read a store in their own process (``query``,
``quads_for_pattern``, ``named_graphs``, ``contains_named_graph``); over a remote
engine this class answers those with SPARQL SELECT and ASK queries, so the pages
show the engine's data. The routes run in a thread pool, so a blocking client is right.

Quads of the default graph are not seen: every scograph statement lives in a named
graph, and engines differ on what their default graph is. A pattern with a blank
node matches nothing (a blank node's label means nothing to another engine).
"""

from collections.abc import Iterator
from typing import Any

import httpx
import pyoxigraph as ox

from scograph.server.errors import ServiceUnavailableError, UpstreamError
from scograph.server.remote_engine import (
    LINES_ACCEPT,
    EngineUrls,
    refusal,
    unreachable,
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class RemoteReadView:
    """Read-only view of a remote engine with the read methods of ``pyoxigraph.Store``."""

    def __init__(self, urls: EngineUrls, timeout: float, union_parameter: str) -> None:
        self.urls = urls
        self.timeout = timeout
        self.union_parameter = union_parameter
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)))

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def query(self, query: str, *, use_default_graph_as_union: bool = False, **_: Any) -> Any:
        """The answer of a SELECT or ASK, as pyoxigraph's ``QuerySolutions`` or ``QueryBoolean``."""
        form = {"query": query}
        if use_default_graph_as_union and self.union_parameter:
            form[self.union_parameter] = "true"
        try:
            response = self._client.post(
                self.urls.query, data=form, headers={"Accept": LINES_ACCEPT}
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise unreachable(self.urls.query, error) from error
        except httpx.TimeoutException as error:
            raise ServiceUnavailableError(
                f"The SPARQL engine did not answer within {self.timeout:g} s."
            ) from error
        except httpx.HTTPError as error:
            raise UpstreamError(f"The SPARQL engine broke off its answer: {error}") from error
        if response.status_code != 200:
            raise refusal(response.status_code, response.text, "query")
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        fmt = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
        if fmt is None:
            raise UpstreamError(f"The SPARQL engine answered as {media_type or 'nothing'}.")
        try:
            return ox.parse_query_results(response.content, fmt)
        except SyntaxError as error:
            raise UpstreamError(f"The SPARQL engine's answer could not be read: {error}") from error

    def quads_for_pattern(
        self,
        subject: Term | None,
        predicate: ox.NamedNode | None,
        object: Term | None,
        graph_name: ox.NamedNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads of the named graphs matching the pattern (None matches anything)."""
        pattern = [subject, predicate, object]
        if any(isinstance(term, ox.BlankNode) for term in [*pattern, graph_name]):
            return iter(())
        slots = [_slot(term, name) for term, name in zip(pattern, ("?s", "?p", "?o"), strict=True)]
        triple = " ".join(slots)
        if isinstance(graph_name, ox.DefaultGraph):
            where = f"{{ {triple} }}"
        else:
            where = f"{{ GRAPH {_slot(graph_name, '?g')} {{ {triple} }} }}"
        results = self.query(f"SELECT * WHERE {where}")
        return (self._quad(solution, pattern, graph_name) for solution in results)

    @staticmethod
    def _quad(solution: Any, pattern: list[Any], graph_name: Any) -> ox.Quad:
        s, p, o = (
            term if term is not None else solution[name]
            for term, name in zip(pattern, ("s", "p", "o"), strict=True)
        )
        graph = graph_name if graph_name is not None else solution["g"]
        return ox.Quad(s, p, o, graph)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """The named graphs of the engine's dataset."""
        results = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")
        return (solution["g"] for solution in results if isinstance(solution["g"], ox.NamedNode))

    def contains_named_graph(self, graph_name: ox.NamedNode) -> bool:
        """Whether the dataset has this named graph."""
        return bool(self.query(f"ASK {{ GRAPH {graph_name} {{}} }}"))


def _slot(term: Any, variable: str) -> str:
    return variable if term is None else str(term)
