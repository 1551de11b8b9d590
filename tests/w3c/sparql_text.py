"""Small facts about SPARQL request text that the runner needs before sending it."""

from __future__ import annotations

import re

_BASE_DECLARATION = re.compile(r"^\s*BASE\s*<", re.IGNORECASE | re.MULTILINE)

# Tokens that can hide braces or keywords: strings, IRIs and comments, then braces and words.
_TOKEN = re.compile(
    r"""'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"
    |<[^<>"{}|^`\\\s]*>|\#[^\n]*|(?P<brace>[{}])|(?P<word>[A-Za-z]+)""",
    re.DOTALL | re.VERBOSE,
)


def with_base(text: str, base_iri: str) -> str:
    """Return `text` with `BASE <base_iri>` in front unless it declares a base itself.

    The SPARQL Protocol has no base parameter, so a suite file's relative IRIs are resolved
    against the file's own IRI this way, as other W3C-suite runners do.
    """
    if _BASE_DECLARATION.search(text):
        return text
    return f"BASE <{base_iri}>\n{text}"


def has_top_level_order_by(query: str) -> bool:
    """Tell whether the outermost query has ORDER BY (one in a subquery orders nothing)."""
    depth = 0
    previous = ""
    for match in _TOKEN.finditer(query):
        if match.group("brace"):
            depth += 1 if match.group("brace") == "{" else -1
            previous = ""
        elif word := match.group("word"):
            if depth == 0 and previous == "ORDER" and word.upper() == "BY":
                return True
            previous = word.upper()
        else:
            previous = ""
    return False
