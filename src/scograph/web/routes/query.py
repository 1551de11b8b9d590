"""``/query``: the query editor (YASGUI, served from this package); ``/queries``: the examples.

The editor opens ``?query=`` (a shared link), else ``?example=`` (one of the
example queries), else the first example. ``#query=`` works too, read by the page.
The examples are listed beside it; one click opens one in the editor. Each
example is also served as it is, at ``/queries/{name}.rq``.
"""

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse

from scograph.namespaces import ID
from scograph.publish.vocab import PREFIXES
from scograph.web.examples import find_example
from scograph.web.pages import READ_METHODS, page_context, render_page
from scograph.web.site import SiteDep

router = APIRouter()

MAX_SHARED_QUERY = 64 * 1024
_FALLBACK_QUERY = "SELECT * WHERE {\n  ?thing ?property ?value .\n}\nLIMIT 10\n"


@router.api_route("/query", methods=READ_METHODS, response_class=HTMLResponse)
async def query_editor(
    request: Request, site: SiteDep, query: str | None = None, example: str | None = None
) -> HTMLResponse:
    """The editor, with the examples beside it."""
    examples = site.examples()
    chosen = find_example(examples, example) if example else None
    if query:
        initial = query[:MAX_SHARED_QUERY]
    elif chosen is not None:
        initial = chosen.text
    else:
        initial = examples[0].text if examples else _FALLBACK_QUERY
    context = page_context(request, "query")
    page_data = {
        "endpoint": f"{context['prefix']}/sparql",
        "editorPath": f"{context['prefix']}/query",
        "thingBase": ID,
        "pagesPath": f"{context['prefix']}/doc/",
        "query": initial,
        "examples": {e.name: e.text for e in examples},
        "prefixes": PREFIXES,
        "messages": context["t"].subset("query."),
    }
    context |= {
        "examples": examples,
        "current_example": chosen.name if chosen and not query else None,
        "initial_query": initial,
        "page_data": page_data,
    }
    return render_page("query.html", context)


@router.api_route("/queries", methods=READ_METHODS, response_class=HTMLResponse)
async def example_queries(request: Request, site: SiteDep) -> HTMLResponse:
    """Every example query: its question, what it shows, its keywords, a link to open it."""
    context = page_context(request, "examples") | {"examples": site.examples()}
    return render_page("examples.html", context)


@router.api_route("/queries/{name}.rq", methods=READ_METHODS, response_class=Response)
async def example_query_file(name: str, site: SiteDep) -> Response:
    """One example query, as its ``.rq`` file."""
    found = find_example(site.examples(), name)
    if found is None:
        return PlainTextResponse(f"No example query is called {name}.\n", status_code=404)
    return Response(found.text, media_type="application/sparql-query; charset=utf-8")
