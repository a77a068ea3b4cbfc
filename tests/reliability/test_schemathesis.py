"""schemathesis against the dashboard's OpenAPI schema: requests generated from every
operation's parameters and bodies (valid ones, and invalid ones), anonymous and with the
token; no answer may be a server error (5xx). Few examples per operation, so that the run
stays short.

(schemathesis' pytest fixture loader does not run on pytest 9 yet, so the operations are
walked with its Python API: ``APIOperation.as_strategy`` under hypothesis.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.web.conftest import TOKEN, build_store

OWN = "http://testserver"
EXAMPLES = 5


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[Any]:
    """A dashboard with edits allowed over the web tests' store (a document holding a script,
    a javascript: address, events of two origins)."""
    from dyadwatch.web.app import create_app

    path = tmp_path / "web.duckdb"
    build_store(path)
    app = create_app(path, allow_edits=True, token=TOKEN, poll_interval=0.05, study_timeout=20.0)
    try:
        yield app
    finally:
        board = app.state.dashboard
        stop = getattr(board, "close", None) or board.access.stop
        stop()


def _runner(operation: Any, mode: GenerationMode, failures: list[str], tried: list[int]) -> Any:
    """A hypothesis test calling one operation with cases of one generation mode."""

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        for headers in ({}, {"Authorization": f"Bearer {TOKEN}", "Origin": OWN}):
            tried[0] += 1
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {mode.value}: "
                                f"{response.status_code} {response.text[:300]}")

    return call


def test_no_request_gets_a_server_error(dashboard: Any) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", dashboard)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    failures: list[str] = []
    tried = [0]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _runner(operation, mode, failures, tried)()
            except Unsatisfiable:
                if mode is GenerationMode.POSITIVE:
                    raise
                # nothing to make invalid (an operation without parameters or body)
    assert failures == [], failures
    assert tried[0] >= len(operations) * 2
