"""Place names as printed in lists: folding for comparison, qualifiers, slugs.

Wikipedia, GeoNames and Wikidata spell the same town in different ways
("Babruysk", "Bobruysk", "Bobrujsk"; "Ryazan", "Ryazan’"; "Nərimanov",
"Narimanov"). Names are compared in a folded form, the same on both sides, so
that spelling noise does not hide a match; the folding never decides between
two different places, the country and the candidates' details do.
"""

import re
import unicodedata
from dataclasses import dataclass

# Letters that Unicode decomposition leaves alone but romanisations drop: the
# Turkish dotless i, the Azerbaijani schwa, Nordic and Slavic letters.
_LETTERS = str.maketrans({"ı": "i", "ə": "a", "ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l"})
# Apostrophes and modifier letters mark soft signs and glottal stops in
# transliterations ("Ryazan’", "To‘rqo‘rg‘on", "Xi'an"); spellings differ only in them.
_MARKS = re.compile(r"[’'ʼʻ‘`´\"]")
# Combining marks left by canonical decomposition ("é" -> "e" + U+0301).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,/]+")
# Russian adjective endings are written -yy, -iy or -y ("Svetlyy", "Svetly").
_RUSSIAN_ENDING = re.compile(r"(?:yy|iy|ij)\b")

# Words that make a printed name an administrative area rather than a town:
# "Chekhovsky District", "Grodno Region", "Central AO (Moscow)".
_AREA_WORDS = re.compile(
    r"\b(district|region|province|oblast|county|krai|kray|raion|rayon|okrug|ao|"
    r"governorate|prefecture|municipality|autonomous)\b",
    re.IGNORECASE,
)
_PARENTHESISED = re.compile(r"^(?P<base>.+?)\s*\((?P<qualifier>[^()]+)\)$")
_COMMA = re.compile(r"^(?P<base>[^,]+),\s*(?P<qualifier>.+)$")
# "Harbin – Daoli": the list names the city, then its district.
_DASHED = re.compile(r"^(?P<qualifier>.+?)\s+[–—]\s+(?P<base>.+)$")
_SLUG_SEPARATORS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class PrintedName:
    """A name split into the place it names and the qualifier printed with it."""

    base: str
    qualifier: str | None = None

    @property
    def is_area(self) -> bool:
        """Whether the name reads as an administrative area (district, region, …)."""
        return bool(_AREA_WORDS.search(self.base))


def fold(name: str) -> str:
    """Return ``name`` folded for comparison: lower case, no accents or apostrophes.

    >>> fold("Nərimanov") == fold("Narimanov"), fold("Ryazan’") == fold("Ryazan")
    (True, True)
    """
    text = _SEPARATORS.sub(" ", _plain(name)).strip()
    return _RUSSIAN_ENDING.sub("y", text)


def split_qualifier(printed: str) -> PrintedName:
    """Split a printed name such as ``"Laoshan (Qingdao)"`` into base and qualifier.

    Three forms are printed: ``"District (City)"``, ``"Suzhou, Jiangsu"`` and
    ``"Harbin – Daoli"`` (city, then district).

    >>> split_qualifier("Laoshan (Qingdao)")
    PrintedName(base='Laoshan', qualifier='Qingdao')
    >>> split_qualifier("Hulunbuir – Hailar")
    PrintedName(base='Hailar', qualifier='Hulunbuir')
    """
    printed = " ".join(printed.split())
    for pattern in (_PARENTHESISED, _COMMA, _DASHED):
        match = pattern.match(printed)
        if match:
            return PrintedName(match["base"].strip(), match["qualifier"].strip())
    return PrintedName(printed)


def slugify(name: str) -> str:
    """Return the IRI key for a name: lower-case ASCII words joined by hyphens.

    >>> slugify("Ürümqi"), slugify("Xi'an"), slugify("Rostov-on-Don")
    ('urumqi', 'xian', 'rostov-on-don')
    """
    ascii_text = _plain(name).encode("ascii", "ignore").decode()
    return _SLUG_SEPARATORS.sub("-", ascii_text).strip("-")


def _plain(name: str) -> str:
    """Lower-case ``name`` and drop its accents and apostrophes."""
    if name.isascii():
        # Most names are plain ASCII; skipping Unicode normalisation for them
        # makes indexing GeoNames' 300,000 names several times faster.
        return _MARKS.sub("", name.lower())
    text = unicodedata.normalize("NFKC", name).casefold().translate(_LETTERS)
    return _MARKS.sub("", _COMBINING.sub("", unicodedata.normalize("NFKD", text)))
