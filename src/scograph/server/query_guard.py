"""Checks on a query or update before it reaches the engine.

pyoxigraph parses in the worker processes; the app only scans the text, and only
when it has to: for bracket nesting when there are more brackets than the limit
(the engine crashes its process a few thousand levels deep), and for SERVICE,
LOAD, FROM, USING and WITH when one of these words appears at all. The scanner
knows SPARQL's tokens well enough to skip strings, IRIs and comments, and fails
closed: a SERVICE whose endpoint it cannot name exactly is refused.

pyoxigraph does not undo ``\\u`` escapes outside strings and IRIs, so keywords
cannot be hidden that way; an escaped endpoint IRI simply fails the exact match.

The engine's parser does not need a keyword to end where a word ends: it reads
``SERVICESILENT <…>``, ``trueSERVICE <…>``, ``1e0SERVICE <…>``, ``SERVICE:x`` and
``LOADSILENT <…>`` as the keywords they contain. So a word, or the prefix of a
prefixed name, that contains ``service`` or ``load`` without being exactly that
keyword is refused too (legitimate queries never need one).
"""

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from scograph.server.errors import BadRequestError, ForbiddenError, UpstreamError

_OPENING: Final = "({["
_CLOSING: Final = ")}]"

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040-"
_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKENS = re.compile(
    "|".join(
        [
            r"(?P<space>\s+)",
            r"(?P<comment>#[^\n\r]*)",
            r'(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)',
            r"(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''"
            r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
            r"|'(?:[^'\\\n\r]|\\.)*'"
            r'|"(?:[^"\\\n\r]|\\.)*")',
            r"(?P<var>[?$][" + _PN_CHARS + r"]+)",
            rf"(?P<pname>(?:[{_PN_CHARS_BASE}][{_PN_CHARS}.]*)?:"
            rf"(?:[{_PN_CHARS}:.]|%[0-9A-Fa-f]{{2}}|{_LOCAL_ESCAPE})*)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<other>.)",
        ]
    ),
    re.DOTALL,
)
_TRIGGERS: Final = ("service", "load", "from", "using", "with")
# Characters that never stand alone outside strings, IRIs and prefixed names in a
# valid query: meeting one means the scanner read the text differently from the
# engine, so it cannot vouch for what the text hides.
_DIVERGENCE: Final = frozenset({"\\", "'", '"'})
_RAW_SERVICE = re.compile(r"service", re.IGNORECASE)
# No word boundaries: the engine reads "LOADSILENT" and "LOAD:x" as LOAD.
_RAW_LOAD = re.compile(r"load", re.IGNORECASE)
_HIDING_WORDS: Final = ("service", "load")
# Binary operators that each add a level to the tree the engine builds, though no
# bracket nests: the engine's planning time grows with the square of a chain of + * ||
# and faster still along a / property path (measured: 500 steps take 10 s, 1,000 over
# a minute). In parentheses (expressions, path groups) any of these chains; in braces
# only the path operators do, since + and - there are signs of numbers.
_EXPRESSION_OPERATORS: Final = frozenset("/|+-*&")
_PATH_OPERATORS: Final = frozenset("/|")
# What starts a new chain: the next argument, or the next triple or object.
_EXPRESSION_SEPARATORS: Final = frozenset(",;")
_PATTERN_SEPARATORS: Final = frozenset(".,;")
_OPERATOR_CHARACTERS: Final = "".join(_EXPRESSION_OPERATORS)
_IRI_LIKE = re.compile(r"<[^<>\s]*>")
# A line that is a comment and nothing else. What it holds is never read as code: the
# engine skips it, or it lies inside a long string (no IRI spans lines). Only a line
# after \n is matched, and the comment ends at \r as well, as the engine's does.
_COMMENT_LINE = re.compile(r"^[ \t]*#[^\n\r]*", re.MULTILINE)


@dataclass
class Scan:
    """What the scanner found in a query or update."""

    max_depth: int = 0
    # Endpoint of each SERVICE clause: its absolute IRI, or None when it cannot be named.
    services: list[str | None] = field(default_factory=list)
    loads: int = 0
    has_from: bool = False
    has_using_or_with: bool = False
    # Offsets of each top-level WHERE that ends a DELETE/INSERT (where USING goes).
    modify_wheres: list[int] = field(default_factory=list)
    # Words and prefixed names the engine may read as SERVICE or LOAD run into a neighbour.
    hidden: list[str] = field(default_factory=list)
    # The most binary operators chained in one expression or property path.
    longest_chain: int = 0


