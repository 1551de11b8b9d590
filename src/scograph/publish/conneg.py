"""Content and language negotiation: which representation, which label language.

Small and exact (RFC 9110 §12.5): q-values, wildcards, parameters ignored except
``q``, ``q=0`` refuses. Among equally acceptable offers, the client's order wins,
then the server's (so ``*/*`` gets the server's first offer).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from scograph.publish.formats import WebFormat


@dataclass(frozen=True)
class _Range:
    value: str
    q: float
    position: int


def _parse(header: str | None) -> list[_Range]:
    """Parse an Accept or Accept-Language header into ranges; malformed q-values count as 0."""
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


def negotiate(accept: str | None, offers: Sequence[WebFormat]) -> WebFormat | None:
    """Return the offer the Accept header prefers, or None when it accepts none (406).

    A missing or empty header accepts anything, so it gets the first offer.
    """
    ranges = _parse(accept)
    if not ranges:
        return offers[0] if offers else None
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for order, offer in enumerate(offers):
        match = _best_media_range(ranges, (offer.media_type, *offer.aliases))
        if match is None or match[0].q <= 0:
            continue
        found, specificity = match
        # Higher q, then a more specific range, then the client's order, then ours.
        key = (found.q, specificity, -found.position, -order)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def _best_media_range(
    ranges: list[_Range], media_types: Sequence[str]
) -> tuple[_Range, int] | None:
    """The most specific range that matches any of the media types, with its specificity."""
    best: tuple[_Range, int] | None = None
    for media_type in media_types:
        kind = media_type.split("/")[0]
        for candidate in ranges:
            if candidate.value == media_type:
                specificity = 2
            elif candidate.value == f"{kind}/*":
                specificity = 1
            elif candidate.value == "*/*":
                specificity = 0
            else:
                continue
            if best is None or (specificity, candidate.q) > (best[1], best[0].q):
                best = (candidate, specificity)
    return best


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
