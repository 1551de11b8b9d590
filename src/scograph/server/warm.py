"""Start-up work done in the background: what users ask first, computed before they ask.

Once per release (a read-only endpoint's data never changes while it runs), the
example queries are answered into the response cache and the home page's figures
into the web front's cache. It runs after the server has started listening, one
query at a time in the query worker processes, so it neither delays the start nor
takes more than one query worker from the users.

The VoID statistics are left to their first request (then kept for the life of
the process): they are computed in this process, and a thread computing them
would hold the interpreter lock against every answer sent meanwhile (measured:
cached answers took 8–12 ms instead of 1 ms while it ran).
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from scograph.server import query_guard
from scograph.server.cached_queries import Lookup, cache_control, respond
from scograph.server.errors import EndpointError
from scograph.server.response_cache import (
    ResponseCache,
    depends_on_base,
    deterministic,
    form_key,
    offers_for,
    store_generation,
)
from scograph.server.routes.sparql import query_message

logger = logging.getLogger(__name__)


@dataclass
class WarmReport:
    """What the warming did, and how long each part took (kept on ``app.state.warmed``)."""

    examples: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    done: bool = False


async def warm(state: Any) -> None:
    """Compute everything this module warms; failures are logged, never raised."""
    report = WarmReport()
    state.warmed = report
    if not state.settings.warm_at_start:
        report.done = True
        return
    steps = [("home counts", _warm_counts)]
    if getattr(state, "response_cache", None) is not None:
        steps.insert(0, ("examples", _warm_examples))
    for name, step in steps:
        started = time.perf_counter()
        try:
            await step(state, report)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("warming the %s failed", name)
        report.seconds[name] = time.perf_counter() - started
    report.done = True


async def _warm_examples(state: Any, report: WarmReport) -> None:
    cache: ResponseCache = state.response_cache
    settings = state.settings
    for example in state.web.examples():
        query = example.text
        offers = offers_for(query)
        try:
            found = query_guard.check_text(query, settings.max_nesting)
        except EndpointError:
            found = None
            offers = None
        federated = found is not None and bool(found.services)
        if offers is None or depends_on_base(query) or not deterministic(query, federated):
            report.skipped.append(example.name)
            continue
        generation = await store_generation(state.readers)
        cache.sync(generation)
        lookup = Lookup(
            cache=cache,
            generation=generation,
            form=form_key(query, (), (), ""),
            offers=offers,
            accept=None,
            if_none_match=None,
            cache_control=cache_control(settings.response_max_age),
        )
        started = time.perf_counter()
        try:
            answer = await state.readers.answer(query_message(settings, query, None, None, found))
        except EndpointError:
            report.skipped.append(example.name)
            continue
        if answer.body is None:
            answer.close()
            report.skipped.append(example.name)
            continue
        respond(lookup, answer, reusable=True)
        report.examples[example.name] = time.perf_counter() - started


async def _warm_counts(state: Any, report: WarmReport) -> None:
    await state.web.counts(state)
