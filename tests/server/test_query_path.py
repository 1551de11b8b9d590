"""Queries take a short path past the framework's layers unless CORS needs them.

A request with an ``Origin`` goes through every layer (CORS answers it); the same
request without one takes the short path. Both must get the same answer, apart
from the CORS headers and the cache's note of whether it was kept.
"""

from typing import Any

import httpx
import pytest

from .helpers import Server

SELECT = "SELECT ?city WHERE { ?city a <https://w3id.org/scograph/ontology#City> } ORDER BY ?city"
CONSTRUCT = "CONSTRUCT WHERE { ?s a <https://w3id.org/scograph/ontology#City> }"
FORM = "application/x-www-form-urlencoded"

# (method, query string parameters, headers, body) of each request compared.
CASES: dict[str, tuple[str, dict[str, str], dict[str, str], str | None]] = {
    "GET SELECT as JSON": ("GET", {"query": SELECT}, {}, None),
    "GET SELECT as TSV, extra parameters": (
        "GET",
        {"query": SELECT, "format": "json", "timeout": "5"},
        {"Accept": "text/tab-separated-values"},
        None,
    ),
    "POST form, XML": (
        "POST",
        {},
        {"Content-Type": FORM, "Accept": "application/sparql-results+xml"},
        httpx.QueryParams({"query": SELECT}).__str__(),
    ),
    "POST query body, Turtle": (
        "POST",
        {},
        {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "text/turtle"},
        CONSTRUCT,
    ),
    "syntax error": ("GET", {"query": "SELECT ?x WHERE { ?x ?y }"}, {}, None),
    "nothing acceptable": ("GET", {"query": SELECT}, {"Accept": "image/png"}, None),
    "service description": ("GET", {}, {"Accept": "text/turtle"}, None),
    "browser without a query": ("GET", {}, {"Accept": "text/html"}, None),
    "update by GET": ("GET", {"update": "CLEAR ALL"}, {}, None),
    "update without the token": (
        "POST",
        {},
        {"Content-Type": "application/sparql-update"},
        "CLEAR ALL",
    ),
    "SERVICE not allowed": (
        "GET",
        {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"},
        {},
        None,
    ),
    "body of an unknown type": ("POST", {}, {"Content-Type": "text/plain"}, SELECT),
    "empty query": ("GET", {"query": "  "}, {}, None),
}

# Headers that may differ between the two paths: CORS's own, the cache's note
# (the second request may find the first one's answer kept), and the clock.
_VARYING = {"date", "x-cache", "access-control-allow-origin", "access-control-expose-headers"}


def _exchange(client: httpx.Client, server: Server, case: str, origin: str | None) -> Any:
    method, params, headers, body = CASES[case]
    headers = dict(headers)
    if origin is not None:
        headers["Origin"] = origin
    response = client.request(method, server.sparql, params=params, headers=headers, content=body)
    kept = {
        name: value
        for name, value in response.headers.items()
        if name not in _VARYING and not (name == "vary" and value == "Origin")
    }
    if "vary" in kept:
        kept["vary"] = ", ".join(v for v in kept["vary"].split(", ") if v != "Origin")
    return response.status_code, kept, response.content


@pytest.mark.parametrize("case", CASES)
def test_a_query_gets_the_same_answer_with_and_without_an_origin(
    limited_server: Server, client: httpx.Client, case: str
) -> None:
    through_cors = _exchange(client, limited_server, case, "https://example.org")
    short = _exchange(client, limited_server, case, None)
    assert short == through_cors


def test_cors_headers_come_only_with_an_origin(server: Server, client: httpx.Client) -> None:
    plain = client.get(server.sparql, params={"query": "ASK {}"})
    cross = client.get(
        server.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://a.example"}
    )
    assert plain.status_code == cross.status_code == 200
    assert "access-control-allow-origin" not in plain.headers
    assert cross.headers["access-control-allow-origin"] == "*"
    assert plain.content == cross.content
