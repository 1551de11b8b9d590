"""The LIMIT a query's text ends with: a bound on its rows known before it runs.

A SELECT query's last solution modifier applies to its whole answer, so when the
text ends with ``LIMIT n`` (or ``LIMIT n OFFSET m``) the answer has at most n rows.
When n is within the row cap, the cap cannot cut the answer, and a reader streams
it as the engine makes it instead of counting it first (see ``worker``, which reads
the bound).

The check only reads the end of the text and fails safe: ``None`` whenever it
cannot be sure, which only costs the answer its early start. A ``#`` on the line
before the LIMIT could open a comment that hides it, so such a line gives ``None``.
"""

import re
from typing import Final

# LIMIT must stand apart from what precedes it: ``ex:LIMIT`` or ``?xLIMIT`` is no keyword.
_FINAL_LIMIT: Final = re.compile(
    r"(?:^|(?<=[\s})]))LIMIT\s+(\d+)(?:\s+OFFSET\s+\d+)?\s*\Z", re.IGNORECASE
)
# The end of a query is all that is looked at: LIMIT n OFFSET m fits in far less.
_TAIL_CHARACTERS: Final = 200


def final_limit(text: str) -> int | None:
    """The n of the ``LIMIT n`` the query ends with, or None if it does not surely end so."""
    tail = max(0, len(text) - _TAIL_CHARACTERS)
    if "limit" not in text[tail:].lower():
        return None  # most queries: a substring test is a tenth of the search's time
    # From a position, not a slice: the look-behind still sees the character before it.
    found = _FINAL_LIMIT.search(text, tail)
    if found is None:
        return None
    start = found.start()
    line_start = text.rfind("\n", 0, start) + 1
    if "#" in text[line_start:start]:
        return None
    return int(found.group(1))
