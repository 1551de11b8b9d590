"""Things' IRIs that resolve: ``/id/{type}/{key}`` → 303 → ``/doc/{type}/{key}``.

The document negotiates HTML, Turtle, N-Triples, JSON-LD, RDF/XML, TriG and
N-Quads by ``Accept`` or by a suffix (``/doc/city/qingdao.ttl``); the HTML page's
labels follow ``Accept-Language`` (en, zh, ru) or ``?lang=``.
"""

import re

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from scograph.namespaces import entity_iri
from scograph.publish.conneg import language_of
from scograph.publish.describe import describe
from scograph.publish.formats import DOCUMENT_FORMATS, HTML, by_suffix
from scograph.publish.pages import render
from scograph.publish.routes.context import ContextDep, StoreDep, root_path
from scograph.publish.routes.responses import negotiated, not_acceptable, not_found, rdf_response
from scograph.publish.thing_page import page_model
from scograph.publish.views import graph_infos

router = APIRouter(tags=["linked data"])

_KIND = re.compile(r"[a-z][a-z0-9-]{0,63}")
_KEY = re.compile(r"[A-Za-z0-9._~-]{1,200}")


@router.api_route("/id/{kind}/{key}", methods=["GET", "HEAD"], response_class=Response)
def resolve_thing(kind: str, key: str, request: Request, store: StoreDep) -> Response:
    """303 See Other from a thing's IRI to its document; 404 for an IRI the store never mentions."""
    iri = _thing_iri(kind, key)
    if iri is None or not _mentioned(store, iri):
        return not_found(request, iri or f"id/{kind}/{key}")
    return RedirectResponse(f"{root_path(request)}/doc/{kind}/{key}", status_code=303)


@router.api_route("/doc/{kind}/{key}", methods=["GET", "HEAD"], response_class=Response)
def thing_document(
    kind: str,
    key: str,
    request: Request,
    store: StoreDep,
    context: ContextDep,
) -> Response:
    """The document about a thing, in the format asked for."""
    key, suffix_format = by_suffix(DOCUMENT_FORMATS, key)
    iri = _thing_iri(kind, key)
    if iri is None:
        return not_found(request, f"id/{kind}/{key}")
    fmt = suffix_format or negotiated(request, DOCUMENT_FORMATS)
    if fmt is None:
        return not_acceptable(DOCUMENT_FORMATS)
    description = describe(store, iri)
    if not description.exists:
        return not_found(request, iri)
    doc_path = f"{root_path(request)}/doc/{kind}/{key}"
    headers = {"Link": _alternates(doc_path)}
    if suffix_format is None:
        headers["Vary"] = "Accept, Accept-Language"
        headers["Content-Location"] = doc_path + fmt.suffix
    elif fmt is HTML:
        headers["Vary"] = "Accept-Language"
    if fmt is HTML:
        language, _ = language_of(request)
        graphs = context.cached("graphs", lambda: graph_infos(store))
        model = page_model(store, description, graphs, language, root_path(request), doc_path)
        return HTMLResponse(render("thing.html", **model), headers=headers)
    assert fmt.rdf_format is not None
    return rdf_response(description.serialise(fmt.rdf_format), fmt, headers)


def _thing_iri(kind: str, key: str) -> str | None:
    if not _KIND.fullmatch(kind) or not _KEY.fullmatch(key):
        return None
    return entity_iri(kind, key)


def _mentioned(store: ox.Store, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return any(True for _ in store.quads_for_pattern(node, None, None, None)) or any(
        True for _ in store.quads_for_pattern(None, None, node, None)
    )


def _alternates(doc_path: str) -> str:
    return ", ".join(
        f'<{doc_path}{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in DOCUMENT_FORMATS
    )
