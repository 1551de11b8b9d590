"""Query answers kept in memory until the data changes, and the validators they carry.

The data changes only with a release (or a write, on an endpoint that takes them),
so a complete answer can be sent again to whoever asks the same thing. An answer
is found by what decides its bytes:

- the query text, the ``default-graph-uri`` and ``named-graph-uri`` lists, and the
  endpoint's URL when the query has relative IRIs (they resolve against it): the
  *form* of the request;
- the media type negotiated from the Accept header. The offers depend on the query
  form (solutions or a graph); the cache remembers which it is for each query, so
  two Accept headers that choose the same type share an answer, and two that
  choose different types never get each other's.

The cache is one LRU bounded in bytes, emptied whenever the store's generation
changes (a write; a read-only endpoint keeps generation 0 for its life). It also
remembers the raw request (query string or body, Accept, Host) that led to an
answer, so the next identical request is answered by :mod:`cache_layer` without
parsing anything. Answers over the entry limit keep only their ETag, so their
revalidation still costs nothing.

Every whole answer carries a strong ETag: a hash of its media type and bytes, so
an answer that a write did not change keeps its tag. ``If-None-Match`` with that
tag gets 304, from the cache without running the query, or after running it.
Answers that depend on more than the data (``NOW()``, ``RAND()``, ``UUID()``,
``STRUUID()``, SERVICE) are never kept.
"""

import hashlib
import re
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Final

from scograph.publish.routes.files import etag_matches
from scograph.server.conneg import GRAPH_OFFERS, RESULT_OFFERS, Offer, negotiate
from scograph.server.executor import ReaderPool

CACHE_STATUS_HEADER: Final = "X-Cache"
# Rough bytes of bookkeeping per item (dict slot, tuple, object), so that many tiny
# answers cannot hold much more memory than the bound says.
_OVERHEAD: Final = 256
_NOT_DETERMINISTIC = re.compile(r"\b(?:now|rand|uuid|struuid)\s*\(", re.IGNORECASE)
# A relative IRI reference (no scheme), or IRI()/URI() that may make one absolute.
_RELATIVE_IRI = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.\-]*:)[^<>\"{}|^`\\\s]*>")
_IRI_FUNCTION = re.compile(r"\b(?:iri|uri)\s*\(", re.IGNORECASE)
# The first keyword after the prologue (comments, PREFIX and BASE declarations).
# Possessive: a long run of spaces or comments must not be split every possible way.
_QUERY_FORM = re.compile(
    r"(?:\s++|#[^\n\r]*+|(?i:prefix)\s*[^\s:]*:\s*<[^>]*>|(?i:base)\s*<[^>]*>)*+([A-Za-z]+)"
)
_OFFERS_BY_FORM: Final = {
    "SELECT": RESULT_OFFERS,
    "ASK": RESULT_OFFERS,
    "CONSTRUCT": GRAPH_OFFERS,
    "DESCRIBE": GRAPH_OFFERS,
}

FormKey = tuple[str, tuple[str, ...], tuple[str, ...], str | None]


async def store_generation(readers: ReaderPool) -> int:
    """The generation of the data queries see now (after a write, readers move on first)."""
    if readers.freshen is not None:
        await readers.refresh()
    return readers.generation


def form_key(
    query: str, default_graphs: Sequence[str], named_graphs: Sequence[str], endpoint: str
) -> FormKey:
    """What, besides the format, decides a query's answer (the endpoint only when it can)."""
    base = endpoint if depends_on_base(query) else None
    # Space around the query means nothing to the engine (files end with a newline, shells drop it).
    return (query.strip(), tuple(default_graphs), tuple(named_graphs), base)


def depends_on_base(query: str) -> bool:
    """Whether the query may resolve a relative IRI against the endpoint's URL."""
    return bool(_RELATIVE_IRI.search(query) or _IRI_FUNCTION.search(query))


def offers_for(query: str) -> tuple[Offer, ...] | None:
    """The formats this query's answer is offered in (None: the form is not recognised)."""
    found = _QUERY_FORM.match(query)
    return _OFFERS_BY_FORM.get(found.group(1).upper()) if found else None


def deterministic(query: str, federated: bool) -> bool:
    """Whether the answer depends on the data alone (no clock, randomness or remote data)."""
    return not federated and _NOT_DETERMINISTIC.search(query) is None


def entity_tag(content_type: str, body: bytes) -> str:
    """A strong ETag for these bytes sent as this type."""
    digest = hashlib.blake2b(content_type.encode(), digest_size=16)
    digest.update(b"\n")
    digest.update(body)
    return f'"{digest.hexdigest()}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (RFC 9110 §13.1.2: weak comparison)."""
    return if_none_match == etag or etag_matches(if_none_match, etag)


@dataclass(eq=False)
class CachedAnswer:
    """A complete 200 answer as sent: its headers, its bytes (None: too large to keep)."""

    etag: str
    body: bytes | None
    # Raw headers, ready for ASGI: of the 200 (with Content-Length), and of the 304.
    headers: list[tuple[bytes, bytes]]
    not_modified_headers: list[tuple[bytes, bytes]]
    size: int
    # The raw requests that led to it (they go when it goes).
    aliases: list[Hashable] = field(default_factory=list)


