"""Rendering the web front's pages, in the publishing pages' design and environment.

The pages use the publishing style sheet (``/assets/scograph.css``) and add their
own (``/static/web.css``); every page gets the same context: the path prefix, the
language and its words, and a ``link()`` that keeps a chosen language in links.
"""

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from scograph.publish.conneg import language_of
from scograph.publish.pages import render
from scograph.publish.routes.context import root_path
from scograph.web.i18n import LANGUAGES, messages

# Pages and their data answer HEAD too, as the publishing routes do.
READ_METHODS = ["GET", "HEAD"]
STATIC_DIR = Path(__file__).resolve().parent / "static"


class PageLinks:
    """Builds links within the site: under the prefix, with the chosen language kept."""

    def __init__(self, prefix: str, language: str | None) -> None:
        self.prefix = prefix
        self.language = language

    def __call__(self, path: str, **params: object) -> str:
        query = {k: v for k, v in params.items() if v is not None and v != ""}
        if self.language and "lang" not in query:
            query["lang"] = self.language
        return self.prefix + path + (f"?{urlencode(query, doseq=True)}" if query else "")


def page_context(request: Request, active: str) -> dict[str, Any]:
    """What every page needs: prefix, language, words, links, and the current page."""
    language, chosen = language_of(request)
    prefix = root_path(request)
    return {
        "prefix": prefix,
        "lang": language,
        "languages": LANGUAGES,
        "t": messages(language),
        "link": PageLinks(prefix, language if chosen else None),
        "active": active,
        "language_links": _language_links(request),
    }


def _language_links(request: Request) -> list[tuple[str, str, str]]:
    """(code, name, link) per language: this page again, its parameters kept."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return [(code, name, "?" + urlencode([*kept, ("lang", code)])) for code, name in LANGUAGES]


def render_page(template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """An HTML page whose content depends on the visitor's language."""
    return HTMLResponse(
        render(template, **context), status_code=status_code, headers={"Vary": "Accept-Language"}
    )
