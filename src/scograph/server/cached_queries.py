"""Query answers through the response cache: look up before running, keep after, validate.

The route calls :func:`look_up` once it knows the query and the dataset, and sends
what it returns if that is a response (a kept answer, or 304). Otherwise it runs
the query and sends :func:`respond`'s response, which carries the answer's ETag,
answers ``If-None-Match`` with 304, and keeps the answer when it may be reused.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from scograph.server.cache_layer import ANSWER_KEY
from scograph.server.conneg import Offer, negotiate
from scograph.server.executor import Answer
from scograph.server.response_cache import (
    CACHE_STATUS_HEADER,
    CachedAnswer,
    FormKey,
    ResponseCache,
    cached_answer,
    entity_tag,
    form_key,
    matches,
    offers_for,
    store_generation,
)
from scograph.server.responses import answer_response


@dataclass
class Lookup:
    """What the route needs to keep the answer it computes after a miss."""

    cache: ResponseCache | None
    generation: Hashable
    form: FormKey | None
    offers: tuple[Offer, ...] | None
    accept: str | None
    if_none_match: str | None
    cache_control: str
    # Where to say which kept answer was sent (the request's scope; None when warming).
    scope: dict[str, Any] | None = None


def cache_control(max_age: int) -> str:
    """The Cache-Control of query answers: reuse for ``max_age`` s, or always revalidate."""
    return f"public, max-age={max_age}" if max_age > 0 else "no-cache"


async def look_up(
    request: Request,
    query: str,
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
    endpoint: str,
) -> Response | Lookup:
    """The kept answer (or 304) for this query, else what :func:`respond` needs later."""
    state = request.app.state
    cache: ResponseCache | None = getattr(state, "response_cache", None)
    keyed = cache is not None
    lookup = Lookup(
        cache=cache,
        generation=None,
        # Without a cache there is nothing to key: the answer is only validated.
        form=form_key(query, default_graphs, named_graphs, endpoint) if keyed else None,
        offers=offers_for(query) if keyed else None,
        accept=request.headers.get("accept"),
        if_none_match=request.headers.get("if-none-match"),
        cache_control=cache_control(state.settings.response_max_age),
        scope=request.scope,
    )
    if cache is None:
        return lookup
    lookup.generation = await store_generation(state.readers)
    cache.sync(lookup.generation)
    assert lookup.form is not None
    key = cache.answer_key(lookup.form, lookup.accept)
    found = cache.get(key) if key is not None else None
    if found is None:
        return lookup
    if matches(lookup.if_none_match, found.etag):
        cache.hits += 1
        return _raw_response(304, found.not_modified_headers, b"")
    if found.body is None:
        return lookup
    cache.hits += 1
    request.scope[ANSWER_KEY] = key
    return _raw_response(200, found.headers, found.body)


def respond(lookup: Lookup, answer: Answer, reusable: bool) -> Response:
    """The response for a computed answer: ETag, 304 when the client has it, kept if it may be.

    ``reusable`` says the answer depends on the data alone. A streamed answer (too
    large to hold) is sent as it comes, without a validator.
    """
    if answer.body is None:
        return answer_response(answer)
    response = answer_response(answer)
    etag = entity_tag(answer.content_type, answer.body)
    headers = {
        **{k: v for k, v in response.headers.items() if k != "content-length"},
        "ETag": etag,
        "Cache-Control": lookup.cache_control,
    }
    cache = lookup.cache
    if cache is not None:
        cache.misses += 1
        headers[CACHE_STATUS_HEADER] = "miss"
        if reusable:
            _keep(cache, lookup, answer, headers, etag)
    if matches(lookup.if_none_match, etag):
        validators = {"etag", "cache-control", "vary", CACHE_STATUS_HEADER.lower()}
        kept = {k: v for k, v in headers.items() if k.lower() in validators}
        return Response(status_code=304, headers=kept)
    return Response(answer.body, headers=headers)


def _keep(
    cache: ResponseCache, lookup: Lookup, answer: Answer, headers: dict[str, str], etag: str
) -> None:
    """Keep the answer if the format the request chose is the one the answer came in."""
    if lookup.form is None or lookup.offers is None or answer.body is None:
        return
    offer = negotiate(lookup.accept, lookup.offers)
    if offer is None or offer.content_type != answer.content_type:
        return  # the query's form was not what the scan thought: do not guess
    keep_body = len(answer.body) <= cache.max_entry_bytes
    key_size = len(lookup.form[0])
    entry: CachedAnswer = cached_answer(headers, answer.body, etag, keep_body, key_size)
    key = cache.put(lookup.generation, lookup.form, lookup.offers, offer.media_type, entry)
    if key is not None and keep_body and lookup.scope is not None:
        lookup.scope[ANSWER_KEY] = key


def _raw_response(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Response:
    response = Response(status_code=status)
    response.body = body
    response.raw_headers = list(headers)
    return response
