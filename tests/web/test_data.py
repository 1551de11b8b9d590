"""What the pages are made of, computed from small in-memory stores (no server, no browser)."""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import pyoxigraph as ox
import pytest

from scograph.namespaces import ID
from scograph.web import i18n
from scograph.web.cache import GenerationCache
from scograph.web.examples import find_example, read_example
from scograph.web.graph import GraphReader
from scograph.web.site import WebSite

SG = "https://w3id.org/scograph/ontology#"
PREFIXES = f"""
@prefix sg: <{SG}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix city: <{ID}city/> .
@prefix country: <{ID}country/> .
@prefix twinning: <{ID}twinning/> .
"""

DATA = (
    PREFIXES
    + """
GRAPH <https://w3id.org/scograph/graph/test> {
  city:qingdao a sg:City ; skos:prefLabel "Qingdao"@en, "青岛"@zh-Hans, "Циндао"@ru ;
    skos:altLabel "Qingdai"@en ; geo:lat 36.06 ; geo:long 120.38 ; sg:country country:china .
  city:bishkek a sg:City ; skos:prefLabel "Bishkek"@en, "比什凯克"@zh-Hans ;
    geo:lat 42.87 ; geo:long 74.59 ; sg:country country:kyrgyzstan ;
    sg:sisterOf city:qingdao .
  city:qingdao sg:sisterOf city:bishkek .
  city:atlantis a sg:City ; rdfs:label "Atlantis"@en .
  country:china skos:prefLabel "China"@en, "中国"@zh-Hans .
  country:kyrgyzstan skos:prefLabel "Kyrgyzstan"@en .
  twinning:bishkek--qingdao a sg:Twinning ; sg:twinnedCity city:bishkek, city:qingdao ;
    sg:twinningStatus sg:Established ; sg:startDate "2021"^^xsd:gYear .
  twinning:bishkek--qingdao sg:startDate "2022-05-01"^^xsd:date .
  twinning:qingdao--atlantis a sg:Twinning ; sg:twinnedCity city:qingdao, city:atlantis ;
    sg:twinningStatus sg:Intention .
  twinning:bishkek--atlantis a sg:Twinning ; sg:twinnedCity city:bishkek, city:atlantis ;
    sg:twinningStatus sg:Established .
  <https://w3id.org/scograph/id/forum/f> a sg:Forum ; rdfs:label "Forum"@en ;
    sg:heldIn city:qingdao .
  <https://w3id.org/scograph/id/organisation/o> a sg:Organisation ; rdfs:label "Org"@en ;
    sg:organised <https://w3id.org/scograph/id/forum/f> ; sg:country country:china .
  country:china a sg:Country .
  country:kyrgyzstan a sg:Country .
  <https://w3id.org/scograph/id/organisation/lonely> a sg:Organisation .
}
"""
)


Site = tuple[WebSite, SimpleNamespace]
T = TypeVar("T")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.TRIG)
    return WebSite(GraphReader(None), tmp_path), SimpleNamespace(store=store)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    # A thread of its own: the browser tests' Playwright keeps a loop in the main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_counts_count_established_twinnings_by_their_sister_cities(site: Site) -> None:
    web, state = site
    counts = _run(web.counts(state))
    assert (counts.cities, counts.twinnings, counts.established) == (3, 3, 1)
    assert (counts.forums, counts.organisations, counts.sources) == (1, 2, 0)


def test_search_ranks_whole_names_first_and_prefers_preferred_labels(site: Site) -> None:
    web, state = site
    labels = _run(web.labels(state))
    matches = labels.search("  qingd ")
    assert matches[0].iri == ID + "city/qingdao"
    assert matches[0].matched.text == "Qingdao"
    assert [m.iri for m in labels.search("比什")] == [ID + "city/bishkek"]
    assert labels.search("") == []


def test_names_fall_back_to_english_then_to_the_key(site: Site) -> None:
    web, state = site
    labels = _run(web.labels(state))
    assert labels.texts(ID + "city/bishkek") == {"en": "Bishkek", "zh": "比什凯克", "ru": "Bishkek"}
    assert labels.text(ID + "organisation/lonely", "ru") == "lonely"


def test_map_document_takes_established_from_sister_cities_only(site: Site) -> None:
    web, state = site
    document = _run(web.map_document(state))
    twinnings = {t["iri"].removeprefix(ID): t for t in document["twinnings"]}
    # Atlantis has no coordinates: its twinnings are counted, not drawn.
    assert set(twinnings) == {"twinning/bishkek--qingdao"}
    assert document["missing"] == 2
    bishkek = twinnings["twinning/bishkek--qingdao"]
    assert (bishkek["status"], bishkek["start"], bishkek["year"]) == ("established", "2021", 2021)
    assert document["cities"]["city/qingdao"]["names"]["ru"] == "Циндао"
    assert set(document["countries"]) == {"country/china", "country/kyrgyzstan"}


def test_network_links_cities_to_countries_only_when_they_are_in_it(site: Site) -> None:
    web, state = site
    document = _run(web.network_document(state))
    links = {(link["source"], link["link"], link["target"]) for link in document["links"]}
    assert links == {
        ("organisation/o", "organised", "forum/f"),
        ("forum/f", "heldIn", "city/qingdao"),
        ("organisation/o", "country", "country/china"),
        ("city/qingdao", "country", "country/china"),
    }


def test_cache_recomputes_only_for_a_new_generation() -> None:
    cache = GenerationCache()
    calls: list[int] = []

    async def compute() -> int:
        calls.append(1)
        return len(calls)

    async def scenario() -> list[int]:
        first = await cache.get("x", 1, compute)
        again = await cache.get("x", 1, compute)
        later = await cache.get("x", 2, compute)
        return [first, again, later]

    assert _run(scenario()) == [1, 1, 2]


def test_example_header_gives_title_description_and_keywords(tmp_path: Path) -> None:
    path = tmp_path / "042-test.rq"
    path.write_text(
        "# title: A question?\n# description: What it shows.\n"
        "# keywords: one, two ,\nSELECT * WHERE { ?s ?p ?o }\n# title: not a header\n",
        encoding="utf-8",
    )
    example = read_example(path)
    assert (example.name, example.title, example.description) == (
        "042-test",
        "A question?",
        "What it shows.",
    )
    assert example.keywords == ("one", "two")
    assert find_example([example], "042-test") is example
    assert find_example([example], "../042-test") is None


def test_every_word_of_the_pages_is_in_chinese_and_russian() -> None:
    english = set(i18n._EN)
    assert set(i18n._ZH) == english
    assert set(i18n._RU) == english
