"""Every name of every thing, in memory: for showing things and for the search box.

One query reads the naming statements of the whole graph (a few thousand), once
per store generation. Showing a thing picks its best name in the page's language
(the publishing pages' rule: ``skos:prefLabel`` before ``rdfs:label``, the
language, then English, then any); searching matches any ``rdfs:label``,
``skos:prefLabel`` or ``skos:altLabel``, case-insensitively, as a substring.
"""

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from scograph.namespaces import ID, ONTOLOGY
from scograph.publish.describe import LABEL_PROPERTIES, pick_label
from scograph.publish.vocab import RDFS, SKOS
from scograph.web.graph import Row
from scograph.web.i18n import SUPPORTED_LANGUAGES

ALT_LABEL = SKOS + "altLabel"
# The names the search box looks in, the better-matching first when both match.
_SEARCH_ORDER = {SKOS + "prefLabel": 0, RDFS + "label": 1, ALT_LABEL: 2}
SEARCHED_PROPERTIES = frozenset(_SEARCH_ORDER)
SHORT_PROPERTY_NAMES = {
    RDFS + "label": "rdfs:label",
    SKOS + "prefLabel": "skos:prefLabel",
    ALT_LABEL: "skos:altLabel",
}

LABELS_QUERY = (
    "SELECT DISTINCT ?thing ?property ?name WHERE {\n"
    "  VALUES ?property { " + " ".join(f"<{p}>" for p in (*LABEL_PROPERTIES, ALT_LABEL)) + " }\n"
    "  ?thing ?property ?name .\n"
    "  FILTER(isIRI(?thing) && isLiteral(?name))\n"
    "}"
)


@dataclass(frozen=True)
class Name:
    """One name of a thing: its text, language tag and naming property."""

    text: str
    lang: str | None
    prop: str


@dataclass(frozen=True)
class Match:
    """A thing found by the search box, with the name that matched."""

    iri: str
    matched: Name
    rank: tuple[int, int, int, str]


def kind_of(iri: str) -> str | None:
    """The kind of a thing from its IRI (``city`` for ``…/id/city/qingdao``; ``term``)."""
    if iri.startswith(ID):
        kind, _, key = iri.removeprefix(ID).partition("/")
        return kind if key else None
    if iri.startswith(ONTOLOGY) and len(iri) > len(ONTOLOGY):
        return "term"
    return None


class LabelIndex:
    """The names of the graph's things, with the casefolded text kept for searching."""

    def __init__(self, rows: list[Row]) -> None:
        self._names: dict[str, list[Name]] = defaultdict(list)
        self._searchable: list[tuple[str, str, Name]] = []
        for row in rows:
            iri, name = row["thing"].value, row["name"]
            entry = Name(name.value, name.lang, row["property"].value)
            self._names[iri].append(entry)
            if entry.prop in SEARCHED_PROPERTIES and kind_of(iri) is not None:
                self._searchable.append((entry.text.casefold(), iri, entry))

    def name(self, iri: str, language: str) -> Name | None:
        """The best name of ``iri`` to show in ``language`` (None when it has none)."""
        named = [
            (n.prop, ox.Literal(n.text, language=n.lang) if n.lang else ox.Literal(n.text))
            for n in self._names.get(iri, [])
            if n.prop in LABEL_PROPERTIES
        ]
        best = pick_label(named, language)
        if best is None:
            return None
        prop = next(p for p, literal in named if literal is best)
        return Name(best.value, best.language, prop)

    def text(self, iri: str, language: str) -> str:
        """The name to show, or the IRI's last segment when the thing has no name."""
        found = self.name(iri, language)
        return found.text if found else iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def texts(self, iri: str) -> dict[str, str]:
        """The name to show in each of the pages' languages (for the scripts)."""
        return {language: self.text(iri, language) for language in SUPPORTED_LANGUAGES}

    def search(self, query: str) -> list[Match]:
        """Things with a name containing ``query`` (any case), best matches first.

        Per thing the best-matching name counts: a whole name before the start of a
        name before a name containing the text, then a preferred name before a label
        before an alternative name (a misspelling), then shorter names first.
        """
        needle = query.strip().casefold()
        if not needle:
            return []
        best: dict[str, Match] = {}
        for folded, iri, name in self._searchable:
            if needle not in folded:
                continue
            closeness = 0 if folded == needle else 1 if folded.startswith(needle) else 2
            rank = (closeness, _SEARCH_ORDER[name.prop], len(folded), folded)
            if iri not in best or rank < best[iri].rank:
                best[iri] = Match(iri, name, rank)
        return sorted(best.values(), key=lambda m: (m.rank, m.iri))
