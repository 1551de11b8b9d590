"""``/assets/…``: the style sheet of the publishing pages."""

from fastapi import APIRouter, Request, Response

from scograph.publish.pages import STATIC_DIR
from scograph.publish.routes.files import file_response
from scograph.publish.routes.responses import not_found

router = APIRouter(tags=["assets"])

_ASSETS = frozenset({"scograph.css"})


@router.api_route("/assets/{name}", methods=["GET", "HEAD"], response_class=Response)
def asset(name: str, request: Request) -> Response:
    if name not in _ASSETS:
        return not_found(request, f"assets/{name}")
    return file_response(request, STATIC_DIR / name, "public, max-age=3600")
