"""Run the W3C SPARQL 1.1 suites against one server and print pass counts per category.

    python -m tests.w3c.run_suite --target oxigraph
    python -m tests.w3c.run_suite --target scograph --verbose

Exits with 1 when a test fails that is not a known failure, or a known failure passes.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable
from dataclasses import dataclass

from .client import SuiteClient
from .known_failures import known_failures
from .manifest import CATEGORIES, W3CTest, not_run_counts, runnable_tests
from .runners import run_case
from .servers import TARGETS, running_target


@dataclass(frozen=True)
class Outcome:
    """What happened to one test: None for a pass, else the first line of the failure."""

    test: W3CTest
    failure: str | None


def not_run_summary(include_proposed: bool = False) -> list[str]:
    """One line per reason a test is not run, with how many tests it keeps out."""
    counts = not_run_counts(include_proposed)
    return [f"  {count:4d}  {reason}" for reason, count in counts.most_common()]


def run_all(client: SuiteClient, tests: Iterable[W3CTest]) -> list[Outcome]:
    """Run tests one after the other, catching each failure."""
    outcomes = []
    for test in tests:
        try:
            run_case(test, client)
            outcomes.append(Outcome(test, None))
        except Exception as error:  # any error is this test's failure, not the run's
            message = str(error).strip() or type(error).__name__
            outcomes.append(Outcome(test, f"{type(error).__name__}: {message}"))
    return outcomes


def report(
    target: str, outcomes: list[Outcome], seconds: float, verbose: bool, include_proposed: bool
) -> int:
    """Print the summary; return the exit status (1 on a surprise)."""
    known = known_failures(target)
    print(f"W3C SPARQL 1.1 suite against {target} ({seconds:.1f} s)")
    for category in CATEGORIES:
        ran = [o for o in outcomes if o.test.category == category]
        passed = sum(o.failure is None for o in ran)
        print(f"  {category:22s} {passed:4d} / {len(ran):<4d} passed")
    print("Not run:")
    print("\n".join(not_run_summary(include_proposed)))
    new = [o for o in outcomes if o.failure and o.test.id not in known]
    fixed = [o for o in outcomes if not o.failure and o.test.id in known]
    expected = [o for o in outcomes if o.failure and o.test.id in known]
    if verbose and expected:
        print("Known failures (still failing):")
        for o in expected:
            print(f"  {o.test.id}: {known[o.test.id]}\n      {_first_line(o.failure)}")
    if new:
        print("NEW FAILURES (not in known_failures.txt):")
        for o in new:
            print(f"  {o.test.id}: {o.failure if verbose else _first_line(o.failure)}")
    if fixed:
        print("NOW PASSING (remove from known_failures.txt):")
        print("\n".join(f"  {o.test.id}" for o in fixed))
    return 1 if new or fixed else 0


def _first_line(text: str | None) -> str:
    return (text or "").splitlines()[0][:200]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=TARGETS, default="scograph")
    parser.add_argument("--verbose", "-v", action="store_true", help="show every failure in full")
    parser.add_argument(
        "--include-proposed",
        action="store_true",
        help="also run dawgt:Proposed tests (the cast tests, a few syntax and function tests)",
    )
    parser.add_argument("-k", dest="match", default="", help="only tests whose id contains this")
    options = parser.parse_args(argv)
    tests = [t for t in runnable_tests(options.include_proposed) if options.match in t.id]
    started = time.monotonic()
    with running_target(options.target) as target:
        client = SuiteClient(target)
        try:
            outcomes = run_all(client, tests)
        finally:
            client.close()
    seconds = time.monotonic() - started
    return report(options.target, outcomes, seconds, options.verbose, options.include_proposed)


if __name__ == "__main__":
    raise SystemExit(main())
