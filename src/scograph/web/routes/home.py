"""``/``: what the graph holds, with live counts, and the ways into it."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from scograph.namespaces import ONTOLOGY
from scograph.publish.vocab import DCTERMS
from scograph.web.pages import READ_METHODS, page_context, render_page
from scograph.web.site import SiteDep

router = APIRouter()

# Opened in the editor from the "sources" figure: the list behind that number.
SOURCES_QUERY = f"""# title: The sources of the graph
PREFIX sg: <{ONTOLOGY}>
PREFIX dcterms: <{DCTERMS}>

SELECT ?source ?title ?date WHERE {{
  ?source a sg:Source .
  OPTIONAL {{ ?source dcterms:title ?title }}
  OPTIONAL {{ ?source dcterms:date ?date }}
}}
ORDER BY ?date ?title
"""


@router.api_route("/", methods=READ_METHODS, response_class=HTMLResponse)
async def home(request: Request, site: SiteDep) -> HTMLResponse:
    """The home page: a paragraph with the counts, a search box, links to everything else."""
    context = page_context(request, "home")
    context |= {
        "counts": await site.counts(request.app.state),
        "examples": site.examples(),
        "sources_query": SOURCES_QUERY,
    }
    return render_page("home.html", context)
