"""The W3C SPARQL 1.1 test suites, run over HTTP against a real server.

One test per W3C test, with its id (folder/local name) as the pytest id. Tests listed in
known_failures.txt are strict xfails, so a fix shows up as a failure to clean up.
"""

from __future__ import annotations

import pytest
from _pytest.mark import ParameterSet

from .client import SuiteClient
from .known_failures import known_failures
from .manifest import (
    GRAPH_STORE_PROTOCOL,
    PROTOCOL,
    QUERY_EVALUATION,
    QUERY_SYNTAX,
    UPDATE_EVALUATION,
    UPDATE_SYNTAX,
    W3CTest,
    runnable_tests,
)
from .runners import run_case
from .servers import target_name


def cases(category: str) -> list[ParameterSet]:
    """The runnable tests of a category, known failures marked as strict xfails."""
    known = known_failures(target_name())
    return [
        pytest.param(
            test,
            id=test.id,
            marks=[pytest.mark.xfail(reason=known[test.id], strict=True)]
            if test.id in known
            else [],
        )
        for test in runnable_tests()
        if test.category == category
    ]


@pytest.mark.parametrize("case", cases(QUERY_SYNTAX))
def test_query_syntax_is_accepted_or_refused_as_the_w3c_says(
    case: W3CTest, w3c_client: SuiteClient
) -> None:
    run_case(case, w3c_client)


@pytest.mark.parametrize("case", cases(UPDATE_SYNTAX))
def test_update_syntax_is_accepted_or_refused_as_the_w3c_says(
    case: W3CTest, w3c_client: SuiteClient
) -> None:
    run_case(case, w3c_client)


@pytest.mark.parametrize("case", cases(QUERY_EVALUATION))
def test_query_gives_the_w3c_expected_results(case: W3CTest, w3c_client: SuiteClient) -> None:
    run_case(case, w3c_client)


@pytest.mark.parametrize("case", cases(UPDATE_EVALUATION))
def test_update_leaves_the_w3c_expected_store(case: W3CTest, w3c_client: SuiteClient) -> None:
    run_case(case, w3c_client)


@pytest.mark.parametrize("case", cases(PROTOCOL))
def test_sparql_protocol_exchange_behaves_as_the_w3c_says(
    case: W3CTest, w3c_client: SuiteClient
) -> None:
    run_case(case, w3c_client)


@pytest.mark.parametrize("case", cases(GRAPH_STORE_PROTOCOL))
def test_graph_store_protocol_exchange_behaves_as_the_w3c_says(
    case: W3CTest, w3c_client: SuiteClient
) -> None:
    run_case(case, w3c_client)
