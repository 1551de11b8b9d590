"""Content negotiation, one test per Accept edge case, over HTTP against the real server.

Each answer is parsed in the format its Content-Type names, so a test fails when the
header and the body disagree.
"""

import httpx
import pyoxigraph as ox
import pytest

from scograph.server.conneg import GRAPH_OFFERS, RESULT_OFFERS, negotiate

from .helpers import CITY, SG, Server, csv_rows, select, triples

SELECT = f"SELECT ?city WHERE {{ ?city <{SG}sisterOf> ?other }}"
ASK = f"ASK {{ <{CITY}qingdao> <{SG}sisterOf> ?other }}"
CONSTRUCT = f"CONSTRUCT {{ ?a <{SG}sisterOf> ?b }} WHERE {{ ?a <{SG}sisterOf> ?b }}"
SISTER = (CITY + "qingdao", SG + "sisterOf", CITY + "bishkek")

RESULT_PARSERS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_PARSERS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}


def _get(server: Server, client: httpx.Client, query: str, accept: str | None) -> httpx.Response:
    request = client.build_request("GET", server.sparql, params={"query": query})
    if accept is None:
        del request.headers["Accept"]
    else:
        request.headers["Accept"] = accept
    return client.send(request)


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def _assert_select(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    media_type = _media_type(response)
    if media_type == "text/csv":
        assert csv_rows(response.content) == [{"city": CITY + "qingdao"}]
    else:
        assert select(response.content, RESULT_PARSERS[media_type]) == [{"city": CITY + "qingdao"}]


SELECT_CASES = [
    # (Accept header, media type that must be sent)
    (None, "application/sparql-results+json"),
    ("", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("application/sparql-results+xml;q=0.2, text/csv", "text/csv"),
    ("text/tab-separated-values, text/csv", "text/tab-separated-values"),
    ("text/csv, text/tab-separated-values", "text/csv"),
    ("text/*", "text/csv"),
    ("application/*", "application/sparql-results+json"),
    ("text/turtle, */*;q=0.1", "application/sparql-results+json"),
    ("application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
    ("*/*;q=0.1, text/*;q=0.5, text/csv;q=0", "text/tab-separated-values"),
    ("nonsense, text/tab-separated-values", "text/tab-separated-values"),
    (
        "application/sparql-results+json,application/json,text/javascript,application/javascript",
        "application/sparql-results+json",
    ),
    (
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/xml",
    ),
]


@pytest.mark.parametrize(("accept", "expected"), SELECT_CASES)
def test_select_answers_in_the_negotiated_format(
    server: Server, client: httpx.Client, accept: str | None, expected: str
) -> None:
    response = _get(server, client, SELECT, accept)
    assert _media_type(response) == expected
    assert "Accept" in response.headers["vary"]
    _assert_select(response)


@pytest.mark.parametrize(
    "accept",
    [
        "image/png",
        "text/turtle",
        "application/sparql-results+json; charset=iso-8859-1",
        "application/sparql-results+json;q=0",
    ],
)
def test_select_with_nothing_acceptable_is_406_listing_the_offers(
    server: Server, client: httpx.Client, accept: str
) -> None:
    response = _get(server, client, SELECT, accept)
    assert response.status_code == 406
    for offered in ("application/sparql-results+json", "text/csv", "text/tab-separated-values"):
        assert offered in response.text


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
    ],
)
def test_ask_answers_true_in_the_negotiated_format(
    server: Server, client: httpx.Client, accept: str | None, expected: str
) -> None:
    response = _get(server, client, ASK, accept)
    assert response.status_code == 200
    assert _media_type(response) == expected
    if expected == "text/csv":
        assert response.text.strip() == "true"
    else:
        assert bool(ox.parse_query_results(response.content, RESULT_PARSERS[expected])) is True


GRAPH_CASES = [
    (None, "text/turtle"),
    ("", "text/turtle"),
    ("*/*", "text/turtle"),
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/n-quads", "application/n-quads"),
    ("application/trig", "application/trig"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/plain", "text/plain"),
    ("application/*", "application/n-triples"),
    ("text/*", "text/turtle"),
    ("application/rdf+xml;q=0.5, application/ld+json;q=0.6", "application/ld+json"),
    ("application/n-quads, */*;q=0.1", "application/n-quads"),
    ("text/turtle;charset=utf-8", "text/turtle"),
    ("application/sparql-results+json, */*;q=0.5", "text/turtle"),
]


@pytest.mark.parametrize(("accept", "expected"), GRAPH_CASES)
def test_construct_answers_in_the_negotiated_format(
    server: Server, client: httpx.Client, accept: str | None, expected: str
) -> None:
    response = _get(server, client, CONSTRUCT, accept)
    assert response.status_code == 200, response.text
    assert _media_type(response) == expected
    assert triples(response.content, GRAPH_PARSERS[expected]) == {SISTER}


def test_construct_with_no_accept_is_never_n_quads(server: Server, client: httpx.Client) -> None:
    response = _get(server, client, CONSTRUCT, None)
    assert _media_type(response) != "application/n-quads"


def test_text_formats_say_they_are_utf8(server: Server, client: httpx.Client) -> None:
    assert _get(server, client, CONSTRUCT, "text/turtle").headers["content-type"] == (
        "text/turtle; charset=utf-8"
    )
    assert _get(server, client, SELECT, "text/csv").headers["content-type"] == (
        "text/csv; charset=utf-8"
    )


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "text/html", "application/ld+json;profile=x"]
)
def test_construct_with_nothing_acceptable_is_406(
    server: Server, client: httpx.Client, accept: str
) -> None:
    response = _get(server, client, CONSTRUCT, accept)
    assert response.status_code == 406
    assert "text/turtle" in response.text


def test_describe_defaults_to_turtle(server: Server, client: httpx.Client) -> None:
    response = _get(server, client, f"DESCRIBE <{CITY}qingdao>", None)
    assert _media_type(response) == "text/turtle"
    assert SISTER in triples(response.content, ox.RdfFormat.TURTLE)


# The function itself, for what HTTP clients cannot easily send.


def test_negotiate_prefers_the_most_specific_range() -> None:
    chosen = negotiate("text/*;q=0.1, text/csv;q=1, */*;q=0.5", RESULT_OFFERS)
    assert chosen is not None and chosen.media_type == "text/csv"


def test_negotiate_reads_quoted_parameters_with_commas() -> None:
    chosen = negotiate('application/ld+json;profile="a,b", text/turtle;q=0.5', GRAPH_OFFERS)
    assert chosen is not None and chosen.media_type == "text/turtle"


def test_negotiate_skips_an_invalid_q_value() -> None:
    chosen = negotiate("text/csv;q=2, text/tab-separated-values;q=0.3", RESULT_OFFERS)
    assert chosen is not None and chosen.media_type == "text/tab-separated-values"


def test_negotiate_returns_none_when_everything_is_refused() -> None:
    assert negotiate("*/*;q=0", RESULT_OFFERS) is None
