"""The SPARQL Service Description a bare GET on the endpoint returns.

Built by :mod:`scograph.server.service_graph`, kept per endpoint URL, store
generation and format.
"""

from scograph.server.conneg import Offer
from scograph.server.executor import ReaderPool
from scograph.settings import Settings

_CACHE_SIZE = 32


class Descriptions:
    """Service descriptions, rendered once per store generation and kept."""

    def __init__(self, settings: Settings, readers: ReaderPool, writable: bool) -> None:
        self._settings = settings
        self._readers = readers
        self._writable = writable
        self._graphs: tuple[int, list[str]] | None = None
        self._rendered: dict[tuple[str, int, str], bytes] = {}

    async def render(self, endpoint: str, offer: Offer) -> bytes:
        """Return the description in ``offer``'s format."""
        await self._readers.refresh()
        generation = self._readers.generation
        key = (endpoint, generation, offer.format)
        cached = self._rendered.get(key)
        if cached is not None:
            return cached
        # rdflib, imported at the first description, would add a tenth of a second to
        # every start of the server.
        from scograph.server.service_graph import RDFLIB_FORMATS, describe

        graphs = await self._named_graphs(generation)
        description = describe(endpoint, self._settings, graphs, self._writable)
        rendered = description.serialize(format=RDFLIB_FORMATS[offer.format], encoding="utf-8")
        if len(self._rendered) >= _CACHE_SIZE:
            self._rendered.clear()
        self._rendered[key] = rendered
        return rendered

    async def _named_graphs(self, generation: int) -> list[str]:
        if self._graphs is None or self._graphs[0] != generation:
            answer = await self._readers.call({"op": "graphs"})
            self._graphs = (generation, answer["graphs"])
        return self._graphs[1]
