"""The one list of W3C tests a target is known to fail, with the reason for each.

`known_failures.txt` has one line per failure: the target (`scograph`, `oxigraph`, or `*`
for both), the test id, and a one-line reason. Lines starting with `#` are comments.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

KNOWN_FAILURES_FILE = Path(__file__).with_name("known_failures.txt")


@cache
def known_failures(target: str) -> dict[str, str]:
    """Return {test id: reason} for the tests `target` is known to fail.

    Raises ValueError on a malformed line, so a typo cannot hide a failure.
    """
    failures: dict[str, str] = {}
    for number, line in enumerate(KNOWN_FAILURES_FILE.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        if len(parts) != 3:
            raise ValueError(f"{KNOWN_FAILURES_FILE.name}:{number}: expected target, id, reason")
        who, test_id, reason = parts
        if who in (target, "*"):
            failures[test_id] = reason
    return failures
