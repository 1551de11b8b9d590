"""Content and language negotiation, one case per Accept-header edge."""

import pytest

from scograph.publish.conneg import choose_language, negotiate
from scograph.publish.formats import DOCUMENT_FORMATS, HTML, JSONLD, NTRIPLES, RDFXML, TURTLE

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
RDFLIB_DEFAULT = (
    "application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
    "application/n-quads, application/trix, application/trig"
)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, HTML),
        ("", HTML),
        ("*/*", HTML),
        (BROWSER, HTML),
        ("text/turtle", TURTLE),
        ("text/turtle;charset=utf-8", TURTLE),
        ("application/x-turtle", TURTLE),
        ("text/*", HTML),
        ("text/html;q=0.5, text/turtle", TURTLE),
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"', JSONLD),
        ("application/json", JSONLD),
        ("text/plain, */*;q=0.1", NTRIPLES),
        (RDFLIB_DEFAULT, RDFXML),
        ("text/turtle;q=0.9, application/n-triples", NTRIPLES),
        ("text/html;q=0, */*", TURTLE),
        ("text/turtle;q=abc, application/ld+json;q=0.2", JSONLD),
    ],
)
def test_accept_header_picks_the_representation(accept: str | None, expected: object) -> None:
    assert negotiate(accept, DOCUMENT_FORMATS) is expected


@pytest.mark.parametrize(
    "accept", ["application/pdf", "image/*", "text/turtle;q=0, application/pdf"]
)
def test_an_accept_header_with_nothing_on_offer_gets_none(accept: str) -> None:
    assert negotiate(accept, DOCUMENT_FORMATS) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.5", "zh"),
        ("ru-RU", "ru"),
        ("de-DE,de;q=0.9", "en"),
        ("de, ru;q=0.4, zh;q=0.6", "zh"),
        ("zh-Hans-CN", "zh"),
        ("*", "en"),
        ("en;q=0, *", "zh"),
        ("fr, ru;q=0.1", "ru"),
    ],
)
def test_accept_language_picks_a_supported_language(header: str | None, expected: str) -> None:
    assert choose_language(header, ("en", "zh", "ru")) == expected
