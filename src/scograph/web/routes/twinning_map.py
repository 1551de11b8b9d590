"""``/map``: the map of twinnings; ``/map/data.json``: what it draws.

The page's filters start from its URL (``?status=established&status=announced
&country=country/china&from=1990&to=2020&undated=0``), so a view can be shared;
without ``status`` the map shows the established twinnings only.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from scograph.web.map_data import STATUSES
from scograph.web.pages import READ_METHODS, page_context, render_page
from scograph.web.site import SiteDep

router = APIRouter()


@router.api_route("/map/data.json", methods=READ_METHODS, response_class=JSONResponse)
async def map_data(request: Request, site: SiteDep) -> JSONResponse:
    """Cities (with coordinates), countries, twinnings and their sources, for the map."""
    return JSONResponse(await site.map_document(request.app.state))


@router.api_route("/map", methods=READ_METHODS, response_class=HTMLResponse)
async def twinning_map(
    request: Request,
    site: SiteDep,
    status: Annotated[list[str] | None, Query()] = None,
    country: str = "",
    from_: Annotated[str, Query(alias="from")] = "",
    to: str = "",
    undated: Annotated[list[str] | None, Query()] = None,
) -> HTMLResponse:
    """The map page: filters, the drawing (by its script), a table of what is drawn."""
    context = page_context(request, "map")
    document = await site.map_document(request.app.state)
    language = context["lang"]
    countries = sorted(
        ((key, c["names"][language]) for key, c in document["countries"].items()),
        key=lambda item: item[1].casefold(),
    )
    filters = {
        "statuses": [s for s in status or [] if s in STATUSES] or ["established"],
        "country": country if country in document["countries"] else "",
        "from": _year(from_),
        "to": _year(to),
        "undated": (undated or ["1"])[-1] != "0",
    }
    context |= {
        "statuses": STATUSES,
        "countries": countries,
        "filters": filters,
        "page_data": {
            "dataUrl": f"{context['prefix']}/map/data.json",
            "prefix": context["prefix"],
            "lang": language,
            "chosenLanguage": context["link"].language is not None,
            "messages": context["t"].subset("map."),
        },
    }
    return render_page("map.html", context)


def _year(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
