"""The scanner that finds SERVICE, LOAD and deep nesting before the engine sees a query.

It must read the text as the engine does; where it cannot, it must refuse.
"""

import pytest

from scograph.server import query_guard
from scograph.server.errors import BadRequestError
from scograph.settings import WIKIDATA_SPARQL

ALLOWED = [WIKIDATA_SPARQL]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://evil.example/> { ?s ?p ?o } }",
        "SELECT * WHERE { service <http://evil.example/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://evil.example/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE $endpoint { ?s ?p ?o } }",
        "PREFIX e: <http://evil.example/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE undeclared:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparq\\u006C> { ?s ?p ?o } }",
        # A PREFIX redefined: the later one counts.
        "PREFIX w: <https://query.wikidata.org/> PREFIX w: <http://evil.example/> "
        "SELECT * WHERE { SERVICE w:sparql { ?s ?p ?o } }",
        # An IRI with an escape and a '#': not a comment, so the SERVICE after it is seen.
        "SELECT * WHERE { <http://x/\\u0041#> ?p ?o . SERVICE <http://evil.example/> {} }",
        # No spaces at all.
        "SELECT*{FILTER(?a<?b)SERVICE<http://evil.example/>{}FILTER(?c>?d)}",
        # A backslash the scanner cannot place: any mention of service counts.
        "SELECT * WHERE { ex:a\\#b SERVICE <http://evil.example/> {} }",
        "SELECT * WHERE { ?s ?p 'no end SERVICE <http://evil.example/> {} }",
        "SELECT * WHERE { { SERVICE <https://query.wikidata.org/sparql> {} } "
        "SERVICE <http://evil.example/> {} }",
    ],
)
def test_unlisted_services_are_refused(query: str) -> None:
    assert query_guard.refusal(query_guard.scan(query), ALLOWED) is not None


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
        "PREFIX wd: <https://query.wikidata.org/> SELECT * { SERVICE wd:sparql { ?s ?p ?o } }",
        'SELECT ?x WHERE { BIND("SERVICE <http://evil.example/>" AS ?x) }',
        "SELECT ?x WHERE { BIND('''a ' SERVICE <http://evil.example/> ''' AS ?x) }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://evil.example/>",
        "SELECT * WHERE { ?s <http://example.org/service> ?o }",
        "SELECT * WHERE { ?s ex:SERVICE ?o }",
    ],
)
def test_allowed_or_absent_services_pass(query: str) -> None:
    assert query_guard.refusal(query_guard.scan(query), ALLOWED) is None


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://example.org/data.ttl>",
        "load silent <http://example.org/data.ttl> INTO GRAPH <http://example.org/g>",
        "INSERT DATA { <a:b> <a:c> 1 } ; LOAD <file:///etc/passwd>",
    ],
)
def test_load_is_always_refused(update: str) -> None:
    assert "LOAD" in (query_guard.refusal(query_guard.scan(update), ALLOWED) or "")


def test_a_string_mentioning_load_is_not_a_load() -> None:
    update = "INSERT DATA { <a:s> <a:p> 'LOAD <http://example.org/x>' }"
    assert query_guard.refusal(query_guard.scan(update), ALLOWED) is None


def test_nesting_depth_ignores_strings_iris_and_comments() -> None:
    text = "SELECT * WHERE { BIND('((((' AS ?x) # ((((\n ?s <a:((> ?o }"
    assert query_guard.scan(text).max_depth == 2


def test_excessive_nesting_is_a_400() -> None:
    with pytest.raises(BadRequestError, match="40 levels"):
        query_guard.check_text("ASK { FILTER(" + "(" * 38 + "true" + ")" * 38 + ") }", 32)


def test_most_queries_are_not_scanned_at_all() -> None:
    assert query_guard.check_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 10", 32) is None


def test_comment_lines_alone_do_not_call_for_a_scan() -> None:
    # Header comments, as the example queries have: words in them are not keywords.
    query = "# title: cities with a name\n  # from the data, loaded with care\nASK { ?s ?p ?o }"
    assert query_guard.check_text(query, 32) is None


@pytest.mark.parametrize(
    "query",
    [
        # A comment ends at a carriage return too: what follows it is code.
        "# note\rSELECT * WHERE { SERVICE <http://evil.example/> {} }",
        # A '#' after code on the same line starts a comment the cheap check keeps.
        "SELECT * WHERE { SERVICE <http://evil.example/> {} } # note",
        "# note\nSELECT * WHERE { SERVICE <http://evil.example/> {} }",
    ],
)
def test_code_beside_comment_lines_is_still_scanned(query: str) -> None:
    found = query_guard.check_text(query, 32)
    assert found is not None
    assert query_guard.refusal(found, ALLOWED) is not None


def test_using_clauses_go_before_each_modify_where() -> None:
    update = (
        "INSERT { ?s ?p 1 } WHERE { ?s ?p ?o } ; DELETE WHERE { ?s ?p 2 } ; "
        "DELETE { ?s ?p 3 } WHERE { { SELECT ?s ?p WHERE { ?s ?p ?o } } }"
    )
    found = query_guard.scan(update)
    rewritten = query_guard.add_using(update, found, ["http://example.org/g"], [])
    assert rewritten.count("USING <http://example.org/g>") == 2
    assert "DELETE WHERE { ?s ?p 2 }" in rewritten


def test_using_parameters_conflict_with_with() -> None:
    update = "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    with pytest.raises(BadRequestError):
        query_guard.add_using(update, query_guard.scan(update), ["http://example.org/h"], [])


@pytest.mark.parametrize(
    "text",
    [
        # The engine reads each of these as SERVICE or LOAD run into a neighbour.
        "SELECT * WHERE { SERVICESILENT <http://evil.example/> { } }",
        "SELECT * WHERE { ?s ?p trueSERVICE <http://evil.example/> { } }",
        "SELECT * WHERE { ?s ?p 1e0SERVICE <http://evil.example/> { } }",
        "PREFIX : <http://evil.example/> SELECT * WHERE { SERVICE:x { } }",
        "PREFIX e: <http://evil.example/> SELECT * WHERE { SERVICEe:x { } }",
        "LOADSILENT <http://evil.example/>",
        "PREFIX : <http://evil.example/> LOAD:x",
        "PREFIX e: <http://evil.example/> LOADe:x",
    ],
)
def test_keywords_run_into_a_neighbour_are_refused(text: str) -> None:
    found = query_guard.scan(text)
    assert found.hidden
    assert "write keywords apart" in (query_guard.refusal(found, ALLOWED) or "")


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX ex: <http://example.org/> SELECT ?service WHERE { ?service ex:loads ex:myservice }",
        "SELECT * WHERE { ?s ?p 'SERVICESILENT <http://evil.example/>' }",
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s <http://example.org/LOADSILENT> ?o }",
    ],
)
def test_names_that_only_contain_the_words_pass(text: str) -> None:
    assert query_guard.refusal(query_guard.scan(text), ALLOWED) is None
