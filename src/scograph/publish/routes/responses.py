"""Answers the publishing routes share: negotiated RDF, 404 pages, 406."""

from collections.abc import Sequence

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse

from scograph.publish.conneg import negotiate
from scograph.publish.formats import HTML, WebFormat
from scograph.publish.pages import render
from scograph.publish.routes.context import root_path

_PLAIN = WebFormat("text", "text/plain", ".txt", None)


def negotiated(request: Request, offers: tuple[WebFormat, ...]) -> WebFormat | None:
    """The offer the request's Accept header prefers (None: answer 406)."""
    return negotiate(request.headers.get("accept"), offers)


def not_acceptable(offers: Sequence[WebFormat]) -> Response:
    """406, listing what is on offer."""
    listed = "\n".join(f.media_type for f in offers)
    return PlainTextResponse(f"Not acceptable. Available media types:\n{listed}\n", status_code=406)


def not_found(request: Request, what: str) -> Response:
    """404: a page for browsers, a line of text for other clients; never an empty document."""
    headers = {"Vary": "Accept"}
    if negotiated(request, (HTML, _PLAIN)) is HTML:
        page = render("not_found.html", prefix=root_path(request), what=what)
        return HTMLResponse(page, status_code=404, headers=headers)
    return PlainTextResponse(f"Not found: {what}\n", status_code=404, headers=headers)


def error_page(request: Request, status: int, heading: str, message: str) -> Response:
    """An error page for browsers, text for other clients."""
    if negotiated(request, (HTML, _PLAIN)) is HTML:
        page = render("error.html", prefix=root_path(request), heading=heading, message=message)
        return HTMLResponse(page, status_code=status)
    return PlainTextResponse(f"{heading}: {message}\n", status_code=status)


def rdf_response(body: bytes, fmt: WebFormat, headers: dict[str, str] | None = None) -> Response:
    return Response(body, media_type=fmt.content_type, headers=headers)
