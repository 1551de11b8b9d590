"""Content and language negotiation for the publishing routes and the web pages.

The representation is chosen by the endpoint's exact negotiation
(:func:`scograph.server.conneg.negotiate`) over the formats' media types and
aliases (a format is sent under its own type, whichever name was asked for), with
media-type parameters ignored. A page's language is ``?lang=`` when it names a
supported one, else the best match of ``Accept-Language``: q-values, ``*``,
``q=0`` refuses, primary subtags only.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import Request

from scograph.publish.formats import WebFormat
from scograph.publish.thing_page import SUPPORTED_LANGUAGES
from scograph.server import conneg


def negotiate(accept: str | None, formats: tuple[WebFormat, ...]) -> WebFormat | None:
    """Return the format the Accept header prefers, or None when it accepts none (406).

    A missing or empty header accepts anything, so it gets the first format.
    """
    return conneg.negotiate(accept, formats, ignore_parameters=True)


@dataclass(frozen=True)
class _Range:
    value: str
    q: float
    position: int


def _parse(header: str | None) -> list[_Range]:
    """Parse an Accept-Language header into ranges; malformed q-values count as 0."""
    ranges = []
    for position, item in enumerate((header or "").split(",")):
        parts = [p.strip() for p in item.split(";")]
        value = parts[0].lower()
        if not value:
            continue
        q = 1.0
        for param in parts[1:]:
            key, _, raw = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(raw.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(_Range(value, q, position))
    return ranges


def choose_language(
    accept_language: str | None, supported: Sequence[str], default: str = "en"
) -> str:
    """Return the supported language the visitor prefers (primary subtags: ``zh-CN`` is ``zh``).

    Falls back to ``default`` when the header names no supported language.
    """
    ranges = sorted(_parse(accept_language), key=lambda r: (-r.q, r.position))
    refused = {r.value.split("-")[0] for r in ranges if r.q <= 0}
    for candidate in ranges:
        if candidate.q <= 0:
            continue
        primary = candidate.value.split("-")[0]
        if primary == "*":
            return (
                default
                if default not in refused
                else next((s for s in supported if s not in refused), default)
            )
        if primary in supported:
            return primary
    return default


def language_of(request: Request) -> tuple[str, bool]:
    """The page's language, and whether the visitor chose it with ``?lang=``.

    ``?lang=`` when it names a supported language (``zh-CN`` is ``zh``), else the
    best match of ``Accept-Language``. The web pages carry a chosen language on in
    their links, so it holds while browsing.
    """
    asked = (request.query_params.get("lang") or "").split("-")[0].lower()
    if asked in SUPPORTED_LANGUAGES:
        return asked, True
    return choose_language(request.headers.get("accept-language"), SUPPORTED_LANGUAGES), False
