"""The SPARQL 1.1 Protocol endpoint: queries, updates, and the service description.

Queries come by GET ``?query=``, by POST form or by POST ``application/sparql-query``;
updates only by POST form or ``application/sparql-update``, with the write token.
Parameters other than the protocol's (``format``, ``output``, ``timeout``…) are
ignored.
"""

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scograph.server import query_guard
from scograph.server.cached_queries import look_up, respond
from scograph.server.conneg import DESCRIPTION_OFFERS, negotiate, offered_media_types
from scograph.server.dependencies import (
    authorised_writer,
    descriptions_of,
    readers_of,
    settings_of,
)
from scograph.server.errors import (
    BadRequestError,
    EndpointError,
    ForbiddenError,
    NotAcceptableError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
)
from scograph.server.executor import ReaderPool
from scograph.server.request_parts import (
    decode_text,
    endpoint_url,
    form_parameters,
    media_type,
    read_body,
    url_parameters,
)
from scograph.server.response_cache import deterministic
from scograph.settings import Settings

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@dataclass
class ProtocolParameters:
    """The protocol's own parameters of one request."""

    queries: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)
    using_named_graphs: list[str] = field(default_factory=list)

    @classmethod
    def collect(cls, pairs: list[tuple[str, str]]) -> "ProtocolParameters":
        """Sort the parameters the protocol defines; ignore the others."""
        found = cls()
        for name, value in pairs:
            target = _PARAMETERS.get(name)
            if target is not None:
                getattr(found, target).append(value)
        for name, values in (("query", found.queries), ("update", found.updates)):
            if len(values) > 1:
                raise BadRequestError(
                    f"The parameter '{name}' is duplicated ({len(values)} times): "
                    "send one query or one update per request."
                )
        if found.queries and found.updates:
            raise BadRequestError("Send either a query or an update, not both.")
        return found


_PARAMETERS = {
    "query": "queries",
    "update": "updates",
    "default-graph-uri": "default_graphs",
    "named-graph-uri": "named_graphs",
    "using-graph-uri": "using_graphs",
    "using-named-graph-uri": "using_named_graphs",
}


async def sparql_get(request: Request) -> Response:
    """A query by GET, or without one the service description (the query editor for browsers)."""
    parameters = ProtocolParameters.collect(url_parameters(request))
    if parameters.updates:
        raise BadRequestError("SPARQL Update must be sent by POST, never by GET.")
    if not parameters.queries:
        offer = negotiate(request.headers.get("accept"), DESCRIPTION_OFFERS)
        if offer is None:
            raise NotAcceptableError(
                "No acceptable format; the service description is offered as "
                + offered_media_types(DESCRIPTION_OFFERS)
            )
        if offer.format == "HTML":
            # Browsers get the query editor of the web front, which queries this endpoint.
            root = str(request.scope.get("root_path", "")).rstrip("/")
            return RedirectResponse(f"{root}/query", status_code=303, headers={"Vary": "Accept"})
        body = await descriptions_of(request).render(endpoint_url(request), offer)
        return Response(body, headers={"Content-Type": offer.content_type, "Vary": "Accept"})
    return await run_query(request, parameters.queries[0], parameters)


async def sparql_post(request: Request) -> Response:
    """A query or an update by POST, as a form or as the body itself."""
    settings = settings_of(request)
    kind = media_type(request)
    if kind not in (FORM, SPARQL_QUERY, SPARQL_UPDATE):
        raise UnsupportedMediaTypeError(
            f"POST a body of type {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}, "
            f"not {kind or 'an untyped body'}."
        )
    if kind == SPARQL_UPDATE:
        authorised_writer(request)
    body = await read_body(request, settings.max_body_bytes)
    pairs = url_parameters(request)
    if kind == FORM:
        parameters = ProtocolParameters.collect(pairs + form_parameters(body))
    else:
        parameters = ProtocolParameters.collect(pairs)
        if parameters.queries or parameters.updates:
            raise BadRequestError(
                "Send the query or update as the body or as a parameter, not both."
            )
        target = parameters.queries if kind == SPARQL_QUERY else parameters.updates
        target.append(decode_text(body, "query" if kind == SPARQL_QUERY else "update"))
    if parameters.updates:
        return await run_update(request, parameters.updates[0], parameters)
    if parameters.queries:
        return await run_query(request, parameters.queries[0], parameters)
    raise BadRequestError("The form has neither a 'query' nor an 'update' parameter.")


async def run_query(request: Request, query: str, parameters: ProtocolParameters) -> Response:
    """Check a query, run it in a reader process and send its answer."""
    settings, readers = settings_of(request), readers_of(request)
    if not query.strip():
        # The engine's own message ("expected [_]") does not say what is missing.
        raise BadRequestError("The query is empty.")
    if len(query) > settings.max_query_length:
        raise PayloadTooLargeError(
            f"The query is over the limit of {settings.max_query_length} characters."
        )
    base = endpoint_url(request)
    cached = await look_up(request, query, parameters.default_graphs, parameters.named_graphs, base)
    if isinstance(cached, Response):
        return cached
    found = query_guard.check_text(query, settings.max_nesting)
    await _refuse_if_needed(readers, settings, query, found, update=False)
    message = query_message(settings, query, base, request.headers.get("accept"), found)
    if parameters.default_graphs or parameters.named_graphs:
        message["default_graphs"] = parameters.default_graphs
        message["named_graphs"] = parameters.named_graphs
    answer = await readers.answer(message)
    reusable = cached.cache is not None and deterministic(query, bool(message["federated"]))
    return respond(cached, answer, reusable)


def query_message(
    settings: Settings,
    query: str,
    base: str | None,
    accept: str | None,
    found: query_guard.Scan | None,
) -> dict[str, object]:
    """What a reader process is asked to run a query (over the whole dataset)."""
    return {
        "op": "query",
        "query": query,
        "base": base,
        "accept": accept,
        "max_rows": settings.max_rows,
        "union": settings.union_default_graph and not (found is not None and found.has_from),
        "federated": found is not None and bool(found.services),
    }


async def run_update(request: Request, update: str, parameters: ProtocolParameters) -> Response:
    """Check an update and apply it in one transaction (with the write token only)."""
    writer = authorised_writer(request)
    settings, readers = settings_of(request), readers_of(request)
    if len(update) > settings.max_query_length:
        raise PayloadTooLargeError(
            f"The update is over the limit of {settings.max_query_length} characters."
        )
    found = query_guard.check_text(update, settings.max_nesting)
    if parameters.using_graphs or parameters.using_named_graphs:
        found = found or query_guard.scan(update)
        update = query_guard.add_using(
            update, found, parameters.using_graphs, parameters.using_named_graphs
        )
    await _refuse_if_needed(readers, settings, update, found, update=True)
    await writer.call({"op": "update", "update": update, "base": endpoint_url(request)})
    return Response(status_code=204)


async def _refuse_if_needed(
    readers: ReaderPool,
    settings: Settings,
    text: str,
    found: query_guard.Scan | None,
    update: bool,
) -> None:
    """Refuse a SERVICE or LOAD the endpoint does not allow (403), a syntax error first (400)."""
    if found is None:
        return
    problem: EndpointError | None = None
    why = query_guard.refusal(found, settings.service_allowlist)
    if why is not None:
        problem = ForbiddenError(why)
    elif found.services:
        try:
            await query_guard.check_service_hosts(found.services)
        except EndpointError as error:
            problem = error
    if problem is not None:
        # Parsed without being run, so the refused endpoint is never contacted.
        await readers.call({"op": "check", "text": text, "update": update})
        raise problem