def needs_scan(text: str, max_nesting: int) -> bool:
    """Whether :func:`scan` has anything to find (cheap: no tokenising).

    Comment lines are left out: a query's header comments ("… with …", "… from …")
    would otherwise send most queries through the scan for nothing.
    """
    text = _COMMENT_LINE.sub("", text)
    if sum(text.count(c) for c in _OPENING) > max_nesting:
        return True
    if sum(text.count(c) for c in _OPERATOR_CHARACTERS) > max_nesting:
        # IRIs are full of slashes: only operators outside them can chain.
        outside = _IRI_LIKE.sub("", text)
        if sum(outside.count(c) for c in _OPERATOR_CHARACTERS) > max_nesting:
            return True
    lowered = text.lower()
    return any(word in lowered for word in _TRIGGERS)


def scan(text: str) -> Scan:
    """Tokenise ``text`` and report nesting depth, SERVICE endpoints, LOAD and dataset clauses."""
    result = Scan()
    prefixes: dict[str, str] = {}
    depth = 0
    unsure = False
    significant: list[tuple[str, str, int]] = []
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        value = match.group()
        if kind == "pname":
            # A local name never ends with a dot: that dot ends the triple.
            stripped = value.rstrip(".")
            if ":" not in stripped:
                stripped = value
            value = stripped
        if kind == "other":
            if value in _OPENING:
                depth += 1
                result.max_depth = max(result.max_depth, depth)
            elif value in _CLOSING:
                depth -= 1
            elif value in _DIVERGENCE:
                unsure = True
        significant.append((kind, value, match.start()))
        if kind == "word":
            _keyword(value.upper(), significant, depth, result)
        if _may_hide_keyword(kind, value, significant):
            result.hidden.append(value)
    _resolve(significant, prefixes, result)
    result.longest_chain = _longest_chain(significant)
    if unsure:
        # Fail closed: any mention at all counts as a SERVICE nobody can name, or a LOAD.
        result.services += [None] * len(_RAW_SERVICE.findall(text))
        result.loads += len(_RAW_LOAD.findall(text))
    return result


def _may_hide_keyword(kind: str, value: str, tokens: list[tuple[str, str, int]]) -> bool:
    """Whether the engine may read SERVICE or LOAD inside this word or prefixed name."""
    if kind == "word":
        text = value.casefold()
    elif kind == "pname":
        # A declaration (PREFIX service: <…>) names a prefix; no keyword can stand there.
        if len(tokens) > 1 and tokens[-2][0] == "word" and tokens[-2][1].upper() == "PREFIX":
            return False
        # Local names run on as far as they can; only the prefix can end in a keyword.
        text = value.partition(":")[0].casefold() + ":"
    else:
        return False
    return any(word in text and text != word for word in _HIDING_WORDS)


def _keyword(word: str, tokens: list[tuple[str, str, int]], depth: int, result: Scan) -> None:
    if word == "FROM":
        result.has_from = True
    elif word in ("USING", "WITH") and depth == 0:
        result.has_using_or_with = True
    elif word == "LOAD":
        result.loads += 1
    elif word == "WHERE" and depth == 0 and len(tokens) > 1:
        previous = tokens[-2]
        if not (previous[0] == "word" and previous[1].upper() == "DELETE"):
            result.modify_wheres.append(tokens[-1][2])


def _longest_chain(tokens: list[tuple[str, str, int]]) -> int:
    """The most binary operators chained in one expression or property path.

    ``&&`` and ``||`` count once each; a path modifier (``p+``) inside parentheses
    counts too, which only over-counts.
    """
    groups: list[str] = []
    chains = [0]
    longest = 0
    previous = ""
    for kind, value, _ in tokens:
        if kind != "other":
            previous = ""
            continue
        if value in _OPENING:
            groups.append(value)
            chains.append(0)
        elif value in _CLOSING:
            if groups:
                groups.pop()
                chains.pop()
        else:
            in_parentheses = bool(groups) and groups[-1] == "("
            operators = _EXPRESSION_OPERATORS if in_parentheses else _PATH_OPERATORS
            separators = _EXPRESSION_SEPARATORS if in_parentheses else _PATTERN_SEPARATORS
            if value in operators and value != previous:
                chains[-1] += 1
                longest = max(longest, chains[-1])
            elif value in separators:
                chains[-1] = 0
        previous = value
    return longest


def _resolve(tokens: list[tuple[str, str, int]], prefixes: dict[str, str], result: Scan) -> None:
    """Follow PREFIX declarations in order and name the endpoint of each SERVICE."""
    for index, (kind, value, _) in enumerate(tokens):
        if kind != "word":
            continue
        upper = value.upper()
        if upper == "PREFIX" and index + 2 < len(tokens):
            name, iri = tokens[index + 1], tokens[index + 2]
            if name[0] == "pname" and name[1].endswith(":") and iri[0] == "iri":
                prefixes[name[1][:-1]] = iri[1][1:-1]
        elif upper == "SERVICE":
            position = index + 1
            if position < len(tokens) and tokens[position][1].upper() == "SILENT":
                position += 1
            target = tokens[position] if position < len(tokens) else ("other", "", 0)
            result.services.append(_endpoint(target, prefixes))


