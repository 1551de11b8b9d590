"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/graph-store``.

A graph is named indirectly (``?graph=IRI`` or ``?default``) or directly (its IRI
is the URL ``/graph-store/…`` itself, as for the graphs a POST to the store
creates). GET and HEAD are for everyone; PUT, POST and DELETE need the write
token, and each is one transaction. The default graph is the store's own: with a
union default graph, GET ``?default`` sends the union queries see.
"""

import uuid
from email.parser import BytesParser
from email.policy import HTTP

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from scograph.server.dependencies import authorised_writer, readers_of, settings_of
from scograph.server.errors import BadRequestError, UnsupportedMediaTypeError
from scograph.server.request_parts import endpoint_url, media_type, read_body, url_parameters
from scograph.server.responses import answer_response

_MULTIPART = "multipart/form-data"
_STORE_PATH = "/graph-store"


def _target(request: Request) -> tuple[bool, str | None]:
    """Return (whether a graph is named, its IRI or None for the default graph)."""
    if request.url.path.rstrip("/") != _STORE_PATH:
        return True, endpoint_url(request)
    parameters = url_parameters(request)
    graphs = [value for name, value in parameters if name == "graph"]
    default = any(name == "default" for name, _ in parameters)
    if len(graphs) > 1 or (graphs and default):
        raise BadRequestError("Name one graph: either ?graph=IRI or ?default.")
    if graphs:
        return True, graphs[0]
    return default, None


def _named_target(request: Request) -> str | None:
    named, iri = _target(request)
    if not named:
        raise BadRequestError("Name the graph with ?graph=IRI or ?default.")
    return iri


async def _read(request: Request, head: bool) -> Response:
    iri = _named_target(request)
    answer = await readers_of(request).answer(
        {
            "op": "graph",
            "graph": iri,
            "accept": request.headers.get("accept"),
            "union": settings_of(request).union_default_graph,
            "head": head,
        }
    )
    return answer_response(answer, head_only=head)


async def graph_get(request: Request) -> Response:
    """The graph's triples in the format the Accept header prefers (404: no such graph)."""
    return await _read(request, head=False)


async def graph_head(request: Request) -> Response:
    """What GET would send, without the body."""
    return await _read(request, head=True)


async def _parts(request: Request, limit: int) -> tuple[list[str], list[bytes]]:
    """The RDF documents of the body: one, or each part of a multipart form."""
    kind = media_type(request)
    body = await read_body(request, limit)
    if kind != _MULTIPART:
        if ox.RdfFormat.from_media_type(kind) is None:
            raise UnsupportedMediaTypeError(f"Cannot read RDF sent as {kind or 'an untyped body'}.")
        return [kind], [body]
    header = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise BadRequestError("The multipart body could not be read.")
    kinds, bodies = [], []
    for part in message.iter_parts():
        kind = part.get_content_type()
        fmt = ox.RdfFormat.from_media_type(kind)
        if fmt is None and part.get_filename():
            fmt = ox.RdfFormat.from_extension(part.get_filename().rpartition(".")[2])
        if fmt is None:
            raise UnsupportedMediaTypeError(
                f"Cannot read the part {part.get_filename()!r} sent as {kind}."
            )
        kinds.append(fmt.media_type)
        bodies.append(part.get_payload(decode=True) or b"")
    return kinds, bodies


async def graph_put(request: Request) -> Response:
    """Replace the graph with the body (201 when the graph is new, else 204)."""
    writer, settings = authorised_writer(request), settings_of(request)
    iri = _named_target(request)
    kinds, bodies = await _parts(request, settings.max_body_bytes)
    done = await writer.call(
        {"op": "put", "graph": iri, "media_types": kinds, "base": endpoint_url(request)}, bodies
    )
    return Response(status_code=201 if done.get("created") else 204)


async def graph_post(request: Request) -> Response:
    """Add the body to the graph; posted to the store itself, make a new graph (201 + Location)."""
    writer, settings = authorised_writer(request), settings_of(request)
    named, iri = _target(request)
    location = None
    if not named:
        base = str(request.base_url).rstrip("/")
        iri = location = f"{base}{_STORE_PATH}/{uuid.uuid4().hex}"
    kinds, bodies = await _parts(request, settings.max_body_bytes)
    done = await writer.call(
        {"op": "post", "graph": iri, "media_types": kinds, "base": endpoint_url(request)}, bodies
    )
    if location is not None:
        return Response(status_code=201, headers={"Location": location})
    return Response(status_code=201 if done.get("created") else 204)


async def graph_delete(request: Request) -> Response:
    """Delete the graph (204), or 404 when there is no such graph."""
    writer = authorised_writer(request)
    iri = _named_target(request)
    await writer.call({"op": "delete", "graph": iri})
    return Response(status_code=204)
