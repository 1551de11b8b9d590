"""Every route of the endpoint, in one table: (path, methods) → handler.

The handlers are plain Starlette endpoints (``request`` in, response out), so a
request goes through no dependency solving or parameter parsing it does not need.
"""

from collections.abc import Callable
from typing import Any

from starlette.routing import Route, compile_path

from scograph.server.routes import graph_store, health, sparql

ROUTES: tuple[tuple[str, tuple[str, ...], Callable[..., Any]], ...] = (
    ("/sparql", ("GET",), sparql.sparql_get),
    ("/sparql", ("POST",), sparql.sparql_post),
    ("/sparql/", ("GET",), sparql.sparql_get),
    ("/sparql/", ("POST",), sparql.sparql_post),
    ("/graph-store", ("GET",), graph_store.graph_get),
    ("/graph-store", ("HEAD",), graph_store.graph_head),
    ("/graph-store", ("PUT",), graph_store.graph_put),
    ("/graph-store", ("POST",), graph_store.graph_post),
    ("/graph-store", ("DELETE",), graph_store.graph_delete),
    ("/graph-store/{name:path}", ("GET",), graph_store.graph_get),
    ("/graph-store/{name:path}", ("HEAD",), graph_store.graph_head),
    ("/graph-store/{name:path}", ("PUT",), graph_store.graph_put),
    ("/graph-store/{name:path}", ("POST",), graph_store.graph_post),
    ("/graph-store/{name:path}", ("DELETE",), graph_store.graph_delete),
    ("/health", ("GET", "HEAD"), health.health),
)


def build_routes() -> list[Route]:
    """Return one route for each row of :data:`ROUTES`."""
    return [Route(path, handler, methods=list(methods)) for path, methods, handler in ROUTES]


_PATTERNS = [(compile_path(path)[0], methods) for path, methods, _ in ROUTES]


def allowed_methods(path: str) -> list[str]:
    """The methods some route of ``path`` accepts (for the Allow header of a 405)."""
    return sorted({m for pattern, methods in _PATTERNS if pattern.match(path) for m in methods})
