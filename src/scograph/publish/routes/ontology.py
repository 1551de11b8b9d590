"""The ontology IRI: pyLODE's documentation for browsers, RDF for machines.

Term IRIs are hash IRIs (``…/ontology#Forum``), so they all resolve here and the
browser scrolls to the term's anchor. Suffixes (``/ontology.ttl``) pick a format.
"""

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from scograph.publish.formats import HTML, METADATA_FORMATS, WebFormat
from scograph.publish.ontology_docs import OntologyDocsError, ontology_html, ontology_rdf
from scograph.publish.routes.context import ContextDep, StoreDep, root_path
from scograph.publish.routes.responses import error_page, negotiated, not_acceptable, rdf_response

router = APIRouter(tags=["ontology"])

ONTOLOGY_FORMATS = (HTML, *METADATA_FORMATS)


def _answer(
    fmt: WebFormat, request: Request, store: StoreDep, context: ContextDep, vary: bool
) -> Response:
    prefix = root_path(request)
    headers = {
        "Link": ", ".join(
            f'<{prefix}/ontology{f.suffix}>; rel="alternate"; type="{f.media_type}"'
            for f in ONTOLOGY_FORMATS
        )
    }
    if vary:
        headers["Vary"] = "Accept"
    if fmt is HTML:
        page = context.cached("ontology.html", lambda: _html_or_error(store))
        if isinstance(page, OntologyDocsError):
            return error_page(request, 500, "No ontology documentation", str(page))
        return HTMLResponse(page, headers=headers)
    assert fmt.rdf_format is not None
    body = context.cached(f"ontology{fmt.suffix}", lambda: ontology_rdf(store, fmt.rdf_format))
    return rdf_response(body, fmt, headers)


def _html_or_error(store: StoreDep) -> str | OntologyDocsError:
    """The page, or why there is none (cached too: a broken ontology is not re-run per request)."""
    try:
        return ontology_html(store)
    except OntologyDocsError as error:
        return error


@router.api_route("/ontology", methods=["GET", "HEAD"], response_class=Response)
def ontology(request: Request, store: StoreDep, context: ContextDep) -> Response:
    fmt = negotiated(request, ONTOLOGY_FORMATS)
    if fmt is None:
        return not_acceptable(ONTOLOGY_FORMATS)
    return _answer(fmt, request, store, context, vary=True)


def _suffix_route(fmt: WebFormat) -> None:
    def ontology_as(request: Request, store: StoreDep, context: ContextDep) -> Response:
        return _answer(fmt, request, store, context, vary=False)

    ontology_as.__name__ = f"ontology_{fmt.suffix.lstrip('.')}"
    router.add_api_route(
        f"/ontology{fmt.suffix}", ontology_as, methods=["GET", "HEAD"], response_class=Response
    )


for _fmt in ONTOLOGY_FORMATS:
    _suffix_route(_fmt)