def _endpoint(token: tuple[str, str, int], prefixes: dict[str, str]) -> str | None:
    kind, value, _ = token
    if kind == "iri":
        iri = value[1:-1]
    elif kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix not in prefixes:
            return None
        iri = prefixes[prefix] + re.sub(_LOCAL_ESCAPE, lambda m: m.group()[1], local)
    else:
        return None
    if "\\" in iri or not urlsplit(iri).scheme:
        return None
    return iri


def check_text(text: str, max_nesting: int) -> Scan | None:
    """Refuse excessive nesting (400); return the scan, or None when nothing needed one."""
    if not needs_scan(text, max_nesting):
        return None
    found = scan(text)
    if found.max_depth > max_nesting:
        raise BadRequestError(
            f"The request nests brackets {found.max_depth} levels deep; "
            f"at most {max_nesting} are allowed."
        )
    if found.longest_chain > max_nesting:
        raise BadRequestError(
            f"The request chains {found.longest_chain} operators in one expression or "
            "property path (such as / between path steps, or + and || between terms); "
            f"at most {max_nesting} are allowed, since each is a level of nesting to the "
            "engine. For a long list of alternatives, use IN or VALUES."
        )
    return found


def refusal(found: Scan | None, allowlist: Sequence[str]) -> str | None:
    """Return why the SERVICE or LOAD clauses are refused (403), or None."""
    if found is None:
        return None
    if found.hidden:
        return (
            f"'{found.hidden[0]}' could be read as SERVICE or LOAD run into its neighbour, "
            "which the engine would obey: write keywords apart, and rename prefixes "
            "whose name contains 'service' or 'load'."
        )
    if found.loads:
        return "LOAD is not allowed: this endpoint does not fetch remote data."
    for endpoint in found.services:
        if endpoint is None:
            return "SERVICE needs a literal endpoint IRI from the allow-list (no variables)."
        if endpoint not in allowlist:
            return f"SERVICE <{endpoint}> is not allowed; allowed endpoints: " + ", ".join(
                f"<{allowed}>" for allowed in allowlist
            )
    return None


async def check_service_hosts(endpoints: Iterable[str | None]) -> None:
    """Refuse (403) endpoints whose host resolves to a loopback, private or link-local address.

    Every endpoint is checked before anything is raised, so a refusal (403) does not
    depend on the order of the endpoints nor hide behind a name that cannot be
    resolved. Raises :class:`UpstreamError` (502) when a host cannot be resolved at all.
    """
    loop = asyncio.get_running_loop()
    unresolved: list[UpstreamError] = []
    for endpoint in sorted({e for e in endpoints if e}):
        host = urlsplit(endpoint).hostname
        if not host:
            raise ForbiddenError(f"SERVICE <{endpoint}> names no host.")
        try:
            infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except UnicodeError as error:
            # A name Python's IDNA codec refuses (a label over 63 characters, …) cannot
            # be checked, so it is not called.
            raise ForbiddenError(
                f"SERVICE <{endpoint}>: {host} is not a valid host name."
            ) from error
        except OSError as error:
            unresolved.append(
                UpstreamError(f"SERVICE <{endpoint}>: cannot resolve {host}: {error}")
            )
            continue
        for info in infos:
            if not all(_public(a) for a in _addresses_within(info[4][0].split("%")[0])):
                raise ForbiddenError(
                    f"SERVICE <{endpoint}> is refused: {host} resolves to a non-public address."
                )
    if unresolved:
        raise unresolved[0]


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_global and not address.is_multicast


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")


def _addresses_within(text: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """An address and every IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64…).

    Python counts 6to4 and NAT64 forms of 127.0.0.1 as global; what they carry is checked too.
    """
    address = ipaddress.ip_address(text)
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found += list(address.teredo)
        if any(address in net for net in (_NAT64, _IPV4_COMPATIBLE, _IPV4_TRANSLATED)):
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def add_using(text: str, found: Scan | None, default: Sequence[str], named: Sequence[str]) -> str:
    """Apply the protocol's using-graph-uri / using-named-graph-uri to an update.

    Each DELETE/INSERT … WHERE gets the USING clauses; an update that has its own
    USING or WITH conflicts with them (400).
    """
    if not default and not named:
        return text
    if found is not None and found.has_using_or_with:
        raise BadRequestError(
            "using-graph-uri and using-named-graph-uri cannot be combined "
            "with an update that has USING or WITH."
        )
    if found is None:
        return text
    clause = "".join(f" USING <{_iri(g)}>" for g in default) + "".join(
        f" USING NAMED <{_iri(g)}>" for g in named
    )
    for offset in sorted(found.modify_wheres, reverse=True):
        text = f"{text[:offset]}{clause} {text[offset:]}"
    return text


def _iri(value: str) -> str:
    if re.search(r'[<>"{}|^`\\\x00-\x20]', value) or not urlsplit(value).scheme:
        raise BadRequestError(f"Not an absolute IRI: {value!r}")
    return value
