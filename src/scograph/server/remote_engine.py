"""Another SPARQL 1.1 engine as the store: ``scograph serve --store sparql+http://HOST/PATH``.

:class:`RemoteReaders` (and :class:`~scograph.server.remote_writer.RemoteWriter`) answer
the requests the routes build (see :mod:`scograph.server.routes`) as the local
:class:`~scograph.server.executor.ReaderPool` and :class:`~scograph.server.executor.Writer`
do, by speaking the SPARQL 1.1 Protocol (and the Graph Store Protocol) to the engine,
so everything above them (protocol checks, limits, the SERVICE allow-list, pages,
dumps) is scograph's own and unchanged. The routes refuse what they refuse before
anything is sent to the engine.

The row cap works as in the reader processes: the engine is asked for one line per
row (SPARQL TSV for solutions, N-Triples for graphs); an answer up to 8 MiB is read,
counted, cut and converted in memory; a larger one is counted as it arrives (and
dropped), then asked for again and streamed, cut at the cap and converted chunk by
chunk in a thread (:mod:`scograph.server.stream_convert`), so memory does not grow
with the answer.

The time limit stops scograph waiting and closes the connection; the engine's own
evaluation may go on (an engine stops a streamed answer when its connection closes,
but not always one still being computed, such as an aggregate) unless the engine has
a time limit of its own that stops it.
"""

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from scograph.server.conneg import (
    GRAPH_OFFERS,
    RESULT_OFFERS,
    Offer,
    negotiate,
    offered_media_types,
)
from scograph.server.errors import (
    BadRequestError,
    EndpointError,
    NotAcceptableError,
    NotFoundError,
    PayloadTooLargeError,
    ServiceUnavailableError,
    UnsupportedMediaTypeError,
    UpstreamError,
)
from scograph.server.executor import Answer
from scograph.server.stream_convert import converted

REMOTE_PREFIXES: Final = ("sparql+http://", "sparql+https://")
TSV: Final = "text/tab-separated-values"
N_TRIPLES: Final = "application/n-triples"
# One line per row first; booleans (ASK) have no TSV in the standard, so JSON or XML.
LINES_ACCEPT: Final = (
    f"{TSV}, {N_TRIPLES};q=0.9, application/sparql-results+json;q=0.5, "
    "application/sparql-results+xml;q=0.4"
)
COUNTED_ANSWER_BYTES: Final = 8 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024
_ERROR_BYTES = 16 * 1024
_HEALTH_TIMEOUT = 2.0
_SYNTAX_ERROR = re.compile(r"^error at (\d+):(\d+): ", re.DOTALL)
# An IRI reference without a scheme (a relative one), which needs the request's base.
_RELATIVE_IRI = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]*:)[^<>\"{}|^`\\\x00-\x20]*>")


def is_remote_store(value: str | None) -> bool:
    """Whether a ``--store`` value names another SPARQL engine (``sparql+http(s)://``)."""
    return value is not None and value.startswith(REMOTE_PREFIXES)


def engine_url(value: str) -> str:
    """The HTTP URL of a ``sparql+http(s)://`` store value."""
    return value.removeprefix("sparql+")


