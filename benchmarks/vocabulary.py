"""The IRIs and fixed reference data the synthetic graph is made of.

The terms are the ones of the team contract (``sg:`` ontology, ``id/{type}/{key}``
things, ``graph/{name}`` named graphs), so the benchmark queries read like real
scograph queries.
"""

from typing import Final

BASE: Final = "https://w3id.org/scograph/"
SG: Final = BASE + "ontology#"
ID: Final = BASE + "id/"
GRAPH: Final = BASE + "graph/"

RDF_TYPE: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
FOAF: Final = "http://xmlns.com/foaf/0.1/"
SCHEMA: Final = "https://schema.org/"
DCTERMS: Final = "http://purl.org/dc/terms/"
PROV: Final = "http://www.w3.org/ns/prov#"
GEO: Final = "http://www.w3.org/2003/01/geo/wgs84_pos#"
ORG: Final = "http://www.w3.org/ns/org#"

CC_BY: Final = "https://creativecommons.org/licenses/by/4.0/"


def entity(kind: str, key: str) -> str:
    """Return the IRI of a thing, e.g. ``entity("city", "qingdao")``."""
    return f"{ID}{kind}/{key}"


def graph(name: str) -> str:
    """Return the IRI of a named graph, e.g. ``graph("geography")``."""
    return GRAPH + name


# (slug, English name, ISO 3166 alpha-2, relative weight in city counts). China and
# Russia get more cities, as in the real twinning network.
COUNTRIES: Final = (
    ("china", "China", "CN", 12),
    ("russia", "Russia", "RU", 8),
    ("india", "India", "IN", 6),
    ("pakistan", "Pakistan", "PK", 3),
    ("kazakhstan", "Kazakhstan", "KZ", 4),
    ("kyrgyzstan", "Kyrgyzstan", "KG", 2),
    ("tajikistan", "Tajikistan", "TJ", 2),
    ("uzbekistan", "Uzbekistan", "UZ", 3),
    ("iran", "Iran", "IR", 3),
    ("belarus", "Belarus", "BY", 2),
    ("mongolia", "Mongolia", "MN", 1),
    ("afghanistan", "Afghanistan", "AF", 1),
    ("armenia", "Armenia", "AM", 1),
    ("azerbaijan", "Azerbaijan", "AZ", 1),
    ("cambodia", "Cambodia", "KH", 1),
    ("nepal", "Nepal", "NP", 1),
    ("sri-lanka", "Sri Lanka", "LK", 1),
    ("turkey", "Turkey", "TR", 3),
    ("egypt", "Egypt", "EG", 2),
    ("qatar", "Qatar", "QA", 1),
    ("saudi-arabia", "Saudi Arabia", "SA", 2),
    ("bahrain", "Bahrain", "BH", 1),
    ("kuwait", "Kuwait", "KW", 1),
    ("maldives", "Maldives", "MV", 1),
    ("myanmar", "Myanmar", "MM", 1),
    ("united-arab-emirates", "United Arab Emirates", "AE", 1),
    ("laos", "Laos", "LA", 1),
)

# The seed cities of the curated data: (slug, English name, Russian name, country slug,
# number of twinnings). Their twinning counts do not grow with the dataset, so the
# queries about Qingdao return the same number of rows at every size.
SEED_CITIES: Final = (
    ("qingdao", "Qingdao", "Циндао", "china", 40),
    ("wuhan", "Wuhan", "Ухань", "china", 30),
    ("bishkek", "Bishkek", "Бишкек", "kyrgyzstan", 20),
    ("osh", "Osh", "Ош", "kyrgyzstan", 12),
    ("dushanbe", "Dushanbe", "Душанбе", "tajikistan", 15),
    ("yerevan", "Yerevan", "Ереван", "armenia", 15),
    ("samarkand", "Samarkand", "Самарканд", "uzbekistan", 15),
)


def _pairs(table: str) -> tuple[tuple[str, str], ...]:
    """Read ``"latin:cyrillic latin:cyrillic"`` into pairs (a table that stays compact)."""
    return tuple((latin, cyrillic) for latin, cyrillic in (p.split(":") for p in table.split()))


# Latin and Cyrillic spellings of the syllables generated names are made of, so each
# place has an English and a Russian label as the curated data does.
SYLLABLES: Final = _pairs(
    "qing:цин ka:ка ro:ро van:ван shan:шань da:да mir:мир tash:таш bo:бо li:ли "
    "nur:нур sa:са ter:тер zhen:чжэнь ak:ак ya:я ba:ба gor:гор me:ме khan:хан "
    "lan:лань po:по ri:ри sul:сул te:те hai:хай ma:ма dor:дор ni:ни kul:куль "
    "an:ан yu:ю ze:зе pa:па lin:линь su:су tan:тан vo:во chi:чи ur:ур"
)

# Endings that make generated names look like places; the regex query looks for one.
# The first, empty, ending is written ":" and read as ("", "").
PLACE_SUFFIXES: Final = _pairs(
    ": abad:абад kent:кент grad:град zhou:чжоу pur:пур ovo:ово sk:ск yang:ян"
)

FORUM_THEMES: Final = (
    "Friendship Cities",
    "Local Cooperation",
    "Culture and Tourism",
    "Youth Exchange",
    "Green Development",
    "Trade and Logistics",
    "Digital Economy",
    "Health Cooperation",
    "Education",
    "Women's Leadership",
)

TWINNING_STATUSES: Final = (("Established", 0.7), ("Announced", 0.2), ("Intention", 0.1))

UNITS: Final = ("CityPairUnit", "ProjectUnit", "USDollar", "PersonUnit", "CountryUnit")

# By position in COUNTRIES: the first ten are members, the next ten observers, then partners.
MEMBERSHIP_STATUSES: Final = ("MemberState", "ObserverState", "DialoguePartner")
