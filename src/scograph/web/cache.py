"""Data the pages derive from the graph, computed once per store generation.

The counts, the label index, the map and the network read whole tables; a
request reuses what was computed for the generation it sees, and only the first
request after a write pays for the new one.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class GenerationCache:
    """Values keyed by name, each valid for one generation of the store."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[Hashable, Any]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, name: str, generation: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """The value of ``name`` for ``generation``, computing it at most once at a time."""
        found = self._values.get(name)
        if found is not None and found[0] == generation:
            return found[1]
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:
            # Another request may have computed it while this one waited.
            found = self._values.get(name)
            if found is not None and found[0] == generation:
                return found[1]
            value = await compute()
            self._values[name] = (generation, value)
            return value
