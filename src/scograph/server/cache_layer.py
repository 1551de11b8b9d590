"""The short path of a repeated query: answered from the response cache before anything else.

A GET or POST to ``/sparql`` identical to an earlier one (same query string or
body, and the same Accept, Host, Origin and Content-Type headers) gets the answer
the earlier one got, with the headers it was sent with, from
:class:`~scograph.server.response_cache.ResponseCache`. Nothing is parsed and
none of the framework's layers runs (together they cost more than sending a kept
answer; measured: about 60 µs against 15 µs per request). Any other request goes
on to the app. When the route answered it from the cache or kept its answer
(it says so in the scope), the request's raw form is linked to that answer, with
the headers as they left the app (CORS included), for the next identical request.
"""

from collections.abc import Hashable
from typing import Any, Final

from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scograph.server.errors import EndpointError
from scograph.server.executor import ReaderPool
from scograph.server.response_cache import ResponseCache, matches

# Set by the route in the scope: the cache key of the answer it sent.
ANSWER_KEY: Final = "scograph.answer_key"
_PATHS: Final = frozenset({"/sparql", "/sparql/"})
_QUERY_BODIES: Final = (b"application/x-www-form-urlencoded", b"application/sparql-query")
# Larger bodies go to the app unread (it enforces its own limit); queries are small.
_BODY_LIMIT: Final = 256 * 1024


class CachedAnswers:
    """ASGI layer in front of the app: kept answers for repeated requests."""

    def __init__(self, app: ASGIApp, cache: ResponseCache, state: State) -> None:
        self.app = app
        self.cache = cache
        self.state = state
        self._readers: ReaderPool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in _PATHS:
            await self.app(scope, receive, send)
            return
        readers = self._readers or getattr(self.state, "readers", None)
        method = scope["method"]
        if readers is None or method not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        self._readers = readers
        # The first of each header, as the app reads them (Starlette's Headers.get).
        accept = host = origin = if_none_match = content_type = length = None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value if accept is None else accept
            elif name == b"host":
                host = value if host is None else host
            elif name == b"origin":
                origin = value if origin is None else origin
            elif name == b"if-none-match":
                if_none_match = value if if_none_match is None else if_none_match
            elif name == b"content-type":
                content_type = value if content_type is None else content_type
            elif name == b"content-length":
                length = value if length is None else length
        where = (scope["scheme"], host, scope.get("server"), scope.get("root_path", ""), origin)
        if method == "GET":
            raw: Hashable = (scope["path"], scope["query_string"], accept, where)
        else:
            kind = (content_type or b"").split(b";")[0].strip().lower()
            if (
                kind not in _QUERY_BODIES
                or length is None
                or not length.isdigit()
                or int(length) > _BODY_LIMIT
            ):
                await self.app(scope, receive, send)
                return
            try:
                body = await _read_body(receive)
            except EndpointError as error:
                # A late body (the body deadline): the app answers it, as it would have.
                await self.app(scope, _failing(error), send)
                return
            if body is None:
                return  # the client went away
            raw = (scope["path"], scope["query_string"], accept, where, content_type, body)
            receive = _replay(body, receive)
        cache = self.cache
        if readers.freshen is not None:
            await readers.refresh()  # after a write, the readers' snapshot moves on first
        if readers.generation != cache.generation:
            cache.sync(readers.generation)
        found = cache.by_request(raw)
        if found is not None:
            alias, entry = found
            cache.hits += 1
            readers.note_short_answer()
            if if_none_match is not None and matches(if_none_match.decode("latin-1"), entry.etag):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 304,
                        "headers": alias.not_modified_headers,
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
            await send({"type": "http.response.start", "status": 200, "headers": alias.headers})
            await send({"type": "http.response.body", "body": entry.body})
            return
        await self._answer_and_link(scope, receive, send, raw)

    async def _answer_and_link(self, scope: Scope, receive: Receive, send: Send, raw: Any) -> None:
        """Let the app answer; link ``raw`` to the kept answer it sent, if it sent one whole."""
        scope = dict(scope)
        started: list[Message] = []
        whole = True

        async def watch(message: Message) -> None:
            nonlocal whole
            if message["type"] == "http.response.start":
                started.append(message)
            elif message["type"] == "http.response.body" and message.get("more_body", False):
                whole = False
            await send(message)

        await self.app(scope, receive, watch)
        key = scope.get(ANSWER_KEY)
        if key is not None and whole and started and started[0]["status"] == 200:
            self.cache.alias(raw, key, list(started[0].get("headers", [])))


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


def _failing(error: EndpointError) -> Receive:
    """A receive that raises what reading the body raised."""

    async def fail() -> Message:
        raise error

    return fail


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
