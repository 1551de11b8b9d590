"""The LIMIT a query ends with, read from its text: a bound the engine must honour.

A bound that is too low would let an answer past the row cap without the notice,
so every case here is also run on a real store: whenever a bound is found, the
engine's answer has no more rows than it says.
"""

import pyoxigraph as ox
import pytest

from scograph.server.final_limit import final_limit

EX = "http://example.org/"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """Ten subjects with five values each: fifty rows for ?s ?v, a hundred for pairs."""
    store = ox.Store()
    for s in range(10):
        for v in range(5):
            store.add(ox.Quad(ox.NamedNode(f"{EX}s{s}"), ox.NamedNode(f"{EX}v"), ox.Literal(v)))
    return store


BOUNDED = [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 3", 3),
    ("select * where { ?s ?p ?o } limit 3", 3),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 3 OFFSET 2", 3),
    ("SELECT * WHERE { ?s ?p ?o } OFFSET 2 LIMIT 3", 3),
    ("SELECT * WHERE { ?s ?p ?o }LIMIT 3", 3),
    ("SELECT * WHERE { ?s ?p ?o } ORDER BY DESC(?o)LIMIT 3\n", 3),
    ("SELECT * WHERE { ?s ?p ?o }\nLIMIT\n3\n\n", 3),
    # A comment on an earlier line cannot reach the LIMIT's line.
    ("SELECT * WHERE { ?s ?p ?o } # the first three\nLIMIT 3", 3),
    # A subquery's LIMIT inside, the query's own at the end: the end counts.
    ("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 2 } ?s ?q ?x } LIMIT 4", 4),
]

UNBOUNDED = [
    "SELECT * WHERE { ?s ?p ?o }",
    # A subquery's LIMIT, joined with more: the whole answer has more rows than 2.
    "SELECT * WHERE { ?s ?p ?o { SELECT ?t WHERE { ?t ?q ?x } LIMIT 2 } }",
    # A comment on the LIMIT's own line may hide it (here a '#' in an IRI: unsure, so none).
    "SELECT * WHERE { ?s ?p ?o } # LIMIT 3",
    "SELECT * WHERE { ?s <http://example.org/v#> ?o } LIMIT 3",
    # A trailing VALUES block: the text does not end with the LIMIT.
    "SELECT * WHERE { ?s ?p ?o } LIMIT 3 VALUES ?o { 1 2 }",
    # Not the keyword: part of a name.
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p ?o ; ex:p ex:LIMIT } ",
]


@pytest.mark.parametrize(("query", "bound"), BOUNDED)
def test_a_final_limit_is_found_and_the_engine_keeps_to_it(
    store: ox.Store, query: str, bound: int
) -> None:
    assert final_limit(query) == bound
    assert len(list(store.query(query))) <= bound


@pytest.mark.parametrize("query", UNBOUNDED)
def test_no_bound_is_claimed_where_the_text_does_not_surely_end_with_one(query: str) -> None:
    assert final_limit(query) is None


def test_a_subquery_limit_alone_would_have_been_the_wrong_bound(store: ox.Store) -> None:
    # Why the LIMIT must end the text: the engine gives far more rows than this one says.
    rows = list(store.query(UNBOUNDED[1]))
    assert len(rows) > 2


def test_a_name_ending_in_limit_is_no_keyword() -> None:
    assert final_limit("SELECT * WHERE { ?s ?p ?o } ORDER BY ?xLIMIT 3") is None
    assert final_limit("SELECT * WHERE { ?s ?p ?o } ORDER BY ex:LIMIT 3") is None
