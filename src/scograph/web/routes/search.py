"""``/search?q=``: things found by any of their names, as a page or as JSON.

Browsers get the page; ``Accept: application/json`` or ``?format=json`` gets
``{"query", "total", "results": [{"iri", "kind", "page", "name", "matched"}]}``,
where ``page`` is the path of the thing's page (ontology terms: their anchor).
"""

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from scograph.publish.conneg import negotiate
from scograph.publish.formats import HTML, WebFormat
from scograph.publish.thing_page import href
from scograph.web.labels import SHORT_PROPERTY_NAMES, LabelIndex, Match, Name, kind_of
from scograph.web.pages import READ_METHODS, page_context, render_page
from scograph.web.site import SiteDep

router = APIRouter()

JSON = WebFormat("JSON", "application/json", ".json", None)
MAX_RESULTS = 50
MAX_QUERY_LENGTH = 200
_VARY = "Accept, Accept-Language"


@dataclass(frozen=True)
class Result:
    """A thing found: its page, its name in the page language and the name that matched."""

    iri: str
    kind: str
    page: str | None
    name: Name
    matched: Name


@router.api_route("/search", methods=READ_METHODS, response_class=Response)
async def search(request: Request, site: SiteDep, q: str = "", format: str = "") -> Response:
    """Things with a name (label, preferred or alternative) containing ``q``, any case."""
    q = q.strip()[:MAX_QUERY_LENGTH]
    context = page_context(request, "search")
    labels = await site.labels(request.app.state)
    matches = labels.search(q)
    if format == "json" or (
        not format and negotiate(request.headers.get("accept"), (HTML, JSON)) is JSON
    ):
        found = [_result(labels, m, context["lang"], "") for m in matches[:MAX_RESULTS]]
        document = {"query": q, "total": len(matches), "results": [_json(r) for r in found]}
        return JSONResponse(document, headers={"Vary": _VARY})
    found = [_result(labels, m, context["lang"], context["prefix"]) for m in matches[:MAX_RESULTS]]
    page = render_page("search.html", context | {"q": q, "total": len(matches), "results": found})
    page.headers["Vary"] = _VARY
    return page


def _result(labels: LabelIndex, match: Match, language: str, prefix: str) -> Result:
    name = labels.name(match.iri, language) or match.matched
    kind = kind_of(match.iri) or "term"
    return Result(match.iri, kind, href(match.iri, prefix), name, match.matched)


def _json(result: Result) -> dict[str, object]:
    return {
        "iri": result.iri,
        "kind": result.kind,
        "page": result.page,
        "name": _name(result.name),
        "matched": _name(result.matched),
    }


def _name(name: Name) -> dict[str, object]:
    return {
        "text": name.text,
        "lang": name.lang,
        "property": SHORT_PROPERTY_NAMES.get(name.prop, name.prop),
    }
