"""The short path of a query: GET and POST to ``/sparql`` go straight to their route.

The framework's layers in front of a route (its error middleware, the exception
handlers, the router trying the path against the routes, the route's request
wrapper) took about a fifth of the app's CPU time on a small query, measured with
py-spy under the point lookup of ``benchmarks/``. This layer sits in front of them
and calls the route's function itself, for the requests whose answer those layers
would not change. The others go through them: other paths and methods, and, when
CORS is on, any request with an ``Origin`` (its answer needs CORS headers).

An error gets the app's one shape (plain text, see :mod:`scograph.server.errors`),
and an unexpected exception the framework's bare 500 before it is raised again to
be logged, as behind the layers.
"""

from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scograph.server.errors import EndpointError, plain_text
from scograph.server.routes import sparql

_PATHS: Final = frozenset({"/sparql", "/sparql/"})
_ROUTES: Final[dict[str, Callable[[Request], Awaitable[Response]]]] = {
    "GET": sparql.sparql_get,
    "POST": sparql.sparql_post,
}


class QueryShortPath:
    """ASGI layer in front of the framework's: ``/sparql`` GET and POST to their route."""

    def __init__(self, app: ASGIApp, cors: bool) -> None:
        self.app = app
        self.cors = cors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _ROUTES.get(scope["method"]) if scope["type"] == "http" else None
        if route is None or scope["path"] not in _PATHS or (self.cors and _has_origin(scope)):
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        request = Request(scope, receive, send)
        try:
            try:
                response = await route(request)
            except EndpointError as error:
                response = plain_text(error.status, error.message, error.headers)
            await response(scope, receive, sending)
        except Exception:
            if not started:
                await PlainTextResponse("Internal Server Error", status_code=500)(
                    scope, receive, send
                )
            raise


def _has_origin(scope: Scope) -> bool:
    return any(name == b"origin" for name, _ in scope["headers"])
