"""`scograph validate`: each broken file, ontology or data gives a precise problem.

The fixtures in ``tests/fixtures/invalid`` each break one rule; they are checked
against the real ontology and shapes. Problems name the file (relative to the
project), the line, the subject and the property, and say what is wrong.
"""

import shutil
from pathlib import Path

import pytest

from scograph.namespaces import ONTOLOGY, ONTOLOGY_IRI, entity_iri, graph_iri
from scograph.validate import Problem, validate_project

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
INVALID = ROOT / "tests" / "fixtures" / "invalid"
VALID = ROOT / "tests" / "fixtures" / "valid"

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
QINGDAO = entity_iri("city", "qingdao")
BISHKEK = entity_iri("city", "bishkek")


def validate_fixtures(*names: str) -> list[Problem]:
    return validate_project(ONTOLOGY_DIR, INVALID, files=[INVALID / name for name in names])


def test_minimal_valid_data_has_no_problems() -> None:
    assert validate_project(ONTOLOGY_DIR, VALID) == []


def test_broken_trig_is_reported_with_its_file_and_line() -> None:
    [problem] = validate_fixtures("bad_syntax.trig")
    assert problem.file == "tests/fixtures/invalid/bad_syntax.trig"
    assert problem.line == 27
    assert problem.subject is None
    assert "青岛" in problem.message


def test_broken_file_stops_validation_before_anything_is_checked() -> None:
    problems = validate_fixtures("bad_syntax.trig", "missing_zh_label.trig")
    assert [(p.file, p.line) for p in problems] == [("tests/fixtures/invalid/bad_syntax.trig", 27)]


def test_city_without_chinese_label_is_reported_for_both_label_properties() -> None:
    problems = validate_fixtures("missing_zh_label.trig")
    assert {(p.subject, p.property, p.line) for p in problems} == {
        (QINGDAO, RDFS_LABEL, 27),
        (QINGDAO, SKOS_PREF_LABEL, 28),
    }
    for problem in problems:
        assert problem.file == "tests/fixtures/invalid/missing_zh_label.trig"
        assert problem.message.endswith("(missing zh-Hans)")


def test_twinning_with_one_city_is_reported_on_twinned_city() -> None:
    [problem] = validate_fixtures("twinning_one_city.trig")
    assert problem.subject == entity_iri("twinning", "bishkek--qingdao")
    assert problem.property == ONTOLOGY + "twinnedCity"
    assert problem.line == 32
    assert "exactly two" in problem.message


def test_undeclared_property_is_reported_where_it_is_used() -> None:
    [problem] = validate_fixtures("undeclared_property.trig")
    assert problem.subject == QINGDAO
    assert problem.property == ONTOLOGY + "twinnedWith"
    assert problem.line == 34
    assert "sg:twinnedWith" in problem.message
    assert "does not declare" in problem.message


def test_malformed_wikidata_iris_are_reported_with_the_bad_value() -> None:
    problems = validate_fixtures("malformed_wikidata_iri.trig")
    assert [(p.subject, p.property, p.line) for p in problems] == [
        (QINGDAO, OWL_SAME_AS, 47),
        (BISHKEK, OWL_SAME_AS, 48),
    ]
    assert "<http://www.wikidata.org/entity/Q12x>" in problems[0].message
    assert "<https://wikidata.org/wiki/Q9361>" in problems[1].message
    assert all("http://www.wikidata.org/entity/Q<digits>" in p.message for p in problems)


def test_untyped_and_impossible_dates_are_reported() -> None:
    problems = validate_fixtures("bad_date.trig")
    assert [(p.property, p.line) for p in problems] == [
        (ONTOLOGY + "startDate", 38),
        (ONTOLOGY + "endDate", 39),
    ]
    assert '(found "2021")' in problems[0].message
    assert '"2023-02-30"^^xsd:date' in problems[1].message


