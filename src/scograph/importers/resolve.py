"""Resolving a printed city name to one GeoNames place, or saying why not.

A name is looked up only among the places of its own country, never by name
alone, and a match is accepted only when it leaves no reasonable doubt:

- a name that reads as an administrative area ("… District", "… Region",
  "Central AO (Moscow)") is not a town, and is left out;
- a qualifier printed with the name narrows the candidates: to those within
  60 km of the qualifying place ("Kolpino (Saint Petersburg)"), or in the
  qualifying province ("Suzhou, Jiangsu", "Wanzhou (Chongqing)");
- one candidate is accepted; of several, a place bearing the name as its own is
  preferred to places bearing it as an alternate (an old name, another
  transliteration), and is accepted when it is at least ten times as populous
  as the next place of that name, whose population must be known unless the
  chosen town has 50,000 people or more (GeoNames gives many county seats
  population 0: unknown, not small);
- when only alternates (or only population-0 seats) bear the name, a town of
  5,000 or more is accepted if every other candidate is smaller than that.

Anything else is left unresolved, with the reason and the candidates, and the
pairs that need it stay out of the graph. Names whose automatic answer was
checked by hand and found wrong or doubtful are settled in
:mod:`scograph.importers.reviewed`.
"""

from dataclasses import dataclass, field

from scograph.importers.geonames import GeoNamesIndex, Matches, Place
from scograph.importers.place_names import split_qualifier
from scograph.importers.reviewed import PROVINCE_QUALIFIERS, REVIEWED

# How much bigger the chosen place must be than the next place of the same name.
DOMINANCE = 10
# Below this population a place is a village or a township seat (GeoNames gives
# many seats population 0); it does not compete with a town of the same name.
NEGLIGIBLE_POPULATION = 5000
# A town this size is not outranked by a same-named place of unknown population.
SIZEABLE_POPULATION = 50_000
# A district printed with its city lies within this distance of the city's centre.
QUALIFIER_RADIUS_KM = 60.0


@dataclass(frozen=True)
class Resolution:
    """What a printed name resolved to: a place, or the reason there is none."""

    printed: str
    country: str
    place: Place | None
    method: str
    note: str = ""
    candidates: tuple[Place, ...] = field(default=(), compare=False)

    @property
    def resolved(self) -> bool:
        """Whether the name resolved to exactly one place."""
        return self.place is not None


class Resolver:
    """Resolves printed names within their country, remembering every answer."""

    def __init__(self, index: GeoNamesIndex) -> None:
        self._index = index
        self._answers: dict[tuple[str, str], Resolution] = {}

    def resolve(self, printed: str, country: str) -> Resolution:
        """Return the resolution of ``printed`` in ``country`` (an ISO code)."""
        key = (country, printed)
        if key not in self._answers:
            self._answers[key] = self._resolve(printed, country)
        return self._answers[key]

    def _resolve(self, printed: str, country: str) -> Resolution:
        if (country, printed) in REVIEWED:
            return self._reviewed(printed, country)
        name = split_qualifier(printed)
        if name.is_area:
            return Resolution(
                printed,
                country,
                None,
                "administrative area",
                "names a district, region or province, not a town",
            )
        matches = self._index.lookup(country, name.base)
        if not matches and name.base.endswith(" City"):
            matches = self._index.lookup(country, name.base.removesuffix(" City"))
        if not matches:
            return Resolution(
                printed,
                country,
                None,
                "no match",
                f"no place named {name.base!r} in GeoNames in {country}",
            )
        note = ""
        if name.qualifier:
            narrowed = self._narrow(printed, country, matches, name.qualifier)
            if isinstance(narrowed, Resolution):
                return narrowed
            matches, note = narrowed
        return _decide(printed, country, matches, note)

    def _narrow(
        self, printed: str, country: str, matches: Matches, qualifier: str
    ) -> tuple[Matches, str] | Resolution:
        """Keep the candidates that lie near, or in, the place the qualifier names."""
        province = PROVINCE_QUALIFIERS.get((country, qualifier))
        if province is not None:
            keep = [p for p in _all(matches) if p.admin1 == province]
            note = f"in {qualifier} (GeoNames admin1 {province})"
        else:
            anchor = self.resolve(qualifier, country)
            if not anchor.place:
                return Resolution(
                    printed,
                    country,
                    None,
                    "qualifier unresolved",
                    f"the qualifier {qualifier!r} is not a place: {anchor.note}",
                    _all(matches),
                )
            near = anchor.place
            keep = [p for p in _all(matches) if p.distance_km(near) <= QUALIFIER_RADIUS_KM]
            note = f"within {QUALIFIER_RADIUS_KM:.0f} km of {qualifier} ({near.geonames_id})"
        if not keep:
            return Resolution(
                printed,
                country,
                None,
                "no match near qualifier",
                f"no place so named {note}",
                _all(matches),
            )
        return Matches(
            by_name=tuple(p for p in matches.by_name if p in keep),
            by_alternate_name=tuple(p for p in matches.by_alternate_name if p in keep),
        ), note

    def _reviewed(self, printed: str, country: str) -> Resolution:
        review = REVIEWED[country, printed]
        if review.geonames_id is None:
            return Resolution(printed, country, None, "reviewed: left out", review.reason)
        place = self._index.get(review.geonames_id)
        if place is None or place.country != country:
            raise ValueError(
                f"reviewed choice {review.geonames_id} for {printed!r} is not in {country}"
            )
        return Resolution(printed, country, place, "reviewed: chosen", review.reason)


def _all(matches: Matches) -> tuple[Place, ...]:
    return matches.by_name + matches.by_alternate_name


def _decide(printed: str, country: str, matches: Matches, note: str) -> Resolution:
    """Accept the one candidate that leaves no doubt, or report the candidates."""
    named, candidates = matches.by_name, matches.by_name + matches.by_alternate_name
    if len(candidates) == 1:
        method = "name" if named else "alternate name"
        return Resolution(printed, country, candidates[0], method, note, candidates)
    # A place bearing the printed name as its own name comes first; a place that
    # bears it only as an alternate (an old name, another transliteration) is
    # weaker evidence: "Stavropol" is also an old name of Tolyatti.
    best = named[0] if named else None
    if best and (
        best.population >= NEGLIGIBLE_POPULATION
        or not any(p.population > best.population for p in matches.by_alternate_name)
    ):
        rest = named[1:]
        if not rest:
            return Resolution(printed, country, best, "name", note, candidates)
        known = [p.population for p in rest if p.population]
        # GeoNames gives many county and township seats population 0: unknown,
        # not small, so they compete with all but a sizeable town.
        unknown = len(known) < len(rest) and best.population < SIZEABLE_POPULATION
        if not unknown and best.population >= DOMINANCE * max(known, default=0):
            return Resolution(
                printed,
                country,
                best,
                "largest of the same name",
                _join(note, f"{len(named)} places so named"),
                candidates,
            )
    else:
        # Only township seats (population unknown) bear the name itself, or none
        # does: accept a town known by it when every other candidate is negligible.
        ranked = sorted(candidates, key=lambda p: -p.population)
        best, rest = ranked[0], ranked[1:]
        if best.population >= NEGLIGIBLE_POPULATION and all(
            p.population < NEGLIGIBLE_POPULATION for p in rest
        ):
            return Resolution(
                printed,
                country,
                best,
                "alternate name",
                _join(note, f"GeoNames name {best.name!r}"),
                candidates,
            )
    return Resolution(
        printed,
        country,
        None,
        "ambiguous",
        _join(note, f"{len(candidates)} plausible places"),
        candidates,
    )


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
