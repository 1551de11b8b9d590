"""The runner's own comparison rules, checked without a server: a lenient comparator would
let every W3C test pass."""

from __future__ import annotations

from rdflib import XSD, BNode, Literal, URIRef

from .manifest import load_suite, stable_id
from .results import Table, compare_results, rows_isomorphic
from .sparql_text import has_top_level_order_by, with_base

A, B = URIRef("http://example/a"), URIRef("http://example/b")


def test_blank_nodes_match_under_one_renaming_for_all_rows() -> None:
    x, y, p, q = BNode("x"), BNode("y"), BNode("p"), BNode("q")
    assert rows_isomorphic([(x, A), (x, B)], [(p, A), (p, B)])
    assert not rows_isomorphic([(x, A), (x, B)], [(p, A), (q, B)])
    assert not rows_isomorphic([(x, A), (y, B)], [(p, A), (p, B)])


def test_solutions_are_a_multiset_unless_ordered() -> None:
    assert rows_isomorphic([(A,), (B,)], [(B,), (A,)])
    assert not rows_isomorphic([(A,), (B,)], [(B,), (A,)], ordered=True)
    assert not rows_isomorphic([(A,), (A,)], [(A,), (B,)])


def test_numbers_compare_by_value_but_datatypes_and_integers_exactly() -> None:
    def one(term: Literal) -> Table:
        return Table(("v",), ((term,),))

    decimal = Literal("1.0", datatype=XSD.decimal, normalize=False)
    assert compare_results(one(decimal), one(Literal("1", datatype=XSD.decimal)), False) is None
    double = Literal("3.0E4", datatype=XSD.double, normalize=False)
    assert compare_results(one(double), one(Literal("30000", datatype=XSD.double)), False) is None
    integer = Literal("1", datatype=XSD.integer, normalize=False)
    padded = Literal("01", datatype=XSD.integer, normalize=False)
    assert compare_results(one(integer), one(padded), False) is not None
    assert compare_results(one(integer), one(Literal("1", datatype=XSD.int)), False) is not None
    assert compare_results(one(Literal("1")), one(integer), False) is not None


def test_only_the_outer_order_by_orders_results() -> None:
    assert has_top_level_order_by("SELECT * { ?s ?p ?o } ORDER BY ?s")
    assert not has_top_level_order_by("SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?s } }")
    assert not has_top_level_order_by('SELECT * { ?s ?p "} ORDER BY" } # ORDER BY ?s')


def test_queries_get_their_file_as_base_unless_they_declare_one() -> None:
    assert with_base("SELECT * {}", "http://x/q.rq") == "BASE <http://x/q.rq>\nSELECT * {}"
    assert with_base("BASE <http://y/>\nSELECT * {}", "http://x/q.rq").startswith(
        "BASE <http://y/>"
    )


def test_every_test_id_is_unique_and_names_its_folder() -> None:
    ids = [test.id for test in load_suite()]
    assert len(ids) == len(set(ids))
    iri = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/syntax-query/manifest#test_1"
    assert stable_id(iri) == "syntax-query/test_1"
