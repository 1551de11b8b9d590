"""``/.well-known/void`` (RFC 8615): the VoID description in Turtle, N-Triples, JSON-LD, RDF/XML."""

from fastapi import APIRouter, Request, Response

from scograph.publish import void
from scograph.publish.formats import METADATA_FORMATS
from scograph.publish.rdf import serialise
from scograph.publish.releases import dump_links_of_latest
from scograph.publish.routes.context import ContextDep, StoreDep
from scograph.publish.routes.responses import negotiated, not_acceptable, rdf_response
from scograph.publish.statistics import compute
from scograph.publish.views import graph_infos

router = APIRouter(tags=["dataset description"])


@router.api_route("/.well-known/void", methods=["GET", "HEAD"], response_class=Response)
def well_known_void(request: Request, store: StoreDep, context: ContextDep) -> Response:
    """The live store's statistics with the latest release's dumps."""
    fmt = negotiated(request, METADATA_FORMATS)
    if fmt is None:
        return not_acceptable(METADATA_FORMATS)
    described = context.cached(
        "void", lambda: void.description(compute(store), graph_infos(store), context.urls)
    )
    triples = described + dump_links_of_latest(context.releases_dir, context.urls)
    assert fmt.rdf_format is not None
    return rdf_response(serialise(triples, fmt.rdf_format), fmt, {"Vary": "Accept"})
