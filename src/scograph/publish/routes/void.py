"""``/.well-known/void`` (RFC 8615): the VoID description in Turtle, N-Triples, JSON-LD, RDF/XML."""

import hashlib

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from scograph.publish import void
from scograph.publish.formats import METADATA_FORMATS
from scograph.publish.rdf import serialise
from scograph.publish.releases import dump_links_of_latest
from scograph.publish.routes.context import ContextDep, PublishingContext, StoreDep
from scograph.publish.routes.files import etag_matches
from scograph.publish.routes.responses import negotiated, not_acceptable, rdf_response
from scograph.publish.statistics import compute
from scograph.publish.views import graph_infos

router = APIRouter(tags=["dataset description"])


def void_statements(context: PublishingContext, store: ox.Store) -> list[ox.Triple]:
    """The store's VoID description with its statistics, computed once per process.

    The served store does not change under a running server (a writable one's pages
    read a snapshot taken at start), so neither do its statistics.
    """
    return context.cached(
        "void", lambda: void.description(compute(store), graph_infos(store), context.urls)
    )


@router.api_route("/.well-known/void", methods=["GET", "HEAD"], response_class=Response)
def well_known_void(request: Request, store: StoreDep, context: ContextDep) -> Response:
    """The live store's statistics with the latest release's dumps."""
    fmt = negotiated(request, METADATA_FORMATS)
    if fmt is None:
        return not_acceptable(METADATA_FORMATS)
    triples = void_statements(context, store) + dump_links_of_latest(
        context.releases_dir, context.urls
    )
    assert fmt.rdf_format is not None
    body = serialise(triples, fmt.rdf_format)
    # Validators, so that harvesters re-reading VoID get 304 while nothing changed.
    etag = (
        '"'
        + hashlib.blake2b(fmt.content_type.encode() + b"\n" + body, digest_size=16).hexdigest()
        + '"'
    )
    headers = {"Vary": "Accept", "ETag": etag, "Cache-Control": "no-cache"}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return rdf_response(body, fmt, headers)
