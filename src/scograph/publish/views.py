"""Which named graphs go into which distribution.

Data of different licences is kept apart (CONVENTIONS: licences): the main
distributions hold every graph whose licence lets it be redistributed under the
dataset's licence (CC BY 4.0; CC0 data qualifies), together with the graphs that
declare none (the ontology, the inferred graph). Each graph under any other
licence (the CC BY-SA 4.0 Wikipedia twinnings) gets a distribution of its own that
carries its licence.

The *union view* of a distribution is the set of distinct triples of its graphs,
asserted and inferred alike: what a SPARQL query over the union default graph sees.
"""

from dataclasses import dataclass

import pyoxigraph as ox

from scograph.namespaces import GRAPH
from scograph.publish.vocab import DATASET_LICENCE, DCTERMS, LICENCE_TITLES, MAIN_LICENCES, PROV

MAIN_VIEW_KEY = "scograph"


@dataclass(frozen=True)
class GraphInfo:
    """A named graph of the store, with what it says about itself."""

    iri: str
    licence: str | None
    title: str | None
    source: str | None

    @property
    def name(self) -> str:
        """The graph's short name, e.g. ``wikidata-links`` for ``…/graph/wikidata-links``."""
        return self.iri.removeprefix(GRAPH) if self.iri.startswith(GRAPH) else self.iri


@dataclass(frozen=True)
class View:
    """The graphs one family of distribution files holds, under one licence."""

    key: str
    title: str
    licence: str
    graphs: tuple[GraphInfo, ...]

    @property
    def graph_iris(self) -> tuple[str, ...]:
        return tuple(g.iri for g in self.graphs)

    @property
    def is_main(self) -> bool:
        return self.key == MAIN_VIEW_KEY


def graph_infos(store: ox.Store) -> list[GraphInfo]:
    """Return every named graph of the store, sorted by IRI, with its licence, title and source.

    A graph describes itself inside itself (CONTRACT: provenance pattern); when it
    says nothing, the fields are None.
    """
    infos = []
    for graph in sorted(store.named_graphs(), key=lambda g: g.value):
        if not isinstance(graph, ox.NamedNode):
            continue
        infos.append(
            GraphInfo(
                iri=graph.value,
                licence=_first_object(store, graph, DCTERMS + "license"),
                title=_first_object(store, graph, DCTERMS + "title"),
                source=_first_object(store, graph, PROV + "wasDerivedFrom"),
            )
        )
    return infos


def licence_views(graphs: list[GraphInfo]) -> list[View]:
    """Split the graphs into the main view and one view per graph of another licence.

    The main view comes first and always exists (it may hold no graph).
    """
    main = tuple(g for g in graphs if g.licence is None or g.licence in MAIN_LICENCES)
    views = [View(MAIN_VIEW_KEY, "scograph", DATASET_LICENCE, main)]
    for graph in graphs:
        if graph not in main:
            assert graph.licence is not None
            licence_title = LICENCE_TITLES.get(graph.licence, graph.licence)
            views.append(
                View(
                    key=f"{MAIN_VIEW_KEY}-{_file_safe(graph.name)}",
                    title=f"scograph: {graph.title or graph.name} ({licence_title})",
                    licence=graph.licence,
                    graphs=(graph,),
                )
            )
    return views


def _first_object(store: ox.Store, graph: ox.NamedNode, predicate: str) -> str | None:
    """The graph's first (in sorted order) value for a predicate, stated inside the graph."""
    values = sorted(
        q.object.value for q in store.quads_for_pattern(graph, ox.NamedNode(predicate), None, graph)
    )
    return values[0] if values else None


def _file_safe(name: str) -> str:
    """A graph name as it may appear in a file name (graph names are slugs; be safe anyway)."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in name)
