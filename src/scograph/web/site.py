"""What the web routes share: the graph reader, the caches and the example queries.

It lives on ``app.state.web`` (set by :func:`scograph.web.include_web`). Every
derived table is computed once per store generation (see :mod:`scograph.web.cache`).
"""

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request

from scograph.web.cache import GenerationCache
from scograph.web.counts import COUNTS_QUERY, Counts, counts_from
from scograph.web.examples import Example, read_examples
from scograph.web.graph import GraphReader
from scograph.web.labels import LABELS_QUERY, LabelIndex
from scograph.web.map_data import (
    CITIES_QUERY,
    SOURCE_LICENCES_QUERY,
    TWINNINGS_QUERY,
    map_document,
)
from scograph.web.network_data import NETWORK_QUERY, network_document


@dataclass
class WebSite:
    """The web front's view of the graph, for one app."""

    reader: GraphReader
    queries_dir: Path
    cache: GenerationCache = field(default_factory=GenerationCache)
    _examples: list[Example] | None = None

    def examples(self) -> list[Example]:
        """The example queries, read once (they ship with the package)."""
        if self._examples is None:
            self._examples = read_examples(self.queries_dir)
        return self._examples

    async def counts(self, state: Any) -> Counts:
        async def compute() -> Counts:
            return counts_from(await self.reader.select(state, COUNTS_QUERY))

        return await self._cached("counts", state, compute)

    async def labels(self, state: Any) -> LabelIndex:
        async def compute() -> LabelIndex:
            return LabelIndex(await self.reader.select(state, LABELS_QUERY))

        return await self._cached("labels", state, compute)

    async def map_document(self, state: Any) -> dict[str, Any]:
        async def compute() -> dict[str, Any]:
            twinnings, cities, licences = await asyncio.gather(
                self.reader.select(state, TWINNINGS_QUERY),
                self.reader.select(state, CITIES_QUERY),
                self.reader.select(state, SOURCE_LICENCES_QUERY),
            )
            return map_document(twinnings, cities, licences, await self.labels(state))

        return await self._cached("map", state, compute)

    async def network_document(self, state: Any) -> dict[str, Any]:
        async def compute() -> dict[str, Any]:
            rows = await self.reader.select(state, NETWORK_QUERY)
            return network_document(rows, await self.labels(state))

        return await self._cached("network", state, compute)

    async def _cached(self, name: str, state: Any, compute: Any) -> Any:
        generation = await self.reader.generation(state)
        return await self.cache.get(name, generation, compute)


def get_site(request: Request) -> WebSite:
    return request.app.state.web


SiteDep = Annotated[WebSite, Depends(get_site)]
