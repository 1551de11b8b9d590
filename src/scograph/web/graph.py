"""How the web pages read the graph: SELECT queries, and the store generation they saw.

The real server answers queries in worker processes (:mod:`scograph.server.executor`)
and moves them to a new snapshot after each write; reading through them keeps the
pages consistent with ``/sparql`` and never opens the live store a second time.
An app without those workers (the publishing routes alone, a unit test) reads a
store in this process instead, as the publishing routes do (a :class:`PagesStore`).

Both paths parse the same SPARQL JSON results, so the pages see one kind of row.
"""

import asyncio
import json
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from scograph.publish.routes.context import PagesStore

SPARQL_JSON = "application/sparql-results+json"
# Our own queries read whole tables (every label, every twinning): no row cap.
_NO_ROW_CAP = 10_000_000


@dataclass(frozen=True)
class Term:
    """One value of a solution: an IRI, a blank node or a literal."""

    kind: str
    value: str
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"


Row = dict[str, Term]


def parse_results(body: bytes) -> list[Row]:
    """Rows of a SPARQL JSON results document (unbound variables are left out)."""
    document = json.loads(body)
    return [
        {name: _term(binding) for name, binding in solution.items()}
        for solution in document.get("results", {}).get("bindings", [])
    ]


def _term(binding: dict[str, Any]) -> Term:
    kind = "uri" if binding["type"] == "uri" else binding["type"]
    if kind == "typed-literal":
        kind = "literal"
    return Term(kind, binding["value"], binding.get("xml:lang"), binding.get("datatype"))


class GraphReader:
    """Runs the web layer's SELECT queries against the app's graph."""

    def __init__(self, store_path: Path | None) -> None:
        self._store = PagesStore(store_path)

    async def generation(self, app_state: Any) -> Hashable:
        """The version of the graph queries see now; cached data is kept per generation."""
        readers = getattr(app_state, "readers", None)
        if readers is None:
            return ("local", 0)
        if readers.freshen is not None:
            # After a write the readers move to a new snapshot only when asked.
            await readers.freshen()
        return ("readers", readers.generation)

    async def select(self, app_state: Any, query: str) -> list[Row]:
        """The rows of a SELECT query over the union of the graphs."""
        readers = getattr(app_state, "readers", None)
        if readers is None:
            body = await asyncio.to_thread(self._select_locally, app_state, query)
            return parse_results(body)
        settings = getattr(app_state, "settings", None)
        answer = await readers.answer(
            {
                "op": "query",
                "query": query,
                "base": None,
                "accept": SPARQL_JSON,
                "max_rows": _NO_ROW_CAP,
                "union": getattr(settings, "union_default_graph", True),
                "federated": False,
            }
        )
        if answer.body is not None:
            return parse_results(answer.body)
        return parse_results(b"".join([chunk async for chunk in answer.chunks()]))

    def _select_locally(self, app_state: Any, query: str) -> bytes:
        results = self._store.get(app_state).query(query, use_default_graph_as_union=True)
        return results.serialize(format=ox.QueryResultsFormat.JSON)
