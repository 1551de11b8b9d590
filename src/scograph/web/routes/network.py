"""``/network``: organisations, forums, initiatives, cities and countries, linked;
``/network/data.json``: its nodes and links."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from scograph.web.pages import READ_METHODS, page_context, render_page
from scograph.web.site import SiteDep

router = APIRouter()

KINDS = ("organisation", "forum", "initiative", "city", "country")


@router.api_route("/network/data.json", methods=READ_METHODS, response_class=JSONResponse)
async def network_data(request: Request, site: SiteDep) -> JSONResponse:
    """The nodes (with names in every language) and links of the network view."""
    return JSONResponse(await site.network_document(request.app.state))


@router.api_route("/network", methods=READ_METHODS, response_class=HTMLResponse)
async def network(request: Request) -> HTMLResponse:
    """The network page; its script lays the network out and draws it."""
    context = page_context(request, "network")
    t = context["t"]
    context |= {
        "kinds": KINDS,
        "page_data": {
            "dataUrl": f"{context['prefix']}/network/data.json",
            "prefix": context["prefix"],
            "lang": context["lang"],
            "chosenLanguage": context["link"].language is not None,
            "messages": {
                **t.subset("network."),
                **t.subset("link."),
                **t.subset("kind."),
            },
        },
    }
    return render_page("network.html", context)