def _sibling(url: str, name: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rsplit("/", 1)[0] + "/" + name
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass(frozen=True)
class EngineUrls:
    """Where the engine takes queries, updates and Graph Store requests."""

    query: str
    update: str
    graph_store: str

    @classmethod
    def of(
        cls, query: str, update: str | None = None, graph_store: str | None = None
    ) -> "EngineUrls":
        """The URLs, by default as Oxigraph's server has them (``/query``, ``/update``,
        ``/store``): the query URL with its last path segment replaced."""
        return cls(
            query, update or _sibling(query, "update"), graph_store or _sibling(query, "store")
        )


def syntax_message(message: str) -> str:
    """An Oxigraph-style ``error at L:C: ...`` message, worded as the local engine's errors."""
    found = _SYNTAX_ERROR.match(message)
    if found is None:
        return message
    line, column = found.groups()
    return f"Syntax error at line {line}, column {column}: {message[found.end() :]}"


def with_base(text: str, base: str | None) -> str:
    """The query or update with ``BASE <base>`` first when it has relative IRIs.

    The protocol has no base parameter; the local engine resolves relative IRIs
    against the endpoint's URL, so the remote must be told it.
    """
    if base is None or _RELATIVE_IRI.search(text) is None:
        return text
    return f"BASE <{base}>\n{text}"


def unreachable(url: str, error: Exception) -> ServiceUnavailableError:
    """The error for an engine that cannot be reached (a load balancer may try elsewhere)."""
    return ServiceUnavailableError(
        f"The SPARQL engine at {url} cannot be reached ({type(error).__name__}: {error}); "
        "try again later."
    )


def refusal(status: int, message: str, what: str) -> EndpointError:
    """The endpoint's error for the engine's error answer to a ``what`` (query, update...)."""
    message = syntax_message(message.strip()) or f"HTTP status {status}"
    if status == 400:
        return BadRequestError(message)
    if status == 404:
        return NotFoundError(message)
    if status == 413:
        return PayloadTooLargeError(message)
    if status == 415:
        return UnsupportedMediaTypeError(message)
    if status in (408, 503, 504):
        return ServiceUnavailableError(f"The SPARQL engine could not run the {what}: {message}")
    return UpstreamError(f"The SPARQL engine failed on the {what} (HTTP {status}): {message}")


async def _error_text(response: httpx.Response) -> str:
    parts, size = [], 0
    async for chunk in response.aiter_bytes():
        parts.append(chunk)
        size += len(chunk)
        if size >= _ERROR_BYTES:
            break
    return b"".join(parts)[:_ERROR_BYTES].decode("utf-8", "replace")


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


class _Deadline:
    """The time limit of one request, across every await that serves it."""

    def __init__(self, seconds: float, what: str) -> None:
        self.seconds = seconds
        self.what = what
        self.when = asyncio.get_running_loop().time() + seconds

    def expired(self) -> ServiceUnavailableError:
        return ServiceUnavailableError(
            f"The {self.what} ran over the time limit of {self.seconds:g} s and was stopped "
            "(the SPARQL engine may go on running it unless it has a time limit of its own)."
        )

    @contextlib.asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout_at(self.when):
                yield
        except TimeoutError as error:
            raise self.expired() from error


class RemoteAnswer(Answer):
    """An answer streamed from the engine (converted on the way when needed)."""

    def __init__(
        self,
        content_type: str,
        truncated: bool,
        max_rows: int | None,
        source: AsyncIterator[bytes],
        response: httpx.Response,
    ) -> None:
        super().__init__(content_type, truncated, max_rows, None)
        self._source = source
        self._response = response
        self._closing: asyncio.Task[None] | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._source:
                yield chunk
        finally:
            await self._response.aclose()

    def close(self) -> None:
        if not self._response.is_closed and self._closing is None:
            self._closing = asyncio.get_running_loop().create_task(self._response.aclose())


class RemoteReaders:
    """Answers queries and graph reads with the engine, as a :class:`ReaderPool` would."""

    def __init__(
        self,
        urls: EngineUrls,
        timeout: float,
        union_parameter: str,
        counted_answer_bytes: int = COUNTED_ANSWER_BYTES,
    ) -> None:
        self.urls = urls
        self.timeout = timeout
        self.union_parameter = union_parameter
        self.counted_answer_bytes = counted_answer_bytes
        # The routes and pages read these from a ReaderPool: writes through
        # RemoteWriter move the generation on, so cached pages are redone.
        self.generation = 0
        self.freshen = None
        self.size = 1
        self.client: httpx.AsyncClient | None = None

    def note_short_answer(self) -> None:
        """Nothing to do: the engine schedules its own queries (see ReaderPool's)."""

    async def start(self) -> None:
        """Open the connection pool (the engine need not be up yet: /health says when it is)."""
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout, connect=min(5.0, self.timeout)),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    async def close(self) -> None:
        """Close the connection pool."""
        if self.client is not None:
            await self.client.aclose()

    @property
    def pids(self) -> list[int]:
        """No query worker processes here: the engine answers."""
        return []

    async def refresh(self) -> None:
        """Nothing to bring up to date: the engine always answers with its current data."""

    async def health(self) -> tuple[bool, dict[str, object]]:
        """Whether the engine answers ``ASK {}`` within a few seconds."""
        try:
            response = await self.http_client().post(
                self.urls.query,
                data={"query": "ASK {}"},
                headers={"Accept": LINES_ACCEPT},
                timeout=_HEALTH_TIMEOUT,
            )
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        return ok, {"sparql_engine": "reachable" if ok else "unreachable"}

    def http_client(self) -> httpx.AsyncClient:
        """The connection pool to the engine (the writer shares it)."""
        if self.client is None:
            raise RuntimeError("RemoteReaders.start() was not called")
        return self.client

    async def call(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer ``graphs`` (the named graphs) and ``check`` (parse without running)."""
        operation = request["op"]
        if operation == "graphs":
            rows = await self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")
            graphs = [row[0].value for row in rows if isinstance(row[0], ox.NamedNode)]
            return {"graphs": sorted(graphs)}
        if operation == "check":
            await asyncio.to_thread(_check_syntax, request["text"], bool(request.get("update")))
            return {}
        raise BadRequestError(f"unknown operation {operation!r}")

    async def select(self, query: str, union: bool = False) -> list[list[Any]]:
        """The rows of a small SELECT (or the one boolean of an ASK) scograph asks itself."""
        deadline = _Deadline(self.timeout, "query")
        response = await self._send_query(self._form(query, union), deadline)
        async with deadline.guard():
            try:
                body = await response.aread()
            except httpx.HTTPError as error:
                raise _broken(error) from error
            finally:
                await response.aclose()
        results = ox.parse_query_results(body, _results_format(_media_type(response)))
        if isinstance(results, ox.QueryBoolean):
            return [[bool(results)]]
        return [list(solution) for solution in results]

    def _form(
        self,
        query: str,
        union: bool,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        form: dict[str, Any] = {"query": query}
        if default_graphs is not None or named_graphs is not None:
            form["default-graph-uri"] = list(default_graphs or [])
            form["named-graph-uri"] = list(named_graphs or [])
        elif union and self.union_parameter:
            form[self.union_parameter] = "true"
        return form

    async def _send_query(self, form: dict[str, Any], deadline: _Deadline) -> httpx.Response:
        """POST the query; return the streamed 200 response, or raise the engine's error."""
        client = self.http_client()
        request = client.build_request(
            "POST", self.urls.query, data=form, headers={"Accept": LINES_ACCEPT}
        )
        async with deadline.guard():
            try:
                response = await client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                raise unreachable(self.urls.query, error) from error
            except httpx.HTTPError as error:
                raise _broken(error) from error
            if response.status_code != 200:
                try:
                    message = await _error_text(response)
                except httpx.HTTPError:
                    message = ""
                finally:
                    await response.aclose()
                raise refusal(response.status_code, message, "query")
        return response

    async def answer(self, request: dict[str, Any]) -> Answer:
        """Run a query (``op: query``) or read a graph (``op: graph``) and return the answer."""
        if request["op"] == "graph":
            return await self._graph(request)
        if request["op"] != "query":
            raise BadRequestError(f"unknown operation {request['op']!r}")
        deadline = _Deadline(self.timeout, "query")
        form = self._form(
            with_base(request["query"], request.get("base")),
            bool(request.get("union")),
            request.get("default_graphs"),
            request.get("named_graphs"),
        )
        max_rows: int = request["max_rows"]
        response = await self._send_query(form, deadline)
        try:
            kind = _media_type(response)
            lines = _lines_kind(kind)
            offer = _offer(request.get("accept"), graph=lines == N_TRIPLES)
            chunks = response.aiter_bytes()
            parts, complete = await _read_up_to(chunks, self.counted_answer_bytes, deadline)
            if complete:
                body = b"".join(parts)
                return _whole(body, kind, offer, max_rows)
            if lines is None:
                raise UpstreamError(
                    f"The SPARQL engine sent a large answer as {kind or 'an untyped body'}, "
                    "which scograph cannot cut at its row limit (it asks for TSV or N-Triples)."
                )
            truncated = await _more_rows_than(chunks, parts, lines, max_rows, deadline)
        finally:
            await response.aclose()
        # Counted and dropped; the engine runs the query again for the stream.
        again = await self._send_query(form, deadline)
        source = _cut(again, _header_lines(lines), max_rows if truncated else None, deadline)
        if offer.media_type != lines:
            source = converted(source, lines == N_TRIPLES, _format(offer))
        return RemoteAnswer(offer.content_type, truncated, max_rows, source, again)

    async def _graph(self, request: dict[str, Any]) -> Answer:
        """A Graph Store read, in SPARQL (every engine has a query URL, not all a graph store)."""
        iri = request.get("graph")
        if iri is not None:
            _check_iri(iri)
            exists = await self.select(f"ASK {{ GRAPH <{iri}> {{}} }}")
            if not exists[0][0]:
                raise NotFoundError(f"There is no graph <{iri}> in the store.")
        offer = negotiate(request.get("accept"), GRAPH_OFFERS)
        if offer is None:
            raise NotAcceptableError(
                "No acceptable format; graphs are offered as " + offered_media_types(GRAPH_OFFERS)
            )
        if request.get("head"):
            return Answer(offer.content_type, False, None, b"")
        if iri is not None:
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
        else:
            query = "CONSTRUCT WHERE { ?s ?p ?o }"
        deadline = _Deadline(self.timeout, "graph read")
        form = self._form(query, iri is None and bool(request.get("union")))
        response = await self._send_query(form, deadline)
        if _media_type(response) != N_TRIPLES:
            await response.aclose()
            raise UpstreamError(
                f"The SPARQL engine sent a graph as {_media_type(response)}, not N-Triples."
            )
        source = _cut(response, 0, None, deadline)
        if offer.media_type != N_TRIPLES:
            source = converted(source, True, _format(offer))
        return RemoteAnswer(offer.content_type, False, None, source, response)


def _broken(error: Exception) -> UpstreamError:
    return UpstreamError(
        f"The SPARQL engine broke off its answer ({type(error).__name__}: {error})."
    )


def _check_iri(iri: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise BadRequestError(f"Invalid graph IRI <{iri}>: {error}") from error


def _check_syntax(text: str, update: bool) -> None:
    """Parse without running (rdflib's parser), to tell a syntax error (400) from a refusal.

    As the reader processes do; here in a thread of the app, which the query
    guard's nesting limit keeps short."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        (parseUpdate if update else parseQuery)(text)
    except ParseException as error:
        raise BadRequestError(
            f"Syntax error at line {error.lineno}, column {error.col}: {error.msg}"
        ) from error
    except RecursionError:
        # Deep nesting says nothing about the syntax: the refusal (403) stands.
        pass
    except Exception as error:
        raise BadRequestError(f"Syntax error: {error}") from error


def _results_format(media_type: str) -> ox.QueryResultsFormat:
    fmt = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
    if fmt is None:
        raise UpstreamError(f"The SPARQL engine answered as {media_type or 'an untyped body'}.")
    return fmt


def _lines_kind(media_type: str) -> str | None:
    """TSV or N-Triples (one line per row), else None."""
    if media_type == TSV:
        return TSV
    if media_type in (N_TRIPLES, "text/plain"):
        return N_TRIPLES
    return None


def _header_lines(lines: str) -> int:
    return 1 if lines == TSV else 0


def _offer(accept: str | None, graph: bool) -> Offer:
    offers = GRAPH_OFFERS if graph else RESULT_OFFERS
    offer = negotiate(accept, offers)
    if offer is None:
        raise NotAcceptableError(
            "No acceptable format; this answer is offered as " + offered_media_types(offers)
        )
    return offer


def _format(offer: Offer) -> ox.RdfFormat | ox.QueryResultsFormat:
    if offer in RESULT_OFFERS:
        return getattr(ox.QueryResultsFormat, offer.format)
    return getattr(ox.RdfFormat, offer.format)


async def _read_up_to(
    chunks: AsyncIterator[bytes], limit: int, deadline: _Deadline
) -> tuple[list[bytes], bool]:
    """Read the answer while it fits ``limit`` bytes; return its parts and whether it ended."""
    parts: list[bytes] = []
    size = 0
    async with deadline.guard():
        try:
            async for chunk in chunks:
                parts.append(chunk)
                size += len(chunk)
                if size > limit:
                    return parts, False
        except httpx.HTTPError as error:
            raise _broken(error) from error
    return parts, True


async def _more_rows_than(
    chunks: AsyncIterator[bytes], parts: list[bytes], lines: str, max_rows: int, deadline: _Deadline
) -> bool:
    """Count the rows of a large answer as it arrives (keeping none); stop past ``max_rows``."""
    wanted = _header_lines(lines) + max_rows
    seen = sum(part.count(b"\n") for part in parts)
    parts.clear()
    if seen > wanted:
        return True
    async with deadline.guard():
        try:
            async for chunk in chunks:
                seen += chunk.count(b"\n")
                if seen > wanted:
                    return True
        except httpx.HTTPError as error:
            raise _broken(error) from error
    return False


def _whole(body: bytes, media_type: str, offer: Offer, max_rows: int) -> Answer:
    """An answer read whole: counted, cut at ``max_rows``, converted to the offer's format."""
    lines = _lines_kind(media_type)
    if lines is None:
        results = _parse_results(body, media_type)
        if isinstance(results, ox.QueryBoolean):
            return Answer(offer.content_type, False, None, results.serialize(format=_format(offer)))
        # An engine that sent solutions in another format: as TSV, then as usual.
        body, lines = results.serialize(format=ox.QueryResultsFormat.TSV), TSV
    if lines == TSV and not body.startswith(b"?") and body.strip() in (b"true", b"false"):
        # Oxigraph's (non-standard) TSV boolean.
        value = ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
        return Answer(offer.content_type, False, None, value.serialize(format=_format(offer)))
    header = _header_lines(lines)
    rows = body.splitlines(keepends=True)
    if rows and not rows[-1].endswith(b"\n"):
        rows[-1] += b"\n"
    truncated = len(rows) - header > max_rows
    if truncated:
        rows = rows[: header + max_rows]
    body = b"".join(rows)
    if offer.media_type != lines:
        body = _reserialise(body, lines == N_TRIPLES, _format(offer))
    return Answer(offer.content_type, truncated, max_rows, body)


def _parse_results(body: bytes, media_type: str) -> Any:
    try:
        return ox.parse_query_results(body, _results_format(media_type))
    except SyntaxError as error:
        raise UpstreamError(f"The SPARQL engine's answer could not be read: {error}") from error


def _reserialise(lines: bytes, graph: bool, fmt: Any) -> bytes:
    try:
        if graph:
            return ox.serialize(ox.parse(lines, ox.RdfFormat.N_TRIPLES), format=fmt)
        return ox.parse_query_results(lines, ox.QueryResultsFormat.TSV).serialize(format=fmt)
    except SyntaxError as error:
        # Oxigraph ends an answer it fails on midway with the error's text.
        raise UpstreamError(
            f"The SPARQL engine's answer could not be read (it may have failed midway): {error}"
        ) from error


async def _cut(
    response: httpx.Response, header: int, max_rows: int | None, deadline: _Deadline
) -> AsyncIterator[bytes]:
    """The answer's bytes as they arrive, ending after ``header + max_rows`` lines if a cap."""
    remaining = None if max_rows is None else header + max_rows
    chunks = response.aiter_bytes()
    while True:
        async with deadline.guard():
            try:
                chunk = await anext(chunks, None)
            except httpx.HTTPError as error:
                raise _broken(error) from error
        if chunk is None:
            return
        if remaining is None:
            yield chunk
            continue
        count = chunk.count(b"\n")
        if count < remaining:
            remaining -= count
            yield chunk
            continue
        end = -1
        for _ in range(remaining):
            end = chunk.index(b"\n", end + 1)
        yield chunk[: end + 1]
        return