def test_named_graph_without_provenance_is_reported() -> None:
    problems = validate_fixtures("missing_provenance.trig")
    graph = graph_iri("unsourced")
    assert {p.subject for p in problems} == {graph}
    assert {p.property for p in problems} == {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://www.w3.org/ns/prov#wasDerivedFrom",
        "http://purl.org/dc/terms/license",
    }
    assert all(p.line == 8 for p in problems)


def test_problems_are_sorted_by_file_and_line() -> None:
    problems = validate_fixtures(
        "undeclared_property.trig", "missing_provenance.trig", "malformed_wikidata_iri.trig"
    )
    assert len({p.file for p in problems}) == 3
    assert problems == sorted(problems, key=lambda p: (p.file, p.line or 0))


def test_problem_prints_on_one_line_with_file_line_subject_and_property() -> None:
    problem = Problem("data/x.trig", 12, QINGDAO, RDFS_LABEL, "has no label")
    assert str(problem) == f"data/x.trig:12: <{QINGDAO}> <{RDFS_LABEL}>: has no label"
    assert str(Problem("data/x.trig", None, None, None, "broken")) == "data/x.trig: broken"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the ontology with the minimal valid data, to break one thing at a time."""
    shutil.copytree(ONTOLOGY_DIR, tmp_path / "ontology")
    shutil.copytree(VALID, tmp_path / "data")
    return tmp_path


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_sister_cities_without_established_twinning_are_reported(project: Path) -> None:
    replace_in(project / "data" / "minimal.trig", "sg:Established", "sg:Intention")
    [problem] = validate_project(project / "ontology", project / "data")
    assert (problem.file, problem.subject, problem.property) == (
        "data/minimal.trig",
        QINGDAO,
        ONTOLOGY + "sisterOf",
    )
    assert "sg:Established" in problem.message


def test_statements_outside_named_graphs_are_reported(project: Path) -> None:
    data = project / "data" / "minimal.trig"
    data.write_text(
        data.read_text(encoding="utf-8") + f'\n<{QINGDAO}> <{ONTOLOGY}quote> "Qingdao"@en .\n',
        encoding="utf-8",
    )
    [problem] = validate_project(project / "ontology", project / "data")
    assert problem.subject == QINGDAO
    assert "outside any named graph" in problem.message


def test_ontology_term_without_russian_label_is_reported(project: Path) -> None:
    replace_in(
        project / "ontology" / "scograph.ttl",
        'rdfs:label "Forum"@en , "论坛"@zh-Hans , "Форум"@ru ;',
        'rdfs:label "Forum"@en , "论坛"@zh-Hans ;',
    )
    [problem] = validate_project(project / "ontology", project / "data")
    assert (problem.file, problem.subject, problem.property) == (
        "ontology/scograph.ttl",
        ONTOLOGY + "Forum",
        RDFS_LABEL,
    )
    assert problem.message == "sg:Forum has no rdfs:label in ru"
    assert problem.line is not None


def test_english_text_under_a_chinese_tag_is_reported(project: Path) -> None:
    replace_in(project / "ontology" / "scograph.ttl", '"论坛"@zh-Hans', '"Forum"@zh-Hans')
    problems = validate_project(project / "ontology", project / "data")
    assert {(p.subject, p.property) for p in problems} == {
        (ONTOLOGY + "Forum", RDFS_LABEL),
        (ONTOLOGY + "Forum", SKOS_PREF_LABEL),
    }
    assert all("script of zh-Hans" in p.message for p in problems)


def test_property_without_range_is_reported(project: Path) -> None:
    replace_in(project / "ontology" / "scograph.ttl", "    rdfs:range sg:Province ;\n", "")
    [problem] = validate_project(project / "ontology", project / "data")
    assert (problem.subject, problem.property) == (
        ONTOLOGY + "inProvince",
        "http://www.w3.org/2000/01/rdf-schema#range",
    )
    assert problem.message == "sg:inProvince has no rdfs:range"


def test_mismatched_inverse_properties_are_reported(project: Path) -> None:
    # sg:speaker's range becomes sg:Organisation, so it no longer mirrors sg:spokeAt.
    replace_in(
        project / "ontology" / "scograph.ttl",
        "    rdfs:range sg:Person ;\n    owl:inverseOf sg:spokeAt ;",
        "    rdfs:range sg:Organisation ;\n    owl:inverseOf sg:spokeAt ;",
    )
    problems = validate_project(project / "ontology", project / "data")
    assert {(p.subject, p.property) for p in problems} == {
        (ONTOLOGY + "spokeAt", "http://www.w3.org/2000/01/rdf-schema#domain"),
        (ONTOLOGY + "speaker", "http://www.w3.org/2000/01/rdf-schema#range"),
    }
    assert all("inverse" in p.message for p in problems)


def test_symmetric_property_with_different_domain_and_range_is_reported(project: Path) -> None:
    replace_in(
        project / "ontology" / "scograph.ttl",
        "    rdfs:domain sg:City ;\n    rdfs:range sg:City ;\n    rdfs:subPropertyOf wdt:P190 ;",
        "    rdfs:domain sg:City ;\n    rdfs:range sg:Place ;\n    rdfs:subPropertyOf wdt:P190 ;",
    )
    problems = validate_project(project / "ontology", project / "data")
    assert [(p.subject, p.property) for p in problems] == [
        (ONTOLOGY + "sisterOf", "http://www.w3.org/2000/01/rdf-schema#range")
    ]
    assert "symmetric" in problems[0].message


def test_subclass_cycle_is_reported(project: Path) -> None:
    replace_in(
        project / "ontology" / "scograph.ttl",
        "    rdfs:subClassOf schema:Place ;",
        "    rdfs:subClassOf schema:Place , sg:City ;",
    )
    [problem] = validate_project(project / "ontology", project / "data")
    assert problem.subject == ONTOLOGY + "City"
    assert "cycle" in problem.message
    assert "sg:City ⊑ sg:Place ⊑ sg:City" in problem.message


def test_missing_ontology_metadata_is_reported(project: Path) -> None:
    replace_in(
        project / "ontology" / "scograph.ttl",
        "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;\n",
        "",
    )
    [problem] = validate_project(project / "ontology", project / "data")
    assert (problem.subject, problem.property) == (
        ONTOLOGY_IRI,
        "http://purl.org/dc/terms/license",
    )


def test_wikidata_links_outside_a_cc0_linkset_are_reported(project: Path) -> None:
    replace_in(
        project / "data" / "minimal.trig", "a sg:SourceGraph , void:Linkset ;", "a sg:SourceGraph ;"
    )
    [problem] = validate_project(project / "ontology", project / "data")
    assert (problem.subject, problem.property) == (QINGDAO, OWL_SAME_AS)
    assert "void:Linkset under CC0" in problem.message


IMPORTED_CITY = """\
@prefix sg: <https://w3id.org/scograph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
GRAPH <https://w3id.org/scograph/graph/wikipedia-twinnings> {
    <https://w3id.org/scograph/graph/wikipedia-twinnings> a sg:SourceGraph ;
        rdfs:label "Twinnings from Wikipedia's lists"@en ;
        prov:wasDerivedFrom <https://w3id.org/scograph/id/source/example-source> ;
        dcterms:license <https://creativecommons.org/licenses/by-sa/4.0/> ;
        dcterms:title "Twinnings from Wikipedia's lists"@en .
    <https://w3id.org/scograph/id/city/osh> a sg:City ;
        rdfs:label LABEL ;
        skos:prefLabel LABEL .
}
"""


@pytest.mark.parametrize(("label", "problems"), [('"Osh"@en', 0), ('"Ош"@ru', 2)])
def test_cities_imported_from_wikipedia_need_an_english_label_only(
    project: Path, label: str, problems: int
) -> None:
    imported = project / "data" / "imported.trig"
    imported.write_text(IMPORTED_CITY.replace("LABEL", label), encoding="utf-8")
    found = validate_project(project / "ontology", project / "data")
    assert len(found) == problems
    assert all(p.message.endswith("(missing en)") for p in found)
    assert all(p.subject == entity_iri("city", "osh") for p in found)