_HIT: Final = (CACHE_STATUS_HEADER.lower().encode(), b"hit")
# What a 304 does not carry: the headers about the body it does not have.
_BODY_HEADERS: Final = frozenset({b"content-length", b"content-type", b"content-encoding"})


def as_hit(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The same headers, saying that the answer came from the cache."""
    status = _HIT[0]
    return [item for item in headers if item[0].lower() != status] + [_HIT]


def without_body_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers of the 304 that stands for a 200 with these headers."""
    return [item for item in headers if item[0].lower() not in _BODY_HEADERS]


def cached_answer(
    headers: dict[str, str], body: bytes, etag: str, keep_body: bool, key_size: int
) -> CachedAnswer:
    """Build the entry of an answer whose response headers are ``headers`` (ETag included)."""
    raw = as_hit([(name.lower().encode(), value.encode()) for name, value in headers.items()])
    full = [item for item in raw if item[0] != b"content-length"]
    full.append((b"content-length", str(len(body)).encode()))
    kept = body if keep_body else None
    size = _OVERHEAD + key_size + sum(len(n) + len(v) for n, v in full) + len(kept or b"")
    return CachedAnswer(etag, kept, full, without_body_headers(full), size)


@dataclass(eq=False)
class Alias:
    """A raw request seen before: the answer it led to, with the headers it was sent with."""

    key: Hashable
    headers: list[tuple[bytes, bytes]]
    not_modified_headers: list[tuple[bytes, bytes]]
    size: int


@dataclass(eq=False)
class _Offers:
    """The formats a query's answer is offered in (remembered per form key)."""

    offers: tuple[Offer, ...]
    size: int


_Item = CachedAnswer | Alias | _Offers


class ResponseCache:
    """Answers by key, least recently used first out, within ``max_bytes``."""

    def __init__(self, max_bytes: int, max_entry_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.generation: Hashable = None
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, _Item] = OrderedDict()

    def __len__(self) -> int:
        return sum(isinstance(item, CachedAnswer) for item in self._items.values())

    def sync(self, generation: Hashable) -> None:
        """Forget everything if the data changed since the answers were kept."""
        if generation != self.generation:
            self._items.clear()
            self.size = 0
            self.generation = generation

    def by_request(self, raw: Hashable) -> tuple[Alias, CachedAnswer] | None:
        """The answer an identical earlier request got (the short path of cache_layer)."""
        alias = self._items.get(raw)
        if alias is None or alias.__class__ is not Alias:
            return None
        found = self._items.get(alias.key)
        if found is None or found.__class__ is not CachedAnswer:
            return None
        self._items.move_to_end(raw)
        self._items.move_to_end(alias.key)
        return alias, found

    def answer_key(self, form: FormKey, accept: str | None) -> Hashable | None:
        """The key of the answer ``accept`` chooses for ``form``, once its offers are known."""
        offers = self._items.get(("offers", form))
        if not isinstance(offers, _Offers):
            return None
        offer = negotiate(accept, offers.offers)
        return None if offer is None else (form, offer.media_type)

    def get(self, key: Hashable) -> CachedAnswer | None:
        """The answer kept under ``key``, if any (it becomes the most recently used)."""
        found = self._items.get(key)
        if not isinstance(found, CachedAnswer):
            return None
        self._items.move_to_end(key)
        return found

    def put(
        self,
        generation: Hashable,
        form: FormKey,
        offers: tuple[Offer, ...],
        media_type: str,
        entry: CachedAnswer,
    ) -> Hashable | None:
        """Keep an answer computed at ``generation``; return its key (None: not kept).

        An answer is not kept if the data changed while it was computed.
        """
        if generation != self.generation or self.max_bytes <= 0:
            return None
        self._set(("offers", form), _Offers(offers, _OVERHEAD + _form_size(form)))
        key = (form, media_type)
        self._set(key, entry)
        return key if key in self._items else None

    def alias(self, raw: Hashable, key: Hashable, headers: list[tuple[bytes, bytes]]) -> None:
        """Remember that ``raw`` was answered by the answer under ``key``, sent with ``headers``."""
        entry = self._items.get(key)
        if entry is None or entry.__class__ is not CachedAnswer or entry.body is None:
            return
        assert isinstance(entry, CachedAnswer)
        hit = as_hit(headers)
        size = _OVERHEAD + _raw_size(raw) + sum(len(n) + len(v) for n, v in hit)
        self._set(raw, Alias(key, hit, without_body_headers(hit), size))
        entry.aliases.append(raw)

    def _set(self, key: Hashable, item: _Item) -> None:
        if item.size > self.max_bytes:
            return
        self._drop(key)
        self._items[key] = item
        self.size += item.size
        while self.size > self.max_bytes:
            oldest = next(iter(self._items))
            self._drop(oldest)

    def _drop(self, key: Hashable) -> None:
        item = self._items.pop(key, None)
        if item is None:
            return
        self.size -= item.size
        if isinstance(item, CachedAnswer):
            # Its aliases would keep its bytes alive, uncounted.
            for raw in item.aliases:
                self._drop(raw)


def _form_size(form: FormKey) -> int:
    query, defaults, named, base = form
    return len(query) + sum(map(len, defaults)) + sum(map(len, named)) + len(base or "")


def _raw_size(raw: Hashable) -> int:
    if isinstance(raw, tuple):
        return sum(len(part) if isinstance(part, str | bytes) else 8 for part in raw)
    return 64
