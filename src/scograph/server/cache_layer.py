"""The short path of a repeated query: answered from the response cache before routing.

A GET or POST to ``/sparql`` identical to an earlier one (same query string or
body, Accept, Host, Content-Type) is answered here, from
:class:`~scograph.server.response_cache.ResponseCache`, without parsing the request
or going through the framework's routing (that machinery costs more than sending
a kept answer). Anything else goes on to the app, with the raw request noted in
the scope so the route can link it to the answer it finds or computes.
"""

from collections.abc import Hashable
from typing import Any, Final

from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scograph.server.response_cache import ResponseCache, matches, store_generation

RAW_REQUEST: Final = "scograph.raw_request"
_PATHS: Final = frozenset({"/sparql", "/sparql/"})
_QUERY_BODIES: Final = (b"application/x-www-form-urlencoded", b"application/sparql-query")
# Larger bodies go to the app unread (it enforces its own limit); queries are small.
_BODY_LIMIT: Final = 256 * 1024


class CachedAnswers:
    """ASGI middleware: kept answers for repeated requests, everything else to ``app``."""

    def __init__(self, app: ASGIApp, cache: ResponseCache, state: State) -> None:
        self.app = app
        self.cache = cache
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in _PATHS:
            await self.app(scope, receive, send)
            return
        readers = getattr(self.state, "readers", None)
        method = scope["method"]
        if readers is None or method not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        # The first of each header, as the app reads them (Starlette's Headers.get).
        accept = host = if_none_match = content_type = length = None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value if accept is None else accept
            elif name == b"host":
                host = value if host is None else host
            elif name == b"if-none-match":
                if_none_match = value if if_none_match is None else if_none_match
            elif name == b"content-type":
                content_type = value if content_type is None else content_type
            elif name == b"content-length":
                length = value if length is None else length
        where = (scope["scheme"], host or repr(scope.get("server")), scope.get("root_path", ""))
        if method == "GET":
            raw: Hashable = ("GET", scope["path"], scope["query_string"], accept, where)
        else:
            kind = (content_type or b"").split(b";")[0].strip().lower()
            if kind not in _QUERY_BODIES or length is None or not length.isdigit():
                await self.app(scope, receive, send)
                return
            if int(length) > _BODY_LIMIT:
                await self.app(scope, receive, send)
                return
            body = await _read_body(receive)
            if body is None:
                return  # the client went away
            raw = ("POST", scope["path"], scope["query_string"], content_type, body, accept, where)
            receive = _replay(body, receive)
        cache = self.cache
        cache.sync(await store_generation(readers))
        found = cache.by_request(raw)
        if found is not None:
            if if_none_match is not None and matches(if_none_match.decode("latin-1"), found.etag):
                cache.hits += 1
                await send(
                    {
                        "type": "http.response.start",
                        "status": 304,
                        "headers": found.not_modified_headers,
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
            if found.body is not None:
                cache.hits += 1
                await send({"type": "http.response.start", "status": 200, "headers": found.headers})
                await send({"type": "http.response.body", "body": found.body})
                return
        await self.app({**scope, RAW_REQUEST: raw}, receive, send)


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body (None if the client disconnected first)."""
    parts = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the app the body already read, then the connection's messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        message: dict[str, Any] = await receive()
        return message

    return replay
